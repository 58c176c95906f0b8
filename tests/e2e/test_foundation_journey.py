"""The foundation, end to end in a real browser.

A person signs up, a site admin reads the confirmation email in the outbox (in a second
browser), the person follows its link, signs out and in again; then an organizer creates
a new edition and gives it a theme, a format and a room, all through the pages.
"""

from __future__ import annotations

import re
from urllib.parse import urlsplit

import pytest

from convention.editions.models import Role
from tests.e2e.conftest import VIEWPORTS, save_screenshots
from tests.factories import PASSWORD, give_role, make_edition, make_user

pytestmark = pytest.mark.e2e

PERSON = {"name": "Nadia Nowak", "email": "nadia@example.org", "password": "purple-otter-lamp-42"}
CONFIRM_LINK = re.compile(r"https?://\S+/confirm/\S+")


class Browsing:
    """Browser contexts for several people, each page screenshotted as it is reached."""

    def __init__(self, browser, live_server):
        self.browser = browser
        self.live_server = live_server
        self.contexts = []
        self.csp_violations = []
        self.step = 0

    def new_page(self):
        context = self.browser.new_context(base_url=self.live_server, viewport=VIEWPORTS["laptop"])
        self.contexts.append(context)
        page = context.new_page()
        page.set_default_timeout(10_000)
        page.on("console", self._watch_console)
        return page

    def _watch_console(self, message):
        if "Content Security Policy" in message.text:
            self.csp_violations.append(message.text)

    def shoot(self, page, name: str) -> None:
        self.step += 1
        save_screenshots(page, f"journey-{self.step:02d}-{name}")

    def close(self):
        for context in self.contexts:
            context.close()


@pytest.fixture
def browsing(browser, live_server):
    session = Browsing(browser, live_server)
    yield session
    session.close()


def sign_in(page, email: str, password: str) -> None:
    page.goto("/login")
    page.get_by_label("Email").fill(email)
    page.get_by_label("Password", exact=True).fill(password)
    with page.expect_navigation():  # the next page, not the sign-in page already loaded
        page.get_by_role("button", name="Sign in").click()


def submit(page, button: str) -> None:
    with page.expect_navigation():
        page.get_by_role("button", name=button).click()


