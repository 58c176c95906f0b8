"""`flask payments reconcile`: events missed during an outage are caught up from Stripe."""

from __future__ import annotations

import sqlalchemy as sa

from convention.extensions import db
from convention.payments.models import CheckoutStatus, StripeCheckout
from convention.registration.models import OrderState
from convention.registration.services import expire_due_reservations
from tests.factories import make_edition
from tests.payments.conftest import snapshot, stripe_order
from tests.registration.helpers import buy, make_ticket_type, past


def _reconcile(runner):
    return runner.invoke(args=["payments", "reconcile"])


def test_reconcile_applies_paid_and_expired_sessions_and_leaves_open_ones(runner, stripe_api):
    paid, paid_session = stripe_order(email="paid@example.org")
    gone, gone_session = stripe_order(email="gone@example.org")
    waiting, _waiting_session = stripe_order(email="waiting@example.org")
    stripe_api.pay_session(paid_session)
    stripe_api.expire_session(gone_session)

    result = _reconcile(runner)
    assert result.exit_code == 0, result.output
    assert result.output.splitlines()[0] == "3 open checkout session(s) to check."
    assert f"[1/3] order {paid.code}: applied paid via {paid_session}" in result.output
    assert f"[2/3] order {gone.code}: applied released: session expired" in result.output
    assert f"[3/3] order {waiting.code}: no_change session open, payment unpaid" in result.output
    db.session.expire_all()
    assert (paid.state, gone.state, waiting.state) == (OrderState.PAID, OrderState.EXPIRED, OrderState.RESERVED)
    assert [r.method for r in stripe_api.requests[3:]] == ["GET", "GET", "GET"]


def test_reconcile_twice_changes_nothing_the_second_time(runner, stripe_api):
    order, session_id = stripe_order()
    stripe_api.pay_session(session_id)
    assert _reconcile(runner).exit_code == 0
    before = snapshot()
    second = _reconcile(runner)
    assert second.exit_code == 0
    assert second.output.splitlines() == ["0 open checkout session(s) to check."]
    assert snapshot() == before


def test_reconcile_catches_a_payment_for_a_reservation_released_meanwhile(runner, stripe_api):
    edition = make_edition()
    ticket = make_ticket_type(edition, capacity=1)
    order, session_id = stripe_order(edition, ticket=ticket)
    order.expires_at = past()
    expire_due_reservations()
    db.session.commit()
    buy(edition, {ticket: 1}, email="rival@example.org")
    stripe_api.pay_session(session_id)

    result = _reconcile(runner)
    assert result.exit_code == 0, result.output
    assert "refunded_no_seat" in result.output
    db.session.expire_all()
    assert order.state is OrderState.REFUNDED
    assert [r.idempotency_key for r in stripe_api.sent("POST", "/v1/refunds")] == [f"refund-{order.code}-12100"]


def test_reconcile_with_stripe_unreachable_fails_and_keeps_the_session_for_later(runner, stripe_api):
    order, session_id = stripe_order()
    stripe_api.failures.append((f"/v1/checkout/sessions/{session_id}", 503, {"type": "api_error", "message": "down"}))
    result = _reconcile(runner)
    assert result.exit_code == 1
    assert "Stripe error, left for the next run" in result.output
    assert db.session.scalar(sa.select(StripeCheckout.status)) is CheckoutStatus.OPEN
    stripe_api.pay_session(session_id)
    assert _reconcile(runner).exit_code == 0
    db.session.expire_all()
    assert order.state is OrderState.PAID
