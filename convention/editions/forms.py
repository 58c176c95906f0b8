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

from convention.core.forms import strip
from convention.core.text import HumanText
from convention.core.timeutil import DEFAULT_TIMEZONE
from convention.editions.models import Role
from convention.editions.services import ITEM_KINDS


def lower(value):
    return value.lower() if isinstance(value, str) else value


class EditionForm(FlaskForm):
    name = StringField("Name", filters=[strip], validators=[DataRequired(message="A name is required."), Length(max=160), HumanText()])
    slug = StringField(
        "Address",
        filters=[strip, lower],
        validators=[DataRequired(message="Choose the address of the edition's pages."), Length(max=40)],
        description="Lowercase letters, digits and dashes; the edition's pages live at /<address>/.",
    )
    tagline = StringField("Tagline", filters=[strip], validators=[Optional(), Length(max=255), HumanText()])
    description = TextAreaField(
        "Description", filters=[strip], validators=[Optional(), Length(max=20000), HumanText()], render_kw={"rows": 5}
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
    venue_name = StringField("Venue", filters=[strip], validators=[Optional(), Length(max=160), HumanText()])
    venue_address = StringField("Venue address", filters=[strip], validators=[Optional(), Length(max=255), HumanText()])
    cfp_opens_at = DateTimeLocalField(
        "Call for papers opens", format="%Y-%m-%dT%H:%M", validators=[Optional()], description="In the edition's time zone"
    )
    cfp_closes_at = DateTimeLocalField(
        "Call for papers closes", format="%Y-%m-%dT%H:%M", validators=[Optional()], description="In the edition's time zone"
    )
    submit = SubmitField("Save edition")


def _item_name(kind: str) -> StringField:
    return StringField(
        "Name",
        filters=[strip],
        validators=[DataRequired(message="A name is required."), Length(max=ITEM_KINDS[kind].name_max), HumanText()],
    )


def _item_description() -> TextAreaField:
    return TextAreaField("Description", filters=[strip], validators=[Optional(), Length(max=5000), HumanText()],
                         render_kw={"rows": 3})


def _item_number(kind: str, field: str, label: str, *, required: str | None = None, **options) -> IntegerField:
    """An integer field whose range and message come from the service's rule (ITEM_KINDS)."""
    bound = next(b for b in ITEM_KINDS[kind].bounds if b.field == field)
    presence = InputRequired(message=required) if required else Optional()
    return IntegerField(label, validators=[presence, NumberRange(min=bound.low, max=bound.high, message=bound.message)],
                        **options)


class ThemeForm(FlaskForm):
    name = _item_name("themes")
    description = _item_description()
    position = _item_number("themes", "position", "Order", default=0, description="Lower numbers come first.")
    submit = SubmitField("Save theme")


class FormatForm(FlaskForm):
    name = _item_name("formats")
    duration_minutes = _item_number("formats", "duration_minutes", "Duration (minutes)",
                                    required="Enter the duration in minutes.")
    description = _item_description()
    submit = SubmitField("Save format")


class RoomForm(FlaskForm):
    name = _item_name("rooms")
    capacity = _item_number("rooms", "capacity", "Capacity (seats)", required="Enter the number of seats.")
    position = _item_number("rooms", "position", "Order", default=0, description="Lower numbers come first.")
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
