"""The adapter against the fake HTTP layer: signatures, expiry window, keys, errors."""

from __future__ import annotations

import time
from datetime import UTC, datetime, timedelta

import pytest

from convention.payments.stripe_gateway import (
    GatewayError,
    IdempotencyConflict,
    InvalidWebhook,
    StripeGateway,
    session_expiry,
)
from tests.payments.fake_stripe import API_KEY, WEBHOOK_SECRET, FakeStripeAPI, make_event, signed_webhook

NOW = datetime(2026, 11, 27, 12, 0, tzinfo=UTC)


@pytest.fixture
def fake():
    return FakeStripeAPI()


@pytest.fixture
def gateway(fake):
    return StripeGateway(API_KEY, WEBHOOK_SECRET, http_client=fake, max_network_retries=0)


def test_session_expiry_follows_a_long_reservation():
    deadline = NOW + timedelta(hours=2)
    assert session_expiry(deadline, now=NOW) == deadline


def test_session_expiry_is_at_least_thirty_minutes_plus_margin():
    assert session_expiry(NOW + timedelta(minutes=29), now=NOW) == NOW + timedelta(minutes=32)
    assert session_expiry(NOW - timedelta(minutes=5), now=NOW) == NOW + timedelta(minutes=32)


def test_session_expiry_is_at_most_a_day():
    assert session_expiry(NOW + timedelta(days=3), now=NOW) == NOW + timedelta(hours=24) - timedelta(minutes=2)


def test_verify_webhook_accepts_a_stripe_signature(gateway):
    event = make_event("checkout.session.expired", {"id": "cs_test_1", "object": "checkout.session"}, event_id="evt_1")
    body, headers = signed_webhook(event)
    verified = gateway.verify_webhook(body, headers["Stripe-Signature"])
    assert (verified.id, verified.type, verified.object["id"]) == ("evt_1", "checkout.session.expired", "cs_test_1")


@pytest.mark.parametrize(
    "tamper",
    ["wrong_secret", "changed_body", "missing_header", "garbage_header", "stale_timestamp"],
)
def test_verify_webhook_refuses_forgeries(gateway, tamper):
    event = make_event("checkout.session.completed", {"id": "cs_test_1"})
    body, headers = signed_webhook(
        event,
        secret="whsec_someone_else" if tamper == "wrong_secret" else WEBHOOK_SECRET,
        timestamp=int(time.time()) - 3600 if tamper == "stale_timestamp" else None,
    )
    header = headers["Stripe-Signature"]
    if tamper == "changed_body":
        body = body.replace(b"cs_test_1", b"cs_test_2")
    elif tamper == "missing_header":
        header = None
    elif tamper == "garbage_header":
        header = "not-a-signature"
    with pytest.raises(InvalidWebhook):
        gateway.verify_webhook(body, header)


def test_verify_webhook_refuses_a_signed_body_that_is_not_json(gateway):
    header = signed_webhook({"x": 1})[1]["Stripe-Signature"]
    with pytest.raises(InvalidWebhook):
        gateway.verify_webhook(b"\xff\xfe not json", header)


def test_verify_webhook_without_secret_refuses_everything(fake):
    gateway = StripeGateway(API_KEY, None, http_client=fake)
    body, headers = signed_webhook(make_event("charge.refunded", {"id": "ch_1"}))
    with pytest.raises(InvalidWebhook):
        gateway.verify_webhook(body, headers["Stripe-Signature"])


def test_retrieve_session_reads_state_and_reference(gateway, fake):
    fake.sessions["cs_test_9"] = {
        "id": "cs_test_9", "object": "checkout.session", "status": "complete", "payment_status": "paid",
        "amount_total": 4500, "currency": "eur", "client_reference_id": "ORDER12345",
        "metadata": {"order_code": "ORDER12345"}, "payment_intent": "pi_9", "expires_at": 1795000000, "url": None,
    }
    session = gateway.retrieve_session("cs_test_9")
    assert (session.status, session.payment_status, session.amount_total, session.currency) == ("complete", "paid", 4500, "EUR")
    assert (session.reference, session.payment_intent) == ("ORDER12345", "pi_9")
    assert fake.requests[-1].method == "GET" and fake.requests[-1].path == "/v1/checkout/sessions/cs_test_9"


def test_stripe_errors_become_gateway_errors(gateway, fake):
    with pytest.raises(GatewayError) as caught:
        gateway.retrieve_session("cs_missing")
    assert caught.value.retryable is False
    fake.failures.append(("/v1/checkout/sessions", 503, {"type": "api_error", "message": "down"}))
    with pytest.raises(GatewayError) as caught:
        gateway.retrieve_session("cs_missing")
    assert caught.value.retryable is True


def test_refund_sends_the_deterministic_idempotency_key(gateway, fake):
    refund = gateway.refund(payment_intent="pi_1", amount_cents=4500, order_code="ABCDEFGHJK", reason="no seat")
    again = gateway.refund(payment_intent="pi_1", amount_cents=4500, order_code="ABCDEFGHJK", reason="no seat")
    sent = fake.sent("POST", "/v1/refunds")
    assert [r.idempotency_key for r in sent] == ["refund-ABCDEFGHJK-4500", "refund-ABCDEFGHJK-4500"]
    assert sent[0].params["payment_intent"] == "pi_1" and sent[0].params["amount"] == "4500"
    assert refund.id == again.id and len(fake.refunds) == 1


def test_reused_key_with_other_parameters_is_an_idempotency_conflict(gateway):
    gateway.refund(payment_intent="pi_1", amount_cents=4500, order_code="ABCDEFGHJK")
    with pytest.raises(IdempotencyConflict):
        gateway.refund(payment_intent="pi_2", amount_cents=4500, order_code="ABCDEFGHJK")
