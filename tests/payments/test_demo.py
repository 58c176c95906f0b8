"""The demo's card orders carry a believable Stripe trail, and the payments tab shows it."""

import sqlalchemy as sa

from convention.demo import seed_demo
from convention.extensions import db
from convention.payments.models import CheckoutStatus, IssueState, PaymentIssue, StripeCheckout, StripeEvent
from convention.registration.models import Order, OrderState
from tests.conftest import Auth


def test_demo_card_orders_have_sessions_and_events(client):
    seed_demo()
    db.session.commit()
    paid = db.session.scalars(sa.select(Order).where(Order.payment_method == "stripe", Order.state == OrderState.PAID)).all()
    assert len(paid) >= 100
    checkouts = {c.order_id: c for c in db.session.scalars(sa.select(StripeCheckout))}
    for order in paid:
        checkout = checkouts[order.id]
        assert (checkout.status, checkout.payment_intent, checkout.amount_cents) == (
            CheckoutStatus.COMPLETE, order.payment_reference, order.total_cents)
    expired = db.session.scalars(sa.select(Order.id).where(Order.payment_method == "stripe", Order.state == OrderState.EXPIRED)).all()
    assert all(checkouts[order_id].status is CheckoutStatus.EXPIRED for order_id in expired)
    assert db.session.scalar(sa.select(sa.func.count(StripeEvent.id))) >= len(paid)
    states = sorted(db.session.scalars(sa.select(PaymentIssue.state)))
    assert states == [IssueState.OPEN, IssueState.RESOLVED]

    Auth(client).login("organizer@demo.example", "demo-pass-olivia-2026")
    html = client.get("/demo/manage/payments/").get_data(as_text=True)
    assert "Paid twice" in html and "checkout.session.completed" in html
