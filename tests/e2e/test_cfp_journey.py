"""A speaker's whole journey through the call for papers, in a real browser.

Sign up, fill the profile (with a photo), submit a proposal answering the organizers'
question, invite a co-speaker who signs up and joins in a second browser, edit the
proposal, see the confirmation in the outbox (as the site admin, in a third browser),
and finally be refused with a clear message when the deadline passes mid-edit.
"""

from __future__ import annotations

import io
import re
from datetime import timedelta

import pytest
import sqlalchemy as sa
from PIL import Image
from playwright.sync_api import expect

from convention.cfp.manage_services import QuestionData, save_question
from convention.cfp.models import Proposal
from convention.cfp.states import ProposalState
from convention.core.timeutil import utcnow
from convention.extensions import db
from convention.mail.models import OutboxMessage
from tests.cfp.helpers import make_proposal
from tests.e2e.conftest import VIEWPORTS, save_screenshots
from tests.factories import make_edition, make_user

pytestmark = pytest.mark.e2e

PASSWORD = "a long passphrase for tests"


def photo_png() -> bytes:
    out = io.BytesIO()
    Image.new("RGB", (320, 320), (20, 120, 140)).save(out, format="PNG")
    return out.getvalue()


def sign_up(page, name: str, email: str) -> None:
    page.get_by_label("Full name").fill(name)
    page.get_by_label("Email").fill(email)
    page.get_by_label("Password", exact=True).fill(PASSWORD)
    page.get_by_label("Repeat the password").fill(PASSWORD)
    page.get_by_role("button", name="Create account").click()
    # Nobody is signed in by sign-up (it answers alike for a known address): the person
    # confirms the address with the emailed link's button, then signs in and goes on.
    expect(page.get_by_text("We sent an email to that address")).to_be_visible()
    sign_in_url = page.url
    body = db.session.scalar(sa.select(OutboxMessage.body_text).where(
        OutboxMessage.template == "confirm_email", OutboxMessage.recipient == email))
    page.goto("/" + re.search(r"http://\S+/confirm/\S+", body).group(0).split("/", 3)[3])
    page.get_by_role("button", name="Confirm my address").click()
    expect(page.get_by_text("Thank you, your email address is confirmed.")).to_be_visible()
    page.goto(sign_in_url)
    page.get_by_label("Email").fill(email)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()


