"""Starting a card payment (a Stripe Checkout Session per attempt) and refunding one.

Functions flush; the view, the webhook or the CLI commits once.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import datetime

import sqlalchemy as sa
from flask import current_app
from flask_babel import gettext

from convention.audit.services import record_audit
from convention.core.errors import DomainError, InvalidTransition, NotFound
from convention.core.timeutil import utcnow
from convention.extensions import db
from convention.payments.models import StripeCheckout
from convention.payments.states import CheckoutStatus
from convention.payments.stripe_gateway import GatewayError, IdempotencyConflict, LineItem, gateway_for, is_configured
from convention.registration.inventory import lock_order
from convention.registration.models import Attendee, Order
from convention.registration.states import OrderState

log = logging.getLogger(__name__)

STRIPE = "stripe"  # the provider key, and the payment method of orders paid by card


class PaymentUnavailable(DomainError):
    """Stripe could not be reached or refused the request; the order itself is unharmed."""

    status_code = 503


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
    return [LineItem(name=gettext("Order %(code)s", code=order.code), unit_amount_cents=order.total_cents, quantity=1)]


def start_checkout(order: Order, *, success_url: str, cancel_url: str, now: datetime | None = None) -> StripeCheckout:
    """The Checkout Session the buyer should go to: the open one, or a new attempt.

    The attempt number makes the idempotency key, so a request retried after a crash
    gets the session Stripe already made instead of a second one.
    """
    now = now or utcnow()
    order = lock_order(order)  # a double click waits here, then reuses the session the first one made
    if order.state is not OrderState.RESERVED:
        raise InvalidTransition(gettext("This order is not waiting for a payment."))
    if order.total_cents <= 0:
        raise InvalidTransition(gettext("This order has nothing to pay."))
    if order.expires_at is not None and order.expires_at <= now:
        raise InvalidTransition(gettext("This reservation has expired; please order again."))
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
            raise PaymentUnavailable(gettext(
                "Card payment is not available at the moment. Your seats stay reserved; please try again in a minute."
            )) from error
    else:
        raise PaymentUnavailable(gettext("Card payment is not available at the moment; please try again in a minute."))
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
        raise NotFound(gettext("This order has no card payment to refund."))
    if amount_cents <= 0 or amount_cents > checkout.amount_cents - order.refunded_cents:
        raise DomainError(gettext("The refund must be more than zero and at most what was paid and not yet refunded."),
                          field="amount")
    try:
        refund = gateway_for().refund(
            payment_intent=checkout.payment_intent, amount_cents=amount_cents, order_code=order.code, reason=reason,
            refunded_before_cents=order.refunded_cents,
        )
    except GatewayError as error:
        log.warning("Stripe refund for order %s failed: %s", order.code, error)
        raise PaymentUnavailable(
            gettext("Stripe could not make the refund right now; nothing was changed. Try again later.")) from error
    record_audit(
        "payment.refund_requested",
        edition_id=order.edition_id,
        target=order,
        data={"amount_cents": amount_cents, "refund": refund.id, "reason": reason},
    )
    return refund.id


# -- The buyer's pages around a payment ----------------------------------------------------


@dataclass(frozen=True)
class PaymentPage:
    """What the return pages from Stripe show and offer, each a ready answer."""

    is_paid: bool
    awaiting_payment: bool  # reserved: the webhook has not landed yet
    is_refunded: bool
    reservation_over: bool  # its deadline has passed (a late payment may still land)
    can_pay_by_card: bool  # "Pay by card" again, from the cancel page


def payment_page(order: Order, now: datetime | None = None) -> PaymentPage:
    """Read only: never changes the order (the webhook does)."""
    now = now or utcnow()
    reserved = order.state is OrderState.RESERVED
    over = bool(order.expires_at and order.expires_at <= now)
    return PaymentPage(
        is_paid=order.state is OrderState.PAID,
        awaiting_payment=reserved,
        is_refunded=order.state is OrderState.REFUNDED,
        reservation_over=over,
        can_pay_by_card=reserved and not over and order.payment_method == STRIPE
        and is_configured(current_app.config),
    )
