from flask_babel import lazy_gettext
from flask_wtf import FlaskForm
from wtforms import BooleanField, EmailField, PasswordField, SelectField, StringField, SubmitField
from wtforms.validators import DataRequired, Email, EqualTo, Length, ValidationError

from convention.accounts.models import EMAIL_MAX, NAME_MAX
from convention.accounts.passwords import PASSWORD_MAX, password_problems
from convention.core.forms import strip
from convention.core.i18n import LANGUAGES
from convention.core.text import HumanText

NAME_MISSING = lazy_gettext("Please enter your name.")


def _email_field(label=None, *, check_format: bool = True) -> EmailField:
    validators = [DataRequired(message=lazy_gettext("Please enter your email address.")), Length(max=EMAIL_MAX)]
    if check_format:
        validators.append(Email(message=lazy_gettext("This is not a valid email address.")))
    return EmailField(label or lazy_gettext("Email"), filters=[strip], validators=validators,
                      render_kw={"autocomplete": "email"})


def _name_field() -> StringField:
    return StringField(
        lazy_gettext("Full name"),
        filters=[strip],
        validators=[
            DataRequired(message=NAME_MISSING),
            Length(max=NAME_MAX, message=lazy_gettext("Names are limited to %(num)d characters.", num=NAME_MAX)),
            HumanText(lazy_gettext("Your name contains characters that cannot be shown."), empty=NAME_MISSING),
        ],
        render_kw={"autocomplete": "name"},
    )


def _new_password_fields(label) -> tuple[PasswordField, PasswordField]:
    password = PasswordField(
        label,
        validators=[DataRequired(message=lazy_gettext("Please choose a password.")), Length(max=PASSWORD_MAX)],
        description=lazy_gettext("At least 10 characters; a few unrelated words make a good password."),
        render_kw={"autocomplete": "new-password"},
    )
    confirm = PasswordField(
        lazy_gettext("Repeat the password"),
        validators=[
            DataRequired(message=lazy_gettext("Please repeat the password.")),
            EqualTo("password", message=lazy_gettext("The passwords differ.")),
        ],
        render_kw={"autocomplete": "new-password"},
    )
    return password, confirm


class NewPasswordChecks:
    """Show a weak password next to the other mistakes, not only after they are fixed
    (the service applies the same rule again; it is defined once, in passwords.py)."""

    def validate_password(self, field):
        email_field = getattr(self, "email", None)
        problems = password_problems(field.data or "", email=(email_field.data or "") if email_field else "")
        if problems:
            raise ValidationError(" ".join(problems))


class SignupForm(NewPasswordChecks, FlaskForm):
    name = _name_field()
    email = _email_field()
    password, confirm = _new_password_fields(lazy_gettext("Password"))
    submit = SubmitField(lazy_gettext("Create account"))


class LoginForm(FlaskForm):
    # No format check: a malformed address simply fails like any wrong credential.
    email = _email_field(check_format=False)
    password = PasswordField(
        lazy_gettext("Password"),
        validators=[DataRequired(message=lazy_gettext("Please enter your password.")), Length(max=PASSWORD_MAX)],
        render_kw={"autocomplete": "current-password"},
    )
    remember = BooleanField(lazy_gettext("Keep me signed in on this device"))
    submit = SubmitField(lazy_gettext("Sign in"))


class ForgotPasswordForm(FlaskForm):
    email = _email_field()
    submit = SubmitField(lazy_gettext("Send reset link"))


class ResetPasswordForm(NewPasswordChecks, FlaskForm):
    password, confirm = _new_password_fields(lazy_gettext("New password"))
    submit = SubmitField(lazy_gettext("Set new password"))


def _language_or_empty(value) -> str:
    return value or ""  # an account without a saved language, or a form without the field


def _language_choices():
    return [("", lazy_gettext("The browser's language"))] + list(LANGUAGES.items())


class ProfileForm(FlaskForm):
    name = _name_field()
    language = SelectField(
        lazy_gettext("Language of pages and emails"), choices=_language_choices, default="", coerce=_language_or_empty,
        validate_choice=False,  # update_profile refuses a language we do not offer
    )
    submit = SubmitField(lazy_gettext("Save profile"))


class ChangePasswordForm(NewPasswordChecks, FlaskForm):
    current_password = PasswordField(
        lazy_gettext("Current password"),
        validators=[DataRequired(message=lazy_gettext("Please enter your current password.")), Length(max=PASSWORD_MAX)],
        render_kw={"autocomplete": "current-password"},
    )
    password, confirm = _new_password_fields(lazy_gettext("New password"))
    submit = SubmitField(lazy_gettext("Change password"))


def _code_field(label, description=None) -> StringField:
    return StringField(
        label,
        filters=[strip],
        validators=[DataRequired(message=lazy_gettext("Please enter the code.")), Length(max=32)],
        description=description,
        render_kw={
            "autocomplete": "one-time-code",
            "inputmode": "text",
            "autocapitalize": "off",
            "spellcheck": "false",
        },
    )


class ConfirmTwoFactorForm(FlaskForm):
    code = _code_field(
        lazy_gettext("Code from your app"),
        lazy_gettext("The six digits your authenticator app shows for this account."),
    )
    submit = SubmitField(lazy_gettext("Turn on two-factor sign-in"))


class SignInCodeForm(FlaskForm):
    code = _code_field(
        lazy_gettext("Code"), lazy_gettext("The six digits from your authenticator app, or one of your recovery codes.")
    )
    submit = SubmitField(lazy_gettext("Continue"))


class DisableTwoFactorForm(FlaskForm):
    code = _code_field(
        lazy_gettext("Code"), lazy_gettext("A current code from your authenticator app, or one of your recovery codes.")
    )
    submit = SubmitField(lazy_gettext("Turn off two-factor sign-in"))


class NewRecoveryCodesForm(FlaskForm):
    code = _code_field(
        lazy_gettext("Code"), lazy_gettext("A current code from your authenticator app, or one of your recovery codes.")
    )
    submit = SubmitField(lazy_gettext("Make new recovery codes"))
