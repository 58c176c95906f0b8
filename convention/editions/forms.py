from flask_wtf import FlaskForm
from wtforms import (
    DateField,
    DateTimeLocalField,
    EmailField,
    IntegerField,
    SelectField,
    StringField,
    SubmitField,
    TextAreaField,
)
from wtforms.validators import DataRequired, Email, Length, NumberRange, Optional

from convention.editions.models import Role


class EditionForm(FlaskForm):
    name = StringField("Name", validators=[DataRequired(), Length(max=160)])
    slug = StringField(
        "Address", validators=[DataRequired(), Length(max=40)], description="Lowercase letters, digits and dashes: /<address>/"
    )
    tagline = StringField("Tagline", validators=[Optional(), Length(max=255)])
    description = TextAreaField("Description", validators=[Optional(), Length(max=20000)])
    starts_on = DateField("First day", validators=[DataRequired()])
    ends_on = DateField("Last day", validators=[DataRequired()])
    timezone = StringField("Time zone", default="Europe/Brussels", validators=[DataRequired(), Length(max=64)])
    venue_name = StringField("Venue", validators=[Optional(), Length(max=160)])
    venue_address = StringField("Venue address", validators=[Optional(), Length(max=255)])
    cfp_opens_at = DateTimeLocalField(
        "Call for papers opens", format="%Y-%m-%dT%H:%M", validators=[Optional()], description="In the edition's time zone"
    )
    cfp_closes_at = DateTimeLocalField(
        "Call for papers closes", format="%Y-%m-%dT%H:%M", validators=[Optional()], description="In the edition's time zone"
    )
    submit = SubmitField("Save edition")


class ThemeForm(FlaskForm):
    name = StringField("Name", validators=[DataRequired(), Length(max=120)])
    description = TextAreaField("Description", validators=[Optional(), Length(max=5000)])
    position = IntegerField("Order", default=0, validators=[Optional(), NumberRange(min=0, max=1000)])
    submit = SubmitField("Save theme")


class FormatForm(FlaskForm):
    name = StringField("Name", validators=[DataRequired(), Length(max=80)])
    duration_minutes = IntegerField("Duration (minutes)", validators=[DataRequired(), NumberRange(min=5, max=720)])
    description = TextAreaField("Description", validators=[Optional(), Length(max=5000)])
    submit = SubmitField("Save format")


class RoomForm(FlaskForm):
    name = StringField("Name", validators=[DataRequired(), Length(max=80)])
    capacity = IntegerField("Capacity (seats)", validators=[DataRequired(), NumberRange(min=1, max=100000)])
    position = IntegerField("Order", default=0, validators=[Optional(), NumberRange(min=0, max=1000)])
    submit = SubmitField("Save room")


ITEM_FORMS = {"themes": ThemeForm, "formats": FormatForm, "rooms": RoomForm}


class GrantRoleForm(FlaskForm):
    email = EmailField("Email of an existing account", validators=[DataRequired(), Email(), Length(max=254)])
    role = SelectField("Role", choices=[(r.value, r.label) for r in Role], validators=[DataRequired()])
    submit = SubmitField("Add to team")
