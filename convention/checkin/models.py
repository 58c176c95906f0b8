"""Check-in lists and the log of every scan.

One entry per (attendee, list) on a list without re-entry is kept by the database: a
counted entry fills ``admitted_attendee_id``, unique per list, so two scans of the same
code at the same instant insert one entry and the other finds it. A scan's ``nonce`` is
unique: the same request sent twice is one scan.
"""

from __future__ import annotations

from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column, relationship

from convention.core.timeutil import UTCDateTime, utcnow
from convention.editions.models import EditionScoped
from convention.extensions import db
from convention.registration.models import Attendee, TicketType

checkin_list_ticket_types = sa.Table(
    "checkin_list_ticket_types",
    db.metadata,
    sa.Column("list_id", sa.ForeignKey("checkin_lists.id", ondelete="CASCADE"), primary_key=True),
    sa.Column("ticket_type_id", sa.ForeignKey("ticket_types.id", ondelete="CASCADE"), primary_key=True),
)


class CheckinList(EditionScoped, db.Model):
    __tablename__ = "checkin_lists"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(sa.String(120))
    is_default: Mapped[bool] = mapped_column(default=False, server_default=sa.false())
    # Opt-in day limits: ISO dates ("2026-05-14") on which the list admits; empty: any day.
    days: Mapped[list] = mapped_column(sa.JSON, default=list)
    allow_reentry: Mapped[bool] = mapped_column(default=False, server_default=sa.false())
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)

    # The ticket types admitted; none: every ticket type.
    ticket_types: Mapped[list[TicketType]] = relationship(secondary=checkin_list_ticket_types)

    __table_args__ = (sa.UniqueConstraint("edition_id", "name"),)


class Checkin(EditionScoped, db.Model):
    """One scan, whatever its answer (an invalid code is logged too, with no attendee)."""

    __tablename__ = "checkins"

    id: Mapped[int] = mapped_column(primary_key=True)
    list_id: Mapped[int] = mapped_column(sa.ForeignKey("checkin_lists.id", ondelete="CASCADE"), index=True)
    attendee_id: Mapped[int | None] = mapped_column(sa.ForeignKey("attendees.id", ondelete="CASCADE"), index=True)
    # Set only on a counted entry of a list without re-entry: unique per list.
    admitted_attendee_id: Mapped[int | None] = mapped_column(sa.ForeignKey("attendees.id", ondelete="CASCADE"))
    kind: Mapped[str] = mapped_column(sa.String(10), default="entry")  # entry / exit
    status: Mapped[str] = mapped_column(sa.String(24))  # the answer given: checked_in, invalid, ...
    reason: Mapped[str | None] = mapped_column(sa.String(24))
    at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow, index=True)
    gate: Mapped[str] = mapped_column(sa.String(60), default="", server_default="")
    device: Mapped[str] = mapped_column(sa.String(60), default="", server_default="")
    nonce: Mapped[str | None] = mapped_column(sa.String(64), unique=True)
    user_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id", ondelete="SET NULL"))

    checkin_list: Mapped[CheckinList] = relationship()
    attendee: Mapped[Attendee | None] = relationship(foreign_keys=[attendee_id])

    __table_args__ = (
        sa.UniqueConstraint("list_id", "admitted_attendee_id", name="uq_checkins_one_entry"),
    )
