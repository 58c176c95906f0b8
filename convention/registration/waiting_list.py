"""The waiting list: when seats come back, the next entries get a time-limited offer.

An offer is an ordinary RESERVED order holding the seats for the entry, expiring after
the edition's ``offer_hours``; its link goes out by email. If it expires unused, the
seats come back and the next entry gets them, automatically.
"""

from __future__ import annotations

from datetime import datetime, timedelta

import sqlalchemy as sa
from flask import current_app
from flask_babel import gettext

from convention.audit.services import record_audit
from convention.core.errors import DomainError
from convention.core.i18n import current_language
from convention.core.pagination import Page, fetch_page
from convention.core.timeutil import utcnow
from convention.core.urls import external_url
from convention.editions.models import Edition
from convention.extensions import db
from convention.mail.services import queue_email
from convention.registration.deadlines import remember_deadline
from convention.registration.errors import SoldOut
from convention.registration.inventory import take_seats
from convention.registration.models import Attendee, Order, PaymentMethod, TicketCategory, TicketType, WaitingListEntry
from convention.registration.notices import order_url
from convention.registration.payment_providers import choose_provider
from convention.registration.settings import get_settings
from convention.registration.states import OrderState, WaitingState

OFFERS_PER_RUN = 200


def join_waiting_list(
    edition: Edition, ticket_type: TicketType, *, name: str, email: str, quantity: int, consent_version: str | None
) -> WaitingListEntry:
    """Add an UNCONFIRMED entry and email its confirmation link: it gets offers, and shows
    as waiting, only once the address is confirmed (anyone can type anyone's address)."""
    settings = get_settings(edition)
    if ticket_type.edition_id != edition.id or ticket_type.category is not TicketCategory.TICKET or ticket_type.hidden:
        raise DomainError(gettext("There is no waiting list for this ticket."))
    name = " ".join((name or "").split())
    email = (email or "").strip().lower()
    if not name:
        raise DomainError(gettext("Enter your name."), field="name")
    if not email or "@" not in email:
        raise DomainError(gettext("Enter your email address."), field="email")
    if not 1 <= int(quantity) <= min(10, ticket_type.max_per_order):
        raise DomainError(gettext("Ask for 1 to %(max)d tickets.", max=min(10, ticket_type.max_per_order)), field="quantity")
    if consent_version != settings.privacy_version:
        raise DomainError(gettext("Please accept the privacy notice."), field="consent")
    entry = WaitingListEntry(
        edition_id=edition.id,
        ticket_type_id=ticket_type.id,
        name=name,
        email=email,
        quantity=int(quantity),
        consent_version=consent_version,
        language=current_language(),
        state=WaitingState.UNCONFIRMED,
    )
    db.session.add(entry)
    db.session.flush()
    record_audit("waiting_list.join", edition_id=edition.id, target=entry, data={"quantity": entry.quantity})
    queue_email(
        "registration_waiting_confirm",
        to=email,
        context={
            "entry": entry,
            "edition": edition,
            "ticket_type": ticket_type,
            "confirm_link": external_url("registration.confirm_waiting_list", slug=edition.slug, secret=entry.secret),
            "leave_link": external_url("registration.leave_waiting_list", slug=edition.slug, secret=entry.secret),
        },
        edition_id=edition.id,
    )
    return entry


def confirm_waiting_entry(entry: WaitingListEntry) -> WaitingListEntry:
    """The address was confirmed (a POST from the emailed link): the entry now waits in line,
    in the place it joined. Safe to repeat."""
    if entry.state is not WaitingState.UNCONFIRMED:
        return entry
    entry.state = WaitingState.WAITING
    db.session.flush()
    record_audit("waiting_list.confirm", edition_id=entry.edition_id, target=entry)
    return entry


def awaits_confirmation(entry: WaitingListEntry) -> bool:
    """Joined, but its address is not confirmed yet: the emailed link's page offers the button."""
    return entry.state is WaitingState.UNCONFIRMED


def is_waiting(entry: WaitingListEntry) -> bool:
    return entry.state is WaitingState.WAITING


def can_leave(entry: WaitingListEntry) -> bool:
    """Still in line (confirmed or not): leaving means something."""
    return entry.state in (WaitingState.UNCONFIRMED, WaitingState.WAITING)


def leave_waiting_list(entry: WaitingListEntry) -> None:
    if not can_leave(entry):
        return
    entry.state = WaitingState.LEFT
    db.session.flush()
    record_audit("waiting_list.leave", edition_id=entry.edition_id, target=entry)


