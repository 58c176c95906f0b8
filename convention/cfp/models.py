"""Tables of the call for papers: proposals, their speakers, answers and files.

A person who submits in an edition gets a ``SpeakerProfile`` there (name, biography,
photo...); proposals link to profiles, so each speaker keeps their own profile per
edition and a co-speaker is simply a second profile on the same proposal.
"""

from __future__ import annotations

import enum
import hashlib
from datetime import datetime

import sqlalchemy as sa
from flask_babel import lazy_gettext
from sqlalchemy.orm import Mapped, mapped_column, relationship

from convention.accounts.models import User
from convention.cfp.states import ProposalState
from convention.core.codes import new_code
from convention.core.search import trigram_index
from convention.core.timeutil import UTCDateTime, utcnow
from convention.editions.models import Edition, EditionScoped, Positioned, SessionFormat, Theme
from convention.extensions import db

TITLE_MAX = 200
ABSTRACT_MAX = 600
DESCRIPTION_MAX = 10_000
NOTES_MAX = 3_000
BIOGRAPHY_MAX = 3_000
ANSWER_MAX = 2_000
MAX_SPEAKERS = 5


def hash_token(token: str) -> str:
    """What is kept of a secret link's token (invitations, late links): its SHA-256."""
    return hashlib.sha256(token.encode()).hexdigest()


def _enum(enum_class, length=16):
    return sa.Enum(enum_class, native_enum=False, length=length, values_callable=lambda e: [m.value for m in e])


class AudienceLevel(enum.StrEnum):
    BEGINNER = "beginner"
    INTERMEDIATE = "intermediate"
    EXPERT = "expert"

    @property
    def label(self) -> str:
        return str(LEVEL_LABELS[self.value])


class Language(enum.StrEnum):
    ENGLISH = "en"
    DUTCH = "nl"
    FRENCH = "fr"
    GERMAN = "de"

    @property
    def label(self) -> str:
        return str(LANGUAGE_LABELS[self.value])


class QuestionKind(enum.StrEnum):
    TEXT = "text"
    CHOICE = "choice"
    BOOLEAN = "boolean"

    @property
    def label(self) -> str:
        return str(QUESTION_KIND_LABELS[self.value])


# What people read for each value (lazy: the forms' choice lists are built at import time).
LEVEL_LABELS = {"beginner": lazy_gettext("Beginner"), "intermediate": lazy_gettext("Intermediate"),
                "expert": lazy_gettext("Expert")}
LANGUAGE_LABELS = {"en": lazy_gettext("English"), "nl": lazy_gettext("Dutch"), "fr": lazy_gettext("French"),
                   "de": lazy_gettext("German")}
QUESTION_KIND_LABELS = {"text": lazy_gettext("Text"), "choice": lazy_gettext("Choice from a list"),
                        "boolean": lazy_gettext("Yes or no")}


class SpeakerProfile(EditionScoped, db.Model):
    """One person as a speaker of one edition."""

    __tablename__ = "cfp_speaker_profiles"

    id: Mapped[int] = mapped_column(primary_key=True)
    code: Mapped[str] = mapped_column(sa.String(12), unique=True, default=new_code)
    user_id: Mapped[int] = mapped_column(sa.ForeignKey("users.id", ondelete="CASCADE"), index=True)
    display_name: Mapped[str] = mapped_column(sa.String(120))
    biography: Mapped[str] = mapped_column(sa.Text, default="", server_default="")
    organisation: Mapped[str] = mapped_column(sa.String(160), default="", server_default="")
    job_title: Mapped[str] = mapped_column(sa.String(160), default="", server_default="")
    links: Mapped[str] = mapped_column(sa.Text, default="", server_default="")  # one URL a line
    photo_name: Mapped[str | None] = mapped_column(sa.String(80))  # random file name in the upload folder
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow, onupdate=utcnow)

    edition: Mapped[Edition] = relationship()
    user: Mapped[User] = relationship()
    availabilities: Mapped[list[Availability]] = relationship(
        back_populates="profile", order_by="Availability.starts_at", cascade="all, delete-orphan"
    )

    __table_args__ = (
        sa.UniqueConstraint("edition_id", "user_id"),
        trigram_index("cfp_speaker_profiles", "display_name"),  # the proposal table's search
    )

    @property
    def link_list(self) -> list[str]:
        return [line for line in self.links.splitlines() if line.strip()]

    @property
    def is_complete(self) -> bool:
        return bool(self.display_name and self.biography.strip())


