from flask_wtf import FlaskForm
from wtforms import (
    DateField,
    DateTimeLocalField,
    EmailField,
    IntegerField,
    SelectChoice,
    SelectField,
    StringField,
    SubmitField,
    TextAreaField,
)
from wtforms.validators import DataRequired, Email, InputRequired, Length, NumberRange, Optional

from convention.accounts.forms import strip
from convention.core.timeutil import DEFAULT_TIMEZONE
from convention.editions.models import Role


def lower(value):
    return value.lower() if isinstance(value, str) else value


class EditionForm(FlaskForm):
    name = StringField("Name", filters=[strip], validators=[DataRequired(message="A name is required."), Length(max=160)])
    slug = StringField(
        "Address",
        filters=[strip, lower],
        validators=[DataRequired(message="Choose the address of the edition's pages."), Length(max=40)],
        description="Lowercase letters, digits and dashes; the edition's pages live at /<address>/.",
    )
    tagline = StringField("Tagline", filters=[strip], validators=[Optional(), Length(max=255)])
    description = TextAreaField(
        "Description", filters=[strip], validators=[Optional(), Length(max=20000)], render_kw={"rows": 5}
    )
    starts_on = DateField("First day", validators=[InputRequired(message="Enter the first day.")])
    ends_on = DateField("Last day", validators=[InputRequired(message="Enter the last day.")])
    timezone = StringField(
        "Time zone",
        default=DEFAULT_TIMEZONE,
        filters=[strip],
        validators=[DataRequired(message="Enter a time zone such as Europe/Brussels."), Length(max=64)],
        description="An IANA time zone such as Europe/Brussels; times below are in this zone.",
    )
    venue_name = StringField("Venue", filters=[strip], validators=[Optional(), Length(max=160)])
    venue_address = StringField("Venue address", filters=[strip], validators=[Optional(), Length(max=255)])
    cfp_opens_at = DateTimeLocalField(
        "Call for papers opens", format="%Y-%m-%dT%H:%M", validators=[Optional()], description="In the edition's time zone"
    )
    cfp_closes_at = DateTimeLocalField(
        "Call for papers closes", format="%Y-%m-%dT%H:%M", validators=[Optional()], description="In the edition's time zone"
    )
    submit = SubmitField("Save edition")


ORDER = NumberRange(min=0, max=1000, message="Use an order between 0 and 1000.")


class ThemeForm(FlaskForm):
    name = StringField("Name", filters=[strip], validators=[DataRequired(message="A name is required."), Length(max=120)])
    description = TextAreaField(
        "Description", filters=[strip], validators=[Optional(), Length(max=5000)], render_kw={"rows": 3}
    )
    position = IntegerField("Order", default=0, validators=[Optional(), ORDER], description="Lower numbers come first.")
    submit = SubmitField("Save theme")


class FormatForm(FlaskForm):
    name = StringField("Name", filters=[strip], validators=[DataRequired(message="A name is required."), Length(max=80)])
    duration_minutes = IntegerField(
        "Duration (minutes)",
        validators=[
            InputRequired(message="Enter the duration in minutes."),
            NumberRange(min=5, max=720, message="A session lasts between 5 and 720 minutes."),
        ],
    )
    description = TextAreaField(
        "Description", filters=[strip], validators=[Optional(), Length(max=5000)], render_kw={"rows": 3}
    )
    submit = SubmitField("Save format")


class RoomForm(FlaskForm):
    name = StringField("Name", filters=[strip], validators=[DataRequired(message="A name is required."), Length(max=80)])
    capacity = IntegerField(
        "Capacity (seats)",
        validators=[
            InputRequired(message="Enter the number of seats."),
            NumberRange(min=1, max=100000, message="A room holds between 1 and 100000 people."),
        ],
    )
    position = IntegerField("Order", default=0, validators=[Optional(), ORDER], description="Lower numbers come first.")
    submit = SubmitField("Save room")


ITEM_FORMS = {"themes": ThemeForm, "formats": FormatForm, "rooms": RoomForm}


class GrantRoleForm(FlaskForm):
    email = EmailField(
        "Email of an existing account",
        filters=[strip],
        validators=[DataRequired(message="Enter the person's email address."), Email(), Length(max=254)],
    )
    # The least powerful role first, so that a slip does not hand out the whole edition.
    role = SelectField(
        "Role",
        choices=[SelectChoice(r.value, r.label) for r in (Role.REVIEWER, Role.CHECKIN, Role.ORGANIZER)],
        default=Role.REVIEWER.value,
        validators=[DataRequired()],
    )
    submit = SubmitField("Add to team")
