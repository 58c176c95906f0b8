"""Demo payments: the Stripe trail of the demo's card orders, and two issues for organizers.

Runs after registration's seeder (DOMAIN_SEEDERS order). For every card order it adds
the Checkout Session and the webhook events that would have made it what it is (paid,
refunded, expired), so the organizers' payments tab shows a believable history. No
request goes to Stripe.
"""

from __future__ import annotations

import random
from datetime import timedelta

import sqlalchemy as sa

from convention.core.codes import new_code
from convention.core.timeutil import utcnow
from convention.extensions import db
from convention.payments.models import (
    CheckoutStatus,
    EventOutcome,
    IssueKind,
    IssueState,
    PaymentIssue,
    StripeCheckout,
    StripeEvent,
)
from convention.registration.models import Order, OrderState


def seed(edition, people) -> None:
    rng = random.Random(4242)
    orders = db.session.scalars(
        sa.select(Order).where(Order.edition_id == edition.id, Order.payment_method == "stripe").order_by(Order.created_at)
    ).all()
    rows: list = []
    for order in orders:
        rows.extend(_trail(order, rng))
    db.session.add_all(rows)
    db.session.flush()
    _seed_issues(edition, [o for o in orders if o.state is OrderState.PAID], people, rng)
    db.session.flush()


def _event_id() -> str:
    return f"evt_demo_{new_code(16)}"


def _trail(order: Order, rng: random.Random) -> list:
    """The session and the events of one card order."""
    created = order.created_at
    checkout = StripeCheckout(
        order_id=order.id, attempt=1, session_id=f"cs_demo_{new_code(20)}", url=None, amount_cents=order.total_cents,
        currency=order.currency, expires_at=created + timedelta(minutes=32), created_at=created,
    )
    rows: list = [checkout]

    def event(kind: str, at, outcome: EventOutcome, detail: str, object_id: str) -> StripeEvent:
        return StripeEvent(stripe_id=_event_id(), type=kind, object_id=object_id, order_id=order.id, created_at=at,
                           received_at=at + timedelta(seconds=rng.randint(1, 4)), outcome=outcome, detail=detail)

    if order.state in (OrderState.PAID, OrderState.REFUNDED):
        paid_at = order.paid_at or created + timedelta(minutes=3)
        checkout.status = CheckoutStatus.COMPLETE
        checkout.payment_intent = order.payment_reference or f"pi_demo_{new_code(14)}"
        checkout.completed_at = paid_at
        rows.append(event("checkout.session.completed", paid_at, EventOutcome.APPLIED,
                          f"paid via {checkout.session_id}", checkout.session_id))
        if order.state is OrderState.REFUNDED and order.refunded_at:
            rows.append(event("charge.refunded", order.refunded_at, EventOutcome.NO_CHANGE, "order is refunded",
                              f"ch_demo_{new_code(14)}"))
    elif order.state is OrderState.EXPIRED:
        checkout.status = CheckoutStatus.EXPIRED
        rows.append(event("checkout.session.expired", checkout.expires_at, EventOutcome.APPLIED,
                          "released: session expired", checkout.session_id))
    return rows


def _seed_issues(edition, paid_orders: list[Order], people, rng: random.Random) -> None:
    """One open issue (a second payment for a paid order) and one resolved (an underpayment)."""
    if len(paid_orders) < 2:
        return
    twice, short = rng.sample(paid_orders, 2)
    now = utcnow()
    db.session.add(PaymentIssue(
        edition_id=edition.id, order_id=twice.id, kind=IssueKind.DUPLICATE_PAYMENT, amount_cents=twice.total_cents,
        currency=twice.currency, reference=f"pi_demo_{new_code(14)}", created_at=now - timedelta(hours=5),
        detail=f"Session cs_demo_{new_code(20)} paid an order that was already paid (two browser tabs).",
    ))
    db.session.add(PaymentIssue(
        edition_id=edition.id, order_id=short.id, kind=IssueKind.AMOUNT_MISMATCH, amount_cents=short.total_cents - 2500,
        currency=short.currency, reference=f"pi_demo_{new_code(14)}", created_at=now - timedelta(days=9),
        detail="Stripe charged €25.00 less than the order (a voucher applied twice).",
        state=IssueState.RESOLVED, resolved_at=now - timedelta(days=8), resolved_by_id=people["organizer"].id,
        note="The buyer paid the difference by bank transfer; marked paid by hand.",
    ))
