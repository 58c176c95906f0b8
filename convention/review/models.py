"""Tables of the review: the phase's settings, criteria, reviewers' expertise and teams,
bids, conflicts, assignments, reviews with their scores, decisions and the notification
templates that tell speakers.

A reviewer is a person with the edition role ``reviewer`` (editions.models.Role); rows
here name the person (``user_id``), never an edition role row, so that a reviewer who
loses the role keeps their history.
"""

from __future__ import annotations

import enum
from datetime import datetime

import sqlalchemy as sa
from flask_babel import lazy_gettext
from sqlalchemy.orm import Mapped, mapped_column, relationship

from convention.accounts.models import User
from convention.cfp.models import Proposal
from convention.core.timeutil import UTCDateTime, utcnow
from convention.editions.models import Edition, EditionScoped, Positioned, Theme
from convention.extensions import db

CRITERION_NAME_MAX = 120
TEAM_NAME_MAX = 120
SUBJECT_MAX = 200


def _enum(enum_class, length=16):
    return sa.Enum(enum_class, native_enum=False, length=length, values_callable=lambda e: [m.value for m in e])


def _proposal_fk():
    return mapped_column(sa.ForeignKey("cfp_proposals.id", ondelete="CASCADE"), index=True)


def _user_fk():
    return mapped_column(sa.ForeignKey("users.id", ondelete="CASCADE"), index=True)


class BidLevel(enum.StrEnum):
    """How much a reviewer wants to review a proposal (``conflict``: must not)."""

    EAGER = "eager"
    WILLING = "willing"
    NOT_WILLING = "not_willing"
    CONFLICT = "conflict"

    @property
    def label(self) -> str:
        return str(BID_LABELS[self])


BID_LABELS = {
    BidLevel.EAGER: lazy_gettext("Eager to review"),
    BidLevel.WILLING: lazy_gettext("Willing to review"),
    BidLevel.NOT_WILLING: lazy_gettext("Rather not"),
    BidLevel.CONFLICT: lazy_gettext("Conflict of interest"),
}


class ConflictSource(enum.StrEnum):
    """Why a reviewer may not review a proposal: said so, or found by a rule."""

    DECLARED = "declared"
    SPEAKER = "speaker"
    ORGANISATION = "organisation"
    EMAIL_DOMAIN = "email_domain"

    @property
    def label(self) -> str:
        return str(CONFLICT_LABELS[self])


CONFLICT_LABELS = {
    ConflictSource.DECLARED: lazy_gettext("Declared by the reviewer"),
    ConflictSource.SPEAKER: lazy_gettext("Reviewer is a speaker of the proposal"),
    ConflictSource.ORGANISATION: lazy_gettext("Same organisation as a speaker"),
    ConflictSource.EMAIL_DOMAIN: lazy_gettext("Same email domain as a speaker"),
}


class AssignmentSource(enum.StrEnum):
    MANUAL = "manual"
    AUTOMATIC = "automatic"

    @property
    def label(self) -> str:
        return str({"manual": lazy_gettext("Manual"), "automatic": lazy_gettext("Automatic")}[self.value])


class Outcome(enum.StrEnum):
    ACCEPT = "accept"
    REJECT = "reject"

    @property
    def label(self) -> str:
        return str({"accept": lazy_gettext("Accept"), "reject": lazy_gettext("Reject")}[self.value])


class ReviewSettings(db.Model):
    """The review phase of one edition. No row: the defaults (``with_defaults``)."""

    __tablename__ = "review_settings"

    id: Mapped[int] = mapped_column(primary_key=True)
    edition_id: Mapped[int] = mapped_column(sa.ForeignKey("editions.id", ondelete="CASCADE"), unique=True)
    opens_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    closes_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    # Blind: reviewers see nothing that names the speakers.
    blind: Mapped[bool] = mapped_column(default=True, server_default=sa.true())
    # A reviewer sees the other reviewers' scores of a proposal only after submitting their own.
    scores_visible_after_own: Mapped[bool] = mapped_column(default=True, server_default=sa.true())
    reviews_per_proposal: Mapped[int] = mapped_column(default=3, server_default="3")

    edition: Mapped[Edition] = relationship()

    __table_args__ = (
        sa.CheckConstraint("reviews_per_proposal >= 1 AND reviews_per_proposal <= 20", name="reviews_range"),
        sa.CheckConstraint("closes_at IS NULL OR opens_at IS NULL OR closes_at > opens_at", name="dates_in_order"),
    )

    @classmethod
    def with_defaults(cls, edition_id: int) -> ReviewSettings:
        """A transient row holding the column defaults (not added to the session)."""
        values = {
            column.key: column.default.arg
            for column in cls.__table__.columns
            if column.default is not None and column.default.is_scalar
        }
        return cls(edition_id=edition_id, **values)

    def is_open(self, now: datetime | None = None) -> bool:
        now = now or utcnow()
        if self.opens_at and now < self.opens_at:
            return False
        return self.closes_at is None or now < self.closes_at


