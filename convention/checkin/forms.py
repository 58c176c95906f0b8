"""The organizers' check-in forms (input only: the rules are in lists.py)."""

from __future__ import annotations

from flask_babel import lazy_gettext
from flask_wtf import FlaskForm
from wtforms import BooleanField, SelectMultipleField, StringField, SubmitField, widgets
from wtforms.validators import DataRequired, Length

from convention.core.forms import strip
from convention.core.text import HumanText


class CheckboxesField(SelectMultipleField):
    widget = widgets.ListWidget(prefix_label=False)
    option_widget = widgets.CheckboxInput()


class CheckinListForm(FlaskForm):
    name = StringField(
        lazy_gettext("Name"),
        filters=[strip],
        validators=[DataRequired(), Length(max=120), HumanText()],
        description=lazy_gettext("E.g. “Workshop room” or “Saturday entrance”."),
    )
    ticket_types = CheckboxesField(
        lazy_gettext("Ticket types admitted"), coerce=int, description=lazy_gettext("None ticked: every ticket type.")
    )
    days = CheckboxesField(lazy_gettext("Days it admits"), description=lazy_gettext("None ticked: any day."))
    allow_reentry = BooleanField(
        lazy_gettext("Re-entry allowed (each entry is counted, nobody is refused as already checked in)")
    )
    submit = SubmitField(lazy_gettext("Save list"))
