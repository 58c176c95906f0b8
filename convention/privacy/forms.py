"""Forms of the privacy pages."""

from __future__ import annotations

from flask_babel import lazy_gettext
from flask_wtf import FlaskForm
from wtforms import BooleanField, DateField, PasswordField, SubmitField, TextAreaField
from wtforms.validators import DataRequired, InputRequired, Length, Optional

from convention.privacy.notices import TEXT_MAX


class DeleteAccountForm(FlaskForm):
    password = PasswordField(
        lazy_gettext("Your password"),
        validators=[InputRequired(), Length(max=200)],
        render_kw={"autocomplete": "current-password"},
    )
    confirm = BooleanField(
        lazy_gettext("I understand that my account and my data are deleted for good."),
        validators=[DataRequired(lazy_gettext("Tick the box to confirm."))],
    )
    submit = SubmitField(lazy_gettext("Delete my account"))


class NoticeForm(FlaskForm):
    text = TextAreaField(
        lazy_gettext("Privacy notice"), validators=[DataRequired(), Length(max=TEXT_MAX)], render_kw={"rows": 12}
    )
    submit = SubmitField(lazy_gettext("Publish as a new version"))


class RetentionForm(FlaskForm):
    retention_until = DateField(lazy_gettext("Anonymise attendee data after"), validators=[Optional()])
    submit = SubmitField(lazy_gettext("Save retention date"))
