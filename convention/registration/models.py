"""Registration tables: ticket types, quotas, vouchers, orders, attendees, waiting list.

Capacity is kept as counters (``used``) on ticket types and quotas, changed only by one
conditional UPDATE that succeeds while seats remain (see ``inventory.py``), with CHECK
constraints as the backstop: ``used`` can never go below zero nor above ``capacity``.
"""

from __future__ import annotations

import enum
from datetime import date, datetime

import sqlalchemy as sa
from flask_babel import lazy_gettext
from sqlalchemy.orm import Mapped, mapped_column, relationship

from convention.core.codes import new_code, new_token
from convention.core.search import trigram_index
from convention.core.timeutil import UTCDateTime, utcnow
from convention.editions.models import EditionScoped, Positioned, Translatable
from convention.extensions import db
from convention.registration.states import OrderState, WaitingState


def _enum(cls, length: int = 20):
    return sa.Enum(cls, native_enum=False, length=length, values_callable=lambda e: [m.value for m in e])


class TicketCategory(enum.StrEnum):
    """What a ticket type is for. Only TICKET is sold in the shop; the others are free
    registrations created for speakers, the committee and staff."""

    TICKET = "ticket"
    SPEAKER = "speaker"
    COMMITTEE = "committee"
    STAFF = "staff"

    @property
    def label(self) -> str:
        return _CATEGORY_LABELS[self.value]


_CATEGORY_LABELS = {
    "ticket": lazy_gettext("Ticket"),
    "speaker": lazy_gettext("Speaker"),
    "committee": lazy_gettext("Committee"),
    "staff": lazy_gettext("Staff"),
}


class PaymentMethod(enum.StrEnum):
    """The ways of paying registration itself knows; an order's ``payment_method`` may also
    be the key of a provider another domain registers (``payment_providers.py``)."""

    FREE = "free"
    BANK_TRANSFER = "bank_transfer"
    COMPLIMENTARY = "complimentary"


class VoucherKind(enum.StrEnum):
    PERCENT = "percent"  # value: percentage off (1-100)
    FIXED = "fixed"  # value: cents off each ticket
    FREE = "free"  # the ticket costs nothing
    UNLOCK = "unlock"  # only gives access to a hidden or voucher-only ticket type

    @property
    def label(self) -> str:
        return _VOUCHER_LABELS[self.value]


_VOUCHER_LABELS = {
    "percent": lazy_gettext("Percentage off"),
    "fixed": lazy_gettext("Fixed amount off"),
    "free": lazy_gettext("Free ticket"),
    "unlock": lazy_gettext("Access only"),
}


quota_ticket_types = sa.Table(
    "quota_ticket_types",
    db.metadata,
    sa.Column("quota_id", sa.ForeignKey("quotas.id", ondelete="CASCADE"), primary_key=True),
    sa.Column("ticket_type_id", sa.ForeignKey("ticket_types.id", ondelete="CASCADE"), primary_key=True),
)


