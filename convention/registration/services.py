"""Order rules: move an order between states (placing one is ``ordering.py``).

Each state change is one function here that checks the transition table
(``states.py``), changes the seat counters, writes the audit entry and queues the email,
in the caller's transaction (flush, never commit). The payments domain calls only
``mark_order_paid``, ``release_order``, ``mark_order_refunded``, ``record_refund``,
``refund_unplaceable_payment`` and ``expire_due_reservations``; all of them are safe to
call twice.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

import sqlalchemy as sa
from flask_babel import gettext

from convention.audit.services import record_audit
from convention.core import signals
from convention.core.errors import InvalidTransition
from convention.core.timeutil import utcnow
from convention.extensions import db
from convention.registration.errors import PaymentMismatch, SeatsUnavailable, SoldOut, VoucherRefused
from convention.registration.inventory import (
    give_back_seats,
    give_back_voucher_uses,
    lock_edition_inventory,
    lock_order,
    seat_counts,
    take_seats,
    take_voucher_uses,
)
from convention.registration.models import Order, PaymentMethod
from convention.registration.notices import edition_of, email_order
from convention.registration.payment_providers import get_provider
from convention.registration.settings import get_settings
from convention.registration.states import OrderState, check_order_move
from convention.registration.waiting_list import make_offers, offer_lapsed, offer_taken

# ``release_order`` reasons; "cancelled" makes the order CANCELLED, the others EXPIRED.
RELEASE_EXPIRED = "expired"
RELEASE_PAYMENT_FAILED = "payment_failed"
RELEASE_CANCELLED = "cancelled"


# -- transitions ------------------------------------------------------------------------


def _move(order: Order, target: OrderState, *, action: str, actor=None, data: dict | None = None) -> None:
    check_order_move(order.state, target)
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
        before={"state": previous.value}, after={"state": target.value},
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
    offer_lapsed(order)
    make_offers(order.edition_id)


# -- paying, and the holder's moves -----------------------------------------------------


def has_payment_to_start(order: Order) -> bool:
    """Whether ``begin_payment`` would ask the provider for anything: a reservation whose
    provider has a payment page (Stripe); bank transfers are paid from the order page."""
    return order.state is OrderState.RESERVED and get_provider(order.payment_method).has_payment_page


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


def has_receipt(order: Order) -> bool:
    """A receipt exists for money that was paid (free registrations have none)."""
    return order.state in (OrderState.PAID, OrderState.REFUNDED) and not order.is_complimentary


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

def pay_order(order: Order) -> str | None:
    """The holder's "Pay now": release the order if its time is up, else start the payment
    (a URL to go to, or None for the order page)."""
    if expire_if_due(order):
        return None
    return begin_payment(order)


def confirm_offer(order: Order) -> bool:
    """The holder confirms a free reserved order; False when its time was up (released instead)."""
    if expire_if_due(order):
        return False
    confirm_free_order(order)
    return True


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
    email_order(order, "registration_order_paid")
    offer_taken(order)
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
    email_order(order, "registration_order_released", reason=reason)
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
    email_order(order, "registration_order_refunded",
                refunded_by_hand=order.payment_method == PaymentMethod.BANK_TRANSFER)
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
    refunded_before = order.refunded_cents
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
        before={"refunded_cents": refunded_before}, after={"refunded_cents": refunded_cents},
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
    email_order(order, "registration_payment_apology")
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


# -- cancellations -----------------------------------------------------------------------


def cancel_order(order: Order, *, actor, refund: bool = True, reason: str = "Cancelled by the organizers") -> Order:
    """Organizer: cancel an order; a paid one is refunded in full through its provider."""
    if order.state is OrderState.RESERVED:
        return release_order(order, reason=RELEASE_CANCELLED, actor=actor)
    if order.state is not OrderState.PAID:
        raise InvalidTransition(gettext("An order that is %(state)s cannot be cancelled.", state=order.state.label.lower()))
    return cancel_paid_order(order, amount_cents=order.total_cents - order.refunded_cents if refund else 0, reason=reason,
                        actor=actor)


def cancel_paid_order(order: Order, *, amount_cents: int, reason: str, actor) -> Order:
    """Cancel a PAID order, refunding ``amount_cents`` through its provider (none: just
    cancelled, seats back). Idempotent."""
    if order.total_cents == 0 or amount_cents == 0 or order.payment_method in (
        PaymentMethod.FREE, PaymentMethod.COMPLIMENTARY
    ):
        order = lock_order(order)
        if order.state is not OrderState.PAID:
            return order
        lock_edition_inventory(order.edition_id)
        _free_inventory(order)
        _move(order, OrderState.CANCELLED, action="order.cancelled", actor=actor, data={"reason": reason})
        email_order(order, "registration_order_released", reason=RELEASE_CANCELLED)
        _after_seats_returned(order)
        return order
    reference = get_provider(order.payment_method).refund(order, amount_cents=amount_cents, reason=reason)
    return mark_order_refunded(order, amount_cents=amount_cents, reference=reference, actor=actor)


# -- the organizers' order page ----------------------------------------------------------


@dataclass(frozen=True)
class OrderActions:
    """What the organizers' order page offers, each a ready answer."""

    can_mark_paid: bool  # a bank transfer arrived for a reserved (or already released) order
    was_released: bool  # marking it paid takes its seats again, if still free
    can_cancel: bool
    cancel_refunds: bool  # cancelling gives money back
    can_resend: bool


def order_actions(order: Order) -> OrderActions:
    reserved, paid = order.state is OrderState.RESERVED, order.state is OrderState.PAID
    return OrderActions(
        can_mark_paid=order.state in (OrderState.RESERVED, OrderState.EXPIRED, OrderState.CANCELLED)
        and order.total_cents > 0,
        was_released=not reserved,
        can_cancel=reserved or paid,
        cancel_refunds=paid and order.total_cents > 0,
        can_resend=reserved or paid,
    )


def resend_confirmation(order: Order, *, actor) -> None:
    template = "registration_order_paid" if order.state is OrderState.PAID else "registration_order_reserved"
    email_order(order, template, settings=get_settings(edition_of(order)))
    record_audit("order.resend", actor=actor, edition_id=order.edition_id, target=order, data={"code": order.code})
