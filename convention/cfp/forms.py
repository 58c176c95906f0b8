"""Forms of the call for papers. They validate input only; the rules are in the services."""

from __future__ import annotations

from datetime import date, time

from flask_babel import gettext, lazy_gettext
from flask_wtf import FlaskForm
from flask_wtf.file import FileField, FileRequired
from wtforms import (
    BooleanField,
    DateTimeLocalField,
    EmailField,
    HiddenField,
    IntegerField,
    SelectField,
    StringField,
    SubmitField,
    TextAreaField,
    TimeField,
)
from wtforms.fields.choices import SelectChoice
from wtforms.validators import DataRequired, Email, Length, NumberRange, Optional, ValidationError

from convention.cfp.models import (
    ABSTRACT_MAX,
    ANSWER_MAX,
    BIOGRAPHY_MAX,
    DESCRIPTION_MAX,
    LANGUAGE_LABELS,
    LEVEL_LABELS,
    NOTES_MAX,
    QUESTION_KIND_LABELS,
    TITLE_MAX,
    AudienceLevel,
    Language,
    Question,
    QuestionKind,
)
from convention.cfp.states import STATE_LABELS
from convention.core.i18n import localized
from convention.core.text import HumanText


def select_choices(pairs) -> list[SelectChoice]:
    """(value, label) pairs as WTForms select choices."""
    return [SelectChoice(str(value), label) for value, label in pairs]


MARKDOWN_HELP = lazy_gettext("Markdown: **bold**, *italic*, [link](https://...), lists with - . No HTML.")


class ProposalForm(FlaskForm):
    """The fixed part of the proposal form; ``proposal_form_class`` adds the edition's questions."""

    submission_key = HiddenField()
    title = StringField(lazy_gettext("Title"), validators=[DataRequired(), Length(max=TITLE_MAX), HumanText()])
    # Not required here: a draft may leave them open; the service asks for them on submitting.
    theme_id = SelectField(lazy_gettext("Theme"), coerce=int, validators=[Optional()])
    format_id = SelectField(lazy_gettext("Format"), coerce=int, validators=[Optional()])
    level = SelectField(
        lazy_gettext("Audience level"), choices=select_choices((lvl.value, LEVEL_LABELS[lvl.value]) for lvl in AudienceLevel),
        validators=[DataRequired()],
    )
    language = SelectField(lazy_gettext("Language"), choices=select_choices((lang.value, LANGUAGE_LABELS[lang.value]) for lang in Language),
                           validators=[DataRequired()])
    abstract = TextAreaField(
        lazy_gettext("Abstract"),
        validators=[DataRequired(), Length(max=ABSTRACT_MAX), HumanText()],
        description=lazy_gettext("Plain text, at most %(max)d characters: it appears in the programme.", max=ABSTRACT_MAX),
        # cfp.js counts the characters; the attribute holds its words ({count} and {max} are filled in).
        render_kw={"rows": 4, "maxlength": ABSTRACT_MAX, "data-counter": lazy_gettext("{count} / {max} characters")},
    )
    description = TextAreaField(
        lazy_gettext("Description"),
        validators=[Optional(), Length(max=DESCRIPTION_MAX), HumanText()],
        description=lazy_gettext("What you will cover, for the committee and the programme. %(markdown)s", markdown=MARKDOWN_HELP),
        render_kw={"rows": 8},
    )
    notes = TextAreaField(
        lazy_gettext("Notes for the committee"),
        validators=[Optional(), Length(max=NOTES_MAX), HumanText()],
        description=lazy_gettext("Never published. Only the speakers of this proposal and the organizers read them."),
        render_kw={"rows": 3},
    )
    may_record = BooleanField(lazy_gettext("The talk may be recorded and published"), default=True)
    save_draft = SubmitField(lazy_gettext("Save as draft"))
    submit = SubmitField(lazy_gettext("Submit proposal"))

    # Submitting needs a theme and a format (the service says so too); saving a draft does not.
    def validate_theme_id(self, field):
        if self.submit.data and not field.data:
            raise ValidationError(gettext("Choose a theme."))

    def validate_format_id(self, field):
        if self.submit.data and not field.data:
            raise ValidationError(gettext("Choose a format."))

    def set_choices(self, edition) -> None:
        self.theme_id.choices = select_choices([(0, gettext("Choose a theme…"))] + [(t.id, localized(t, "name")) for t in edition.themes])
        self.format_id.choices = select_choices(
            [(0, gettext("Choose a format…"))]
            + [(f.id, gettext("%(name)s · %(minutes)d min", name=f.name, minutes=f.duration_minutes)) for f in edition.formats]
        )

    @property
    def question_fields(self):
        return [field for field in self if field.name.startswith("q_")]

    @property
    def fixed_fields(self):
        return [field for field in self if not field.name.startswith("q_")]

    def answers(self) -> dict[int, str]:
        return {int(f.name[2:]): (f.data or "") for f in self.question_fields}

    def fill_from(self, proposal, answers: dict[int, str]) -> None:
        """Show a saved proposal: its enum choices by value, and its answers by question."""
        self.level.data = proposal.level.value
        self.language.data = proposal.language.value
        for field in self.question_fields:
            field.data = answers.get(int(field.name[2:]), "")