def make_offers(edition_id: int, *, now: datetime | None = None) -> int:
    """Offer free seats to waiting entries, first come first served per ticket type."""
    now = now or utcnow()
    entries = db.session.scalars(
        sa.select(WaitingListEntry)
        .where(WaitingListEntry.edition_id == edition_id, WaitingListEntry.state == WaitingState.WAITING)
        .order_by(WaitingListEntry.id)
        .limit(OFFERS_PER_RUN)
    ).all()
    if not entries:
        return 0
    edition = db.session.get(Edition, edition_id)
    settings = get_settings(edition)
    blocked: set[int] = set()  # ticket types whose head of line does not fit: later entries wait too
    offers = 0
    for entry in entries:
        if entry.ticket_type_id in blocked:
            continue
        ticket_type = entry.ticket_type
        if not ticket_type.on_sale(now):
            blocked.add(ticket_type.id)
            continue
        try:
            take_seats({ticket_type.id: entry.quantity})
        except SoldOut:
            blocked.add(ticket_type.id)
            continue
        order = _offer_order(entry, ticket_type, hours=settings.offer_hours, now=now)
        entry.state = WaitingState.OFFERED
        entry.order_id = order.id
        entry.offered_at = now
        db.session.flush()
        record_audit(
            "waiting_list.offer", edition_id=edition_id, target=entry, data={"order": order.code, "seats": entry.quantity}
        )
        queue_email(
            "registration_waiting_offer",
            to=entry.email,
            context={"entry": entry, "order": order, "edition": edition, "link": order_url(order)},
            edition_id=edition_id,
            default_language=entry.language,
        )
        offers += 1
    return offers


def _offer_order(entry: WaitingListEntry, ticket_type: TicketType, *, hours: int, now: datetime) -> Order:
    total = ticket_type.price_cents * entry.quantity
    order = Order(
        edition_id=entry.edition_id,
        email=entry.email,
        buyer_name=entry.name,
        total_cents=total,
        currency=ticket_type.currency,
        payment_method=PaymentMethod.FREE.value if total == 0 else choose_provider(current_app).key,
        consent_version=entry.consent_version,
        consent_at=entry.created_at,
        language=entry.language,
        expires_at=now + timedelta(hours=hours),
        state=OrderState.RESERVED,
        created_at=now,
    )
    for number in range(entry.quantity):
        order.attendees.append(
            Attendee(
                edition_id=entry.edition_id,
                ticket_type_id=ticket_type.id,
                name=entry.name if number == 0 else f"{entry.name} (guest {number})",
                email=entry.email if number == 0 else "",
                price_cents=ticket_type.price_cents,
                vat_rate_bp=ticket_type.vat_rate_bp,
                created_at=now,
            )
        )
    db.session.add(order)
    db.session.flush()
    remember_deadline(db.session, order.expires_at)
    record_audit("order.create", edition_id=entry.edition_id, target=order,
                 data={"code": order.code, "total_cents": total, "seats": entry.quantity, "waiting_list": entry.id})
    return order


def _entry_for(order: Order) -> WaitingListEntry | None:
    return db.session.scalar(sa.select(WaitingListEntry).where(WaitingListEntry.order_id == order.id))


def offer_lapsed(order: Order) -> None:
    """An offer that expired unused lapses (its seats go to the next entry)."""
    entry = _entry_for(order)
    if entry is not None and entry.state is WaitingState.OFFERED:
        entry.state = WaitingState.LAPSED
        record_audit("waiting_list.lapsed", edition_id=order.edition_id, target=entry, data={"order": order.code})


def offer_taken(order: Order) -> None:
    """The order was paid: an offer (even a lapsed one, paid late) is converted."""
    entry = _entry_for(order)
    if entry is not None and entry.state in (WaitingState.OFFERED, WaitingState.LAPSED):
        entry.state = WaitingState.CONVERTED
        record_audit("waiting_list.converted", edition_id=order.edition_id, target=entry, data={"order": order.code})


ENTRIES_PER_PAGE = 50


def entry_page(edition: Edition, *, page: int = 1, per_page: int = ENTRIES_PER_PAGE) -> Page[WaitingListEntry]:
    """One page of the waiting list, in the order people joined, with the total (one query)."""
    query = (
        sa.select(WaitingListEntry)
        .where(WaitingListEntry.edition_id == edition.id)
        .options(sa.orm.joinedload(WaitingListEntry.ticket_type), sa.orm.joinedload(WaitingListEntry.order))
        .order_by(WaitingListEntry.id)
    )
    return fetch_page(query, page, per_page)
