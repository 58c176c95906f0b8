"""Browser journey: an organizer finds a bank-transfer order, marks it paid and sees the sales."""

import pytest

from convention.extensions import db
from convention.registration.models import Order, OrderState
from convention.registration.services import mark_order_paid
from tests.e2e.conftest import save_screenshots
from tests.factories import PASSWORD, make_edition, make_user
from tests.registration.helpers import buy, make_quota, make_ticket_type

pytestmark = pytest.mark.e2e


def test_organizer_marks_a_bank_transfer_paid(page):
    organizer = make_user(name="Olivia Organizer")
    edition = make_edition(organizer=organizer, name="Cyber Security Convention 2027")
    full = make_ticket_type(edition, name="Conference pass", price_cents=29500)
    student = make_ticket_type(edition, name="Student", price_cents=4500, capacity=50)
    make_quota(edition, [full, student], name="Venue", capacity=400)
    for i in range(6):
        paid = buy(edition, {full if i % 3 else student: 1 + i % 2}, email=f"early{i}@example.org")
        mark_order_paid(paid, amount_cents=paid.total_cents, currency="EUR", method="stripe", reference=f"pi_{i}")
    db.session.commit()
    waiting = buy(edition, {full: 2}, email="transfer@example.org", names=["Tine Transfer", "Jef Janssens"])
    violations = []
    page.on("console", lambda msg: violations.append(msg.text) if "Content Security Policy" in msg.text else None)

    page.goto("/login")
    page.get_by_label("Email").fill(organizer.email)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    page.goto(f"/{edition.slug}/manage/")
    page.get_by_role("link", name="Orders", exact=True).first.click()
    page.wait_for_url(f"**/{edition.slug}/manage/orders/")
    page.get_by_label("Search").fill("transfer@")
    page.get_by_role("button", name="Filter").click()
    assert page.locator(".orders-table tbody tr").count() == 1
    save_screenshots(page, "registration-organizer-1-orders")

    page.get_by_role("link", name=waiting.code).click()
    assert page.locator("#order-state").inner_text() == "Awaiting payment"
    page.get_by_placeholder("Bank reference (optional)").fill("KBC 2026-11-27 0042")
    save_screenshots(page, "registration-organizer-2-order")
    page.get_by_role("button", name="Mark as paid").click()
    assert page.locator("#order-state").inner_text() == "Paid"
    assert page.get_by_text(f"Order {waiting.code} is marked as paid").is_visible()

    page.get_by_role("link", name="Sales").click()
    assert page.locator("#stat-paid").inner_text() == "12"  # 9 bought + 2 transferred + the organizer's staff badge
    assert page.locator("svg.sales-chart polyline").count() == 1
    save_screenshots(page, "registration-organizer-3-sales")

    db.session.expire_all()
    order = db.session.get(Order, waiting.id)
    assert (order.state, order.payment_reference) == (OrderState.PAID, "KBC 2026-11-27 0042")
    assert violations == []
