"""Order rules: create an order, and move it between states.

Each state change is one function here that checks the transition table, changes the
seat counters, writes the audit entry and queues the email, in the caller's
transaction (flush, never commit). The payments domain calls only ``mark_order_paid``,
``release_order``, ``mark_order_refunded``, ``refund_unplaceable_payment`` and
``expire_due_reservations``; all of them are safe to call twice.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

import sqlalchemy as sa
from flask import current_app

from convention.audit.services import record_audit
from convention.core import signals
from convention.core.errors import Conflict, DomainError, InvalidTransition
from convention.core.timeutil import utcnow
from convention.core.urls import external_url
from convention.editions.models import Edition
from convention.extensions import db
from convention.mail.services import queue_email
from convention.registration.errors import PaymentMismatch, PriceChanged, SeatsUnavailable, SoldOut, VoucherRefused
from convention.registration.inventory import (
    give_back_seats,
    give_back_voucher_uses,
    lock_edition_inventory,
    lock_order,
    seat_counts,
    seats_left,
    take_seats,
    take_voucher_uses,
)
from convention.registration.jobs import remember_deadline
from convention.registration.models import (
    ORDER_TRANSITIONS,
    Attendee,
    Order,
    OrderState,
    PaymentMethod,
    RegistrationSettings,
)
from convention.registration.payment_providers import choose_provider, get_provider
from convention.registration.pricing import Quote, quote_selection

NAME_MAX = 120
ORG_MAX = 160
EMAIL_MAX = 254

# ``release_order`` reasons; "cancelled" makes the order CANCELLED, the others EXPIRED.
RELEASE_EXPIRED = "expired"
RELEASE_PAYMENT_FAILED = "payment_failed"
RELEASE_CANCELLED = "cancelled"


# -- settings and links -----------------------------------------------------------------


def get_settings(edition: Edition) -> RegistrationSettings:
    """The edition's registration settings; the defaults (not saved) until an organizer saves them.

    Reading never writes, so many buyers at once never race to create the row."""
    settings = db.session.get(RegistrationSettings, edition.id)
    if settings is None:
        settings = RegistrationSettings.with_defaults(edition.id)
    return settings


def order_url(order: Order) -> str:
    return external_url("registration.order_page", slug=_edition(order).slug, secret=order.secret)


def _edition(order: Order) -> Edition:
    return db.session.get(Edition, order.edition_id)


def _email_order(order: Order, template: str, **context) -> None:
    queue_email(
        template,
        to=order.email,
        context={"order": order, "edition": _edition(order), "link": order_url(order), **context},
        edition_id=order.edition_id,
    )


# -- transitions ------------------------------------------------------------------------


def _move(order: Order, target: OrderState, *, action: str, actor=None, data: dict | None = None) -> None:
    if target not in ORDER_TRANSITIONS[order.state]:
        raise InvalidTransition(f"An order that is {order.state.label.lower()} cannot become {target.value}.")
    previous = order.state
    order.state = target
    now = utcnow()
    if target is OrderState.PAID:
        order.paid_at = now
        order.expires_at = None
    elif target in (OrderState.EXPIRED, OrderState.CANCELLED):
        order.cancelled_at = now
    elif target is OrderState.REFUNDED:
        order.refunded_at = now
    db.session.flush()
    record_audit(
        action,
        actor=actor,
        edition_id=order.edition_id,
        target=order,
        data={"code": order.code, "from": previous.value, "to": target.value, **(data or {})},
    )


def _hold_inventory(order: Order) -> None:
    """Take the order's seats and voucher uses again (all or nothing)."""
    with db.session.begin_nested():
        take_seats(seat_counts(order))
        if order.voucher_id and order.voucher_uses:
            take_voucher_uses(order.voucher_id, order.voucher_uses)


def _free_inventory(order: Order) -> None:
    give_back_seats(seat_counts(order))
    if order.voucher_id and order.voucher_uses:
        give_back_voucher_uses(order.voucher_id, order.voucher_uses)