class RegistrationSettings(db.Model):
    """Per-edition registration settings (one row per edition, created on first use)."""

    __tablename__ = "registration_settings"

    edition_id: Mapped[int] = mapped_column(sa.ForeignKey("editions.id", ondelete="CASCADE"), primary_key=True)
    currency: Mapped[str] = mapped_column(sa.String(3), default="EUR", server_default="EUR")
    reservation_minutes: Mapped[int] = mapped_column(default=30, server_default="30")
    bank_transfer_days: Mapped[int] = mapped_column(default=7, server_default="7")
    offer_hours: Mapped[int] = mapped_column(default=48, server_default="48")
    name_changes_until: Mapped[datetime | None] = mapped_column(UTCDateTime())
    self_cancel_until: Mapped[datetime | None] = mapped_column(UTCDateTime())  # None: no self-cancellation
    cancellation_fee_cents: Mapped[int] = mapped_column(default=0, server_default="0")
    privacy_version: Mapped[str] = mapped_column(sa.String(40), default="2026-01", server_default="2026-01")
    privacy_notice: Mapped[str] = mapped_column(sa.Text, default="", server_default="")
    seller_name: Mapped[str] = mapped_column(sa.String(160), default="", server_default="")
    seller_address: Mapped[str] = mapped_column(sa.String(255), default="", server_default="")
    seller_vat_number: Mapped[str] = mapped_column(sa.String(40), default="", server_default="")
    bank_account_holder: Mapped[str] = mapped_column(sa.String(160), default="", server_default="")
    bank_iban: Mapped[str] = mapped_column(sa.String(40), default="", server_default="")
    bank_bic: Mapped[str] = mapped_column(sa.String(20), default="", server_default="")

    @classmethod
    def with_defaults(cls, edition_id: int) -> RegistrationSettings:
        """A transient row holding the column defaults (not added to the session)."""
        values = {
            column.key: column.default.arg
            for column in cls.__table__.columns
            if column.default is not None and column.default.is_scalar
        }
        return cls(edition_id=edition_id, **values)

    __table_args__ = (
        sa.CheckConstraint("reservation_minutes >= 30 AND reservation_minutes <= 1440", name="reservation_range"),
        sa.CheckConstraint("bank_transfer_days >= 1 AND bank_transfer_days <= 60", name="bank_days_range"),
        sa.CheckConstraint("offer_hours >= 1 AND offer_hours <= 336", name="offer_range"),
        sa.CheckConstraint("cancellation_fee_cents >= 0", name="fee_positive"),
    )


class TicketType(EditionScoped, Positioned, Translatable, db.Model):
    __tablename__ = "ticket_types"

    id: Mapped[int] = mapped_column(primary_key=True)
    category: Mapped[TicketCategory] = mapped_column(
        _enum(TicketCategory), default=TicketCategory.TICKET, server_default="ticket"
    )
    name: Mapped[str] = mapped_column(sa.String(120))
    description: Mapped[str] = mapped_column(sa.Text, default="", server_default="")
    price_cents: Mapped[int] = mapped_column(default=0, server_default="0")
    currency: Mapped[str] = mapped_column(sa.String(3), default="EUR", server_default="EUR")
    vat_rate_bp: Mapped[int] = mapped_column(default=2100, server_default="2100")  # basis points: 2100 = 21 %
    capacity: Mapped[int | None]  # None: only the shared quotas limit it
    used: Mapped[int] = mapped_column(default=0, server_default="0")
    sale_starts_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    sale_ends_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    requires_voucher: Mapped[bool] = mapped_column(default=False, server_default=sa.false())
    hidden: Mapped[bool] = mapped_column(default=False, server_default=sa.false())  # shown only with a voucher
    valid_on: Mapped[date | None]  # a day ticket: valid on this day only
    max_per_order: Mapped[int] = mapped_column(default=10, server_default="10")
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)

    quotas: Mapped[list[Quota]] = relationship(secondary=quota_ticket_types, back_populates="ticket_types")

    __table_args__ = (
        sa.CheckConstraint("price_cents >= 0", name="price_positive"),
        sa.CheckConstraint("vat_rate_bp >= 0 AND vat_rate_bp <= 10000", name="vat_range"),
        sa.CheckConstraint("used >= 0", name="used_positive"),
        sa.CheckConstraint("capacity IS NULL OR used <= capacity", name="used_within_capacity"),
        sa.CheckConstraint("max_per_order >= 1", name="max_per_order_positive"),
        sa.UniqueConstraint("edition_id", "name"),
    )

    @property
    def is_free(self) -> bool:
        return self.price_cents == 0

    def on_sale(self, now: datetime) -> bool:
        if self.sale_starts_at and now < self.sale_starts_at:
            return False
        return self.sale_ends_at is None or now < self.sale_ends_at

    def sale_closed(self, now: datetime) -> bool:
        """The sale has ended for good (not merely not started yet)."""
        return self.sale_ends_at is not None and self.sale_ends_at <= now

    def __repr__(self) -> str:
        return f"<TicketType {self.id} {self.name}>"


