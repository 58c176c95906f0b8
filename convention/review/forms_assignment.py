"""The automatic assignment's form: how many reviews each proposal should get."""

from __future__ import annotations

from flask_babel import lazy_gettext
from flask_wtf import FlaskForm
from wtforms import IntegerField, SubmitField
from wtforms.validators import InputRequired, NumberRange

from convention.review.auto_assignment import REVIEWS_MAX, REVIEWS_MIN


class AutoAssignmentForm(FlaskForm):
    reviews_per_proposal = IntegerField(
        lazy_gettext("Reviews per proposal"),
        validators=[
            InputRequired(message=lazy_gettext("Say how many reviews each proposal should get.")),
            NumberRange(min=REVIEWS_MIN, max=REVIEWS_MAX,
                        message=lazy_gettext("Choose between %(min)s and %(max)s reviews per proposal.")),
        ],
        description=lazy_gettext("Each proposal gets this many reviewers in all; the ones it has already count."),
    )
    submit = SubmitField(lazy_gettext("Run the automatic assignment"))
