"""Reconciliation: re-read from Stripe the sessions still open, for events missed in an outage."""

from __future__ import annotations

import sqlalchemy as sa

from convention.extensions import db
from convention.payments.models import EventOutcome, StripeCheckout
from convention.payments.states import CheckoutStatus
from convention.payments.stripe_gateway import gateway_for
from convention.payments.webhooks import Outcome, apply_dead_session, apply_paid_session
from convention.registration.models import Order
from convention.registration.states import OrderState


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
