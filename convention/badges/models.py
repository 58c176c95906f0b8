"""The edition's ticket signing keys, the badges and the print sheets.

Each key pair is Ed25519; the public key is stored as its 32 raw bytes, the private key
encrypted at rest with AES-GCM under a key derived from SECRET_KEY (``keys.py``). An
edition signs with its newest unrevoked key; older keys still verify until revoked.
"""

from __future__ import annotations

from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column

from convention.core.timeutil import UTCDateTime, utcnow
from convention.editions.models import EditionScoped
from convention.extensions import db


class TicketKey(EditionScoped, db.Model):
    __tablename__ = "ticket_keys"

    id: Mapped[int] = mapped_column(primary_key=True)  # the key id written into every code
    public_key: Mapped[bytes] = mapped_column(sa.LargeBinary(32))
    private_key_sealed: Mapped[bytes] = mapped_column(sa.LargeBinary(128))  # nonce + AES-GCM ciphertext
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    revoked_at: Mapped[datetime | None] = mapped_column(UTCDateTime())

    def __repr__(self) -> str:
        return f"<TicketKey {self.id} edition={self.edition_id}{' revoked' if self.revoked_at else ''}>"


class Badge(EditionScoped, db.Model):
    """The badge of one registration: its signed ticket code (issued when the order is
    paid), whether it was printed and must be printed again, and why it no longer admits.

    ``revoked_reason`` uses the door's words (``checkin/scanning.py``: "void" for a
    cancelled order, "refunded"): the offline revocation list is read from it."""

    __tablename__ = "badges"

    id: Mapped[int] = mapped_column(primary_key=True)
    attendee_id: Mapped[int] = mapped_column(sa.ForeignKey("attendees.id", ondelete="CASCADE"), unique=True)
    code: Mapped[str] = mapped_column(sa.String(200))
    issued_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    printed_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    needs_reprint: Mapped[bool] = mapped_column(default=False, server_default=sa.false())
    revoked_reason: Mapped[str | None] = mapped_column(sa.String(24))
    revoked_at: Mapped[datetime | None] = mapped_column(UTCDateTime())

    __table_args__ = (
        sa.Index("ix_badges_edition_id_printed_at", "edition_id", "printed_at"),
        sa.Index("ix_badges_edition_id_revoked_reason", "edition_id", "revoked_reason"),
    )

    def __repr__(self) -> str:
        revoked = f" {self.revoked_reason}" if self.revoked_reason else ""
        return f"<Badge {self.id} attendee={self.attendee_id}{revoked}>"


class BadgeSheet(EditionScoped, db.Model):
    """A print sheet an organizer asked for: who is on it, how far its making got, and
    the PDF when done (kept in the database, so any web process serves what any worker made)."""

    __tablename__ = "badge_sheets"

    id: Mapped[int] = mapped_column(primary_key=True)
    token: Mapped[str] = mapped_column(sa.String(32), unique=True)  # in URLs: never the sequential id
    requested_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id", ondelete="SET NULL"))
    only_unprinted: Mapped[bool] = mapped_column(default=False, server_default=sa.false())
    ticket_type_id: Mapped[int | None] = mapped_column(sa.ForeignKey("ticket_types.id", ondelete="SET NULL"))
    state: Mapped[str] = mapped_column(sa.String(12), default="queued", server_default="queued")
    done: Mapped[int] = mapped_column(default=0, server_default="0")
    total: Mapped[int] = mapped_column(default=0, server_default="0")
    pdf: Mapped[bytes | None] = mapped_column(sa.LargeBinary)
    error: Mapped[str | None] = mapped_column(sa.Text)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    finished_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
