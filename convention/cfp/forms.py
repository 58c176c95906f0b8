"""Forms of the call for papers. They validate input only; the rules are in the services."""

from __future__ import annotations

from datetime import date, time

from flask_wtf import FlaskForm
from flask_wtf.file import FileField, FileRequired
from wtforms import (
    BooleanField,
    DateTimeLocalField,
    EmailField,
    HiddenField,
    IntegerField,
    SelectField,
    StringField,
    SubmitField,
    TextAreaField,
    TimeField,
)
from wtforms.fields.choices import SelectChoice
from wtforms.validators import DataRequired, Email, Length, NumberRange, Optional, ValidationError

from convention.cfp.models import (
    ABSTRACT_MAX,
    ANSWER_MAX,
    BIOGRAPHY_MAX,
    DESCRIPTION_MAX,
    NOTES_MAX,
    TITLE_MAX,
    AudienceLevel,
    Language,
    Question,
    QuestionKind,
)
from convention.cfp.states import ProposalState
from convention.core.text import HumanText


def select_choices(pairs) -> list[SelectChoice]:
    """(value, label) pairs as WTForms select choices."""
    return [SelectChoice(str(value), label) for value, label in pairs]


MARKDOWN_HELP = "Markdown: **bold**, *italic*, [link](https://...), lists with - . No HTML."


class ProposalForm(FlaskForm):
    """The fixed part of the proposal form; ``proposal_form_class`` adds the edition's questions."""

    submission_key = HiddenField()
    title = StringField("Title", validators=[DataRequired(), Length(max=TITLE_MAX), HumanText()])
    # Not required here: a draft may leave them open; the service asks for them on submitting.
    theme_id = SelectField("Theme", coerce=int, validators=[Optional()])
    format_id = SelectField("Format", coerce=int, validators=[Optional()])
    level = SelectField(
        "Audience level", choices=select_choices((lvl.value, lvl.label) for lvl in AudienceLevel), validators=[DataRequired()]
    )
    language = SelectField("Language", choices=select_choices((lang.value, lang.label) for lang in Language), validators=[DataRequired()])
    abstract = TextAreaField(
        "Abstract",
        validators=[DataRequired(), Length(max=ABSTRACT_MAX), HumanText()],
        description=f"Plain text, at most {ABSTRACT_MAX} characters: it appears in the programme.",
        render_kw={"rows": 4, "maxlength": ABSTRACT_MAX, "data-counter": "true"},
    )
    description = TextAreaField(
        "Description",
        validators=[Optional(), Length(max=DESCRIPTION_MAX), HumanText()],
        description="What you will cover, for the committee and the programme. " + MARKDOWN_HELP,
        render_kw={"rows": 8},
    )
    notes = TextAreaField(
        "Notes for the committee",
        validators=[Optional(), Length(max=NOTES_MAX), HumanText()],
        description="Never published. Only the speakers of this proposal and the organizers read them.",
        render_kw={"rows": 3},
    )
    may_record = BooleanField("The talk may be recorded and published", default=True)
    save_draft = SubmitField("Save as draft")
    submit = SubmitField("Submit proposal")

    # Submitting needs a theme and a format (the service says so too); saving a draft does not.
    def validate_theme_id(self, field):
        if self.submit.data and not field.data:
            raise ValidationError("Choose a theme.")

    def validate_format_id(self, field):
        if self.submit.data and not field.data:
            raise ValidationError("Choose a format.")

    def set_choices(self, edition) -> None:
        self.theme_id.choices = select_choices([(0, "Choose a theme…")] + [(t.id, t.name) for t in edition.themes])
        self.format_id.choices = select_choices(
            [(0, "Choose a format…")] + [(f.id, f"{f.name} · {f.duration_minutes} min") for f in edition.formats]
        )

    @property
    def question_fields(self):
        return [field for field in self if field.name.startswith("q_")]

    @property
    def fixed_fields(self):
        return [field for field in self if not field.name.startswith("q_")]

    def answers(self) -> dict[int, str]:
        return {int(f.name[2:]): (f.data or "") for f in self.question_fields}

    def fill_from(self, proposal, answers: dict[int, str]) -> None:
        """Show a saved proposal: its enum choices by value, and its answers by question."""
        self.level.data = proposal.level.value
        self.language.data = proposal.language.value
        for field in self.question_fields:
            field.data = answers.get(int(field.name[2:]), "")


def _question_field(question: Question):
    validators = [DataRequired(message="Please answer this question.")] if question.required else [Optional()]
    label, help_text = question.label, question.help_text or None
    if question.kind is QuestionKind.TEXT:
        return TextAreaField(label, validators=[*validators, Length(max=ANSWER_MAX), HumanText()], description=help_text,
                             render_kw={"rows": 2})
    if question.kind is QuestionKind.BOOLEAN:
        options = [("", "—"), ("yes", "Yes"), ("no", "No")]
    else:
        options = [("", "Choose…")] + [(choice, choice) for choice in question.choice_list]
    return SelectField(label, choices=select_choices(options), validators=validators, description=help_text)


def proposal_form_class(questions: list[Question]) -> type[ProposalForm]:
    """A form class with one field ``q_<id>`` per custom question of the edition."""
    attributes = {f"q_{question.id}": _question_field(question) for question in questions}
    return type("EditionProposalForm", (ProposalForm,), attributes)