def _question_field(question: Question):
    validators = [DataRequired(message=gettext("Please answer this question."))] if question.required else [Optional()]
    label, help_text = question.label, question.help_text or None
    if question.kind is QuestionKind.TEXT:
        return TextAreaField(label, validators=[*validators, Length(max=ANSWER_MAX), HumanText()], description=help_text,
                             render_kw={"rows": 2})
    if question.kind is QuestionKind.BOOLEAN:
        options = [("", "—"), ("yes", gettext("Yes")), ("no", gettext("No"))]
    else:
        options = [("", gettext("Choose…"))] + [(choice, choice) for choice in question.choice_list]
    return SelectField(label, choices=select_choices(options), validators=validators, description=help_text)


def proposal_form_class(questions: list[Question]) -> type[ProposalForm]:
    """A form class with one field ``q_<id>`` per custom question of the edition."""
    attributes = {f"q_{question.id}": _question_field(question) for question in questions}
    return type("EditionProposalForm", (ProposalForm,), attributes)


class ProfileForm(FlaskForm):
    display_name = StringField(lazy_gettext("Name as shown on the programme"), validators=[DataRequired(), Length(max=120), HumanText()])
    organisation = StringField(lazy_gettext("Organisation"), validators=[Optional(), Length(max=160), HumanText()])
    job_title = StringField(lazy_gettext("Job title"), validators=[Optional(), Length(max=160), HumanText()])
    biography = TextAreaField(
        lazy_gettext("Biography"), validators=[Optional(), Length(max=BIOGRAPHY_MAX), HumanText()], description=MARKDOWN_HELP,
        render_kw={"rows": 6},
    )
    links = TextAreaField(
        lazy_gettext("Links"), validators=[Optional(), Length(max=1600)],
        description=lazy_gettext("Up to five web addresses (website, Mastodon, GitHub...), one a line."), render_kw={"rows": 3},
    )
    photo = FileField(lazy_gettext("Photo"), description=lazy_gettext("JPEG or PNG, at most 5 MB. We resize it and remove its metadata."),
                      render_kw={"accept": "image/jpeg,image/png"})
    remove_photo = BooleanField(lazy_gettext("Remove my photo"))
    submit = SubmitField(lazy_gettext("Save profile"))


class InviteForm(FlaskForm):
    email = EmailField(lazy_gettext("Co-speaker's email"), validators=[DataRequired(), Email(), Length(max=254)])
    submit = SubmitField(lazy_gettext("Send invitation"))


class AttachmentForm(FlaskForm):
    file = FileField(lazy_gettext("PDF file"), validators=[FileRequired(message=lazy_gettext("Choose a PDF file."))],
                     description=lazy_gettext("Slides or a paper, PDF only, at most 10 MB."),
                     render_kw={"accept": "application/pdf,.pdf"})
    submit = SubmitField(lazy_gettext("Upload"))


