"""Refunds through the provider: organizers cancelling a card-paid order."""

from __future__ import annotations

import pytest

from convention.core.errors import DomainError, NotFound
from convention.extensions import db
from convention.payments.checkout import PaymentUnavailable
from convention.registration.models import OrderState
from convention.registration.payment_providers import get_provider
from convention.registration.services import cancel_order
from tests.factories import make_user
from tests.payments.conftest import completed, deliver, snapshot, stripe_order
from tests.payments.fake_stripe import charge_for, make_event


def test_cancelling_a_card_paid_order_refunds_it_at_stripe_with_a_key(client, stripe_api):
    order, session_id = stripe_order(seats=2)
    deliver(client, completed(stripe_api, session_id))
    organizer = make_user()
    db.session.refresh(order)
    cancel_order(order, actor=organizer, reason="Duplicate order")
    db.session.commit()

    [sent] = stripe_api.sent("POST", "/v1/refunds")
    assert sent.idempotency_key == f"refund-{order.code}-24200"
    assert (sent.params["payment_intent"], sent.params["amount"], sent.params["reason"]) == (
        stripe_api.sessions[session_id]["payment_intent"], "24200", "requested_by_customer")
    assert sent.params["metadata[note]"] == "Duplicate order"
    refund_id = next(iter(stripe_api.refunds))
    db.session.refresh(order)
    assert (order.state, order.refunded_cents, order.refund_reference) == (OrderState.REFUNDED, 24200, refund_id)

    # Stripe's charge.refunded for that refund arrives afterwards: nothing changes twice.
    before = snapshot()
    event = make_event("charge.refunded", charge_for(stripe_api.sessions[session_id], amount_refunded=24200, refund_id=refund_id))
    assert deliver(client, event).get_json() == {"received": True, "outcome": "no_change"}
    after = snapshot()
    assert after.pop("events") == before.pop("events") + 1
    assert after == before


def test_refund_of_an_order_without_card_payment_is_refused(stripe_api):
    order, _session = stripe_order()
    with pytest.raises(NotFound):
        get_provider("stripe").refund(order, amount_cents=100, reason="x")
    assert stripe_api.sent("POST", "/v1/refunds") == []


def test_refund_above_what_was_paid_is_refused(client, stripe_api):
    order, session_id = stripe_order()
    deliver(client, completed(stripe_api, session_id))
    with pytest.raises(DomainError, match="at most what was paid"):
        get_provider("stripe").refund(order, amount_cents=12101, reason="x")
    assert stripe_api.sent("POST", "/v1/refunds") == []


def test_refund_when_stripe_fails_leaves_the_order_paid(client, stripe_api):
    order, session_id = stripe_order()
    deliver(client, completed(stripe_api, session_id))
    stripe_api.failures.append(("/v1/refunds", 402, {"type": "invalid_request_error", "message": "charge disputed"}))
    db.session.refresh(order)
    with pytest.raises(PaymentUnavailable):
        cancel_order(order, actor=make_user())
    db.session.rollback()
    db.session.refresh(order)
    assert order.state is OrderState.PAID
