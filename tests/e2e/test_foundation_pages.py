"""Foundation pages in a real browser: no CSP violations, screenshots at phone and laptop width."""

from __future__ import annotations

import pytest

from convention.editions.models import Role
from convention.extensions import db as _db
from tests.e2e.conftest import save_screenshots
from tests.factories import PASSWORD, give_role, make_edition, make_user

pytestmark = pytest.mark.e2e


@pytest.fixture
def csp_violations(page):
    seen = []
    page.on("console", lambda msg: seen.append(msg.text) if "Content Security Policy" in msg.text else None)
    return seen


def _submit_login(page, email, password=PASSWORD):
    page.goto("/login")
    page.get_by_label("Email").fill(email)
    page.get_by_label("Password").fill(password)
    page.get_by_role("button", name="Sign in").click()


def _sign_in(page, email):
    _submit_login(page, email)
    page.wait_for_url("**/")


def test_account_pages(page, csp_violations):
    page.goto("/signup")
    save_screenshots(page, "foundation-signup")
    page.get_by_label("Full name").fill("Zoë Ó Súilleabháin")
    page.get_by_label("Email").fill("not-an-address")
    page.get_by_label("Password", exact=True).fill("short")
    page.get_by_label("Repeat the password").fill("other")
    page.get_by_role("button", name="Create account").click()
    assert page.get_by_text("This is not a valid email address.").is_visible()
    assert page.get_by_text("The passwords differ.").is_visible()
    save_screenshots(page, "foundation-signup-errors")

    make_user(name="Zoë Ó Súilleabháin", email="zoe@example.org", confirmed=False)
    _submit_login(page, "zoe@example.org", "wrong password here")
    assert page.get_by_text("Invalid email or password.").is_visible()
    save_screenshots(page, "foundation-login-failed")

    _sign_in(page, "zoe@example.org")
    page.goto("/account")
    assert page.get_by_role("button", name="Send the link again").is_visible()
    save_screenshots(page, "foundation-profile")

    page.goto("/forgot-password")
    save_screenshots(page, "foundation-forgot-password")
    page.goto("/reset-password/not-a-real-token")
    assert page.get_by_text("This reset link is not valid.").is_visible()
    save_screenshots(page, "foundation-link-invalid")
    assert csp_violations == []


def test_organizer_pages(page, csp_violations):
    organizer = make_user(name="Olivia Organizer", email="olivia@example.org")
    edition = make_edition(organizer=organizer, slug="csc-2027", name="Cyber Security Convention 2027",
                           tagline="The national convention for people who defend networks.",
                           venue_name="Brussels Expo, Hall 5", venue_address="Place de Belgique 1, 1020 Brussels",
                           description="Two days of talks, workshops and panels.")
    from convention.editions.models import Room

    for position, (name, seats) in enumerate([("Auditorium", 800), ("Room Leuven", 250)]):
        _db.session.add(Room(edition_id=edition.id, name=name, capacity=seats, position=position))
    reviewer = make_user(name='<b>Rosa</b> "Reviewer"', email="rosa@example.org")
    give_role(edition, reviewer, Role.REVIEWER)
    staff = make_user(name="Sam Doorkeeper", email="sam@example.org")
    give_role(edition, staff, Role.CHECKIN)

    page.goto("/csc-2027/")
    save_screenshots(page, "foundation-edition-landing")

    _sign_in(page, "olivia@example.org")
    page.goto("/csc-2027/manage/")
    assert page.get_by_role("heading", name="Edition settings").is_visible()
    save_screenshots(page, "foundation-manage-settings")

    page.goto("/csc-2027/manage/formats/new")
    page.get_by_label("Duration (minutes)").fill("2")
    page.get_by_role("button", name="Save format").click()
    assert page.get_by_text("A session lasts between 5 and 720 minutes.").is_visible()
    assert page.get_by_text("A name is required.").is_visible()
    save_screenshots(page, "foundation-item-form-error")

    page.goto("/csc-2027/manage/team")
    assert page.get_by_text('<b>Rosa</b> "Reviewer"').is_visible()  # shown as text, not markup
    save_screenshots(page, "foundation-team")

    page.goto("/manage/new")
    save_screenshots(page, "foundation-new-edition")
    assert csp_violations == []


def test_error_pages(page, csp_violations):
    response = page.goto("/no-such-edition/")
    assert response.status == 404
    save_screenshots(page, "foundation-404")
    make_user(email="plain@example.org")
    _sign_in(page, "plain@example.org")
    response = page.goto("/admin/outbox/")
    assert response.status == 403
    save_screenshots(page, "foundation-403")
    assert csp_violations == []
