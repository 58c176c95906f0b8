"""The rules of card payments: starting a checkout, applying Stripe's events, refunds, reconciliation.

Orders move only through registration's services (``mark_order_paid``,
``release_order``, ``mark_order_refunded``, ``refund_unplaceable_payment``); this module
decides which one a Stripe fact calls for. An order becomes paid only here, from a
verified webhook or from a session re-read from Stripe by ``reconcile_checkout``, never
from the buyer's browser. Functions flush; the webhook view or the CLI commits once.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import datetime

import sqlalchemy as sa
from flask import current_app

from convention.audit.services import record_audit
from convention.core.errors import DomainError, InvalidTransition, NotFound
from convention.core.money import format_money
from convention.core.timeutil import utcnow
from convention.editions.loaders import get_owned_or_404
from convention.extensions import db
from convention.payments.models import (
    ISSUE_TRANSITIONS,
    CheckoutStatus,
    EventOutcome,
    IssueKind,
    IssueState,
    PaymentIssue,
    StripeCheckout,
    StripeEvent,
)
from convention.payments.stripe_gateway import (
    CheckoutSession,
    GatewayError,
    IdempotencyConflict,
    LineItem,
    WebhookEvent,
    gateway_for,
    is_configured,
)
from convention.registration import services as registration
from convention.registration.errors import PaymentMismatch, SeatsUnavailable
from convention.registration.inventory import lock_order
from convention.registration.models import Attendee, Order, OrderState

log = logging.getLogger(__name__)

STRIPE = "stripe"


class PaymentUnavailable(DomainError):
    """Stripe could not be reached or refused the request; the order itself is unharmed."""

    status_code = 503


@dataclass(frozen=True)
class Outcome:
    result: EventOutcome
    detail: str = ""
    order: Order | None = None


# -- Starting a payment ------------------------------------------------------------------


def order_line_items(order: Order) -> list[LineItem]:
    """What the buyer sees on Stripe's page: one line per ticket type, summing to the order total.

    When discounts make the lines differ from the total, one line for the whole order
    is sent instead: Stripe must charge exactly what the order says.
    """
    counts: dict[tuple[str, int], int] = {}
    for attendee in db.session.scalars(
        sa.select(Attendee).where(Attendee.order_id == order.id).options(sa.orm.joinedload(Attendee.ticket_type))
        .order_by(Attendee.id)
    ):
        key = (attendee.ticket_type.name, attendee.price_cents)
        counts[key] = counts.get(key, 0) + 1
    lines = [LineItem(name=name, unit_amount_cents=unit, quantity=n) for (name, unit), n in counts.items()]
    if lines and sum(line.unit_amount_cents * line.quantity for line in lines) == order.total_cents:
        return lines
    return [LineItem(name=f"Order {order.code}", unit_amount_cents=order.total_cents, quantity=1)]


def start_checkout(order: Order, *, success_url: str, cancel_url: str, now: datetime | None = None) -> StripeCheckout:
    """The Checkout Session the buyer should go to: the open one, or a new attempt.

    The attempt number makes the idempotency key, so a request retried after a crash
    gets the session Stripe already made instead of a second one.
    """
    now = now or utcnow()
    order = lock_order(order)  # a double click waits here, then reuses the session the first one made
    if order.state is not OrderState.RESERVED:
        raise InvalidTransition("This order is not waiting for a payment.")
    if order.total_cents <= 0:
        raise InvalidTransition("This order has nothing to pay.")
    if order.expires_at is not None and order.expires_at <= now:
        raise InvalidTransition("This reservation has expired; please order again.")
    checkouts = checkouts_of(order)
    for checkout in checkouts:
        if checkout.is_usable(now):
            return checkout
    attempt = max((c.attempt for c in checkouts), default=0) + 1
    gateway = gateway_for()
    lines = order_line_items(order)
    for _try in range(2):
        try:
            session = gateway.create_checkout_session(
                order, line_items=lines, success_url=success_url, cancel_url=cancel_url, attempt=attempt, now=now
            )
            break
        except IdempotencyConflict:
            # The key was used by a request that never reached our database, with other
            # parameters (its expiry was computed at another time): take the next attempt.
            attempt += 1
        except GatewayError as error:
            log.warning("Stripe checkout for order %s failed: %s", order.code, error)
            raise PaymentUnavailable(
                "Card payment is not available at the moment. Your seats stay reserved; please try again in a minute."
            ) from error
    else:
        raise PaymentUnavailable("Card payment is not available at the moment; please try again in a minute.")
    checkout = StripeCheckout(
        order_id=order.id,
        attempt=attempt,
        session_id=session.id,
        url=session.url,
        status=CheckoutStatus.OPEN,
        amount_cents=order.total_cents,
        currency=order.currency,
        expires_at=session.expires_at or order.expires_at,
    )
    db.session.add(checkout)
    record_audit(
        "payment.checkout_started",
        edition_id=order.edition_id,
        target=order,
        data={"session": session.id, "attempt": attempt},
    )
    db.session.flush()
    return checkout


def checkouts_of(order: Order) -> list[StripeCheckout]:
    return list(
        db.session.scalars(
            sa.select(StripeCheckout).where(StripeCheckout.order_id == order.id).order_by(StripeCheckout.attempt)
        )
    )


def paid_checkout(order: Order) -> StripeCheckout | None:
    return db.session.scalar(
        sa.select(StripeCheckout)
        .where(StripeCheckout.order_id == order.id, StripeCheckout.payment_intent.is_not(None))
        .order_by(StripeCheckout.completed_at.desc())
        .limit(1)
    )


# -- Refunds -----------------------------------------------------------------------------


def refund_stripe_payment(order: Order, *, amount_cents: int, reason: str = "") -> str:
    """Ask Stripe to refund part or all of the order's card payment; returns the refund id.

    The idempotency key (order code, amount, and what was refunded before) makes a
    repeated call return the same refund, and a second partial refund a new one.
    Registration records the refund on the order; the later ``charge.refunded`` event
    then changes nothing.
    """
    checkout = paid_checkout(order)
    if checkout is None:
        raise NotFound("This order has no card payment to refund.")
    if amount_cents <= 0 or amount_cents > checkout.amount_cents - order.refunded_cents:
        raise DomainError("The refund must be more than zero and at most what was paid and not yet refunded.",
                          field="amount")
    try:
        refund = gateway_for().refund(
            payment_intent=checkout.payment_intent, amount_cents=amount_cents, order_code=order.code, reason=reason,
            refunded_before_cents=order.refunded_cents,
        )
    except GatewayError as error:
        log.warning("Stripe refund for order %s failed: %s", order.code, error)
        raise PaymentUnavailable("Stripe could not make the refund right now; nothing was changed. Try again later.") from error
    record_audit(
        "payment.refund_requested",
        edition_id=order.edition_id,
        target=order,
        data={"amount_cents": amount_cents, "refund": refund.id, "reason": reason},
    )
    return refund.id


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
        _flag(order, IssueKind.DUPLICATE_PAYMENT, amount, currency, reference,
              f"Session {session.id} paid an order that was already {order.state}.")
        return Outcome(EventOutcome.MISMATCH, "second payment for a settled order: flagged", order)

    try:
        registration.mark_order_paid(order, amount_cents=amount, currency=currency, method=STRIPE, reference=reference)
    except PaymentMismatch as error:
        log.warning("Stripe session %s for order %s: %s", session.id, order.code, error.message)
        _flag(order, IssueKind.AMOUNT_MISMATCH, amount, currency, reference,
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
    _flag(order, IssueKind.REFUNDED_NO_SEAT, amount, currency, refund.id,
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


# -- Released reservations ---------------------------------------------------------------


_PENDING_EXPIRY = "payments.sessions_to_expire"


def on_order_released(order: Order, **_kwargs) -> None:
    """Registration released an unpaid order: its open Checkout Sessions must end too.

    Stripe is called once the release is committed (``expire_after_commit``), so a
    release that is rolled back keeps its session; the ``checkout.session.expired``
    event that follows marks our record expired.
    """
    if not is_configured(current_app.config):
        return
    session_ids = [c.session_id for c in checkouts_of(order) if c.status is CheckoutStatus.OPEN]
    pending = db.session().info.setdefault(_PENDING_EXPIRY, [])
    pending.extend(sid for sid in session_ids if sid not in pending)


def expire_after_commit(session) -> None:
    """Session ``after_commit`` hook: expire the sessions of the reservations just released."""
    session_ids = session.info.pop(_PENDING_EXPIRY, None)
    if session_ids:
        expire_checkout_sessions(session_ids)


def forget_pending_expiry(session) -> None:
    """Session ``after_rollback`` hook: the releases did not happen, their sessions stay open."""
    session.info.pop(_PENDING_EXPIRY, None)


def expire_checkout_sessions(session_ids: list[str]) -> list[str]:
    """Ask Stripe to expire each session; returns those it expired. A failure is logged, not
    raised: the reservation is released already, and a payment that still lands is handled
    like any late payment (a free seat, or an automatic refund)."""
    if not session_ids:
        return []
    gateway = gateway_for()
    expired = []
    for session_id in session_ids:
        try:
            gateway.expire_session(session_id)
        except GatewayError as error:
            log.warning("Could not expire Stripe session %s of a released order: %s", session_id, error)
        else:
            expired.append(session_id)
    return expired


# -- Issues for organizers ---------------------------------------------------------------


def _flag(order: Order, kind: IssueKind, amount: int, currency: str, reference: str, detail: str) -> PaymentIssue:
    issue = PaymentIssue(
        edition_id=order.edition_id,
        order_id=order.id,
        kind=kind,
        amount_cents=max(amount, 0),
        currency=(currency or order.currency)[:3],
        reference=reference[:255],
        detail=detail,
    )
    db.session.add(issue)
    record_audit(f"payment.{kind.value}", edition_id=order.edition_id, target=order,
                 data={"amount_cents": amount, "currency": currency, "reference": reference})
    return issue


def list_payment_issues(edition) -> list[PaymentIssue]:
    return list(
        db.session.scalars(
            sa.select(PaymentIssue)
            .where(PaymentIssue.edition_id == edition.id)
            .options(sa.orm.joinedload(PaymentIssue.order), sa.orm.joinedload(PaymentIssue.resolved_by))
            .order_by(PaymentIssue.state, PaymentIssue.created_at.desc())
        )
    )


def list_recent_events(edition, *, limit: int = 50) -> list[StripeEvent]:
    return list(
        db.session.scalars(
            sa.select(StripeEvent)
            .join(Order, StripeEvent.order_id == Order.id)
            .where(Order.edition_id == edition.id)
            .options(sa.orm.contains_eager(StripeEvent.order))
            .order_by(StripeEvent.received_at.desc(), StripeEvent.id.desc())
            .limit(limit)
        )
    )


def get_issue_or_404(edition, issue_id: int) -> PaymentIssue:
    return get_owned_or_404(edition, PaymentIssue, issue_id)


def resolve_payment_issue(issue: PaymentIssue, *, actor, note: str) -> PaymentIssue:
    """An organizer has dealt with the issue (refunded by hand, contacted the buyer, ...) and says how."""
    if IssueState.RESOLVED not in ISSUE_TRANSITIONS[issue.state]:
        raise InvalidTransition("This issue is already resolved.")
    note = (note or "").strip()
    if not note:
        raise DomainError("Say what was done before marking the issue resolved.", field="note")
    issue.state = IssueState.RESOLVED
    issue.resolved_at = utcnow()
    issue.resolved_by_id = actor.id
    issue.note = note
    record_audit("payment.issue_resolved", actor=actor, edition_id=issue.edition_id, target=issue,
                 data={"kind": issue.kind.value, "note": issue.note})
    db.session.flush()
    return issue


# -- Reconciliation ----------------------------------------------------------------------


def checkouts_to_reconcile() -> list[int]:
    """Sessions we still believe open, for orders that are reserved or were released meanwhile."""
    return list(
        db.session.scalars(
            sa.select(StripeCheckout.id)
            .join(Order, StripeCheckout.order_id == Order.id)
            .where(
                StripeCheckout.status == CheckoutStatus.OPEN,
                Order.state.in_([OrderState.RESERVED, OrderState.EXPIRED]),
            )
            .order_by(StripeCheckout.id)
        )
    )


def reconcile_checkout(checkout_id: int) -> Outcome:
    """Re-read one session from Stripe and apply what it says, as its webhook would have."""
    checkout = db.session.get(StripeCheckout, checkout_id)
    if checkout is None or checkout.status is not CheckoutStatus.OPEN:
        return Outcome(EventOutcome.NO_CHANGE, "nothing to do")
    session = gateway_for().retrieve_session(checkout.session_id)
    if session.status == "complete" and session.payment_status == "paid":
        return apply_paid_session(session, source=f"reconcile:{session.id}")
    if session.status == "expired":
        return apply_dead_session(session, status=CheckoutStatus.EXPIRED)
    return Outcome(EventOutcome.NO_CHANGE, f"session {session.status}, payment {session.payment_status}", checkout.order)