class ProfileForm(FlaskForm):
    display_name = StringField("Name as shown on the programme", validators=[DataRequired(), Length(max=120), HumanText()])
    organisation = StringField("Organisation", validators=[Optional(), Length(max=160), HumanText()])
    job_title = StringField("Job title", validators=[Optional(), Length(max=160), HumanText()])
    biography = TextAreaField(
        "Biography", validators=[Optional(), Length(max=BIOGRAPHY_MAX), HumanText()], description=MARKDOWN_HELP,
        render_kw={"rows": 6},
    )
    links = TextAreaField(
        "Links", validators=[Optional(), Length(max=1600)],
        description="Up to five web addresses (website, Mastodon, GitHub...), one a line.", render_kw={"rows": 3},
    )
    photo = FileField("Photo", description="JPEG or PNG, at most 5 MB. We resize it and remove its metadata.",
                      render_kw={"accept": "image/jpeg,image/png"})
    remove_photo = BooleanField("Remove my photo")
    submit = SubmitField("Save profile")


class InviteForm(FlaskForm):
    email = EmailField("Co-speaker's email", validators=[DataRequired(), Email(), Length(max=254)])
    submit = SubmitField("Send invitation")


class AttachmentForm(FlaskForm):
    file = FileField("PDF file", validators=[FileRequired(message="Choose a PDF file.")],
                     description="Slides or a paper, PDF only, at most 10 MB.",
                     render_kw={"accept": "application/pdf,.pdf"})
    submit = SubmitField("Upload")


class QuestionForm(FlaskForm):
    label = StringField("Question", validators=[DataRequired(), Length(max=200), HumanText()])
    help_text = StringField("Help text", validators=[Optional(), Length(max=500), HumanText()])
    kind = SelectField("Kind of answer", choices=select_choices((k.value, k.label) for k in QuestionKind), validators=[DataRequired()])
    choices = TextAreaField("Choices", validators=[Optional(), Length(max=4000), HumanText()],
                            description="For “choice from a list”: one choice a line.", render_kw={"rows": 4})
    required = BooleanField("An answer is required")
    position = IntegerField("Order", default=0, validators=[Optional(), NumberRange(min=0, max=1000)])
    submit = SubmitField("Save question")


class LateLinkForm(FlaskForm):
    email = EmailField("Speaker's email", validators=[DataRequired(), Email(), Length(max=254)])
    expires_at = DateTimeLocalField("Valid until", format="%Y-%m-%dT%H:%M", validators=[DataRequired()],
                                    description="In the edition's time zone.")
    submit = SubmitField("Send personal link")


class ProposalFilterForm(FlaskForm):
    """The organizer table's filters, read from the query string (no CSRF: a GET)."""

    class Meta:
        csrf = False

    theme = SelectField("Theme", coerce=int, validators=[Optional()])
    format = SelectField("Format", coerce=int, validators=[Optional()])
    state = SelectField("State", choices=select_choices([("", "All states")] + [(s.value, s.label) for s in ProposalState]),
                        validators=[Optional()])
    language = SelectField("Language", choices=select_choices([("", "All languages")] + [(lang.value, lang.label) for lang in Language]),
                           validators=[Optional()])
    level = SelectField("Level", choices=select_choices([("", "All levels")] + [(lvl.value, lvl.label) for lvl in AudienceLevel]),
                        validators=[Optional()])
    q = StringField("Search", validators=[Optional(), Length(max=100)])

    def set_choices(self, edition) -> None:
        self.theme.choices = select_choices([(0, "All themes")] + [(t.id, t.name) for t in edition.themes])
        self.format.choices = select_choices([(0, "All formats")] + [(f.id, f.name) for f in edition.formats])


RANGES_PER_DAY = 2


class _AvailabilityForm(FlaskForm):
    """Base of ``availability_form_class``: reads and fills the ranges of its ``days``."""

    days: list[date] = []

    def _pairs(self, n: int):
        return [(self[f"d{n}_{k}_start"], self[f"d{n}_{k}_end"]) for k in range(RANGES_PER_DAY)]

    def validate(self, extra_validators=None) -> bool:
        valid = super().validate(extra_validators)
        for n, _day in enumerate(self.days):
            for start, end in self._pairs(n):
                if (start.data is None) != (end.data is None):
                    (end if start.data else start).errors.append("Give both the start and the end.")
                    valid = False
        return valid

    def ranges(self) -> list[tuple[date, time, time]]:
        """(day, from, to) for every range given in full."""
        return [(day, start.data, end.data) for n, day in enumerate(self.days)
                for start, end in self._pairs(n) if start.data is not None]

    def fill(self, per_day: dict[date, list[tuple[time, time]]]) -> None:
        for n, day in enumerate(self.days):
            for (start, end), (start_field, end_field) in zip(per_day.get(day, []), self._pairs(n), strict=False):
                start_field.data, end_field.data = start, end

    def day_rows(self):
        """(n, day, [(start field, end field), ...]) for the template."""
        return [(n, day, self._pairs(n)) for n, day in enumerate(self.days)]


def availability_form_class(days: list[date]) -> type[FlaskForm]:
    """Two optional time ranges per convention day: ``d<n>_<k>_start`` / ``d<n>_<k>_end``."""
    attributes = {"submit": SubmitField("Save availability"), "days": list(days)}
    for n, _day in enumerate(days):
        for k in range(RANGES_PER_DAY):
            attributes[f"d{n}_{k}_start"] = TimeField("From", validators=[Optional()])
            attributes[f"d{n}_{k}_end"] = TimeField("To", validators=[Optional()])
    return type("AvailabilityForm", (_AvailabilityForm,), attributes)
