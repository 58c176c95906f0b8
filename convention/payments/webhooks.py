"""Applying Stripe's webhook events: which order move each verified fact calls for.

Orders move only through registration's services (``mark_order_paid``,
``release_order``, ``mark_order_refunded``, ``refund_unplaceable_payment``); this module
decides which one a Stripe fact calls for. An order becomes paid only here, from a
verified webhook or from a session re-read from Stripe by ``reconcile_checkout``, never
from the buyer's browser. Functions flush; the webhook view or the CLI commits once.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass

import sqlalchemy as sa

from convention.core.money import format_money
from convention.core.timeutil import utcnow
from convention.extensions import db
from convention.payments.checkout import STRIPE, checkouts_of
from convention.payments.issues import flag_payment_issue
from convention.payments.models import EventOutcome, IssueKind, StripeCheckout, StripeEvent
from convention.payments.states import CheckoutStatus
from convention.payments.stripe_gateway import CheckoutSession, WebhookEvent, gateway_for
from convention.registration import services as registration
from convention.registration.errors import PaymentMismatch, SeatsUnavailable
from convention.registration.models import Order
from convention.registration.states import OrderState

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class Outcome:
    result: EventOutcome
    detail: str = ""
    order: Order | None = None


# -- Webhook events ----------------------------------------------------------------------


def event_seen(stripe_id: str) -> bool:
    return db.session.scalar(sa.select(StripeEvent.id).where(StripeEvent.stripe_id == stripe_id)) is not None


def process_event(event: WebhookEvent) -> StripeEvent | None:
    """Apply a verified event once; ``None`` when it was already processed.

    The event row is added in the caller's transaction, together with every effect of
    the event. If anything fails, the caller rolls back both, and Stripe delivers again.
    """
    if event_seen(event.id):
        return None
    handler = EVENT_HANDLERS.get(event.type)
    outcome = handler(event) if handler else Outcome(EventOutcome.IGNORED, "event type not handled")
    stored = _store_event(event, outcome.result, outcome.detail, outcome.order)
    log.info("Stripe event %s (%s): %s %s", event.id, event.type, outcome.result, outcome.detail)
    return stored


def store_refused_event(event: WebhookEvent, message: str) -> StripeEvent:
    """Keep an event that a rule refused (nothing else changed), so it is not applied later."""
    return _store_event(event, EventOutcome.IGNORED, f"refused: {message}", None)


def _store_event(event: WebhookEvent, result: EventOutcome, detail: str, order: Order | None) -> StripeEvent:
    stored = StripeEvent(
        stripe_id=event.id,
        type=event.type,
        object_id=str(event.object.get("id", ""))[:255],
        order_id=order.id if order is not None else None,
        livemode=event.livemode,
        created_at=event.created,
        outcome=result,
        detail=detail[:255],
    )
    db.session.add(stored)
    db.session.flush()
    return stored


def _order_by_code(code: str | None) -> Order | None:
    if not code:
        return None
    return db.session.scalar(sa.select(Order).where(Order.code == code))


def _checkout_for_session(order: Order, session: CheckoutSession) -> StripeCheckout:
    """Our record of ``session``; made on the spot for a session we lost track of."""
    checkout = db.session.scalar(sa.select(StripeCheckout).where(StripeCheckout.session_id == session.id))
    if checkout is None:
        attempt = max((c.attempt for c in checkouts_of(order)), default=0) + 1
        checkout = StripeCheckout(
            order_id=order.id,
            attempt=attempt,
            session_id=session.id,
            url=None,
            amount_cents=session.amount_total or 0,
            currency=session.currency or order.currency,
            expires_at=session.expires_at or utcnow(),
        )
        db.session.add(checkout)
    return checkout


def _on_session_completed(event: WebhookEvent) -> Outcome:
    session = event.session()
    if session.payment_status != "paid":
        # Delayed methods (SEPA debit, ...): the money is not there yet. The order stays
        # reserved and async_payment_succeeded or async_payment_failed follows.
        order = _order_by_code(session.reference)
        if order is not None:
            _checkout_for_session(order, session).payment_intent = session.payment_intent
        return Outcome(EventOutcome.NO_CHANGE, f"payment status {session.payment_status}: waiting", order)
    return apply_paid_session(session, source=event.id)


def _on_async_payment_succeeded(event: WebhookEvent) -> Outcome:
    return apply_paid_session(event.session(), source=event.id)


def _on_session_failed(event: WebhookEvent) -> Outcome:
    return apply_dead_session(event.session(), status=CheckoutStatus.FAILED)


def _on_session_expired(event: WebhookEvent) -> Outcome:
    return apply_dead_session(event.session(), status=CheckoutStatus.EXPIRED)


def apply_paid_session(session: CheckoutSession, *, source: str) -> Outcome:
    """Money arrived through ``session``: pay the order, or refund what cannot be placed."""
    order = _order_by_code(session.reference)
    if order is None:
        log.warning("Stripe session %s pays for unknown order %r", session.id, session.reference)
        return Outcome(EventOutcome.IGNORED, f"unknown order {session.reference!r}")
    checkout = _checkout_for_session(order, session)
    already_paid_here = checkout.status is CheckoutStatus.COMPLETE and order.state is not OrderState.RESERVED
    checkout.status = CheckoutStatus.COMPLETE
    checkout.payment_intent = session.payment_intent
    checkout.completed_at = checkout.completed_at or utcnow()
    amount = session.amount_total if session.amount_total is not None else -1
    currency = session.currency or ""
    reference = session.payment_intent or session.id

    if order.state in (OrderState.PAID, OrderState.REFUNDED):
        if already_paid_here or order.payment_reference == reference:
            return Outcome(EventOutcome.NO_CHANGE, f"order already {order.state}", order)
        flag_payment_issue(order, IssueKind.DUPLICATE_PAYMENT, amount, currency, reference,
              f"Session {session.id} paid an order that was already {order.state}.")
        return Outcome(EventOutcome.MISMATCH, "second payment for a settled order: flagged", order)

    try:
        registration.mark_order_paid(order, amount_cents=amount, currency=currency, method=STRIPE,
                                      reference=reference)
    except PaymentMismatch as error:
        log.warning("Stripe session %s for order %s: %s", session.id, order.code, error.message)
        flag_payment_issue(order, IssueKind.AMOUNT_MISMATCH, amount, currency, reference,
              f"Stripe charged {format_money(amount, currency or order.currency)}, "
              f"the order is {format_money(order.total_cents, order.currency)}.")
        return Outcome(EventOutcome.MISMATCH, error.message, order)
    except SeatsUnavailable:
        return _refund_unplaceable(order, checkout, amount, currency, source=source)
    return Outcome(EventOutcome.APPLIED, f"paid via {session.id}", order)


def _refund_unplaceable(order: Order, checkout: StripeCheckout, amount: int, currency: str, *, source: str) -> Outcome:
    """Paid for a released reservation and no seat is left: give the money back, then tell the buyer."""
    refund = gateway_for().refund(
        payment_intent=checkout.payment_intent,
        amount_cents=amount,
        order_code=order.code,
        reason="Paid after the reservation ended; no seat left.",
    )
    registration.refund_unplaceable_payment(order, amount_cents=amount, reference=refund.id)
    flag_payment_issue(order, IssueKind.REFUNDED_NO_SEAT, amount, currency, refund.id,
          f"Payment {checkout.payment_intent} arrived after the reservation was released; refunded as {refund.id}.")
    return Outcome(EventOutcome.REFUNDED_NO_SEAT, f"refunded as {refund.id}", order)


def apply_dead_session(session: CheckoutSession, *, status: CheckoutStatus) -> Outcome:
    """A session expired or its payment failed: release the seats unless another session is still open."""
    order = _order_by_code(session.reference)
    if order is None:
        return Outcome(EventOutcome.IGNORED, f"unknown order {session.reference!r}")
    checkout = _checkout_for_session(order, session)
    if checkout.status is CheckoutStatus.OPEN or status is CheckoutStatus.FAILED:
        checkout.status = status
    if order.state is not OrderState.RESERVED:
        return Outcome(EventOutcome.NO_CHANGE, f"order already {order.state}", order)
    now = utcnow()
    if any(other.id != checkout.id and other.is_usable(now) for other in checkouts_of(order)):
        return Outcome(EventOutcome.NO_CHANGE, "another checkout for this order is open", order)
    failed = status is CheckoutStatus.FAILED
    registration.release_order(order, reason=registration.RELEASE_PAYMENT_FAILED if failed else registration.RELEASE_EXPIRED)
    return Outcome(EventOutcome.APPLIED, f"released: session {status}", order)


def _on_charge_refunded(event: WebhookEvent) -> Outcome:
    charge = event.charge()
    order = None
    if charge.payment_intent:
        order = db.session.scalar(
            sa.select(Order).join(StripeCheckout, StripeCheckout.order_id == Order.id)
            .where(StripeCheckout.payment_intent == charge.payment_intent)
        )
    order = order or _order_by_code(charge.order_code)
    if order is None:
        return Outcome(EventOutcome.IGNORED, f"no order for charge {charge.id}")
    # ``amount_refunded`` is the charge's running total: an event seen again, or a refund
    # we made and recorded ourselves, adds nothing. Only a full refund cancels the order.
    changed = registration.record_refund(
        order, refunded_cents=charge.amount_refunded, reference=charge.last_refund_id or charge.id
    )
    if not changed:
        return Outcome(EventOutcome.NO_CHANGE, f"order is {order.state}, {order.refunded_cents} refunded already", order)
    if order.state is OrderState.REFUNDED:
        return Outcome(EventOutcome.APPLIED, f"refunded {charge.amount_refunded} {charge.currency}", order)
    return Outcome(
        EventOutcome.APPLIED,
        f"partial refund: {charge.amount_refunded} of {order.total_cents} {charge.currency} refunded, order stays {order.state}",
        order,
    )


EVENT_HANDLERS = {
    "checkout.session.completed": _on_session_completed,
    "checkout.session.async_payment_succeeded": _on_async_payment_succeeded,
    "checkout.session.async_payment_failed": _on_session_failed,
    "checkout.session.expired": _on_session_expired,
    "charge.refunded": _on_charge_refunded,
}