class Proposal(EditionScoped, db.Model):
    __tablename__ = "cfp_proposals"

    id: Mapped[int] = mapped_column(primary_key=True)
    code: Mapped[str] = mapped_column(sa.String(12), unique=True, default=new_code)
    title: Mapped[str] = mapped_column(sa.String(TITLE_MAX))
    # A draft may leave its theme and format open; submitting needs both.
    theme_id: Mapped[int | None] = mapped_column(sa.ForeignKey("themes.id", ondelete="RESTRICT"), index=True)
    format_id: Mapped[int | None] = mapped_column(sa.ForeignKey("session_formats.id", ondelete="RESTRICT"), index=True)
    level: Mapped[AudienceLevel] = mapped_column(_enum(AudienceLevel))
    language: Mapped[Language] = mapped_column(_enum(Language, 8))
    abstract: Mapped[str] = mapped_column(sa.Text)
    description: Mapped[str] = mapped_column(sa.Text, default="", server_default="")
    notes: Mapped[str] = mapped_column(sa.Text, default="", server_default="")
    may_record: Mapped[bool] = mapped_column(default=True, server_default=sa.true())
    state: Mapped[ProposalState] = mapped_column(_enum(ProposalState), default=ProposalState.DRAFT, index=True)
    # The hidden value of the form that created it: a second identical POST finds it.
    idempotency_key: Mapped[str | None] = mapped_column(sa.String(64), unique=True)
    created_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id", ondelete="SET NULL"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    submitted_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    state_changed_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    # Set on talks brought in by the schedule importer: their identifier in the source.
    external_guid: Mapped[str | None] = mapped_column(sa.String(64))
    # ... and its event type there (frab <type>: "lecture", "workshop", ...), exported back.
    external_type: Mapped[str] = mapped_column(sa.String(40), default="", server_default="")
    # How many people the organizers expect (set in the grid editor); None: not estimated.
    # The schedule's checks flag a room with fewer seats.
    expected_audience: Mapped[int | None]

    edition: Mapped[Edition] = relationship()
    theme: Mapped[Theme | None] = relationship()
    format: Mapped[SessionFormat | None] = relationship()
    speakers: Mapped[list[ProposalSpeaker]] = relationship(
        back_populates="proposal", order_by="ProposalSpeaker.id", cascade="all, delete-orphan"
    )
    answers: Mapped[list[Answer]] = relationship(back_populates="proposal", cascade="all, delete-orphan")
    attachments: Mapped[list[Attachment]] = relationship(
        back_populates="proposal", order_by="Attachment.id", cascade="all, delete-orphan"
    )
    invitations: Mapped[list[Invitation]] = relationship(
        back_populates="proposal", order_by="Invitation.id", cascade="all, delete-orphan"
    )

    __table_args__ = (
        # The organizer's table searches titles and codes (manage_services.proposal_page).
        trigram_index("cfp_proposals", "title"),
        trigram_index("cfp_proposals", "code"),
        sa.UniqueConstraint("edition_id", "external_guid"),  # an imported talk, keyed by its guid
    )

    @property
    def speaker_users(self) -> list[User]:
        return [link.profile.user for link in self.speakers]

    @property
    def speaker_names(self) -> str:
        return ", ".join(link.profile.display_name for link in self.speakers)

    def __repr__(self) -> str:
        return f"<Proposal {self.code} {self.state.value}>"


class ProposalSpeaker(db.Model):
    """A speaker (profile) of a proposal; the submitter is the first."""

    __tablename__ = "cfp_proposal_speakers"

    id: Mapped[int] = mapped_column(primary_key=True)
    proposal_id: Mapped[int] = mapped_column(sa.ForeignKey("cfp_proposals.id", ondelete="CASCADE"), index=True)
    profile_id: Mapped[int] = mapped_column(sa.ForeignKey("cfp_speaker_profiles.id", ondelete="CASCADE"), index=True)
    is_submitter: Mapped[bool] = mapped_column(default=False, server_default=sa.false())
    joined_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)

    proposal: Mapped[Proposal] = relationship(back_populates="speakers")
    profile: Mapped[SpeakerProfile] = relationship()

    __table_args__ = (sa.UniqueConstraint("proposal_id", "profile_id"),)


