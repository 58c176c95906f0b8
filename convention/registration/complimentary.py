"""Free registrations for speakers, the committee and staff, so every badge comes from one place.

Each person has at most one complimentary order per edition; its ``complimentary_sources``
say why ("proposal:12", "role:reviewer"). The attendee's ticket type follows the
strongest reason (speaker, then committee, then staff). When the last reason goes, the
registration is cancelled. Both functions are idempotent.

Registration listens to signals (``convention.core.signals``) and never imports the
domains that send them: ``talk_confirmed`` / ``talk_cancelled`` from the call for papers,
``role_granted`` / ``role_revoked`` from editions. The app factory connects the receivers
(``connect_receivers``); the audit entries name the payload's actor.
"""

from __future__ import annotations

import sqlalchemy as sa

from convention.accounts.models import User
from convention.audit.services import record_audit
from convention.core.signals import (
    RoleGranted,
    RoleRevoked,
    TalkCancelled,
    TalkConfirmed,
    role_granted,
    role_revoked,
    talk_cancelled,
    talk_confirmed,
)
from convention.core.timeutil import utcnow
from convention.editions.models import Edition, Role
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


def grant_complimentary_registration(edition: Edition, user: User, *, source: str, actor=None,
                                     notify: bool | None = None) -> Order:
    """Give ``user`` a free registration for ``source`` (e.g. "proposal:12", "role:reviewer"),
    and email them about it if ``notify`` (by default: unless they gave it themselves)."""
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
                 data={"source": source, "user_id": user.id, "kind": category.value})
    if notify is None:
        notify = getattr(actor, "id", None) != user.id  # no message about what one did oneself
    if notify:
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


def _user(user_id: int | None) -> User | None:
    return db.session.get(User, user_id) if user_id is not None else None


def _on_talk_confirmed(event: TalkConfirmed) -> None:
    # Every speaker hears of their free ticket, the one who confirmed the talk included.
    edition, actor = db.session.get(Edition, event.edition_id), _user(event.actor_id)
    for speaker_id in event.speaker_ids:
        grant_complimentary_registration(edition, _user(speaker_id), source=f"proposal:{event.proposal_id}",
                                         actor=actor, notify=True)


def _on_talk_cancelled(event: TalkCancelled) -> None:
    edition, actor = db.session.get(Edition, event.edition_id), _user(event.actor_id)
    for speaker_id in event.speaker_ids:
        revoke_complimentary_registration(edition, speaker_id, source=f"proposal:{event.proposal_id}", actor=actor)


def _on_role_granted(event: RoleGranted) -> None:
    if Role(event.role) in ROLE_CATEGORIES:
        grant_complimentary_registration(db.session.get(Edition, event.edition_id), _user(event.user_id),
                                         source=f"role:{event.role}", actor=_user(event.actor_id))


def _on_role_revoked(event: RoleRevoked) -> None:
    if Role(event.role) in ROLE_CATEGORIES:
        revoke_complimentary_registration(db.session.get(Edition, event.edition_id), event.user_id,
                                          source=f"role:{event.role}", actor=_user(event.actor_id))


def connect_receivers() -> None:
    """Called by the app factory (connecting twice changes nothing)."""
    talk_confirmed.connect(_on_talk_confirmed)
    talk_cancelled.connect(_on_talk_cancelled)
    role_granted.connect(_on_role_granted)
    role_revoked.connect(_on_role_revoked)
