"""Forms of the review. They validate input only; the rules are in the services."""

from __future__ import annotations

from flask_babel import lazy_gettext
from flask_wtf import FlaskForm
from wtforms import (
    BooleanField,
    DateTimeLocalField,
    IntegerField,
    RadioField,
    SelectField,
    SelectMultipleField,
    StringField,
    SubmitField,
    TextAreaField,
    widgets,
)
from wtforms.fields.choices import SelectChoice
from wtforms.validators import DataRequired, InputRequired, Length, NumberRange, Optional

from convention.core.forms import strip
from convention.review.models import CRITERION_NAME_MAX, TEAM_NAME_MAX
from convention.review.scoring import COMMENT_MAX, FEEDBACK_MAX, score_field
from convention.review.settings import REVIEWS_PER_PROPOSAL_MAX, SCALE_LIMIT, WEIGHT_MAX


def choices(pairs) -> list[SelectChoice]:
    """(value, label) pairs as WTForms choices."""
    return [SelectChoice(value, label) for value, label in pairs]


class CheckboxesField(SelectMultipleField):
    widget = widgets.ListWidget(prefix_label=False)
    option_widget = widgets.CheckboxInput()


class SettingsForm(FlaskForm):
    opens_at = DateTimeLocalField(lazy_gettext("Review opens"), validators=[Optional()],
                                  description=lazy_gettext("In the edition's time zone. Empty: open now."))
    closes_at = DateTimeLocalField(lazy_gettext("Review closes"), validators=[Optional()],
                                   description=lazy_gettext("Reviews can be changed until then. Empty: no end."))
    blind = BooleanField(lazy_gettext("Blind review: reviewers do not see who the speakers are"))
    scores_visible_after_own = BooleanField(
        lazy_gettext("Reviewers see the others' scores only after submitting their own"))
    reviews_per_proposal = IntegerField(lazy_gettext("Reviews per proposal"),
                                        validators=[InputRequired(), NumberRange(1, REVIEWS_PER_PROPOSAL_MAX)])
    submit = SubmitField(lazy_gettext("Save"))


class CriterionForm(FlaskForm):
    name = StringField(lazy_gettext("Name"), filters=[strip],
                       validators=[DataRequired(), Length(max=CRITERION_NAME_MAX)])
    description = TextAreaField(lazy_gettext("What reviewers should look at"), filters=[strip],
                                validators=[Length(max=1000)])
    scale_min = IntegerField(lazy_gettext("Lowest score"),
                             validators=[InputRequired(), NumberRange(-SCALE_LIMIT, SCALE_LIMIT)])
    scale_max = IntegerField(lazy_gettext("Highest score"),
                             validators=[InputRequired(), NumberRange(-SCALE_LIMIT, SCALE_LIMIT)])
    weight = IntegerField(lazy_gettext("Weight"), validators=[InputRequired(), NumberRange(1, WEIGHT_MAX)],
                          description=lazy_gettext("The total is the mean of the scores weighted by this."))
    submit = SubmitField(lazy_gettext("Save"))


class TeamForm(FlaskForm):
    name = StringField(lazy_gettext("Name"), filters=[strip], validators=[DataRequired(), Length(max=TEAM_NAME_MAX)])
    themes = CheckboxesField(lazy_gettext("Themes"), coerce=int, validate_choice=False,
                             description=lazy_gettext("None ticked: the team reviews every theme."))
    members = CheckboxesField(lazy_gettext("Members"), coerce=int, validate_choice=False)
    submit = SubmitField(lazy_gettext("Save"))


class ThemesForm(FlaskForm):
    themes = CheckboxesField(lazy_gettext("Themes I know well"), coerce=int, validate_choice=False)
    submit = SubmitField(lazy_gettext("Save"))


class AssignForm(FlaskForm):
    code = StringField(lazy_gettext("Proposal code"), filters=[strip], validators=[DataRequired(), Length(max=12)])
    reviewer = SelectField(lazy_gettext("Reviewer"), coerce=int, validate_choice=False,
                           validators=[InputRequired()])
    submit = SubmitField(lazy_gettext("Assign"))


def review_form_class(criteria):
    """The scoring form: one radio group per criterion (its whole scale, so a reviewer
    can tab and use the arrow keys), the comment and the feedback."""

    class ReviewForm(FlaskForm):
        comment = TextAreaField(lazy_gettext("Comment for the committee"), filters=[strip],
                                validators=[Length(max=COMMENT_MAX)])
        feedback = TextAreaField(lazy_gettext("Feedback for the speakers (optional)"), filters=[strip],
                                 validators=[Length(max=FEEDBACK_MAX)],
                                 description=lazy_gettext("May be sent to the speakers with the decision."))
        submit = SubmitField(lazy_gettext("Save and next"))
        submit_stay = SubmitField(lazy_gettext("Save"))

    for criterion in criteria:
        scale = choices((value, str(value)) for value in range(criterion.scale_min, criterion.scale_max + 1))
        setattr(ReviewForm, score_field(criterion), RadioField(
            criterion.name, coerce=int, choices=scale, validate_choice=False,
            description=criterion.description, validators=[InputRequired()]))
    ReviewForm.criteria = criteria
    return ReviewForm
