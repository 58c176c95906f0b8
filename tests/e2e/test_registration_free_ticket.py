"""Browser journey: a buyer gets a free ticket with a voucher, from the shop to the order page."""

import pytest

from convention.extensions import db
from convention.registration.models import Order, OrderState, VoucherKind
from tests.e2e.conftest import save_screenshots
from tests.factories import make_edition
from tests.registration.helpers import make_ticket_type, make_voucher

pytestmark = pytest.mark.e2e


def test_buying_a_free_ticket_with_a_voucher(page):
    edition = make_edition(name="Cyber Security Convention 2027")
    pass_ = make_ticket_type(edition, name="Conference pass", price_cents=29500, capacity=100,
                             description="Both days, lunch and the evening reception.")
    make_ticket_type(edition, name="Student", price_cents=4500, capacity=20)
    make_voucher(edition, code="COMMUNITY", kind=VoucherKind.FREE, value=0, ticket_type_id=pass_.id, max_uses=5)
    violations = []
    page.on("console", lambda msg: violations.append(msg.text) if "Content Security Policy" in msg.text else None)

    page.goto(f"/{edition.slug}/")
    page.get_by_role("link", name="Get tickets").click()
    page.wait_for_url(f"**/{edition.slug}/tickets/")
    assert page.get_by_text("€295.00").is_visible()
    save_screenshots(page, "registration-1-shop")

    page.get_by_label("Voucher code").fill("community")
    page.get_by_role("button", name="Apply").click()
    page.wait_for_url("**/tickets/?*voucher=community")
    assert page.get_by_text("Voucher COMMUNITY applied").is_visible()
    assert page.locator(".ticket-card").first.get_by_text("Free").is_visible()
    save_screenshots(page, "registration-2-voucher-applied")

    page.get_by_label("Number of Conference pass").select_option("1")
    page.get_by_role("button", name="Continue").click()
    page.wait_for_url("**/tickets/checkout?**")
    assert page.locator("#order-total").inner_text() == "€0.00"
    page.get_by_label("Your name").fill("Vera Voucher")
    page.get_by_label("Email for the confirmation").fill("vera@example.org")
    page.locator("#attendees-0-name").fill("Vera Voucher")
    page.locator("#attendees-0-organisation").fill("Open Source Defence Lab")
    page.get_by_label("I have read the privacy notice").check()
    save_screenshots(page, "registration-3-checkout")

    page.get_by_role("button", name="Register").click()
    page.wait_for_url("**/orders/**")
    assert page.locator("#order-state").inner_text() == "Paid"
    assert page.get_by_text("Your registration is confirmed.").is_visible()
    save_screenshots(page, "registration-4-order-page")

    db.session.expire_all()
    order = db.session.query(Order).filter(Order.email == "vera@example.org").one()
    assert (order.state, order.total_cents, order.voucher.code, order.payment_method) == (
        OrderState.PAID, 0, "COMMUNITY", "free")
    assert violations == []
