"""Fixtures for payments: Stripe switched on, with the fake HTTP layer under the library."""

from __future__ import annotations

import pytest
import sqlalchemy as sa

from convention.extensions import db
from convention.mail.models import OutboxMessage
from convention.payments.models import PaymentIssue, StripeCheckout, StripeEvent
from convention.registration.services import begin_payment
from tests.factories import make_edition
from tests.payments.fake_stripe import API_KEY, WEBHOOK_SECRET, FakeStripeAPI, make_event, signed_webhook
from tests.registration.helpers import buy, make_ticket_type

WEBHOOK = "/payments/stripe/webhook"


@pytest.fixture
def stripe_api(app, monkeypatch):
    """Stripe configured for this test; every request goes to a fresh ``FakeStripeAPI``."""
    fake = FakeStripeAPI()
    monkeypatch.setitem(app.config, "STRIPE_SECRET_KEY", API_KEY)
    monkeypatch.setitem(app.config, "STRIPE_WEBHOOK_SECRET", WEBHOOK_SECRET)
    monkeypatch.setitem(app.config, "STRIPE_HTTP_CLIENT", fake)
    monkeypatch.setitem(app.config, "STRIPE_MAX_NETWORK_RETRIES", 0)
    return fake


def stripe_order(edition=None, *, seats=1, capacity=10, price_cents=12100, email="buyer@example.org", ticket=None):
    """A paid order sent to Stripe Checkout the way registration does it; returns (order, session id)."""
    edition = edition or make_edition()
    ticket = ticket or make_ticket_type(edition, price_cents=price_cents, capacity=capacity)
    order = buy(edition, {ticket: seats}, email=email)
    assert order.payment_method == "stripe"
    url = begin_payment(order)
    db.session.commit()
    checkout = db.session.scalar(sa.select(StripeCheckout).where(StripeCheckout.order_id == order.id))
    assert url == checkout.url
    return order, checkout.session_id


def deliver(client, event: dict, **kwargs):
    body, headers = signed_webhook(event, **kwargs)
    return client.post(WEBHOOK, data=body, headers=headers)


def completed(fake: FakeStripeAPI, session_id: str, *, event_id: str | None = None, **pay) -> dict:
    """The ``checkout.session.completed`` event after the buyer paid on Stripe's page."""
    return make_event("checkout.session.completed", fake.pay_session(session_id, **pay), event_id=event_id)


def snapshot() -> dict:
    """Counts of everything a webhook may change, to prove that a request changed nothing."""
    from convention.audit.models import AuditEntry
    from convention.registration.models import Order, TicketType

    db.session.expire_all()
    return {
        "events": db.session.scalar(sa.select(sa.func.count(StripeEvent.id))),
        "issues": db.session.scalar(sa.select(sa.func.count(PaymentIssue.id))),
        "mails": db.session.scalar(sa.select(sa.func.count(OutboxMessage.id))),
        "audit": db.session.scalar(sa.select(sa.func.count(AuditEntry.id))),
        "orders": sorted(db.session.execute(sa.select(Order.code, Order.state, Order.payment_reference)).all()),
        "seats": sorted(db.session.execute(sa.select(TicketType.id, TicketType.used)).all()),
        "checkouts": sorted(db.session.execute(sa.select(StripeCheckout.session_id, StripeCheckout.status)).all()),
    }