def _after_seats_returned(order: Order) -> None:
    from convention.registration.waiting_list import make_offers, order_released

    order_released(order)
    make_offers(order.edition_id)


# -- creating orders --------------------------------------------------------------------


@dataclass(frozen=True)
class AttendeeData:
    name: str
    email: str = ""
    organisation: str = ""


def _clean_attendees(attendees: list[AttendeeData], count: int) -> list[AttendeeData]:
    if len(attendees) != count:
        raise DomainError("Enter one attendee per ticket.", field="attendees")
    cleaned = []
    for number, attendee in enumerate(attendees, start=1):
        name = " ".join((attendee.name or "").split())
        if not name:
            raise DomainError(f"Enter the name of attendee {number}.", field="attendees")
        if len(name) > NAME_MAX or len(attendee.organisation or "") > ORG_MAX or len(attendee.email or "") > EMAIL_MAX:
            raise DomainError(f"Attendee {number}: a value is too long.", field="attendees")
        cleaned.append(
            AttendeeData(name, (attendee.email or "").strip().lower(), " ".join((attendee.organisation or "").split()))
        )
    return cleaned


def _check_consent(settings: RegistrationSettings, consent_version: str | None) -> None:
    if not consent_version:
        raise DomainError("Please accept the privacy notice to register.", field="consent")
    if consent_version != settings.privacy_version:
        raise DomainError("The privacy notice has changed: please read it again and accept it.", field="consent")


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
        raise PriceChanged("The total has changed since the page was loaded; please check the order again.")
    _refuse_if_clearly_sold_out(quote)
    people = _clean_attendees(attendees, len(quote.lines))
    _check_consent(settings, consent_version)
    email = (email or "").strip().lower()
    if not email or "@" not in email or len(email) > EMAIL_MAX:
        raise DomainError("Enter the email address for the confirmation.", field="email")
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
    try:
        # Added inside the SAVEPOINT: begin_nested() flushes what is pending before it starts.
        with db.session.begin_nested():
            db.session.add(order)
            db.session.flush()
    except sa.exc.IntegrityError:
        # A parallel post of the same form won the race (its insert waited for it to commit).
        existing = _order_for_key(edition, idempotency_key, email) if idempotency_key else None
        if existing is None:
            raise
        return existing
    remember_deadline(db.session, order.expires_at)
    record_audit(
        "order.create",
        actor=user,
        edition_id=edition.id,
        target=order,
        data={"code": order.code, "total_cents": order.total_cents, "seats": len(people), "state": order.state.value},
    )
    if order.state is OrderState.PAID:
        _email_order(order, "registration_order_paid")
    elif order.payment_method == PaymentMethod.BANK_TRANSFER:
        _email_order(order, "registration_order_reserved", settings=settings)
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
            f"This address already has {open_orders} order(s) awaiting payment. Pay or cancel one "
            "(the links are in our emails) before placing another.",
            field="email",
        )


def _order_for_key(edition: Edition, idempotency_key: str, email: str) -> Order | None:
    """The order an earlier post of this checkout form made, if any (only to the same buyer)."""
    existing = db.session.scalar(sa.select(Order).where(Order.idempotency_key == idempotency_key))
    if existing is None:
        return None
    if existing.edition_id != edition.id or existing.email != (email or "").strip().lower():
        raise Conflict("This form was already used. Go back to the shop and start again.")
    return existing


def _refuse_if_clearly_sold_out(quote: Quote) -> None:
    """A cheap early answer from the counters as read now, before any work; the locked
    update in ``hold_quote`` stays the one that decides."""
    for ticket_type in {line.ticket_type for line in quote.lines}:
        left = seats_left(ticket_type)
        if left is not None and left < quote.counts[ticket_type.id]:
            raise SoldOut(f"Sorry, {ticket_type.name} is sold out (not enough seats left).",
                          ticket_type_ids=[ticket_type.id])


