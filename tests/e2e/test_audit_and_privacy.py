"""Browser journeys: an organizer finds their own change in the audit log; a person
downloads their data and deletes their account."""

import pytest
import sqlalchemy as sa

from convention.accounts.models import User
from convention.extensions import db
from tests.e2e.conftest import save_screenshots
from tests.e2e.test_two_factor_journey import find_own_change_in_the_audit_log
from tests.factories import PASSWORD, make_edition, make_user
from tests.registration.helpers import buy, make_ticket_type

pytestmark = pytest.mark.e2e


def _sign_in(page, email):
    page.goto("/login")
    page.get_by_label("Email").fill(email)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()


def test_organizer_finds_their_change_in_the_audit_log(page):
    organizer = make_user(name="Olivia Organizer")
    edition = make_edition(organizer=organizer, name="Cyber Security Convention 2027")
    ticket = make_ticket_type(edition, name="Conference pass", price_cents=29500)
    waiting = buy(edition, {ticket: 1}, email="transfer@example.org")
    violations = []
    page.on("console", lambda msg: violations.append(msg.text) if "Content Security Policy" in msg.text else None)

    _sign_in(page, organizer.email)
    find_own_change_in_the_audit_log(page, edition, waiting)
    row = page.locator(".audit-table tbody tr").first
    assert '"state":"paid"' in row.inner_text().replace(" ", "")
    save_screenshots(page, "audit-1-edition-log")
    assert violations == []


def test_a_person_downloads_their_data_then_deletes_their_account(page):
    person = make_user(name="Dana Deleter", email="dana@example.org")
    _sign_in(page, person.email)
    page.goto("/account")
    page.get_by_role("link", name="Your data: download it, or delete your account").click()
    with page.expect_download() as download:
        page.get_by_role("button", name="Download my data").click()
    assert download.value.suggested_filename == "my-data.json"
    save_screenshots(page, "privacy-1-your-data")
    page.get_by_label("Your password").fill(PASSWORD)
    page.get_by_label("I understand that my account and my data are deleted for good.").check()
    page.get_by_role("button", name="Delete my account").click()
    assert page.get_by_text("Your account is deleted.").is_visible()
    db.session.expire_all()
    assert db.session.scalar(sa.select(sa.func.count()).select_from(User).where(User.name == "Dana Deleter")) == 0
