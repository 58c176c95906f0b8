from __future__ import annotations

import enum
from datetime import datetime

import sqlalchemy as sa
from flask_babel import lazy_gettext
from sqlalchemy.orm import Mapped, mapped_column

from convention.core.timeutil import UTCDateTime, utcnow
from convention.extensions import db


class MessageStatus(enum.StrEnum):
    QUEUED = "queued"  # waiting for its first or next attempt
    SENT = "sent"  # handed to the SMTP server
    KEPT = "kept"  # no SMTP server configured: kept for admins to read
    FAILED = "failed"  # gave up after the last retry; an admin can retry it

    @property
    def label(self):
        """The status as the outbox page names it, in the interface language."""
        return STATUS_LABELS[self.value]


STATUS_LABELS = {
    "queued": lazy_gettext("queued"),
    "sent": lazy_gettext("sent"),
    "kept": lazy_gettext("kept"),
    "failed": lazy_gettext("failed"),
}


# Every move a message can make. Delivery attempts move queued messages (with a
# conditional UPDATE, see services._claim); admins move failed and kept ones back.
TRANSITIONS: dict[MessageStatus, frozenset[MessageStatus]] = {
    MessageStatus.QUEUED: frozenset({MessageStatus.QUEUED, MessageStatus.SENT, MessageStatus.FAILED, MessageStatus.KEPT}),
    MessageStatus.FAILED: frozenset({MessageStatus.QUEUED}),
    MessageStatus.KEPT: frozenset({MessageStatus.QUEUED}),
    MessageStatus.SENT: frozenset(),
}
# States an admin can send again from the outbox page.
RETRYABLE = frozenset(s for s, targets in TRANSITIONS.items() if MessageStatus.QUEUED in targets)


class OutboxMessage(db.Model):
    __tablename__ = "outbox_messages"

    id: Mapped[int] = mapped_column(primary_key=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow, index=True)
    edition_id: Mapped[int | None] = mapped_column(index=True)
    template: Mapped[str] = mapped_column(sa.String(80))
    sender: Mapped[str] = mapped_column(sa.String(254))
    recipient: Mapped[str] = mapped_column(sa.String(254), index=True)
    subject: Mapped[str] = mapped_column(sa.String(255))
    body_text: Mapped[str] = mapped_column(sa.Text)
    status: Mapped[MessageStatus] = mapped_column(
        sa.Enum(MessageStatus, native_enum=False, length=16, values_callable=lambda e: [m.value for m in e]),
        default=MessageStatus.QUEUED,
        index=True,
    )
    attempts: Mapped[int] = mapped_column(default=0, server_default="0")
    next_attempt_at: Mapped[datetime | None] = mapped_column(UTCDateTime(), index=True)
    last_error: Mapped[str | None] = mapped_column(sa.Text)
    sent_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    # Descriptors of the files sent with it, rendered at send time (mail/attachments.py).
    attachments: Mapped[list] = mapped_column(sa.JSON, default=list, server_default="[]")