class Criterion(EditionScoped, Positioned, db.Model):
    """One thing reviewers score, on an integer scale; the total weighs each criterion."""

    __tablename__ = "review_criteria"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(sa.String(CRITERION_NAME_MAX))
    description: Mapped[str] = mapped_column(sa.Text, default="", server_default="")
    scale_min: Mapped[int] = mapped_column(default=1, server_default="1")
    scale_max: Mapped[int] = mapped_column(default=5, server_default="5")
    weight: Mapped[int] = mapped_column(default=1, server_default="1")

    edition: Mapped[Edition] = relationship()

    __table_args__ = (
        sa.UniqueConstraint("edition_id", "name"),
        sa.CheckConstraint("scale_max > scale_min", name="scale_in_order"),
        sa.CheckConstraint("scale_min >= -100 AND scale_max <= 100", name="scale_range"),
        sa.CheckConstraint("weight >= 1 AND weight <= 100", name="weight_range"),
    )


class ReviewerTheme(EditionScoped, db.Model):
    """A theme a reviewer knows well (their expertise, a preference for the assignment)."""

    __tablename__ = "reviewer_themes"

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = _user_fk()
    theme_id: Mapped[int] = mapped_column(sa.ForeignKey("themes.id", ondelete="CASCADE"), index=True)

    user: Mapped[User] = relationship()
    theme: Mapped[Theme] = relationship()

    __table_args__ = (sa.UniqueConstraint("user_id", "theme_id", "edition_id"),)


class ReviewTeam(EditionScoped, db.Model):
    """A group of reviewers; a team with themes only reviews proposals of those themes."""

    __tablename__ = "review_teams"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(sa.String(TEAM_NAME_MAX))

    edition: Mapped[Edition] = relationship()
    members: Mapped[list[ReviewTeamMember]] = relationship(
        back_populates="team", order_by="ReviewTeamMember.id", cascade="all, delete-orphan"
    )
    themes: Mapped[list[ReviewTeamTheme]] = relationship(
        back_populates="team", order_by="ReviewTeamTheme.id", cascade="all, delete-orphan"
    )

    __table_args__ = (sa.UniqueConstraint("edition_id", "name"),)


class ReviewTeamMember(db.Model):
    __tablename__ = "review_team_members"

    id: Mapped[int] = mapped_column(primary_key=True)
    team_id: Mapped[int] = mapped_column(sa.ForeignKey("review_teams.id", ondelete="CASCADE"), index=True)
    user_id: Mapped[int] = _user_fk()

    team: Mapped[ReviewTeam] = relationship(back_populates="members")
    user: Mapped[User] = relationship()

    __table_args__ = (sa.UniqueConstraint("team_id", "user_id"),)


class ReviewTeamTheme(db.Model):
    __tablename__ = "review_team_themes"

    id: Mapped[int] = mapped_column(primary_key=True)
    team_id: Mapped[int] = mapped_column(sa.ForeignKey("review_teams.id", ondelete="CASCADE"), index=True)
    theme_id: Mapped[int] = mapped_column(sa.ForeignKey("themes.id", ondelete="CASCADE"), index=True)

    team: Mapped[ReviewTeam] = relationship(back_populates="themes")
    theme: Mapped[Theme] = relationship()

    __table_args__ = (sa.UniqueConstraint("team_id", "theme_id"),)


class Bid(EditionScoped, db.Model):
    """A reviewer's wish about one proposal, given on the (blind) bids page."""

    __tablename__ = "review_bids"

    id: Mapped[int] = mapped_column(primary_key=True)
    proposal_id: Mapped[int] = _proposal_fk()
    user_id: Mapped[int] = _user_fk()
    level: Mapped[BidLevel] = mapped_column(_enum(BidLevel))

    proposal: Mapped[Proposal] = relationship()
    user: Mapped[User] = relationship()

    __table_args__ = (sa.UniqueConstraint("proposal_id", "user_id"),)


class Conflict(EditionScoped, db.Model):
    """A reviewer who must not review (nor see) a proposal, and why."""

    __tablename__ = "review_conflicts"

    id: Mapped[int] = mapped_column(primary_key=True)
    proposal_id: Mapped[int] = _proposal_fk()
    user_id: Mapped[int] = _user_fk()
    source: Mapped[ConflictSource] = mapped_column(_enum(ConflictSource))

    proposal: Mapped[Proposal] = relationship()
    user: Mapped[User] = relationship()

    __table_args__ = (sa.UniqueConstraint("proposal_id", "user_id", "source"),)


class Assignment(EditionScoped, db.Model):
    """A proposal in a reviewer's queue."""

    __tablename__ = "review_assignments"

    id: Mapped[int] = mapped_column(primary_key=True)
    proposal_id: Mapped[int] = _proposal_fk()
    user_id: Mapped[int] = _user_fk()
    source: Mapped[AssignmentSource] = mapped_column(_enum(AssignmentSource))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)

    proposal: Mapped[Proposal] = relationship()
    user: Mapped[User] = relationship()

    __table_args__ = (sa.UniqueConstraint("proposal_id", "user_id"),)


