"""The organizers' print-sheet form: input validation only."""

from __future__ import annotations

from flask_babel import lazy_gettext
from flask_wtf import FlaskForm
from wtforms import BooleanField, SelectField, SubmitField


class SheetForm(FlaskForm):
    only_unprinted = BooleanField(lazy_gettext("Only badges not printed yet (or to print again)"), default=True)
    ticket_type = SelectField(lazy_gettext("Ticket type"), coerce=int, default=0)  # 0: every ticket type
    submit = SubmitField(lazy_gettext("Make the print sheet"))