def test_speaker_journey(browser, live_server):
    organizer = make_user(name="Olivia Organizer", email="olivia@example.org")
    make_user(name="Ada Admin", email="ada@example.org", is_admin=True, password=PASSWORD)
    edition = make_edition(organizer=organizer, slug="csc27", name="Cyber Security Convention 2027")
    save_question(edition, QuestionData(label="Have you given this talk before? Where?", kind="text", required=True),
                  actor=organizer)
    db.session.commit()
    csp_violations = []

    def new_page():
        context = browser.new_context(base_url=live_server, viewport=VIEWPORTS["laptop"])
        page = context.new_page()
        page.set_default_timeout(10_000)
        page.on("console", lambda msg: csp_violations.append(msg.text) if "Content Security Policy" in msg.text else None)
        return context, page

    speaker_ctx, page = new_page()
    try:
        # 1. The public call page, then sign up from it.
        page.goto("/csc27/cfp/")
        assert page.get_by_role("heading", level=1).inner_text().startswith("Share what you know")
        assert page.locator(".cfp-countdown").inner_text().endswith("left.")
        save_screenshots(page, "cfp-01-call")
        page.get_by_role("link", name="Create an account to submit").click()
        sign_up(page, "Sofia Speaker", "sofia@example.org")
        page.wait_for_url("**/csc27/cfp/submit")

        # 2. The speaker profile, with a photo.
        page.goto("/csc27/cfp/profile")
        page.get_by_label("Job title").fill("Security engineer")
        page.get_by_label("Organisation").fill("Kanaal Cloud")
        page.get_by_label("Biography").fill("Sofia builds **resilient** DNS for small ISPs.")
        page.get_by_label("Links").fill("https://sofia.example/")
        page.get_by_label("Photo").set_input_files({"name": "me.png", "mimeType": "image/png", "buffer": photo_png()})
        page.get_by_role("button", name="Save profile").click()
        expect(page.get_by_text("Your speaker profile is saved.")).to_be_visible()
        page.wait_for_function("() => document.querySelector('.cfp-speaker img.cfp-avatar')?.naturalWidth === 320")
        save_screenshots(page, "cfp-02-profile")

        # 3. A proposal, with the organizers' question answered.
        page.goto("/csc27/cfp/")
        page.get_by_role("link", name="Submit a proposal").first.click()
        page.get_by_label("Title").fill("Hardening DNS resolvers for small ISPs")
        page.get_by_label("Theme").select_option(label="DNS and Internet infrastructure")
        page.get_by_label("Format").select_option(label="Talk (45 min) · 45 min")
        page.get_by_label("Audience level").select_option("intermediate")
        page.get_by_role("combobox", name="Language").select_option("en")  # not the footer's language switcher
        page.get_by_label("Abstract").fill("What we changed on our resolvers after an amplification attack.")
        assert page.locator(".cfp-counter").inner_text() == "63 / 600 characters"
        page.get_by_label("Description").fill("## Outline\n\n- the attack\n- the fixes\n- what we measure now")
        page.get_by_label("Notes for the committee").fill("I can also give it in Dutch.")
        page.get_by_label("Have you given this talk before? Where?").fill("A short version at a local meetup.")
        save_screenshots(page, "cfp-03-form")
        page.get_by_role("button", name="Submit proposal").click()
        page.wait_for_url(re.compile(r".*/csc27/cfp/proposals/[A-Z0-9]{10}$"))
        expect(page.get_by_text("Your proposal is submitted").first).to_be_visible()
        expect(page.locator(".cfp-state").first).to_have_text("Submitted")
        expect(page.get_by_text("A short version at a local meetup.")).to_be_visible()
        proposal_url = page.url
        code = proposal_url.rsplit("/", 1)[1]
        save_screenshots(page, "cfp-04-submitted")

        # 4. Invite a co-speaker.
        page.get_by_label("Co-speaker's email").fill("carl@example.org")
        page.get_by_role("button", name="Send invitation").click()
        expect(page.get_by_text("We sent an invitation to carl@example.org.")).to_be_visible()

        # 5. The site admin reads the outbox: the confirmation and the invitation are there.
        admin_ctx, admin = new_page()
        try:
            admin.goto("/login")
            admin.get_by_label("Email").fill("ada@example.org")
            admin.get_by_label("Password").fill(PASSWORD)
            admin.get_by_role("button", name="Sign in").click()
            admin.wait_for_url(live_server + "/")
            admin.goto("/admin/outbox/")
            row = admin.locator("tr", has_text="Proposal received: Hardening DNS resolvers for small ISPs")
            assert row.locator("td").nth(1).inner_text() == "sofia@example.org"
            invitation_row = admin.locator("tr", has_text="Sofia Speaker invites you to co-present")
            assert invitation_row.locator("td").nth(1).inner_text() == "carl@example.org"
            save_screenshots(admin, "cfp-05-outbox")
        finally:
            admin_ctx.close()
        # Carl reads the invitation in his mailbox (the outbox row's body).
        (body,) = db.session.scalars(sa.select(OutboxMessage.body_text).where(OutboxMessage.template == "cfp_invitation"))
        invitation_link = re.search(r"http://\S+/csc27/cfp/invite/\S+", body).group(0)

        # 6. The co-speaker, in another browser, signs up from the invitation and joins.
        co_ctx, co = new_page()
        try:
            co.goto("/" + invitation_link.split("/", 3)[3])
            expect(co.get_by_text("You are invited to co-present")).to_be_visible()
            save_screenshots(co, "cfp-06-invitation")
            co.get_by_role("link", name="Create an account").click()
            sign_up(co, "Carl Cospeaker", "carl@example.org")
            # sign_up confirmed Carl's address (the invitation is bound to it) and signed him in.
            co.goto("/" + invitation_link.split("/", 3)[3])
            co.get_by_role("button", name="Join this proposal").click()
            co.wait_for_url(f"**/csc27/cfp/proposals/{code}")
            speakers = co.locator("#speakers .cfp-speaker .fw-semibold").all_inner_texts()
            assert speakers == ["Sofia Speaker", "Carl Cospeaker"]
            save_screenshots(co, "cfp-07-co-speaker-joined")
        finally:
            co_ctx.close()

        # 7. The speaker edits the proposal.
        page.goto(proposal_url)
        page.get_by_role("link", name="Edit", exact=True).click()
        page.get_by_label("Title").fill("Hardening DNS resolvers for small ISPs, two years later")
        page.get_by_role("button", name="Save changes").click()
        page.wait_for_url(proposal_url)
        expect(page.locator("h1")).to_have_text("Hardening DNS resolvers for small ISPs, two years later")
        assert "Last changed" in page.locator(".cfp-facts").inner_text()
        save_screenshots(page, "cfp-08-edited")

        # 8. The deadline passes while the speaker has the form open: refused, nothing saved.
        page.get_by_role("link", name="Edit", exact=True).click()
        page.get_by_label("Title").fill("Changed after the deadline")
        edition.cfp_closes_at = utcnow() - timedelta(minutes=1)
        db.session.commit()
        page.get_by_role("button", name="Save changes").click()
        alert = page.locator(".alert-danger").first
        expect(alert).to_contain_text("The call for papers closed on")
        assert "Your changes were not saved." in alert.inner_text()
        save_screenshots(page, "cfp-09-deadline-refused")
        db.session.expire_all()
        title = db.session.scalar(sa.select(Proposal.title).where(Proposal.code == code))
        assert title == "Hardening DNS resolvers for small ISPs, two years later"
        page.goto("/csc27/cfp/")
        assert "The call closed on" in page.locator(".cfp-deadline").inner_text()
        assert page.get_by_role("link", name="Submit a proposal").count() == 0
        save_screenshots(page, "cfp-10-call-closed")
    finally:
        speaker_ctx.close()
    assert csp_violations == []


