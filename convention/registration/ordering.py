"""Placing an order: price the selection, check the buyer's details, hold the seats.

``create_order`` is the shop's one write; it flushes, the view commits. Free orders are
paid at once; paid ones stay RESERVED with the provider ``choose_provider`` picks, until
the payment lands or the reservation expires (``services.py`` moves them on).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

import sqlalchemy as sa
from flask import current_app
from flask_babel import gettext

from convention.audit.services import record_audit
from convention.core import signals
from convention.core.errors import Conflict, DomainError
from convention.core.i18n import current_language
from convention.core.timeutil import utcnow
from convention.editions.models import Edition
from convention.extensions import db
from convention.registration.deadlines import remember_deadline
from convention.registration.errors import PriceChanged
from convention.registration.inventory import take_seats, take_voucher_uses
from convention.registration.models import Attendee, Order, PaymentMethod, RegistrationSettings
from convention.registration.notices import email_order
from convention.registration.payment_providers import choose_provider
from convention.registration.pricing import Quote, quote_selection, refuse_if_sold_out
from convention.registration.services import expire_due_reservations
from convention.registration.settings import get_settings
from convention.registration.states import OrderState

NAME_MAX = 120
ORG_MAX = 160
EMAIL_MAX = 254


@dataclass(frozen=True)
class AttendeeData:
    name: str
    email: str = ""
    organisation: str = ""


def clean_attendees(attendees: list[AttendeeData], count: int) -> list[AttendeeData]:
    if len(attendees) != count:
        raise DomainError(gettext("Enter one attendee per ticket."), field="attendees")
    cleaned = []
    for number, attendee in enumerate(attendees, start=1):
        name = " ".join((attendee.name or "").split())
        if not name:
            raise DomainError(gettext("Enter the name of attendee %(number)d.", number=number), field="attendees")
        if len(name) > NAME_MAX or len(attendee.organisation or "") > ORG_MAX or len(attendee.email or "") > EMAIL_MAX:
            raise DomainError(gettext("Attendee %(number)d: a value is too long.", number=number), field="attendees")
        cleaned.append(
            AttendeeData(name, (attendee.email or "").strip().lower(), " ".join((attendee.organisation or "").split()))
        )
    return cleaned


def check_consent(settings: RegistrationSettings, consent_version: str | None) -> None:
    if not consent_version:
        raise DomainError(gettext("Please accept the privacy notice to register."), field="consent")
    if consent_version != settings.privacy_version:
        raise DomainError(gettext("The privacy notice has changed: please read it again and accept it."), field="consent")


def create_order(
    edition: Edition,
    *,
    selection: dict[int, int],
    attendees: list[AttendeeData],
    email: str,
    buyer_name: str = "",
    voucher_code: str | None = None,
    consent_version: str | None,
    expected_total_cents: int | None,
    user=None,
    idempotency_key: str | None = None,
    now: datetime | None = None,
) -> Order:
    """Price the selection, hold its seats and create the order.

    Free orders are paid at once; paid ones stay RESERVED until the payment lands or
    the reservation expires. Raises ``SoldOut`` when a seat is missing (nothing held),
    ``PriceChanged`` when the total the buyer confirmed is not the server's.

    ``idempotency_key`` is the checkout form's hidden value: posting the same form again
    (Back and "Place order", a double click, parallel requests) returns the order the
    first post made instead of making another one.
    """
    now = now or utcnow()
    idempotency_key = (idempotency_key or "").strip() or None
    if idempotency_key:
        existing = _order_for_key(edition, idempotency_key, email)
        if existing is not None:
            return existing
    settings = get_settings(edition)
    expire_due_reservations(now=now, edition_id=edition.id)
    quote = quote_selection(edition, selection, voucher_code=voucher_code, now=now)
    if expected_total_cents is None or int(expected_total_cents) != quote.total_cents:
        raise PriceChanged(gettext("The total has changed since the page was loaded; please check the order again."))
    refuse_if_sold_out(quote)  # early and cheap; ``hold_quote`` decides
    people = clean_attendees(attendees, len(quote.lines))
    check_consent(settings, consent_version)
    email = (email or "").strip().lower()
    if not email or "@" not in email or len(email) > EMAIL_MAX:
        raise DomainError(gettext("Enter the email address for the confirmation."), field="email")
    if quote.total_cents > 0:
        _refuse_too_many_open_orders(edition, email, now=now)

    order = _build_order(edition, quote, people, email=email, buyer_name=buyer_name, user=user, now=now)
    order.idempotency_key = idempotency_key
    order.consent_version = consent_version
    order.consent_at = now
    if quote.total_cents == 0:
        order.payment_method = PaymentMethod.FREE.value
        order.state = OrderState.PAID
        order.paid_at = now
    else:
        provider = choose_provider(current_app)
        order.payment_method = provider.key
        hold = timedelta(days=settings.bank_transfer_days) if provider.key == PaymentMethod.BANK_TRANSFER else (
            timedelta(minutes=settings.reservation_minutes)
        )
        order.expires_at = now + hold
    if idempotency_key:
        try:
            # Added inside the SAVEPOINT: begin_nested() flushes what is pending before it starts.
            with db.session.begin_nested():
                db.session.add(order)
                db.session.flush()
        except sa.exc.IntegrityError:
            # A parallel post of the same form won the race (its insert waited for it to commit).
            existing = _order_for_key(edition, idempotency_key, email)
            if existing is None:
                raise
            return existing
    else:  # no key, no race to catch: no SAVEPOINT either
        db.session.add(order)
        db.session.flush()
    remember_deadline(db.session, order.expires_at)
    record_audit(
        "order.create",
        actor=user,
        edition_id=edition.id,
        target=order,
        data={"code": order.code, "total_cents": order.total_cents, "seats": len(people), "state": order.state.value},
    )
    # The buyer is placing the order: their mail is in the language of the page they use.
    if order.state is OrderState.PAID:
        signals.order_paid.send(signals.OrderPaid(edition.id, order.id, getattr(user, "id", None)))
        email_order(order, "registration_order_paid", language=current_language(), attach=True)
    elif order.payment_method == PaymentMethod.BANK_TRANSFER:
        email_order(order, "registration_order_reserved", settings=settings, language=current_language())
    # Last, so the seat rows stay locked for as short a time as possible.
    hold_quote(quote)
    return order


def _refuse_too_many_open_orders(edition: Edition, email: str, *, now: datetime) -> None:
    """One address may hold at most MAX_OPEN_ORDERS_PER_EMAIL orders awaiting payment."""
    cap = current_app.config.get("MAX_OPEN_ORDERS_PER_EMAIL") or 0
    if cap <= 0:
        return
    open_orders = db.session.scalar(
        sa.select(sa.func.count(Order.id)).where(
            Order.edition_id == edition.id,
            Order.email == email,
            Order.state == OrderState.RESERVED,
            Order.expires_at > now,
        )
    )
    if open_orders >= cap:
        raise Conflict(
            gettext("This address already has %(num)d order(s) awaiting payment. Pay or cancel one "
                    "(the links are in our emails) before placing another.", num=open_orders),
            field="email",
        )


def _order_for_key(edition: Edition, idempotency_key: str, email: str) -> Order | None:
    """The order an earlier post of this checkout form made, if any (only to the same buyer)."""
    existing = db.session.scalar(sa.select(Order).where(Order.idempotency_key == idempotency_key))
    if existing is None:
        return None
    if existing.edition_id != edition.id or existing.email != (email or "").strip().lower():
        raise Conflict(gettext("This form was already used. Go back to the shop and start again."))
    return existing


def _build_order(edition, quote: Quote, people: list[AttendeeData], *, email, buyer_name, user, now) -> Order:
    order = Order(
        edition_id=edition.id,
        email=email,
        buyer_name=" ".join((buyer_name or "").split())[:NAME_MAX],
        user_id=getattr(user, "id", None),
        language=current_language(),
        total_cents=quote.total_cents,
        currency=quote.currency,
        voucher_id=quote.voucher.id if quote.voucher else None,
        voucher_uses=quote.voucher_uses,
        created_at=now,
    )
    for line, person in zip(quote.lines, people, strict=True):
        order.attendees.append(
            Attendee(
                edition_id=edition.id,
                ticket_type_id=line.ticket_type.id,
                name=person.name,
                email=person.email,
                organisation=person.organisation,
                price_cents=line.unit_price_cents,
                vat_rate_bp=line.ticket_type.vat_rate_bp,
                created_at=now,
            )
        )
    return order


def hold_quote(quote: Quote) -> None:
    """Take the quote's seats and voucher uses under the counters' locks (all or nothing)."""
    if quote.voucher is None or not quote.voucher_uses:
        take_seats(quote.counts, quota_counts=quote.quota_counts)  # all or nothing by itself
        return
    with db.session.begin_nested():
        take_seats(quote.counts, quota_counts=quote.quota_counts)
        take_voucher_uses(quote.voucher.id, quote.voucher_uses)
