"""The organizer's form for a new API token (input only: the rules are in services.py)."""

from __future__ import annotations

from flask_babel import lazy_gettext
from flask_wtf import FlaskForm
from wtforms import SelectField, StringField, SubmitField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import DataRequired, Length

from convention.core.forms import strip
from convention.core.text import HumanText
from convention.tokens.models import SCOPE_LABELS, TokenScope


class TokenForm(FlaskForm):
    name = StringField(
        lazy_gettext("Device or client name"),
        filters=[strip],
        validators=[DataRequired(), Length(max=60), HumanText()],
        description=lazy_gettext("Logged with every scan made with this token, e.g. “Gate A phone 2”."),
    )
    scope = SelectField(
        lazy_gettext("Scope"),
        choices=[SelectChoice(scope.value, SCOPE_LABELS[scope]) for scope in TokenScope],
        default=TokenScope.CHECKIN.value,
    )
    submit = SubmitField(lazy_gettext("Create token"))