class QuestionForm(FlaskForm):
    label = StringField(lazy_gettext("Question"), validators=[DataRequired(), Length(max=200), HumanText()])
    help_text = StringField(lazy_gettext("Help text"), validators=[Optional(), Length(max=500), HumanText()])
    kind = SelectField(lazy_gettext("Kind of answer"), choices=select_choices((k.value, QUESTION_KIND_LABELS[k.value]) for k in QuestionKind),
                       validators=[DataRequired()])
    choices = TextAreaField(lazy_gettext("Choices"), validators=[Optional(), Length(max=4000), HumanText()],
                            description=lazy_gettext("For “choice from a list”: one choice a line."), render_kw={"rows": 4})
    required = BooleanField(lazy_gettext("An answer is required"))
    position = IntegerField(lazy_gettext("Position on the form"), default=0, validators=[Optional(), NumberRange(min=0, max=1000)])
    submit = SubmitField(lazy_gettext("Save question"))


class LateLinkForm(FlaskForm):
    email = EmailField(lazy_gettext("Speaker's email"), validators=[DataRequired(), Email(), Length(max=254)])
    expires_at = DateTimeLocalField(lazy_gettext("Valid until"), format="%Y-%m-%dT%H:%M", validators=[DataRequired()],
                                    description=lazy_gettext("In the edition's time zone."))
    submit = SubmitField(lazy_gettext("Send personal link"))


class ProposalFilterForm(FlaskForm):
    """The organizer table's filters, read from the query string (no CSRF: a GET)."""

    class Meta:
        csrf = False

    theme = SelectField(lazy_gettext("Theme"), coerce=int, validators=[Optional()])
    format = SelectField(lazy_gettext("Format"), coerce=int, validators=[Optional()])
    state = SelectField(lazy_gettext("State"), choices=select_choices([("", lazy_gettext("All states")), *STATE_LABELS.items()]),
                        validators=[Optional()])
    language = SelectField(lazy_gettext("Language"),
                           choices=select_choices([("", lazy_gettext("All languages")), *LANGUAGE_LABELS.items()]),
                           validators=[Optional()])
    level = SelectField(lazy_gettext("Level"), choices=select_choices([("", lazy_gettext("All levels")), *LEVEL_LABELS.items()]),
                        validators=[Optional()])
    q = StringField(lazy_gettext("Search"), validators=[Optional(), Length(max=100)])

    def set_choices(self, edition) -> None:
        self.theme.choices = select_choices([(0, gettext("All themes"))] + [(t.id, localized(t, "name")) for t in edition.themes])
        self.format.choices = select_choices([(0, gettext("All formats"))] + [(f.id, f.name) for f in edition.formats])


RANGES_PER_DAY = 2


class _AvailabilityForm(FlaskForm):
    """Base of ``availability_form_class``: reads and fills the ranges of its ``days``."""

    days: list[date] = []

    def _pairs(self, n: int):
        return [(self[f"d{n}_{k}_start"], self[f"d{n}_{k}_end"]) for k in range(RANGES_PER_DAY)]

    def validate(self, extra_validators=None) -> bool:
        valid = super().validate(extra_validators)
        for n, _day in enumerate(self.days):
            for start, end in self._pairs(n):
                if (start.data is None) != (end.data is None):
                    (end if start.data else start).errors.append(gettext("Give both the start and the end."))
                    valid = False
        return valid

    def ranges(self) -> list[tuple[date, time, time]]:
        """(day, from, to) for every range given in full."""
        return [(day, start.data, end.data) for n, day in enumerate(self.days)
                for start, end in self._pairs(n) if start.data is not None]

    def fill(self, per_day: dict[date, list[tuple[time, time]]]) -> None:
        for n, day in enumerate(self.days):
            for (start, end), (start_field, end_field) in zip(per_day.get(day, []), self._pairs(n), strict=False):
                start_field.data, end_field.data = start, end

    def day_rows(self):
        """(n, day, [(start field, end field), ...]) for the template."""
        return [(n, day, self._pairs(n)) for n, day in enumerate(self.days)]


def availability_form_class(days: list[date]) -> type[FlaskForm]:
    """Two optional time ranges per convention day: ``d<n>_<k>_start`` / ``d<n>_<k>_end``."""
    attributes = {"submit": SubmitField(lazy_gettext("Save availability")), "days": list(days)}
    for n, _day in enumerate(days):
        for k in range(RANGES_PER_DAY):
            attributes[f"d{n}_{k}_start"] = TimeField(lazy_gettext("From"), validators=[Optional()])
            attributes[f"d{n}_{k}_end"] = TimeField(lazy_gettext("Until"), validators=[Optional()])
    return type("AvailabilityForm", (_AvailabilityForm,), attributes)
