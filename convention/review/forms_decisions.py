"""Forms of the committee's decisions: the ranking's filters, the bulk decision and the
notification templates. Input validation only; the rules are in decisions.py."""

from __future__ import annotations

from flask_babel import lazy_gettext
from flask_wtf import FlaskForm
from wtforms import IntegerField, SelectField, SelectMultipleField, StringField, SubmitField, TextAreaField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import DataRequired, Length, NumberRange, Optional

from convention.cfp.states import ProposalState
from convention.core.forms import strip
from convention.review.models import SUBJECT_MAX
from convention.review.notifications import BODY_MAX
from convention.review.quotas import QUOTA_MAX
from convention.review.ranking import DECISION_FILTERS, RANKED_STATES


def _choices(pairs) -> list[SelectChoice]:
    return [SelectChoice(str(value), label) for value, label in pairs]


DECISION_LABELS = {
    "none": lazy_gettext("No decision yet"),
    "accept": lazy_gettext("Accept"),
    "reject": lazy_gettext("Reject"),
    "untold": lazy_gettext("Decided, speakers not told"),
}


class RankingFilterForm(FlaskForm):
    """The ranking's filters, read from the query string (no CSRF: a GET)."""

    class Meta:
        csrf = False

    theme = SelectField(lazy_gettext("Theme"), coerce=int, validators=[Optional()])
    format = SelectField(lazy_gettext("Format"), coerce=int, validators=[Optional()])
    state = SelectField(lazy_gettext("State"), validators=[Optional()])
    decision = SelectField(lazy_gettext("Decision"), validators=[Optional()])

    def set_choices(self, edition) -> None:
        self.theme.choices = _choices([(0, lazy_gettext("All themes"))] + [(t.id, t.name) for t in edition.themes])
        self.format.choices = _choices([(0, lazy_gettext("All formats"))] + [(f.id, f.name) for f in edition.formats])
        self.state.choices = _choices([("", lazy_gettext("All states"))] + [(s.value, s.label) for s in RANKED_STATES])
        self.decision.choices = _choices(
            [("", lazy_gettext("All decisions"))] + [(key, DECISION_LABELS[key]) for key in DECISION_FILTERS]
        )

    def state_value(self) -> ProposalState | None:
        value = self.state.data if not self.state.errors else None
        return ProposalState(value) if value else None


class BulkDecisionForm(FlaskForm):
    """The ranking's ticked rows and the button pressed (accept, reject or clear)."""

    proposal = SelectMultipleField(coerce=int, validate_choice=False)
    outcome = SelectField(choices=_choices([("accept", ""), ("reject", ""), ("clear", "")]), validators=[DataRequired()])


class NotificationTemplateForm(FlaskForm):
    subject = StringField(lazy_gettext("Subject"), filters=[strip],
                          validators=[DataRequired(), Length(max=SUBJECT_MAX)])
    body = TextAreaField(lazy_gettext("Message"), validators=[DataRequired(), Length(max=BODY_MAX)],
                         render_kw={"rows": 14})
    preview = SubmitField(lazy_gettext("Preview"))
    submit = SubmitField(lazy_gettext("Save"))


class _QuotaForm(FlaskForm):
    submit = SubmitField(lazy_gettext("Save"))
    theme_fields: list[tuple[int, str]] = []

    def quotas(self) -> dict[int, int | None]:
        return {theme_id: self[name].data for theme_id, name in self.theme_fields}


def quota_form_class(edition) -> type[_QuotaForm]:
    """A form with one optional number per theme of ``edition`` (field ``t_<theme id>``)."""

    class QuotaForm(_QuotaForm):
        pass

    fields = []
    for theme in edition.themes:
        name = f"t_{theme.id}"
        setattr(QuotaForm, name, IntegerField(theme.name, validators=[Optional(), NumberRange(min=0, max=QUOTA_MAX)]))
        fields.append((theme.id, name))
    QuotaForm.theme_fields = fields
    return QuotaForm
