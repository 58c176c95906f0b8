"""Browser journey: an organizer is sent to set up two-factor sign-in before the organizer
pages, sets it up with a code computed from the secret the page shows, signs out, signs in
again with password and code, changes something (marks an order paid) and finds that
change, under their name, in the edition's audit log."""

from __future__ import annotations

import re
import time

import pyotp
import pytest
from playwright.sync_api import expect

from tests.e2e.conftest import save_screenshots
from tests.factories import PASSWORD, make_edition, make_user
from tests.registration.helpers import buy, make_ticket_type

pytestmark = pytest.mark.e2e


def sign_in_with_password(page, email: str) -> None:
    page.goto("/login")
    page.get_by_label("Email").fill(email)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    page.wait_for_url(lambda url: not url.endswith("/login"))
    # Let the landing page finish: a late request of it carries the session cookie as it
    # was and would answer with that copy, dropping a message flashed in between.
    page.wait_for_load_state("networkidle")


def set_up_two_factor(page) -> tuple[str, list[str]]:
    """On the setup page: start, read the key, type the code an app would show."""
    page.get_by_role("button", name="Set up two-factor sign-in").click()
    secret = page.locator("#totp-secret").get_attribute("data-secret")
    shown = page.locator("#totp-secret").inner_text()
    assert shown.replace(" ", "") == secret
    page.wait_for_load_state("load")
    assert page.locator("img.qr-code").evaluate("img => img.complete && img.naturalWidth > 0")
    save_screenshots(page, "two-factor-1-setup")
    page.get_by_label("Code from your app").fill(pyotp.TOTP(secret).now())
    page.get_by_role("button", name="Turn on two-factor sign-in").click()
    codes = page.locator("#recovery-codes li").all_inner_texts()
    assert len(codes) == 10
    save_screenshots(page, "two-factor-2-recovery-codes")
    page.get_by_role("link", name="I have saved my recovery codes").click()
    return secret, codes


def next_step_code(secret: str) -> str:
    """A code the server has not seen yet: setup spent the current step's code."""
    return pyotp.TOTP(secret).at(int(time.time()) + 30)


def sign_out(page) -> None:
    page.get_by_role("button", name="Sign out").click()
    page.wait_for_url(re.compile(r".*/$"))


def test_organizer_sets_up_two_factor_and_signs_in_with_a_code(app, page, monkeypatch):
    monkeypatch.setitem(app.config, "REQUIRE_ORGANIZER_2FA", True)
    organizer = make_user(name="Olivia Organizer", email="olivia@example.org")
    edition = make_edition(organizer=organizer, slug="csc-2027", name="Cyber Security Convention 2027")
    transfer = buy(edition, {make_ticket_type(edition, name="Conference pass", price_cents=29500): 1},
                   email="transfer@example.org")
    violations = []
    page.on("console", lambda msg: violations.append(msg.text) if "Content Security Policy" in msg.text else None)

    sign_in_with_password(page, organizer.email)
    page.goto(f"/{edition.slug}/manage/team")
    page.wait_for_url(re.compile(r".*/account/two-factor\?next=.*"))
    expect(page.get_by_text("Organizer and admin pages need two-factor sign-in")).to_be_visible()
    secret, _codes = set_up_two_factor(page)
    page.wait_for_url(f"**/{edition.slug}/manage/team")  # the link goes on to the page asked for

    sign_out(page)
    sign_in_with_password(page, organizer.email)
    page.wait_for_url("**/login/code")
    page.get_by_label("Code", exact=True).fill(next_step_code(secret))
    save_screenshots(page, "two-factor-3-code")
    page.get_by_role("button", name="Continue").click()
    page.wait_for_url(lambda url: "/login" not in url)
    page.wait_for_load_state("networkidle")
    page.goto(f"/{edition.slug}/manage/team")
    assert page.url.endswith(f"/{edition.slug}/manage/team")
    assert page.get_by_role("heading", level=1).count() == 1

    find_own_change_in_the_audit_log(page, edition, transfer)
    assert violations == []


def find_own_change_in_the_audit_log(page, edition, order) -> None:
    page.goto(f"/{edition.slug}/manage/orders/{order.code}")
    page.get_by_role("button", name="Mark as paid").click()
    page.get_by_role("link", name="Audit log").first.click()
    page.wait_for_url(f"**/{edition.slug}/manage/audit/")
    page.get_by_label("Action").fill("order.")
    page.get_by_role("button", name="Filter").click()
    row = page.locator(".audit-table tbody tr").first
    assert "order.paid" in row.inner_text() and "Olivia Organizer" in row.inner_text()
    save_screenshots(page, "two-factor-4-audit-log")
