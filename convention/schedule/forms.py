"""Forms of the schedule's organizer pages: input shapes only; the rules are in the services."""

from __future__ import annotations

from flask_babel import lazy_gettext
from flask_wtf import FlaskForm
from wtforms import (
    BooleanField,
    DateField,
    IntegerField,
    SelectChoice,
    SelectField,
    SelectMultipleField,
    StringField,
    SubmitField,
    TextAreaField,
    TimeField,
)
from wtforms.validators import DataRequired, InputRequired, Length, NumberRange, Optional

from convention.core.forms import strip
from convention.core.text import HumanText
from convention.schedule.models import BLOCK_KIND_LABELS
from convention.schedule.setup import GRANULARITIES
from convention.schedule.versions import NAME_MAX


class GranularityForm(FlaskForm):
    granularity_minutes = SelectField(
        lazy_gettext("Step of the grid"), coerce=int,
        choices=[SelectChoice(minutes, lazy_gettext("%(num)d minutes", num=minutes)) for minutes in GRANULARITIES],
        description=lazy_gettext("Talks start on these steps."))
    submit = SubmitField(lazy_gettext("Save"))


class RoomScheduleForm(FlaskForm):
    description = TextAreaField(lazy_gettext("Description"), filters=[strip],
                                validators=[Optional(), Length(max=2000), HumanText()], render_kw={"rows": 2})
    format_ids = SelectMultipleField(lazy_gettext("Formats hosted"), coerce=int, validators=[Optional()],
                                     description=lazy_gettext("Choose none for a room that hosts every format."))
    submit = SubmitField(lazy_gettext("Save room"))


class DayForm(FlaskForm):
    day = DateField(lazy_gettext("Day"), validators=[InputRequired(message=lazy_gettext("Enter the day."))])
    opens = TimeField(lazy_gettext("Opens at"), validators=[InputRequired(message=lazy_gettext("Enter the opening time."))])
    closes = TimeField(lazy_gettext("Closes at"),
                       validators=[InputRequired(message=lazy_gettext("Enter the closing time."))])
    submit = SubmitField(lazy_gettext("Save day"))


class BlockForm(FlaskForm):
    kind = SelectField(lazy_gettext("Kind"), choices=[SelectChoice(kind, label) for kind, label in BLOCK_KIND_LABELS.items()])
    title = StringField(lazy_gettext("Title"), filters=[strip], validators=[
        DataRequired(message=lazy_gettext("Give the block a title.")), Length(max=160), HumanText()])
    day = DateField(lazy_gettext("Day"), validators=[InputRequired(message=lazy_gettext("Enter the day."))])
    starts = TimeField(lazy_gettext("Starts at"), validators=[InputRequired(message=lazy_gettext("Enter the start."))])
    ends = TimeField(lazy_gettext("Ends at"), validators=[InputRequired(message=lazy_gettext("Enter the end."))])
    room_id = SelectField(lazy_gettext("Room"), coerce=int)
    blocks_talks = BooleanField(lazy_gettext("No talks during this block"), default=True)
    submit = SubmitField(lazy_gettext("Save block"))


class PlaceForm(FlaskForm):
    """The keyboard way to place a talk: a room, a day and a clock time."""

    room_id = SelectField(lazy_gettext("Room"), coerce=int)
    day = SelectField(lazy_gettext("Day"))
    time = TimeField(lazy_gettext("Start"), validators=[InputRequired(message=lazy_gettext("Enter the start."))])
    submit = SubmitField(lazy_gettext("Place"))


class AudienceForm(FlaskForm):
    """How many people the organizers expect at a talk: the room-size check reads it."""

    expected_audience = IntegerField(
        lazy_gettext("Expected audience"), validators=[Optional(), NumberRange(min=0, max=100000)],
        description=lazy_gettext("People expected; a room with fewer seats is flagged. Empty: no estimate."))
    submit = SubmitField(lazy_gettext("Save audience"))


class PublishForm(FlaskForm):
    name = StringField(lazy_gettext("Name of the version"), filters=[strip], validators=[
        DataRequired(message=lazy_gettext("Give the version a name.")), Length(max=NAME_MAX), HumanText()],
        description=lazy_gettext("For example “First programme” or “Final”."))
    submit = SubmitField(lazy_gettext("Publish"))
