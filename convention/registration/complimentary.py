"""Free registrations for speakers, the committee and staff, so every badge comes from one place.

Each person has at most one complimentary order per edition; its ``complimentary_sources``
say why ("proposal:12", "role:reviewer"). The attendee's ticket type follows the
strongest reason (speaker, then committee, then staff). When the last reason goes, the
registration is cancelled. Both functions are idempotent.

Registration listens to signals and never imports the domains that send them:
``cfp.talk-confirmed`` / ``cfp.talk-cancelled`` (sent as ``.send(edition, user=...,
proposal=...)``) and the editions' ``role_granted`` / ``role_revoked``.
"""

from __future__ import annotations

import sqlalchemy as sa
from blinker import signal

from convention.accounts.models import User
from convention.audit.services import record_audit
from convention.core.timeutil import utcnow
from convention.editions.models import Edition, Role
from convention.editions.signals import role_granted, role_revoked
from convention.extensions import db
from convention.registration.inventory import give_back_seats, take_seats
from convention.registration.models import Attendee, Order, PaymentMethod, TicketCategory, TicketType
from convention.registration.notices import email_order
from convention.registration.services import cancel_paid_order
from convention.registration.states import OrderState

ROLE_CATEGORIES = {
    Role.REVIEWER: TicketCategory.COMMITTEE,
    Role.CHECKIN: TicketCategory.STAFF,
    Role.ORGANIZER: TicketCategory.STAFF,
}
STRENGTH = [TicketCategory.SPEAKER, TicketCategory.COMMITTEE, TicketCategory.STAFF]
DEFAULT_NAMES = {TicketCategory.SPEAKER: "Speaker", TicketCategory.COMMITTEE: "Committee", TicketCategory.STAFF: "Staff"}

talk_confirmed = signal("cfp.talk-confirmed")
talk_cancelled = signal("cfp.talk-cancelled")


def _source_category(source: str) -> TicketCategory:
    kind, _, value = source.partition(":")
    if kind == "proposal":
        return TicketCategory.SPEAKER
    return ROLE_CATEGORIES[Role(value)]


def complimentary_ticket_type(edition: Edition, category: TicketCategory) -> TicketType:
    """The edition's hidden, free ticket type for ``category`` (created on first use)."""
    ticket_type = db.session.scalar(
        sa.select(TicketType)
        .where(TicketType.edition_id == edition.id, TicketType.category == category)
        .order_by(TicketType.id)
        .limit(1)
    )
    if ticket_type is None:
        ticket_type = TicketType(
            edition_id=edition.id,
            category=category,
            name=DEFAULT_NAMES[category],
            description=f"Free registration for {DEFAULT_NAMES[category].lower()} members"
            if category is not TicketCategory.SPEAKER
            else "Free registration for speakers of accepted talks",
            price_cents=0,
            vat_rate_bp=0,
            hidden=True,
            position=100 + STRENGTH.index(category),
        )
        db.session.add(ticket_type)
        db.session.flush()
    return ticket_type


def _current(edition: Edition, user_id: int) -> Order | None:
    return db.session.scalar(
        sa.select(Order)
        .where(
            Order.edition_id == edition.id,
            Order.user_id == user_id,
            Order.payment_method == PaymentMethod.COMPLIMENTARY.value,
            Order.state == OrderState.PAID,
        )
        .order_by(Order.id)
        .limit(1)
    )


def grant_complimentary_registration(edition: Edition, user: User, *, source: str, actor=None) -> Order:
    """Give ``user`` a free registration for ``source`` (e.g. "proposal:12", "role:reviewer")."""
    _source_category(source)  # refuses unknown sources
    order = _current(edition, user.id)
    if order is not None:
        if source not in order.complimentary_sources:
            order.complimentary_sources = sorted({*order.complimentary_sources, source})
            _retype(order)
            record_audit("registration.complimentary_source_added", actor=actor, edition_id=edition.id,
                         target=order, data={"source": source})
        return order
    category = _source_category(source)
    ticket_type = complimentary_ticket_type(edition, category)
    now = utcnow()
    order = Order(
        edition_id=edition.id,
        email=user.email,
        buyer_name=user.name,
        user_id=user.id,
        total_cents=0,
        currency=ticket_type.currency,
        payment_method=PaymentMethod.COMPLIMENTARY.value,
        state=OrderState.PAID,
        paid_at=now,
        complimentary_sources=[source],
        created_at=now,
    )
    order.attendees.append(
        Attendee(edition_id=edition.id, ticket_type_id=ticket_type.id, user_id=user.id, name=user.name,
                 email=user.email, price_cents=0, vat_rate_bp=0, created_at=now)
    )
    db.session.add(order)
    take_seats({ticket_type.id: 1})  # no capacity on these types: counts only
    db.session.flush()
    record_audit("registration.complimentary_created", actor=actor, edition_id=edition.id, target=order,
                 data={"source": source, "user": user.email, "kind": category.value})
    if getattr(actor, "id", None) != user.id:  # no message about what one did oneself
        email_order(order, "registration_complimentary", category=category)
    return order


def revoke_complimentary_registration(edition: Edition, user_id: int, *, source: str, actor=None) -> Order | None:
    """Remove ``source`` from the person's free registration; cancel it when none is left."""
    order = _current(edition, user_id)
    if order is None or source not in order.complimentary_sources:
        return order
    remaining = [s for s in order.complimentary_sources if s != source]
    order.complimentary_sources = remaining
    record_audit("registration.complimentary_source_removed", actor=actor, edition_id=edition.id, target=order,
                 data={"source": source})
    if remaining:
        _retype(order)
        return order
    return cancel_paid_order(order, amount_cents=0, reason=f"No longer {source}", actor=actor)


def _retype(order: Order) -> None:
    """The attendee's ticket type follows the strongest remaining reason."""
    category = min((_source_category(s) for s in order.complimentary_sources), key=STRENGTH.index)
    edition = db.session.get(Edition, order.edition_id)
    ticket_type = complimentary_ticket_type(edition, category)
    for attendee in order.attendees:
        if attendee.ticket_type_id != ticket_type.id:
            give_back_seats({attendee.ticket_type_id: 1})
            take_seats({ticket_type.id: 1})
            attendee.ticket_type_id = ticket_type.id
    db.session.flush()


# -- signal receivers -------------------------------------------------------------------


def _on_talk_confirmed(edition, user=None, proposal=None, **extra):
    if user is not None and proposal is not None:
        grant_complimentary_registration(edition, user, source=f"proposal:{proposal.id}", actor=extra.get("actor"))


def _on_talk_cancelled(edition, user=None, proposal=None, **extra):
    if user is not None and proposal is not None:
        revoke_complimentary_registration(edition, user.id, source=f"proposal:{proposal.id}", actor=extra.get("actor"))


def _on_role_granted(edition, user=None, role=None, **extra):
    if user is not None and role in ROLE_CATEGORIES:
        grant_complimentary_registration(edition, user, source=f"role:{Role(role).value}", actor=extra.get("actor"))


def _on_role_revoked(edition, user_id=None, role=None, **extra):
    if user_id is not None and role in ROLE_CATEGORIES:
        revoke_complimentary_registration(edition, user_id, source=f"role:{Role(role).value}", actor=extra.get("actor"))


def connect_signals() -> None:
    """Subscribe once (blinker ignores a receiver connected twice)."""
    talk_confirmed.connect(_on_talk_confirmed, weak=False)
    talk_cancelled.connect(_on_talk_cancelled, weak=False)
    role_granted.connect(_on_role_granted, weak=False)
    role_revoked.connect(_on_role_revoked, weak=False)