def test_organizer_table_and_decision(browser, live_server):
    organizer = make_user(name="Olivia Organizer", email="olivia@example.org", password=PASSWORD)
    speaker = make_user(name="Sofia Speaker", email="sofia@example.org")
    edition = make_edition(organizer=organizer, slug="csc27", name="Cyber Security Convention 2027")
    for n, theme in enumerate(edition.themes):
        make_proposal(edition, speaker, state=ProposalState.SUBMITTED, title=f"Talk {n + 1} about {theme.name}",
                      theme_id=theme.id)
    context = browser.new_context(base_url=live_server, viewport=VIEWPORTS["laptop"])
    page = context.new_page()
    page.set_default_timeout(10_000)
    try:
        page.goto("/login")
        page.get_by_label("Email").fill("olivia@example.org")
        page.get_by_label("Password").fill(PASSWORD)
        page.get_by_role("button", name="Sign in").click()
        page.wait_for_url(live_server + "/")
        page.goto("/csc27/manage/proposals/")
        expect(page.locator(".cfp-table tbody tr")).to_have_count(6)
        page.get_by_label("Theme").select_option(label="Secure coding")
        page.get_by_role("button", name="Filter").click()
        expect(page.locator(".cfp-table tbody tr")).to_have_count(1)
        save_screenshots(page, "cfp-11-organizer-table")
        page.get_by_role("link", name="Talk 6 about Secure coding").click()
        # Accepting is the committee's decision, recorded in the review and told later.
        page.get_by_role("link", name="Accept or reject in the review").click()
        page.get_by_role("button", name="Accept").click()
        expect(page.locator(".review-decision-box")).to_contain_text("(not told yet)")
        expect(page.locator(".cfp-state").first).to_have_text("Submitted")
        save_screenshots(page, "cfp-12-organizer-accepted")
    finally:
        context.close()
