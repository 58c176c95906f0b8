from flask_babel import lazy_gettext
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

from convention.core.forms import in_language, strip
from convention.core.text import HumanText
from convention.core.timeutil import DEFAULT_TIMEZONE
from convention.editions.models import Role
from convention.editions.services import ITEM_KINDS


def lower(value):
    return value.lower() if isinstance(value, str) else value


class EditionForm(FlaskForm):
    name = StringField(lazy_gettext("Name"), filters=[strip], validators=[DataRequired(message=lazy_gettext("A name is required.")), Length(max=160), HumanText()])
    name_nl = in_language("name", "nl", max_length=160)
    name_fr = in_language("name", "fr", max_length=160)
    slug = StringField(
        lazy_gettext("Address"),
        filters=[strip, lower],
        validators=[DataRequired(message=lazy_gettext("Choose the address of the edition's pages.")), Length(max=40)],
        description=lazy_gettext("Lowercase letters, digits and dashes; the edition's pages live at /<address>/."),
    )
    tagline = StringField(lazy_gettext("Tagline"), filters=[strip], validators=[Optional(), Length(max=255), HumanText()])
    tagline_nl = in_language("tagline", "nl", max_length=255)
    tagline_fr = in_language("tagline", "fr", max_length=255)
    description = TextAreaField(
        lazy_gettext("Description"), filters=[strip], validators=[Optional(), Length(max=20000), HumanText()], render_kw={"rows": 5}
    )
    description_nl = in_language("description", "nl", max_length=20000, rows=3)
    description_fr = in_language("description", "fr", max_length=20000, rows=3)
    call_text = TextAreaField(
        lazy_gettext("Call for papers text"), filters=[strip], validators=[Optional(), Length(max=20000), HumanText()],
        render_kw={"rows": 4}, description=lazy_gettext("Shown on the call for papers page, above the themes."),
    )
    call_text_nl = in_language("call_text", "nl", max_length=20000, rows=3)
    call_text_fr = in_language("call_text", "fr", max_length=20000, rows=3)
    starts_on = DateField(lazy_gettext("First day"), validators=[InputRequired(message=lazy_gettext("Enter the first day."))])
    ends_on = DateField(lazy_gettext("Last day"), validators=[InputRequired(message=lazy_gettext("Enter the last day."))])
    timezone = StringField(
        lazy_gettext("Time zone"),
        default=DEFAULT_TIMEZONE,
        filters=[strip],
        validators=[DataRequired(message=lazy_gettext("Enter a time zone such as Europe/Brussels.")), Length(max=64)],
        description=lazy_gettext("An IANA time zone such as Europe/Brussels; times below are in this zone."),
    )
    venue_name = StringField(lazy_gettext("Venue"), filters=[strip], validators=[Optional(), Length(max=160), HumanText()])
    venue_address = StringField(lazy_gettext("Venue address"), filters=[strip], validators=[Optional(), Length(max=255), HumanText()])
    cfp_opens_at = DateTimeLocalField(
        lazy_gettext("Call for papers opens"), format="%Y-%m-%dT%H:%M", validators=[Optional()], description=lazy_gettext("In the edition's time zone")
    )
    cfp_closes_at = DateTimeLocalField(
        lazy_gettext("Call for papers closes"), format="%Y-%m-%dT%H:%M", validators=[Optional()], description=lazy_gettext("In the edition's time zone")
    )
    submit = SubmitField(lazy_gettext("Save edition"))


def _item_name(kind: str) -> StringField:
    return StringField(
        lazy_gettext("Name"),
        filters=[strip],
        validators=[DataRequired(message=lazy_gettext("A name is required.")), Length(max=ITEM_KINDS[kind].name_max), HumanText()],
    )


def _item_description() -> TextAreaField:
    return TextAreaField(lazy_gettext("Description"), filters=[strip], validators=[Optional(), Length(max=5000), HumanText()],
                         render_kw={"rows": 3})


def _item_number(kind: str, field: str, label, *, required=None, **options) -> IntegerField:
    """An integer field whose range and message come from the service's rule (ITEM_KINDS)."""
    bound = next(b for b in ITEM_KINDS[kind].bounds if b.field == field)
    presence = InputRequired(message=required) if required else Optional()
    return IntegerField(label, validators=[presence, NumberRange(min=bound.low, max=bound.high, message=bound.message)],
                        **options)


class ThemeForm(FlaskForm):
    name = _item_name("themes")
    name_nl = in_language("name", "nl", max_length=ITEM_KINDS["themes"].name_max)
    name_fr = in_language("name", "fr", max_length=ITEM_KINDS["themes"].name_max)
    description = _item_description()
    description_nl = in_language("description", "nl", max_length=5000, rows=2)
    description_fr = in_language("description", "fr", max_length=5000, rows=2)
    position = _item_number("themes", "position", lazy_gettext("Display order"), default=0, description=lazy_gettext("Lower numbers come first."))
    submit = SubmitField(lazy_gettext("Save theme"))


class FormatForm(FlaskForm):
    name = _item_name("formats")
    duration_minutes = _item_number("formats", "duration_minutes", lazy_gettext("Duration (minutes)"),
                                    required=lazy_gettext("Enter the duration in minutes."))
    description = _item_description()
    submit = SubmitField(lazy_gettext("Save format"))


class RoomForm(FlaskForm):
    name = _item_name("rooms")
    capacity = _item_number("rooms", "capacity", lazy_gettext("Capacity (seats)"), required=lazy_gettext("Enter the number of seats."))
    position = _item_number("rooms", "position", lazy_gettext("Display order"), default=0, description=lazy_gettext("Lower numbers come first."))
    submit = SubmitField(lazy_gettext("Save room"))


ITEM_FORMS = {"themes": ThemeForm, "formats": FormatForm, "rooms": RoomForm}


class GrantRoleForm(FlaskForm):
    email = EmailField(
        lazy_gettext("Email of an existing account"),
        filters=[strip],
        validators=[DataRequired(message=lazy_gettext("Enter the person's email address.")), Email(), Length(max=254)],
    )
    # The least powerful role first, so that a slip does not hand out the whole edition.
    role = SelectField(
        lazy_gettext("Role"),
        choices=[SelectChoice(r.value, r.label) for r in (Role.REVIEWER, Role.CHECKIN, Role.ORGANIZER)],
        default=Role.REVIEWER.value,
        validators=[DataRequired()],
    )
    submit = SubmitField(lazy_gettext("Add to team"))