class Invitation(db.Model):
    """An emailed invitation to co-present; the link carries a token whose hash is kept."""

    __tablename__ = "cfp_invitations"

    id: Mapped[int] = mapped_column(primary_key=True)
    proposal_id: Mapped[int] = mapped_column(sa.ForeignKey("cfp_proposals.id", ondelete="CASCADE"), index=True)
    email: Mapped[str] = mapped_column(sa.String(254))
    token_hash: Mapped[str] = mapped_column(sa.String(64), unique=True)
    invited_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id", ondelete="SET NULL"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    expires_at: Mapped[datetime] = mapped_column(UTCDateTime())
    accepted_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    accepted_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id", ondelete="SET NULL"))
    # Set when the submitter cancels it or the proposal leaves the joinable states.
    revoked_at: Mapped[datetime | None] = mapped_column(UTCDateTime())

    proposal: Mapped[Proposal] = relationship(back_populates="invitations")
    invited_by: Mapped[User | None] = relationship(foreign_keys=[invited_by_id])

    def is_pending(self, now: datetime | None = None) -> bool:
        return self.accepted_at is None and self.revoked_at is None and (now or utcnow()) < self.expires_at


class LateSubmissionGrant(EditionScoped, db.Model):
    """A personal link that lets one person submit and edit after the deadline, until its own expiry."""

    __tablename__ = "cfp_late_grants"

    id: Mapped[int] = mapped_column(primary_key=True)
    email: Mapped[str] = mapped_column(sa.String(254))
    token_hash: Mapped[str] = mapped_column(sa.String(64), unique=True)
    expires_at: Mapped[datetime] = mapped_column(UTCDateTime())
    # Set when the person opens the link while signed in: from then on it is theirs.
    user_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id", ondelete="CASCADE"), index=True)
    claimed_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    revoked_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    created_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id", ondelete="SET NULL"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)

    user: Mapped[User | None] = relationship(foreign_keys=[user_id])

    def is_active(self, now: datetime | None = None) -> bool:
        return self.revoked_at is None and (now or utcnow()) < self.expires_at


class Question(EditionScoped, Positioned, db.Model):
    """An organizer's own question on the submission form."""

    __tablename__ = "cfp_questions"

    id: Mapped[int] = mapped_column(primary_key=True)
    label: Mapped[str] = mapped_column(sa.String(200))
    help_text: Mapped[str] = mapped_column(sa.String(500), default="", server_default="")
    kind: Mapped[QuestionKind] = mapped_column(_enum(QuestionKind))
    choices: Mapped[str] = mapped_column(sa.Text, default="", server_default="")  # one a line
    required: Mapped[bool] = mapped_column(default=False, server_default=sa.false())

    @property
    def choice_list(self) -> list[str]:
        return [line.strip() for line in self.choices.splitlines() if line.strip()]


class Answer(db.Model):
    __tablename__ = "cfp_answers"

    id: Mapped[int] = mapped_column(primary_key=True)
    proposal_id: Mapped[int] = mapped_column(sa.ForeignKey("cfp_proposals.id", ondelete="CASCADE"), index=True)
    question_id: Mapped[int] = mapped_column(sa.ForeignKey("cfp_questions.id", ondelete="CASCADE"), index=True)
    value: Mapped[str] = mapped_column(sa.Text)

    proposal: Mapped[Proposal] = relationship(back_populates="answers")
    question: Mapped[Question] = relationship()

    __table_args__ = (sa.UniqueConstraint("proposal_id", "question_id"),)


class Attachment(db.Model):
    """A PDF (slides, paper) kept outside static/ under a random name."""

    __tablename__ = "cfp_attachments"

    id: Mapped[int] = mapped_column(primary_key=True)
    code: Mapped[str] = mapped_column(sa.String(12), unique=True, default=new_code)
    proposal_id: Mapped[int] = mapped_column(sa.ForeignKey("cfp_proposals.id", ondelete="CASCADE"), index=True)
    filename: Mapped[str] = mapped_column(sa.String(120))  # safe ASCII, for Content-Disposition
    stored_name: Mapped[str] = mapped_column(sa.String(80), unique=True)
    size_bytes: Mapped[int]
    pages: Mapped[int] = mapped_column(default=0, server_default="0")
    uploaded_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id", ondelete="SET NULL"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)

    proposal: Mapped[Proposal] = relationship(back_populates="attachments")

    __table_args__ = (sa.CheckConstraint("size_bytes > 0", name="size_positive"),)


class Availability(db.Model):
    """A time range (UTC) during the convention when a speaker can give their talk."""

    __tablename__ = "cfp_availabilities"

    id: Mapped[int] = mapped_column(primary_key=True)
    profile_id: Mapped[int] = mapped_column(sa.ForeignKey("cfp_speaker_profiles.id", ondelete="CASCADE"), index=True)
    starts_at: Mapped[datetime] = mapped_column(UTCDateTime())
    ends_at: Mapped[datetime] = mapped_column(UTCDateTime())

    profile: Mapped[SpeakerProfile] = relationship(back_populates="availabilities")

    __table_args__ = (sa.CheckConstraint("ends_at > starts_at", name="range_in_order"),)