class Review(EditionScoped, db.Model):
    """One reviewer's review of one proposal: a score per criterion and two texts."""

    __tablename__ = "reviews"

    id: Mapped[int] = mapped_column(primary_key=True)
    proposal_id: Mapped[int] = _proposal_fk()
    user_id: Mapped[int] = _user_fk()
    comment: Mapped[str] = mapped_column(sa.Text, default="", server_default="")  # for the committee
    feedback: Mapped[str] = mapped_column(sa.Text, default="", server_default="")  # for the speakers, optional
    submitted_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    # The weighted mean of the scores (over the criteria scored), kept by review.totals
    # whenever the scores or the criteria's weights change; None: no score.
    total: Mapped[float | None] = mapped_column(sa.Float)

    proposal: Mapped[Proposal] = relationship()
    user: Mapped[User] = relationship()
    scores: Mapped[list[Score]] = relationship(
        back_populates="review", order_by="Score.id", cascade="all, delete-orphan"
    )

    __table_args__ = (sa.UniqueConstraint("proposal_id", "user_id"),)


class Score(db.Model):
    __tablename__ = "review_scores"

    id: Mapped[int] = mapped_column(primary_key=True)
    review_id: Mapped[int] = mapped_column(sa.ForeignKey("reviews.id", ondelete="CASCADE"), index=True)
    criterion_id: Mapped[int] = mapped_column(sa.ForeignKey("review_criteria.id", ondelete="CASCADE"), index=True)
    value: Mapped[int]

    review: Mapped[Review] = relationship(back_populates="scores")
    criterion: Mapped[Criterion] = relationship()

    __table_args__ = (sa.UniqueConstraint("review_id", "criterion_id"),)


class ProposalTotals(db.Model):
    """A proposal's reviews summed up for the ranking: how many submitted reviews have a
    total, their mean (the score), lowest and highest (the spread is their difference).
    Kept by review.totals in the transaction that changes a review or a weight; no row:
    no counted review. Indexed per edition for the ranking's sorts."""

    __tablename__ = "review_proposal_totals"

    proposal_id: Mapped[int] = mapped_column(sa.ForeignKey("cfp_proposals.id", ondelete="CASCADE"), primary_key=True)
    edition_id: Mapped[int] = mapped_column(sa.ForeignKey("editions.id", ondelete="CASCADE"))
    reviews: Mapped[int]
    score: Mapped[float] = mapped_column(sa.Float)
    low: Mapped[float] = mapped_column(sa.Float)
    high: Mapped[float] = mapped_column(sa.Float)
    spread: Mapped[float] = mapped_column(sa.Float)

    __table_args__ = (
        sa.Index("ix_review_proposal_totals_score", "edition_id", "score"),
        sa.Index("ix_review_proposal_totals_spread", "edition_id", "spread"),
        sa.Index("ix_review_proposal_totals_reviews", "edition_id", "reviews"),
    )


class Decision(EditionScoped, db.Model):
    """The committee's outcome for a proposal; speakers learn it when ``notified_at`` is set."""

    __tablename__ = "review_decisions"

    id: Mapped[int] = mapped_column(primary_key=True)
    proposal_id: Mapped[int] = mapped_column(sa.ForeignKey("cfp_proposals.id", ondelete="CASCADE"), unique=True)
    outcome: Mapped[Outcome] = mapped_column(_enum(Outcome))
    decided_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id", ondelete="SET NULL"))
    decided_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    notified_at: Mapped[datetime | None] = mapped_column(UTCDateTime())

    proposal: Mapped[Proposal] = relationship()
    decided_by: Mapped[User | None] = relationship()


class NotificationTemplate(EditionScoped, db.Model):
    """The message speakers get for an outcome. Placeholders: {speaker_name}, {title},
    {edition}, {confirmation_link}, {feedback}. No row: the default from code."""

    __tablename__ = "review_notification_templates"

    id: Mapped[int] = mapped_column(primary_key=True)
    outcome: Mapped[Outcome] = mapped_column(_enum(Outcome))
    subject: Mapped[str] = mapped_column(sa.String(SUBJECT_MAX))
    body: Mapped[str] = mapped_column(sa.Text)

    __table_args__ = (sa.UniqueConstraint("edition_id", "outcome"),)


class ThemeQuota(EditionScoped, db.Model):
    """How many proposals of a theme the committee means to accept (a guide on the
    ranking's dashboard, not a lock). No row: no quota for that theme."""

    __tablename__ = "review_theme_quotas"

    id: Mapped[int] = mapped_column(primary_key=True)
    theme_id: Mapped[int] = mapped_column(sa.ForeignKey("themes.id", ondelete="CASCADE"), index=True)
    quota: Mapped[int]

    theme: Mapped[Theme] = relationship()

    __table_args__ = (
        sa.UniqueConstraint("edition_id", "theme_id"),
        sa.CheckConstraint("quota >= 0 AND quota <= 10000", name="quota_range"),
    )
