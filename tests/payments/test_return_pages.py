"""The buyer's way back from Stripe: the pages show the real state and never change it."""

from __future__ import annotations

import sqlalchemy as sa

from convention.editions.models import Edition
from convention.extensions import db
from convention.payments.models import CheckoutStatus, StripeCheckout
from convention.payments.stripe_gateway import CheckoutSession
from convention.payments.webhooks import apply_dead_session
from convention.registration.models import OrderState
from tests.conftest import csrf_token_from
from tests.factories import make_edition
from tests.payments.conftest import completed, deliver, snapshot, stripe_order


def order_edition_slug(order):
    return db.session.get(Edition, order.edition_id).slug


def _done_url(order, slug=None):
    return f"/{slug or order_edition_slug(order)}/orders/{order.secret}/payment/done"


def test_return_alone_never_marks_the_order_paid(client, stripe_api):
    order, session_id = stripe_order()
    stripe_api.pay_session(session_id)  # the buyer really paid; the webhook has not arrived yet
    before = snapshot()
    for _ in range(3):
        response = client.get(_done_url(order) + f"?session_id={session_id}")
        assert response.status_code == 200
    html = response.get_data(as_text=True)
    assert "Waiting for the payment confirmation" in html
    assert f'<meta http-equiv="refresh" content="3; url=/{order_edition_slug(order)}/orders/{order.secret}/payment/done?n=1">' in html
    assert snapshot() == before
    assert stripe_api.requests[1:] == []  # the page did not even ask Stripe
    db.session.refresh(order)
    assert order.state is OrderState.RESERVED


def test_return_page_refreshes_slower_after_a_while(client, stripe_api):
    order, _session = stripe_order()
    html = client.get(_done_url(order) + "?n=20").get_data(as_text=True)
    assert 'content="15; url=' in html and "payment/done?n=21" in html


def test_return_page_shows_paid_once_the_webhook_landed_and_stops_refreshing(client, stripe_api):
    order, session_id = stripe_order()
    deliver(client, completed(stripe_api, session_id))
    html = client.get(_done_url(order)).get_data(as_text=True)
    assert "Payment received: your order is paid" in html
    assert 'data-state="paid"' in html
    assert 'http-equiv="refresh"' not in html
    assert f"/orders/{order.secret}/" in html


def test_return_page_of_a_released_order_says_so(client, stripe_api):
    order, session_id = stripe_order()
    apply_dead_session(CheckoutSession.from_stripe(stripe_api.expire_session(session_id)), status=CheckoutStatus.EXPIRED)
    db.session.commit()
    html = client.get(_done_url(order)).get_data(as_text=True)
    assert "This reservation is expired" in html
    assert 'http-equiv="refresh"' not in html


def test_return_page_needs_the_right_secret_and_edition(client, stripe_api):
    order, _session = stripe_order()
    other = make_edition(slug="other-edition")
    assert client.get(f"/{order_edition_slug(order)}/orders/not-the-secret/payment/done").status_code == 404
    assert client.get(_done_url(order, slug=other.slug)).status_code == 404
    assert client.get(_done_url(order, slug="no-such-edition")).status_code == 404


def test_cancel_page_offers_to_pay_again_and_resumes_the_same_session(client, stripe_api):
    order, session_id = stripe_order()
    page = client.get(f"/{order_edition_slug(order)}/orders/{order.secret}/payment/cancelled")
    html = page.get_data(as_text=True)
    assert page.status_code == 200 and "The payment was not completed" in html and "Pay by card" in html
    response = client.post(
        f"/{order_edition_slug(order)}/orders/{order.secret}/pay", data={"csrf_token": csrf_token_from(html)}
    )
    assert response.status_code == 303
    assert response.headers["Location"] == f"https://checkout.stripe.com/c/pay/{session_id}"
    assert len(stripe_api.sent("POST", "/v1/checkout/sessions")) == 1


def test_pay_again_after_the_session_expired_makes_a_new_one(client, stripe_api):
    order, session_id = stripe_order()
    db.session.scalar(sa.select(StripeCheckout)).status = CheckoutStatus.EXPIRED
    db.session.commit()
    html = client.get(f"/{order_edition_slug(order)}/orders/{order.secret}/payment/cancelled").get_data(as_text=True)
    response = client.post(
        f"/{order_edition_slug(order)}/orders/{order.secret}/pay", data={"csrf_token": csrf_token_from(html)}
    )
    assert response.status_code == 303
    new_session = stripe_api.sent("POST", "/v1/checkout/sessions")[-1]
    assert new_session.idempotency_key == f"checkout-{order.code}-2"
    assert response.headers["Location"].endswith(db.session.scalar(
        sa.select(StripeCheckout.session_id).where(StripeCheckout.attempt == 2)))


def test_pay_again_without_csrf_is_refused(client, stripe_api):
    order, _session = stripe_order()
    response = client.post(f"/{order_edition_slug(order)}/orders/{order.secret}/pay")
    assert response.status_code == 400
    assert len(stripe_api.sent("POST", "/v1/checkout/sessions")) == 1


def test_pay_again_for_a_paid_order_goes_back_to_the_order_page(client, stripe_api):
    order, session_id = stripe_order()
    deliver(client, completed(stripe_api, session_id))
    slug = order_edition_slug(order)
    html = client.get(f"/{slug}/orders/{order.secret}/payment/cancelled").get_data(as_text=True)
    assert "Pay by card" not in html and "This order is paid" in html
    token = csrf_token_from(client.get("/login").get_data(as_text=True))  # any form of the session
    response = client.post(f"/{slug}/orders/{order.secret}/pay", data={"csrf_token": token})
    assert response.status_code == 303
    assert response.headers["Location"] == f"/{slug}/orders/{order.secret}/"
    assert len(stripe_api.sent("POST", "/v1/checkout/sessions")) == 1


def test_pay_again_when_stripe_is_down_keeps_the_reservation(client, stripe_api):
    order, _session = stripe_order()
    db.session.scalar(sa.select(StripeCheckout)).status = CheckoutStatus.EXPIRED
    db.session.commit()
    slug = order_edition_slug(order)
    stripe_api.failures.append(("/v1/checkout/sessions", 503, {"type": "api_error", "message": "down"}))
    html = client.get(f"/{slug}/orders/{order.secret}/payment/cancelled").get_data(as_text=True)
    response = client.post(f"/{slug}/orders/{order.secret}/pay", data={"csrf_token": csrf_token_from(html)},
                           follow_redirects=False)
    assert response.status_code == 303
    db.session.refresh(order)
    assert order.state is OrderState.RESERVED
    assert db.session.scalar(sa.select(sa.func.count(StripeCheckout.id))) == 1


def test_pages_after_the_reservation_time_is_over_do_not_offer_to_pay(client, stripe_api):
    from datetime import timedelta

    from convention.core.timeutil import utcnow

    order, _session = stripe_order()
    order.expires_at = utcnow() - timedelta(minutes=1)
    db.session.commit()
    before = snapshot()
    done = client.get(_done_url(order)).get_data(as_text=True)
    assert "The reservation time is over" in done and 'http-equiv="refresh"' in done
    cancelled = client.get(f"/{order_edition_slug(order)}/orders/{order.secret}/payment/cancelled").get_data(as_text=True)
    assert "Pay by card" not in cancelled and "The reservation time is over" in cancelled
    assert snapshot() == before
