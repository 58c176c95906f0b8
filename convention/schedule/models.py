"""Tables of the schedule.

The rooms are the edition's rooms (``editions.models.Room``, re-exported here); a room
hosts every format unless ``RoomFormat`` rows list the ones it hosts. ``Slot`` is the
DRAFT placement of a confirmed talk; public pages and exports read only the newest
``ScheduleVersion``'s snapshot, so drafting never leaks.
"""

from __future__ import annotations

import enum
from datetime import date, datetime

import sqlalchemy as sa
from flask_babel import lazy_gettext
from sqlalchemy.orm import Mapped, mapped_column, relationship

from convention.accounts.models import User
from convention.cfp.models import Proposal
from convention.core.timeutil import UTCDateTime, utcnow
from convention.editions.models import Edition, EditionScoped, Room, SessionFormat
from convention.extensions import db

__all__ = ["Block", "BlockKind", "Room", "RoomFormat", "ScheduleDay", "ScheduleSettings", "ScheduleVersion", "Slot"]

DEFAULT_GRANULARITY = 5


def _enum(enum_class, length=16):
    return sa.Enum(enum_class, native_enum=False, length=length, values_callable=lambda e: [m.value for m in e])


class BlockKind(enum.StrEnum):
    BREAK = "break"
    KEYNOTE = "keynote"
    SOCIAL = "social"
    OTHER = "other"

    @property
    def label(self) -> str:
        return str(BLOCK_KIND_LABELS[self.value])


BLOCK_KIND_LABELS = {"break": lazy_gettext("Break"), "keynote": lazy_gettext("Keynote"),
                     "social": lazy_gettext("Social event"), "other": lazy_gettext("Other")}


class ScheduleSettings(EditionScoped, db.Model):
    __tablename__ = "schedule_settings"

    id: Mapped[int] = mapped_column(primary_key=True)
    granularity_minutes: Mapped[int] = mapped_column(default=DEFAULT_GRANULARITY, server_default=str(DEFAULT_GRANULARITY))

    __table_args__ = (
        sa.UniqueConstraint("edition_id"),
        sa.CheckConstraint("granularity_minutes > 0 AND granularity_minutes <= 120", name="granularity_range"),
    )


class RoomFormat(db.Model):
    """A format a room hosts. A room without rows hosts every format."""

    __tablename__ = "schedule_room_formats"

    id: Mapped[int] = mapped_column(primary_key=True)
    room_id: Mapped[int] = mapped_column(sa.ForeignKey("rooms.id", ondelete="CASCADE"), index=True)
    format_id: Mapped[int] = mapped_column(sa.ForeignKey("session_formats.id", ondelete="CASCADE"), index=True)

    room: Mapped[Room] = relationship()
    format: Mapped[SessionFormat] = relationship()

    __table_args__ = (sa.UniqueConstraint("room_id", "format_id"),)


class ScheduleDay(EditionScoped, db.Model):
    """A day of the convention and the hours (UTC) when its rooms are open."""

    __tablename__ = "schedule_days"

    id: Mapped[int] = mapped_column(primary_key=True)
    day: Mapped[date]
    opens_at: Mapped[datetime] = mapped_column(UTCDateTime())
    closes_at: Mapped[datetime] = mapped_column(UTCDateTime())

    __table_args__ = (
        sa.UniqueConstraint("edition_id", "day"),
        sa.CheckConstraint("closes_at > opens_at", name="hours_in_order"),
    )


class Block(EditionScoped, db.Model):
    """A time no talk is placed in (a break) or a fixed item of the programme (a keynote)."""

    __tablename__ = "schedule_blocks"

    id: Mapped[int] = mapped_column(primary_key=True)
    kind: Mapped[BlockKind] = mapped_column(_enum(BlockKind))
    title: Mapped[str] = mapped_column(sa.String(160))
    starts_at: Mapped[datetime] = mapped_column(UTCDateTime())
    ends_at: Mapped[datetime] = mapped_column(UTCDateTime())
    room_id: Mapped[int | None] = mapped_column(sa.ForeignKey("rooms.id", ondelete="CASCADE"), index=True)  # None: every room
    blocks_talks: Mapped[bool] = mapped_column(default=True, server_default=sa.true())

    room: Mapped[Room | None] = relationship()

    __table_args__ = (sa.CheckConstraint("ends_at > starts_at", name="range_in_order"),)


class Slot(EditionScoped, db.Model):
    """The draft placement of a confirmed talk: one room, one time."""

    __tablename__ = "schedule_slots"

    id: Mapped[int] = mapped_column(primary_key=True)
    proposal_id: Mapped[int] = mapped_column(sa.ForeignKey("cfp_proposals.id", ondelete="CASCADE"), unique=True)
    room_id: Mapped[int] = mapped_column(sa.ForeignKey("rooms.id", ondelete="CASCADE"), index=True)
    starts_at: Mapped[datetime] = mapped_column(UTCDateTime())
    ends_at: Mapped[datetime] = mapped_column(UTCDateTime())
    pinned: Mapped[bool] = mapped_column(default=False, server_default=sa.false())
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow, onupdate=utcnow)

    proposal: Mapped[Proposal] = relationship()
    room: Mapped[Room] = relationship()

    __table_args__ = (sa.CheckConstraint("ends_at > starts_at", name="range_in_order"),)


class ScheduleVersion(EditionScoped, db.Model):
    """A published schedule: the complete public programme at publish time (``snapshot``)
    and what changed since the previous version (``changelog``: moved, added, cancelled)."""

    __tablename__ = "schedule_versions"

    id: Mapped[int] = mapped_column(primary_key=True)
    number: Mapped[int]
    name: Mapped[str] = mapped_column(sa.String(120))
    published_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    published_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id", ondelete="SET NULL"))
    snapshot: Mapped[dict] = mapped_column(sa.JSON)
    changelog: Mapped[dict] = mapped_column(sa.JSON)

    edition: Mapped[Edition] = relationship()
    published_by: Mapped[User | None] = relationship()

    __table_args__ = (sa.UniqueConstraint("edition_id", "number"),)
