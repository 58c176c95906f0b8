"""A released reservation ends its open Checkout Session at Stripe (payments listens to registration)."""

from __future__ import annotations

import logging

import sqlalchemy as sa

from convention.core.signals import OrderReleased, order_released
from convention.extensions import db
from convention.payments.models import CheckoutStatus, StripeCheckout
from convention.registration.models import OrderState
from convention.registration.services import release_order
from tests.payments.conftest import deliver, stripe_order
from tests.payments.fake_stripe import make_event


def _expire_requests(stripe_api, session_id):
    return stripe_api.sent("POST", f"/v1/checkout/sessions/{session_id}/expire")


def _release(order):
    """What registration does when it releases an unpaid reservation: release, then send the signal."""
    release_order(order, reason="cancelled")
    order_released.send(OrderReleased(order.edition_id, order.id, "cancelled", actor_id=None))


def test_releasing_a_reservation_expires_its_open_session_after_the_commit(client, stripe_api):
    order, session_id = stripe_order()
    _release(order)
    assert _expire_requests(stripe_api, session_id) == []  # nothing is sent while the release may still roll back
    db.session.commit()

    [sent] = _expire_requests(stripe_api, session_id)
    assert sent.idempotency_key == f"expire-{session_id}"
    assert stripe_api.sessions[session_id]["status"] == "expired"

    # Stripe then tells us the session expired: our record follows, the order stays as it is.
    expired = make_event("checkout.session.expired", stripe_api.sessions[session_id])
    assert deliver(client, expired).get_json() == {"received": True, "outcome": "no_change"}
    checkout = db.session.scalar(sa.select(StripeCheckout).where(StripeCheckout.session_id == session_id))
    db.session.refresh(order)
    assert (checkout.status, order.state) == (CheckoutStatus.EXPIRED, OrderState.CANCELLED)


def test_a_release_that_is_rolled_back_keeps_the_session(stripe_api):
    order, session_id = stripe_order()
    _release(order)
    db.session.rollback()
    db.session.commit()
    assert _expire_requests(stripe_api, session_id) == []
    assert stripe_api.sessions[session_id]["status"] == "open"


def test_sessions_already_finished_are_not_expired_again(client, stripe_api):
    order, session_id = stripe_order()
    checkout = db.session.scalar(sa.select(StripeCheckout).where(StripeCheckout.session_id == session_id))
    checkout.status = CheckoutStatus.EXPIRED
    db.session.commit()
    _release(order)
    db.session.commit()
    assert _expire_requests(stripe_api, session_id) == []


def test_stripe_refusing_the_expiry_is_logged_and_the_release_stands(stripe_api, caplog):
    order, session_id = stripe_order()
    stripe_api.pay_session(session_id)  # the buyer paid a moment ago; the webhook is on its way
    _release(order)
    with caplog.at_level(logging.WARNING, logger="convention.payments.session_expiry"):
        db.session.commit()
    assert len(_expire_requests(stripe_api, session_id)) == 1
    assert f"Could not expire Stripe session {session_id}" in caplog.text
    db.session.refresh(order)
    assert order.state is OrderState.CANCELLED  # the late payment is handled when its webhook lands


def test_without_stripe_configured_nothing_is_sent(app, stripe_api, monkeypatch):
    order, session_id = stripe_order()
    monkeypatch.setitem(app.config, "STRIPE_SECRET_KEY", "")
    _release(order)
    db.session.commit()
    assert _expire_requests(stripe_api, session_id) == []

