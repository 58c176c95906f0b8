"""Starting a card payment: the Checkout Session request as Stripe receives it."""

from __future__ import annotations

from datetime import timedelta

import pytest
import sqlalchemy as sa

from convention.core.errors import InvalidTransition
from convention.core.timeutil import utcnow
from convention.extensions import db
from convention.payments.checkout import PaymentUnavailable, start_checkout
from convention.payments.models import StripeCheckout
from convention.registration.services import begin_payment
from tests.factories import make_edition
from tests.payments.conftest import stripe_order
from tests.registration.helpers import buy, make_ticket_type, make_voucher

URLS = {"success_url": "https://tickets.example/done", "cancel_url": "https://tickets.example/cancelled"}


def test_checkout_session_request_carries_order_reference_and_idempotency_key(stripe_api):
    edition = make_edition(slug="cysec")
    day = make_ticket_type(edition, name="Day pass", price_cents=6000, capacity=10)
    full = make_ticket_type(edition, name="Conference pass", price_cents=12100, capacity=10)
    order = buy(edition, {full: 2, day: 1}, email="Buyer@Example.org")
    before = utcnow()
    begin_payment(order)
    db.session.commit()

    [sent] = stripe_api.sent("POST", "/v1/checkout/sessions")
    assert sent.idempotency_key == f"checkout-{order.code}-1"
    params = sent.params
    assert (params["mode"], params["client_reference_id"], params["metadata[order_code]"]) == ("payment", order.code, order.code)
    assert params["payment_intent_data[metadata][order_code]"] == order.code
    assert params["customer_email"] == "buyer@example.org"
    lines = {
        params[f"line_items[{i}][price_data][product_data][name]"]: (
            params[f"line_items[{i}][quantity]"], params[f"line_items[{i}][price_data][unit_amount]"],
            params[f"line_items[{i}][price_data][currency]"])
        for i in range(2)
    }
    assert lines == {"Conference pass": ("2", "12100", "eur"), "Day pass": ("1", "6000", "eur")}
    assert "line_items[2][quantity]" not in params
    assert params["success_url"] == f"http://127.0.0.1:5000/cysec/orders/{order.secret}/payment/done"
    assert params["cancel_url"] == f"http://127.0.0.1:5000/cysec/orders/{order.secret}/payment/cancelled"
    # The reservation lasts 30 minutes, Stripe wants at least 30 from now: the session gets 32.
    expires = int(params["expires_at"])
    assert int((before + timedelta(minutes=32)).timestamp()) <= expires <= int((utcnow() + timedelta(minutes=32)).timestamp())
    checkout = db.session.scalar(sa.select(StripeCheckout))
    assert (checkout.order_id, checkout.attempt, checkout.amount_cents, checkout.currency) == (order.id, 1, 30200, "EUR")


def test_long_reservation_sets_the_session_expiry_to_its_deadline(stripe_api):
    edition = make_edition()
    ticket = make_ticket_type(edition, capacity=5)
    order = buy(edition, {ticket: 1})
    order.expires_at = utcnow().replace(microsecond=0) + timedelta(hours=3)
    start_checkout(order, **URLS)
    assert stripe_api.requests[-1].params["expires_at"] == str(int(order.expires_at.timestamp()))


def test_discounted_lines_are_sent_at_the_price_charged(stripe_api):
    edition = make_edition()
    ticket = make_ticket_type(edition, name="Conference pass", price_cents=10000, capacity=5)
    make_voucher(edition, code="HALF", value=50)
    order = buy(edition, {ticket: 1}, voucher_code="HALF")
    start_checkout(order, **URLS)
    params = stripe_api.requests[-1].params
    assert (params["line_items[0][price_data][unit_amount]"], params["line_items[0][quantity]"]) == ("5000", "1")
    assert order.total_cents == 5000


def test_lines_that_do_not_add_up_become_one_order_line(stripe_api):
    edition = make_edition()
    ticket = make_ticket_type(edition, name="Conference pass", price_cents=10000, capacity=5)
    order = buy(edition, {ticket: 1})
    order.total_cents = 9000  # e.g. an order-level discount
    start_checkout(order, **URLS)
    params = stripe_api.requests[-1].params
    assert params["line_items[0][price_data][product_data][name]"] == f"Order {order.code}"
    assert params["line_items[0][price_data][unit_amount]"] == "9000"
    assert "line_items[1][quantity]" not in params


def test_an_open_session_is_reused_instead_of_creating_another(stripe_api):
    order, session_id = stripe_order()
    again = start_checkout(order, **URLS)
    assert again.session_id == session_id
    assert len(stripe_api.sent("POST", "/v1/checkout/sessions")) == 1


def test_after_an_expired_session_the_next_attempt_has_the_next_key(stripe_api):
    order, session_id = stripe_order()
    first = db.session.scalar(sa.select(StripeCheckout))
    first.status = first.status.EXPIRED
    second = start_checkout(order, **URLS)
    assert second.attempt == 2 and second.session_id != session_id
    keys = [r.idempotency_key for r in stripe_api.sent("POST", "/v1/checkout/sessions")]
    assert keys == [f"checkout-{order.code}-1", f"checkout-{order.code}-2"]


def test_a_key_burnt_by_a_lost_request_moves_to_the_next_attempt(stripe_api):
    edition = make_edition()
    ticket = make_ticket_type(edition, capacity=5)
    order = buy(edition, {ticket: 1})
    start_checkout(order, **URLS, now=utcnow() - timedelta(minutes=5))
    db.session.rollback()  # our transaction was lost after Stripe made the session
    checkout = start_checkout(order, **URLS)
    keys = [r.idempotency_key for r in stripe_api.sent("POST", "/v1/checkout/sessions")]
    assert keys == [f"checkout-{order.code}-1", f"checkout-{order.code}-1", f"checkout-{order.code}-2"]
    assert checkout.attempt == 2


def test_stripe_down_is_a_clear_error_and_records_nothing(stripe_api):
    edition = make_edition()
    ticket = make_ticket_type(edition, capacity=5)
    order = buy(edition, {ticket: 1})
    stripe_api.failures.append(("/v1/checkout/sessions", 503, {"type": "api_error", "message": "unavailable"}))
    with pytest.raises(PaymentUnavailable) as caught:
        start_checkout(order, **URLS)
    assert caught.value.status_code == 503
    assert "seats stay reserved" in caught.value.message
    assert db.session.scalar(sa.select(sa.func.count(StripeCheckout.id))) == 0


def test_no_checkout_for_orders_that_are_not_waiting_for_money(stripe_api):
    order, _session = stripe_order()
    order.expires_at = utcnow() - timedelta(seconds=1)
    with pytest.raises(InvalidTransition, match="expired"):
        start_checkout(order, **URLS)
    order.state = order.state.PAID
    with pytest.raises(InvalidTransition, match="not waiting"):
        start_checkout(order, **URLS)


def test_without_stripe_keys_paid_orders_go_to_bank_transfer(app):
    edition = make_edition()
    ticket = make_ticket_type(edition, capacity=5)
    order = buy(edition, {ticket: 1})
    assert order.payment_method == "bank_transfer"
    assert begin_payment(order) is None