def test_sign_up_confirm_sign_in_and_create_an_edition(browsing):
    # -- A person signs up through the form ------------------------------------------------
    person = browsing.new_page()
    person.goto("/signup")
    assert person.get_by_role("heading", name="Create your account").is_visible()
    person.get_by_label("Full name").fill(PERSON["name"])
    person.get_by_label("Email").fill(PERSON["email"])
    person.get_by_label("Password", exact=True).fill(PERSON["password"])
    person.get_by_label("Repeat the password").fill(PERSON["password"])
    browsing.shoot(person, "signup-form")
    submit(person, "Create account")
    # The same answer for any address (an existing account's owner gets an email), so
    # nobody is signed in yet: the sign-in page says what happens next.
    assert person.get_by_text("Thank you. We sent an email to that address: follow its link to confirm it, "
                              "then sign in here.").is_visible()
    assert person.get_by_role("heading", name="Sign in").is_visible()
    browsing.shoot(person, "signed-up")

    # -- A site admin reads the confirmation email in the outbox, in another browser ------
    admin_user = make_user(name="Ada Admin", is_admin=True)
    admin = browsing.new_page()
    sign_in(admin, admin_user.email, PASSWORD)
    admin.get_by_role("link", name="Outbox").click()
    admin.wait_for_url("**/admin/outbox/")
    assert admin.get_by_role("heading", name="Outbox").is_visible()
    row = admin.get_by_role("row").filter(has_text=PERSON["email"])
    assert row.get_by_text("kept", exact=True).is_visible()
    browsing.shoot(admin, "outbox")
    row.get_by_role("link", name="Confirm your email address").click()
    admin.wait_for_url(re.compile(r".*/admin/outbox/\d+$"))
    assert admin.get_by_role("heading", name="Confirm your email address").is_visible()
    body = admin.locator("pre.mail-body").inner_text()
    assert f"Hello {PERSON['name']}," in body
    browsing.shoot(admin, "outbox-message")
    link = CONFIRM_LINK.search(body).group(0)

    # -- The person follows the link ------------------------------------------------------
    parts = urlsplit(link)
    person.goto(parts.path + (f"?{parts.query}" if parts.query else ""))
    # Opening the link shows a button (mail scanners open links); pressing it confirms.
    assert person.get_by_role("heading", name="Confirm your email address").is_visible()
    browsing.shoot(person, "confirm-email")
    submit(person, "Confirm my address")
    assert person.get_by_text("Thank you, your email address is confirmed.").is_visible()
    browsing.shoot(person, "email-confirmed")
    sign_in(person, PERSON["email"], PERSON["password"])
    assert person.get_by_role("link", name=PERSON["name"]).is_visible()  # signed in, name in the menu

    # -- Signs out, and in again ------------------------------------------------------------
    submit(person, "Sign out")
    assert person.get_by_text("You are signed out.").is_visible()
    assert person.get_by_role("link", name="Sign in").is_visible()
    browsing.shoot(person, "signed-out")
    person.goto("/login")
    assert person.get_by_role("heading", name="Sign in").is_visible()
    browsing.shoot(person, "login-form")
    sign_in(person, PERSON["email"], PERSON["password"])
    assert person.get_by_role("link", name=PERSON["name"]).is_visible()
    person.get_by_role("link", name=PERSON["name"]).click()
    person.wait_for_url("**/account")
    assert person.get_by_text(PERSON["email"]).first.is_visible()
    browsing.shoot(person, "profile")

    # -- An organizer creates an edition with a theme, a format and a room ----------------
    organizer_user = make_user(name="Olga Organizer")
    give_role(make_edition(name="Cyber Security Convention 2026"), organizer_user, Role.ORGANIZER)
    organizer = browsing.new_page()
    sign_in(organizer, organizer_user.email, PASSWORD)
    organizer.goto("/manage/new")
    assert organizer.get_by_role("heading", name="New edition").is_visible()
    organizer.get_by_label("Name", exact=True).fill("Cyber Security Convention 2028")
    organizer.get_by_label("Address", exact=True).fill("csc-2028")
    organizer.get_by_label("Tagline").fill("Defending small companies, together.")
    organizer.get_by_label("First day").fill("2028-03-14")
    organizer.get_by_label("Last day").fill("2028-03-15")
    organizer.get_by_label("Venue", exact=True).fill("Ghent ICC")
    browsing.shoot(organizer, "new-edition-form")
    submit(organizer, "Save edition")
    organizer.wait_for_url("**/csc-2028/manage/")
    assert organizer.get_by_text("Cyber Security Convention 2028 is created as a draft, with the default themes and "
                                 "formats: only its team sees it until you publish it.").is_visible()
    assert organizer.get_by_role("heading", name="Cyber Security Convention 2028 · organizer area").is_visible()
    browsing.shoot(organizer, "edition-created")

    items = [
        ("theme", "themes", {"Name": "Cloud security", "Description": "Keeping workloads safe in shared clouds."},
         "Save theme", "Keeping workloads safe in shared clouds."),
        ("format", "formats", {"Name": "Lightning talk", "Duration (minutes)": "10"}, "Save format", "10 min"),
        ("room", "rooms", {"Name": "Room Brugge", "Capacity (seats)": "180"}, "Save room", "180 seats"),
    ]
    for label, key, fields, button, shown in items:
        organizer.locator(f"#{key}").get_by_role("link", name=f"Add {label}").click()
        organizer.wait_for_url(f"**/csc-2028/manage/{key}/new")
        assert organizer.get_by_role("heading", name=f"New {label}").is_visible()
        for field_label, value in fields.items():
            organizer.get_by_label(field_label, exact=True).fill(value)
        browsing.shoot(organizer, f"new-{label}-form")
        submit(organizer, button)
        assert organizer.get_by_text(f"The {label} is saved.").is_visible()
        row = organizer.locator(f"#{key}").get_by_role("row").filter(has_text=fields["Name"])
        assert row.get_by_text(shown).is_visible()
        browsing.shoot(organizer, f"{label}-added")

    # A draft until it is published; then the public landing page shows the new theme and format.
    assert organizer.get_by_role("link", name="Cyber Security Convention 2028 Draft").is_visible()
    submit(organizer, "Publish the edition")
    assert organizer.get_by_text("Cyber Security Convention 2028 is published: its pages are public.").is_visible()
    organizer.goto("/csc-2028/")
    assert organizer.get_by_role("heading", name="Cyber Security Convention 2028", level=1).is_visible()
    assert organizer.get_by_role("heading", name="Cloud security").is_visible()
    assert organizer.get_by_text("Lightning talk").is_visible()
    browsing.shoot(organizer, "edition-landing")

    assert browsing.csp_violations == []