class Quota(EditionScoped, db.Model):
    """A shared cap over several ticket types (e.g. the venue's total)."""

    __tablename__ = "quotas"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(sa.String(120))
    capacity: Mapped[int]
    used: Mapped[int] = mapped_column(default=0, server_default="0")

    ticket_types: Mapped[list[TicketType]] = relationship(
        secondary=quota_ticket_types, back_populates="quotas", order_by="TicketType.position, TicketType.id"
    )

    __table_args__ = (
        sa.CheckConstraint("capacity >= 0", name="capacity_positive"),
        sa.CheckConstraint("used >= 0", name="used_positive"),
        sa.CheckConstraint("used <= capacity", name="used_within_capacity"),
        sa.UniqueConstraint("edition_id", "name"),
    )


class Voucher(EditionScoped, db.Model):
    __tablename__ = "vouchers"

    id: Mapped[int] = mapped_column(primary_key=True)
    code: Mapped[str] = mapped_column(sa.String(40))
    kind: Mapped[VoucherKind] = mapped_column(_enum(VoucherKind))
    value: Mapped[int] = mapped_column(default=0, server_default="0")  # percent, or cents for FIXED
    ticket_type_id: Mapped[int | None] = mapped_column(sa.ForeignKey("ticket_types.id", ondelete="CASCADE"), index=True)
    max_uses: Mapped[int] = mapped_column(default=1, server_default="1")
    used: Mapped[int] = mapped_column(default=0, server_default="0")
    valid_from: Mapped[datetime | None] = mapped_column(UTCDateTime())
    valid_until: Mapped[datetime | None] = mapped_column(UTCDateTime())
    comment: Mapped[str] = mapped_column(sa.String(255), default="", server_default="")
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)

    ticket_type: Mapped[TicketType | None] = relationship()

    __table_args__ = (
        sa.UniqueConstraint("edition_id", "code"),
        sa.CheckConstraint("used >= 0", name="used_positive"),
        sa.CheckConstraint("used <= max_uses", name="used_within_limit"),
        sa.CheckConstraint("max_uses >= 1", name="max_uses_positive"),
        sa.CheckConstraint("value >= 0", name="value_positive"),
    )

    @property
    def only_unlocks(self) -> bool:
        """It gives access to hidden or voucher-only tickets, no discount."""
        return self.kind is VoucherKind.UNLOCK

    @property
    def remaining(self) -> int:
        return self.max_uses - self.used

    def valid_at(self, now: datetime) -> bool:
        if self.valid_from and now < self.valid_from:
            return False
        return self.valid_until is None or now < self.valid_until


class Order(EditionScoped, db.Model):
    __tablename__ = "orders"

    id: Mapped[int] = mapped_column(primary_key=True)
    code: Mapped[str] = mapped_column(sa.String(16), unique=True, default=lambda: new_code(8))
    secret: Mapped[str] = mapped_column(sa.String(64), unique=True, default=new_token)
    state: Mapped[OrderState] = mapped_column(_enum(OrderState), default=OrderState.RESERVED)
    email: Mapped[str] = mapped_column(sa.String(254))
    buyer_name: Mapped[str] = mapped_column(sa.String(120), default="", server_default="")
    user_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id", ondelete="SET NULL"), index=True)
    # The language the buyer used to order: their mail speaks it when no account says otherwise.
    language: Mapped[str | None] = mapped_column(sa.String(8))
    total_cents: Mapped[int] = mapped_column(default=0, server_default="0")
    currency: Mapped[str] = mapped_column(sa.String(3), default="EUR", server_default="EUR")
    payment_method: Mapped[str] = mapped_column(sa.String(20))
    payment_reference: Mapped[str | None] = mapped_column(sa.String(255))
    voucher_id: Mapped[int | None] = mapped_column(sa.ForeignKey("vouchers.id", ondelete="SET NULL"), index=True)
    voucher_uses: Mapped[int] = mapped_column(default=0, server_default="0")
    refunded_cents: Mapped[int] = mapped_column(default=0, server_default="0")
    refund_reference: Mapped[str | None] = mapped_column(sa.String(255))
    consent_version: Mapped[str | None] = mapped_column(sa.String(40))
    consent_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    # Free registrations of speakers, committee and staff: why this person has one.
    complimentary_sources: Mapped[list] = mapped_column(sa.JSON, default=list)
    # The checkout form's hidden key: one form submission makes one order, however often it is posted.
    idempotency_key: Mapped[str | None] = mapped_column(sa.String(64), unique=True)
    expires_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    paid_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    cancelled_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    refunded_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow, index=True)

    attendees: Mapped[list[Attendee]] = relationship(
        back_populates="order", order_by="Attendee.id", cascade="all, delete-orphan"
    )
    voucher: Mapped[Voucher | None] = relationship()

    __table_args__ = (
        sa.Index("ix_orders_state_expires_at", "state", "expires_at"),
        sa.Index("ix_orders_edition_id_state", "edition_id", "state"),
        sa.Index("ix_orders_edition_id_email", "edition_id", "email"),  # a buyer's open orders, at checkout
        trigram_index("orders", "email"),  # the organizer's order search (reports.search_orders)
        trigram_index("orders", "buyer_name"),
        sa.CheckConstraint("total_cents >= 0", name="total_positive"),
        sa.CheckConstraint("refunded_cents >= 0", name="refunded_positive"),
    )

    @property
    def is_complimentary(self) -> bool:
        return self.payment_method == PaymentMethod.COMPLIMENTARY

    @property
    def is_partly_refunded(self) -> bool:
        """Still paid, with part of the money given back (a full refund makes it REFUNDED)."""
        return self.state is OrderState.PAID and self.refunded_cents > 0

    def __repr__(self) -> str:
        return f"<Order {self.code} {self.state}>"


