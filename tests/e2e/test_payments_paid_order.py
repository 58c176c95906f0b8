"""A buyer orders a paid ticket in the browser and pays on (a stand-in for) Stripe Checkout.

Only Stripe's side is replaced: the server talks to ``FakeStripeAPI`` under the stripe
library, the browser's navigation to checkout.stripe.com is answered by ``page.route``
with a tiny page (no network), and the test delivers the signed
``checkout.session.completed`` webhook to the live server, as Stripe would. The success
page reloads itself until the webhook has landed, then says the order is paid.
"""

from __future__ import annotations

import json
import urllib.request

import pytest
import sqlalchemy as sa

from convention.core.security import build_csp
from convention.extensions import db
from convention.payments.models import StripeCheckout
from convention.registration.models import Order, OrderState
from tests.e2e.conftest import save_screenshots
from tests.factories import make_edition
from tests.payments.conftest import stripe_api  # noqa: F401  (fixture: Stripe on, fake HTTP layer)
from tests.payments.fake_stripe import make_event, signed_webhook
from tests.registration.helpers import make_ticket_type

pytestmark = pytest.mark.e2e

FAKE_CHECKOUT_PAGE = """<!doctype html><html><head><title>Stripe Checkout (test double)</title></head>
<body><h1>Stripe Checkout (test double)</h1><p>Session {session}: {amount}</p>
<a id="back" href="{success_url}">Return to the shop after paying</a></body></html>"""


@pytest.fixture
def stripe_csp(app, monkeypatch):
    """The policy create_app builds when STRIPE_SECRET_KEY is set (load_config adds the checkout host)."""
    from convention.config import load_config

    monkeypatch.setenv("STRIPE_SECRET_KEY", "sk_test_for_the_policy")
    extra = load_config(app.instance_path)["CSP_EXTRA_SOURCES"]
    assert extra == {"form-action": ["https://checkout.stripe.com"]}
    monkeypatch.setitem(app.extensions, "csp_header", build_csp(extra))


def _post_webhook(live_server: str, event: dict) -> tuple[int, dict]:
    body, headers = signed_webhook(event)
    url = f"{live_server}/payments/stripe/webhook"  # our own loopback server, http only
    request = urllib.request.Request(url, data=body, headers=headers, method="POST")  # noqa: S310
    with urllib.request.urlopen(request, timeout=10) as response:  # noqa: S310
        return response.status, json.loads(response.read())


def test_paid_order_becomes_paid_when_the_signed_webhook_arrives(page, live_server, stripe_api, stripe_csp):  # noqa: F811
    edition = make_edition(name="Cyber Security Convention 2027", slug="csc27")
    make_ticket_type(edition, name="Conference pass", price_cents=24200, capacity=50)
    violations, stripe_pages = [], []
    page.on("console", lambda msg: violations.append(msg.text) if "Content Security Policy" in msg.text else None)

    def fake_checkout(route, request):
        stripe_pages.append(request.url)
        session = stripe_api.sessions[request.url.rsplit("/", 1)[1]]
        route.fulfill(status=200, content_type="text/html", body=FAKE_CHECKOUT_PAGE.format(
            session=session["id"], amount=f"{session['amount_total'] / 100:.2f} {session['currency'].upper()}",
            success_url=session["success_url"]))

    page.route("https://checkout.stripe.com/**", fake_checkout)

    # 1. The shop: one conference pass.
    page.goto("/csc27/tickets/")
    page.get_by_label("Number of Conference pass").select_option("1")
    save_screenshots(page, "payments-1-shop")
    page.get_by_role("button", name="Continue").click()

    # 2. The order form.
    page.wait_for_url("**/csc27/tickets/checkout?**")
    page.get_by_label("Your name").fill("Bea Buyer")
    page.get_by_label("Email for the confirmation").fill("bea@example.org")
    page.locator("fieldset.attendee-card").get_by_label("Name").fill("Bea Buyer")
    page.get_by_label("I have read the privacy notice").check()
    save_screenshots(page, "payments-2-checkout")
    page.get_by_role("button", name="Place order and pay €242.00").click()

    # 3. Redirected to Stripe Checkout (answered locally by the route above).
    page.wait_for_url("https://checkout.stripe.com/c/pay/cs_test_*")
    assert page.locator("h1").inner_text() == "Stripe Checkout (test double)"
    assert "242.00 EUR" in page.locator("p").inner_text()
    save_screenshots(page, "payments-3-stripe")
    order = db.session.scalar(sa.select(Order).where(Order.email == "bea@example.org"))
    checkout = db.session.scalar(sa.select(StripeCheckout).where(StripeCheckout.order_id == order.id))
    assert stripe_pages == [f"https://checkout.stripe.com/c/pay/{checkout.session_id}"]
    assert [r.idempotency_key for r in stripe_api.sent("POST", "/v1/checkout/sessions")] == [f"checkout-{order.code}-1"]

    # 4. Back on the success page before Stripe's webhook: not paid, and it keeps checking.
    page.locator("#back").click()
    page.wait_for_url(f"**/csc27/orders/{order.secret}/payment/done")
    assert page.locator("h1").inner_text() == "Waiting for the payment confirmation…"
    save_screenshots(page, "payments-4-waiting")
    db.session.refresh(order)
    assert order.state is OrderState.RESERVED

    # 5. Stripe delivers the signed event; the page refreshes itself and shows the real state.
    event = make_event("checkout.session.completed", stripe_api.pay_session(checkout.session_id))
    assert _post_webhook(live_server, event) == (200, {"received": True, "outcome": "applied"})
    page.wait_for_selector('h1[data-state="paid"]', timeout=15_000)
    assert page.locator("h1").inner_text() == "Payment received: your order is paid"
    save_screenshots(page, "payments-5-paid")
    db.session.refresh(order)
    assert order.state is OrderState.PAID
    assert violations == []


def test_organizer_sees_a_flagged_payment_and_resolves_it(page, live_server, stripe_api):  # noqa: F811
    from tests.factories import PASSWORD, make_user
    from tests.payments.conftest import stripe_order

    organizer = make_user(name="Olivia Organizer", email="olivia@example.org")
    edition = make_edition(name="Cyber Security Convention 2027", slug="csc27b", organizer=organizer)
    order, session_id = stripe_order(edition, email="short@example.org")
    underpaid = make_event("checkout.session.completed", stripe_api.pay_session(session_id, amount_total=2000))
    assert _post_webhook(live_server, underpaid) == (200, {"received": True, "outcome": "mismatch"})

    page.goto("/login")
    page.get_by_label("Email").fill(organizer.email)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    page.goto("/csc27b/manage/payments/")
    card = page.locator(".payment-issue")
    assert card.locator(".badge").inner_text() == "Amount or currency differ from the order"
    assert order.code in card.inner_text()
    assert page.locator("table tbody tr").count() == 1
    save_screenshots(page, "payments-6-organizer-issue")

    card.get_by_label("What was done").fill("Asked the buyer to pay the difference by transfer.")
    card.get_by_role("button", name="Mark resolved").click()
    page.wait_for_selector(".alert-success")
    assert page.locator(".payment-issue").count() == 0
    assert "Asked the buyer to pay the difference" in page.locator("main").inner_text()
    save_screenshots(page, "payments-7-organizer-resolved")
