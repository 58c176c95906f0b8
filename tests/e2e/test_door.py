"""Browser journey: door staff sign in, land on the door page, type a demo attendee's code
(as a USB scanner does: the code, then Enter) and read the answer, twice."""

import pytest
import sqlalchemy as sa

from convention.badges.keys import ticket_code
from convention.checkin.models import Checkin
from convention.demo import seed_demo
from convention.editions.models import Edition
from convention.extensions import db
from convention.registration.models import Attendee, Order, OrderState
from tests.e2e.conftest import csp_violations, save_screenshots, sign_in_through_the_form

pytestmark = pytest.mark.e2e


def test_door_staff_check_in_a_demo_attendee_then_see_already_checked_in(page):
    seed_demo()
    db.session.commit()
    edition = db.session.scalar(sa.select(Edition).where(Edition.slug == "demo"))
    inside = sa.select(Checkin.attendee_id).where(Checkin.attendee_id.is_not(None))
    attendee = db.session.scalars(
        sa.select(Attendee).join(Order, Order.id == Attendee.order_id)
        .where(Attendee.edition_id == edition.id, Order.state == OrderState.PAID, Attendee.id.not_in(inside))
        .order_by(Attendee.id).limit(1)
    ).one()
    code = ticket_code(edition.id, attendee.code)
    db.session.commit()
    violations = csp_violations(page)

    sign_in_through_the_form(page, "staff@demo.example", "demo-pass-sam-2026", lands_on="**/demo/checkin/")

    scanner = page.get_by_label("Ticket code")
    assert scanner.evaluate("el => el === document.activeElement")  # a USB scanner can type at once
    scanner.type(code)
    scanner.press("Enter")
    answer = page.locator("#door-answer")
    answer.locator(".door-message").filter(has_text="Checked in").wait_for()
    assert "door-checked_in" in answer.get_attribute("class")
    assert attendee.name in answer.inner_text()
    assert attendee.ticket_type.name in answer.inner_text()
    save_screenshots(page, "door-1-checked-in")

    scanner.type(code)
    scanner.press("Enter")
    answer.locator(".door-message").filter(has_text="Already checked in").wait_for()
    assert "door-already_checked_in" in answer.get_attribute("class")
    assert "Since " in answer.inner_text()
    save_screenshots(page, "door-2-already")

    scanner.type(code[:-4] + ("AAAA" if code[-4:] != "AAAA" else "BAAA"))  # always a change
    scanner.press("Enter")
    answer.locator(".door-message").filter(has_text="Invalid code").wait_for()

    db.session.expire_all()
    entries = db.session.scalar(sa.select(sa.func.count(Checkin.id)).where(
        Checkin.attendee_id == attendee.id, Checkin.status == "checked_in"))
    assert entries == 1
    assert violations == []
