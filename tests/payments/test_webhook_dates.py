"""Webhook events dated in the future are refused, as Stripe's library refuses those too old."""

from __future__ import annotations

import time

import pytest

from convention.registration.models import OrderState
from tests.payments.conftest import completed, deliver, snapshot, stripe_order
from tests.payments.fake_stripe import make_event

TOLERANCE = 300


@pytest.mark.parametrize("ahead", [TOLERANCE + 60, 86400 * 365])
def test_a_signature_dated_beyond_the_tolerance_in_the_future_is_refused(client, stripe_api, ahead):
    order, session_id = stripe_order()
    before = snapshot()
    response = deliver(client, completed(stripe_api, session_id), timestamp=int(time.time()) + ahead)
    assert response.status_code == 400
    assert response.get_json() == {"error": "Invalid signature or payload."}
    assert snapshot() == before
    assert order.state is OrderState.RESERVED


def test_an_event_created_beyond_the_tolerance_in_the_future_is_refused(client, stripe_api):
    order, session_id = stripe_order()
    event = make_event("checkout.session.completed", stripe_api.pay_session(session_id),
                       created=int(time.time()) + TOLERANCE + 60)
    before = snapshot()
    assert deliver(client, event).status_code == 400  # signed now, but the event says it happens later
    assert snapshot() == before


def test_clock_skew_within_the_tolerance_is_accepted(client, stripe_api):
    _order, session_id = stripe_order()
    soon = int(time.time()) + 60
    event = make_event("checkout.session.completed", stripe_api.pay_session(session_id), created=soon)
    response = deliver(client, event, timestamp=soon)
    assert response.get_json() == {"received": True, "outcome": "applied"}


def test_an_event_with_an_absurd_date_is_refused_not_a_500(client, stripe_api):
    _order, session_id = stripe_order()
    event = make_event("checkout.session.completed", stripe_api.pay_session(session_id), created=10**20)
    assert deliver(client, event).status_code == 400
