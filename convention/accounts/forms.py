from flask_wtf import FlaskForm
from wtforms import BooleanField, EmailField, PasswordField, StringField, SubmitField
from wtforms.validators import DataRequired, Email, EqualTo, Length

from convention.accounts.models import EMAIL_MAX, NAME_MAX
from convention.accounts.passwords import PASSWORD_MAX


class SignupForm(FlaskForm):
    name = StringField("Full name", validators=[DataRequired(), Length(max=NAME_MAX)])
    email = EmailField("Email", validators=[DataRequired(), Email(), Length(max=EMAIL_MAX)])
    password = PasswordField("Password", validators=[DataRequired(), Length(max=PASSWORD_MAX)])
    confirm = PasswordField(
        "Repeat password", validators=[DataRequired(), EqualTo("password", message="The passwords differ.")]
    )
    submit = SubmitField("Create account")


class LoginForm(FlaskForm):
    email = EmailField("Email", validators=[DataRequired(), Length(max=EMAIL_MAX)])
    password = PasswordField("Password", validators=[DataRequired(), Length(max=PASSWORD_MAX)])
    remember = BooleanField("Keep me signed in on this device")
    submit = SubmitField("Sign in")


class ForgotPasswordForm(FlaskForm):
    email = EmailField("Email", validators=[DataRequired(), Email(), Length(max=EMAIL_MAX)])
    submit = SubmitField("Send reset link")


class ResetPasswordForm(FlaskForm):
    password = PasswordField("New password", validators=[DataRequired(), Length(max=PASSWORD_MAX)])
    confirm = PasswordField(
        "Repeat new password", validators=[DataRequired(), EqualTo("password", message="The passwords differ.")]
    )
    submit = SubmitField("Set new password")


class ProfileForm(FlaskForm):
    name = StringField("Full name", validators=[DataRequired(), Length(max=NAME_MAX)])
    submit = SubmitField("Save profile")


class ChangePasswordForm(FlaskForm):
    current_password = PasswordField("Current password", validators=[DataRequired(), Length(max=PASSWORD_MAX)])
    password = PasswordField("New password", validators=[DataRequired(), Length(max=PASSWORD_MAX)])
    confirm = PasswordField(
        "Repeat new password", validators=[DataRequired(), EqualTo("password", message="The passwords differ.")]
    )
    submit = SubmitField("Change password")


class ActionForm(FlaskForm):
    """An empty form: CSRF protection for POST-only buttons (logout, resend, ...)."""
