"""What payments keeps: Stripe events by id, Checkout Sessions per order, issues for organizers."""

from __future__ import annotations

import enum
from datetime import datetime, timedelta

import sqlalchemy as sa
from flask_babel import lazy_gettext
from sqlalchemy.orm import Mapped, mapped_column, relationship

from convention.core.timeutil import UTCDateTime, utcnow
from convention.editions.models import EditionScoped
from convention.extensions import db
from convention.payments.states import CheckoutStatus, IssueState


def _enum(cls, length: int = 24):
    return sa.Enum(cls, native_enum=False, length=length, values_callable=lambda e: [m.value for m in e])


class EventOutcome(enum.StrEnum):
    """What a webhook event did, stored with it for the organizers' log."""

    APPLIED = "applied"  # the order moved (paid, released, refunded)
    NO_CHANGE = "no_change"  # nothing to do: the order is already past this point
    IGNORED = "ignored"  # an event type or an order we do not handle
    MISMATCH = "mismatch"  # amount or currency differ: flagged, order not paid
    REFUNDED_NO_SEAT = "refunded_no_seat"  # paid too late, no seat left: refunded at Stripe

    @property
    def label(self):
        return OUTCOME_LABELS[self.value]


OUTCOME_LABELS = {
    "applied": lazy_gettext("applied"),
    "no_change": lazy_gettext("no change"),
    "ignored": lazy_gettext("ignored"),
    "mismatch": lazy_gettext("mismatch"),
    "refunded_no_seat": lazy_gettext("refunded, no seat"),
}


class StripeEvent(db.Model):
    """Every verified webhook event, stored by its Stripe id in the transaction of its effects.

    The unique ``stripe_id`` makes a second delivery of the same event a no-op.
    """

    __tablename__ = "stripe_events"

    id: Mapped[int] = mapped_column(primary_key=True)
    stripe_id: Mapped[str] = mapped_column(sa.String(255), unique=True)
    type: Mapped[str] = mapped_column(sa.String(100))
    object_id: Mapped[str] = mapped_column(sa.String(255), default="", server_default="")
    order_id: Mapped[int | None] = mapped_column(sa.ForeignKey("orders.id", ondelete="SET NULL"), index=True)
    livemode: Mapped[bool] = mapped_column(default=False, server_default=sa.false())
    created_at: Mapped[datetime] = mapped_column(UTCDateTime())  # Stripe's timestamp
    received_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow, index=True)
    outcome: Mapped[EventOutcome] = mapped_column(_enum(EventOutcome), default=EventOutcome.IGNORED)
    detail: Mapped[str] = mapped_column(sa.String(255), default="", server_default="")

    order: Mapped[Order | None] = relationship()  # noqa: F821


class StripeCheckout(db.Model):
    """A Checkout Session created for an order; attempt n uses idempotency key checkout-<code>-<n>."""

    __tablename__ = "stripe_checkouts"

    id: Mapped[int] = mapped_column(primary_key=True)
    order_id: Mapped[int] = mapped_column(sa.ForeignKey("orders.id", ondelete="CASCADE"), index=True)
    attempt: Mapped[int]
    session_id: Mapped[str] = mapped_column(sa.String(255), unique=True)
    url: Mapped[str | None] = mapped_column(sa.Text)
    status: Mapped[CheckoutStatus] = mapped_column(_enum(CheckoutStatus, 12), default=CheckoutStatus.OPEN, index=True)
    amount_cents: Mapped[int]
    currency: Mapped[str] = mapped_column(sa.String(3))
    payment_intent: Mapped[str | None] = mapped_column(sa.String(255), index=True)
    expires_at: Mapped[datetime] = mapped_column(UTCDateTime())
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    completed_at: Mapped[datetime | None] = mapped_column(UTCDateTime())

    order: Mapped[Order] = relationship()  # noqa: F821

    __table_args__ = (
        sa.UniqueConstraint("order_id", "attempt"),
        sa.CheckConstraint("attempt > 0", name="attempt_positive"),
        sa.CheckConstraint("amount_cents >= 0", name="amount_not_negative"),
    )

    def is_usable(self, now: datetime) -> bool:
        """Still open and not about to expire: send the buyer back to it rather than make another."""
        return self.status is CheckoutStatus.OPEN and bool(self.url) and self.expires_at > now + timedelta(minutes=1)


class IssueKind(enum.StrEnum):
    AMOUNT_MISMATCH = "amount_mismatch"
    REFUNDED_NO_SEAT = "refunded_no_seat"
    DUPLICATE_PAYMENT = "duplicate_payment"

    @property
    def label(self):
        return ISSUE_LABELS[self.value]


ISSUE_LABELS = {
    "amount_mismatch": lazy_gettext("Amount or currency differ from the order"),
    "refunded_no_seat": lazy_gettext("Paid after the reservation ended, no seat left: refunded"),
    "duplicate_payment": lazy_gettext("Paid twice"),
}


class PaymentIssue(EditionScoped, db.Model):
    """A payment the system could not simply apply; organizers look at it and resolve it."""

    __tablename__ = "payment_issues"

    id: Mapped[int] = mapped_column(primary_key=True)
    order_id: Mapped[int] = mapped_column(sa.ForeignKey("orders.id", ondelete="CASCADE"), index=True)
    kind: Mapped[IssueKind] = mapped_column(_enum(IssueKind))
    state: Mapped[IssueState] = mapped_column(_enum(IssueState, 12), default=IssueState.OPEN, index=True)
    amount_cents: Mapped[int]
    currency: Mapped[str] = mapped_column(sa.String(3))
    reference: Mapped[str] = mapped_column(sa.String(255), default="", server_default="")
    detail: Mapped[str] = mapped_column(sa.Text, default="", server_default="")
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    resolved_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    resolved_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id", ondelete="SET NULL"))
    note: Mapped[str] = mapped_column(sa.Text, default="", server_default="")

    order: Mapped[Order] = relationship()  # noqa: F821
    resolved_by: Mapped[User | None] = relationship()  # noqa: F821


from convention.accounts.models import User  # noqa: E402,F401  (relationship targets)
from convention.registration.models import Order  # noqa: E402,F401