def _build_order(edition, quote: Quote, people: list[AttendeeData], *, email, buyer_name, user, now) -> Order:
    order = Order(
        edition_id=edition.id,
        email=email,
        buyer_name=" ".join((buyer_name or "").split())[:NAME_MAX],
        user_id=getattr(user, "id", None),
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
    with db.session.begin_nested():
        take_seats(quote.counts)
        if quote.voucher is not None and quote.voucher_uses:
            take_voucher_uses(quote.voucher.id, quote.voucher_uses)


def begin_payment(order: Order) -> str | None:
    """Ask the order's provider to start the payment: a URL to go to, or None."""
    if order.state is not OrderState.RESERVED:
        return None
    return get_provider(order.payment_method).start_payment(order)


def confirm_free_order(order: Order) -> Order:
    """A free reserved order (a waiting-list offer for free tickets) is confirmed by its holder."""
    if order.state is not OrderState.RESERVED or order.total_cents != 0:
        return order
    return mark_order_paid(order, amount_cents=0, currency=order.currency, method=PaymentMethod.FREE.value,
                           reference=None)


def is_overdue(order: Order, now: datetime | None = None) -> bool:
    """A reservation past its deadline that nobody has released yet."""
    return order.state is OrderState.RESERVED and bool(order.expires_at) and order.expires_at <= (now or utcnow())


def shown_state(order: Order, now: datetime | None = None) -> OrderState:
    """The state a page shows (read only): an overdue reservation is already expired."""
    return OrderState.EXPIRED if is_overdue(order, now) else order.state


def expire_if_due(order: Order, now: datetime | None = None) -> bool:
    """Release the order if its time is up: for the POSTs that act on it (a GET never writes)."""
    if is_overdue(order, now):
        release_order(order, reason=RELEASE_EXPIRED)
        return True
    return False


# -- the contract with payments ---------------------------------------------------------


def mark_order_paid(order: Order, *, amount_cents: int, currency: str, method: str, reference: str | None, actor=None) -> Order:
    """The payment for ``order`` arrived. Idempotent; takes the seats again if they were released."""
    order = lock_order(order)
    if order.state in (OrderState.PAID, OrderState.REFUNDED):
        return order
    if int(amount_cents) != order.total_cents or (currency or "").upper() != order.currency.upper():
        raise PaymentMismatch(
            f"Payment of {amount_cents} {currency} does not match the order total {order.total_cents} {order.currency}."
        )
    retaken = not order.state.holds_seats
    if retaken:
        try:
            _hold_inventory(order)
        except (SoldOut, VoucherRefused) as error:
            raise SeatsUnavailable(
                f"Order {order.code} was released and its seats are gone; the payment must be refunded."
            ) from error
    order.payment_method = method
    order.payment_reference = reference
    _move(order, OrderState.PAID, action="order.paid", actor=actor,
          data={"amount_cents": amount_cents, "method": method, "reference": reference, "seats_retaken": retaken})
    _email_order(order, "registration_order_paid")
    from convention.registration.waiting_list import order_paid

    order_paid(order)
    return order


def release_order(order: Order, *, reason: str, actor=None) -> Order:
    """Give a RESERVED order's seats back (expired, payment failed, or cancelled); else no-op."""
    order = lock_order(order)
    if order.state is not OrderState.RESERVED:
        return order
    lock_edition_inventory(order.edition_id)
    target = OrderState.CANCELLED if reason == RELEASE_CANCELLED else OrderState.EXPIRED
    _free_inventory(order)
    _move(order, target, action=f"order.{target.value}", actor=actor, data={"reason": reason})
    _email_order(order, "registration_order_released", reason=reason)
    signals.order_released.send(signals.OrderReleased(order.edition_id, order.id, reason, getattr(actor, "id", None)))
    _after_seats_returned(order)
    return order


def mark_order_refunded(order: Order, *, amount_cents: int, reference: str | None, actor=None) -> Order:
    """A paid order is cancelled with ``amount_cents`` more refunded: REFUNDED, seats back. Idempotent.

    Only cancellations and full refunds come here; a partial refund that does not cancel
    the order is ``record_refund``'s."""
    order = lock_order(order)
    if order.state is not OrderState.PAID:
        return order
    lock_edition_inventory(order.edition_id)
    _free_inventory(order)
    order.refunded_cents = min(order.total_cents, order.refunded_cents + int(amount_cents))
    order.refund_reference = reference
    _move(order, OrderState.REFUNDED, action="order.refunded", actor=actor,
          data={"amount_cents": amount_cents, "reference": reference})
    _email_order(order, "registration_order_refunded")
    _after_seats_returned(order)
    return order


def record_refund(order: Order, *, refunded_cents: int, reference: str | None, actor=None) -> bool:
    """The payment provider reports ``refunded_cents`` refunded so far on the order's payment.

    A full refund of a paid order cancels it and gives its seats back
    (``mark_order_refunded``); a partial one is recorded on the order, which stays as it
    is, seats included. Reporting the same total again changes nothing; returns whether
    anything changed."""
    order = lock_order(order)
    refunded_cents = min(int(refunded_cents), order.total_cents)
    more = refunded_cents - order.refunded_cents
    if more <= 0:
        return False
    if order.state is OrderState.PAID and refunded_cents >= order.total_cents:
        mark_order_refunded(order, amount_cents=more, reference=reference, actor=actor)
        return True
    order.refunded_cents = refunded_cents
    order.refund_reference = reference
    db.session.flush()
    record_audit(
        "order.partially_refunded",
        actor=actor,
        edition_id=order.edition_id,
        target=order,
        data={"code": order.code, "amount_cents": more, "refunded_cents": refunded_cents,
              "total_cents": order.total_cents, "state": order.state.value, "reference": reference},
    )
    return True


def refund_unplaceable_payment(order: Order, *, amount_cents: int, reference: str | None) -> Order:
    """A payment came for a released order with no seat left; the provider has refunded it.
    Record it and apologise. Idempotent."""
    order = lock_order(order)
    if order.state not in (OrderState.EXPIRED, OrderState.CANCELLED):
        return order
    order.refunded_cents = int(amount_cents)
    order.refund_reference = reference
    _move(order, OrderState.REFUNDED, action="order.refunded_unplaceable",
          data={"amount_cents": amount_cents, "reference": reference})
    _email_order(order, "registration_payment_apology")
    return order


def expire_due_reservations(now: datetime | None = None, *, edition_id: int | None = None) -> int:
    """Release every RESERVED order past its ``expires_at``; returns how many."""
    now = now or utcnow()
    query = (
        sa.select(Order)
        .where(Order.state == OrderState.RESERVED, Order.expires_at <= now)
        .order_by(Order.edition_id, Order.id)
    )
    if edition_id is not None:
        query = query.where(Order.edition_id == edition_id)
    if db.session.get_bind().dialect.name != "sqlite":
        query = query.with_for_update(skip_locked=True)  # another worker is releasing those
    orders = db.session.scalars(query).all()
    locked_editions: set[int] = set()
    for order in orders:
        if order.edition_id not in locked_editions:
            lock_edition_inventory(order.edition_id)
            locked_editions.add(order.edition_id)
        release_order(order, reason=RELEASE_EXPIRED)
    return len(orders)


# -- cancellations and changes by people ------------------------------------------------


def cancel_order(order: Order, *, actor, refund: bool = True, reason: str = "Cancelled by the organizers") -> Order:
    """Organizer: cancel an order; a paid one is refunded in full through its provider."""
    if order.state is OrderState.RESERVED:
        return release_order(order, reason=RELEASE_CANCELLED, actor=actor)
    if order.state is not OrderState.PAID:
        raise InvalidTransition(f"An order that is {order.state.label.lower()} cannot be cancelled.")
    return _cancel_paid(order, amount_cents=order.total_cents - order.refunded_cents if refund else 0, reason=reason,
                        actor=actor)


def _cancel_paid(order: Order, *, amount_cents: int, reason: str, actor) -> Order:
    if order.total_cents == 0 or amount_cents == 0 or order.payment_method in (
        PaymentMethod.FREE, PaymentMethod.COMPLIMENTARY
    ):
        order = lock_order(order)
        if order.state is not OrderState.PAID:
            return order
        lock_edition_inventory(order.edition_id)
        _free_inventory(order)
        _move(order, OrderState.CANCELLED, action="order.cancelled", actor=actor, data={"reason": reason})
        _email_order(order, "registration_order_released", reason=RELEASE_CANCELLED)
        _after_seats_returned(order)
        return order
    reference = get_provider(order.payment_method).refund(order, amount_cents=amount_cents, reason=reason)
    return mark_order_refunded(order, amount_cents=amount_cents, reference=reference, actor=actor)


def self_cancel_terms(order: Order, settings: RegistrationSettings, now: datetime | None = None) -> int | None:
    """What an attendee would get back cancelling now, or None when they cannot cancel."""
    now = now or utcnow()
    state = shown_state(order, now)
    if order.is_complimentary or state not in (OrderState.PAID, OrderState.RESERVED):
        return None
    if state is OrderState.RESERVED:
        return 0
    if settings.self_cancel_until is None or now >= settings.self_cancel_until:
        return None
    return max(0, order.total_cents - order.refunded_cents - settings.cancellation_fee_cents)


def self_cancel_fee(order: Order, settings: RegistrationSettings) -> int:
    """What the organizers keep of a paid order cancelled by its attendee: never more than was paid."""
    if order.state is not OrderState.PAID:
        return 0
    return min(settings.cancellation_fee_cents, max(0, order.total_cents - order.refunded_cents))


def cancel_own_order(order: Order, *, now: datetime | None = None) -> Order:
    """Attendee (holder of the secret link): cancel within the organizers' policy."""
    if expire_if_due(order, now):
        return order  # its time was up: released as expired, which is what they asked for
    settings = get_settings(_edition(order))
    refund = self_cancel_terms(order, settings, now)
    if refund is None:
        raise DomainError("This order can no longer be cancelled online; please contact the organizers.")
    if order.state is OrderState.RESERVED:
        return release_order(order, reason=RELEASE_CANCELLED)
    return _cancel_paid(order, amount_cents=refund, reason="Cancelled by the attendee", actor=None)


def names_editable(order: Order, settings: RegistrationSettings, now: datetime | None = None) -> bool:
    now = now or utcnow()
    if shown_state(order, now) not in (OrderState.PAID, OrderState.RESERVED) or order.is_complimentary:
        return False
    return settings.name_changes_until is None or now < settings.name_changes_until


def update_attendees(order: Order, changes: dict[int, AttendeeData], *, actor=None, now: datetime | None = None) -> Order:
    """Change attendee names (and email, organisation) until the organizers' cut-off."""
    settings = get_settings(_edition(order))
    if actor is None and not names_editable(order, settings, now):
        raise DomainError("Attendee details can no longer be changed.")
    by_id = {attendee.id: attendee for attendee in order.attendees}
    if set(changes) - set(by_id):
        raise DomainError("Unknown attendee.")
    cleaned = _clean_attendees(list(changes.values()), len(changes))
    changed = {}
    for attendee_id, data in zip(changes, cleaned, strict=True):
        attendee = by_id[attendee_id]
        before = (attendee.name, attendee.email, attendee.organisation)
        attendee.name, attendee.email, attendee.organisation = data.name, data.email, data.organisation
        if before != (data.name, data.email, data.organisation):
            changed[attendee.code] = {"from": before[0], "to": data.name}
    db.session.flush()
    if changed:
        record_audit("order.attendees_changed", actor=actor, edition_id=order.edition_id, target=order, data=changed)
    return order


def resend_confirmation(order: Order, *, actor) -> None:
    template = "registration_order_paid" if order.state is OrderState.PAID else "registration_order_reserved"
    _email_order(order, template, settings=get_settings(_edition(order)))
    record_audit("order.resend", actor=actor, edition_id=order.edition_id, target=order, data={"code": order.code})