class Attendee(EditionScoped, db.Model):
    """One seat of an order: the person who will wear the badge."""

    __tablename__ = "attendees"

    id: Mapped[int] = mapped_column(primary_key=True)
    code: Mapped[str] = mapped_column(sa.String(16), unique=True, default=lambda: new_code(12))
    order_id: Mapped[int] = mapped_column(sa.ForeignKey("orders.id", ondelete="CASCADE"), index=True)
    ticket_type_id: Mapped[int] = mapped_column(sa.ForeignKey("ticket_types.id"), index=True)
    user_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id", ondelete="SET NULL"), index=True)
    name: Mapped[str] = mapped_column(sa.String(120))
    email: Mapped[str] = mapped_column(sa.String(254), default="", server_default="")
    organisation: Mapped[str] = mapped_column(sa.String(160), default="", server_default="")
    price_cents: Mapped[int] = mapped_column(default=0, server_default="0")  # what this seat costs, VAT included
    vat_rate_bp: Mapped[int] = mapped_column(default=0, server_default="0")
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)

    order: Mapped[Order] = relationship(back_populates="attendees")
    ticket_type: Mapped[TicketType] = relationship()

    __table_args__ = (
        sa.CheckConstraint("price_cents >= 0", name="price_positive"),
        trigram_index("attendees", "name"),  # the organizer's order search (reports.search_orders)
        trigram_index("attendees", "organisation"),
        trigram_index("attendees", "email"),
    )


class WaitingListEntry(EditionScoped, db.Model):
    __tablename__ = "waiting_list_entries"

    id: Mapped[int] = mapped_column(primary_key=True)
    secret: Mapped[str] = mapped_column(sa.String(64), unique=True, default=new_token)
    ticket_type_id: Mapped[int] = mapped_column(sa.ForeignKey("ticket_types.id", ondelete="CASCADE"), index=True)
    name: Mapped[str] = mapped_column(sa.String(120))
    email: Mapped[str] = mapped_column(sa.String(254))
    quantity: Mapped[int] = mapped_column(default=1, server_default="1")
    state: Mapped[WaitingState] = mapped_column(_enum(WaitingState), default=WaitingState.WAITING)
    order_id: Mapped[int | None] = mapped_column(sa.ForeignKey("orders.id", ondelete="SET NULL"), index=True)
    consent_version: Mapped[str | None] = mapped_column(sa.String(40))
    language: Mapped[str | None] = mapped_column(sa.String(8))  # of the page they joined on: their mail speaks it
    offered_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)

    ticket_type: Mapped[TicketType] = relationship()
    order: Mapped[Order | None] = relationship()

    __table_args__ = (
        sa.CheckConstraint("quantity >= 1 AND quantity <= 10", name="quantity_range"),
        sa.Index("ix_waiting_list_entries_edition_id_state", "edition_id", "state"),
    )
