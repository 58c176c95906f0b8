"""The committee's journey, in a real browser: the organizer runs the automatic assignment
from its page, two reviewers score their queues, the organizer accepts and rejects from the
ranking (bulk, one CSRF form), sends the notifications, and the speaker reads the decision
and confirms the talk.
"""

from __future__ import annotations

from datetime import timedelta

import pytest
import sqlalchemy as sa
from playwright.sync_api import expect

from convention.cfp.models import Proposal
from convention.cfp.states import ProposalState
from convention.extensions import db
from convention.mail.models import OutboxMessage
from convention.review.models import Assignment, AssignmentSource
from tests.e2e.conftest import VIEWPORTS, save_screenshots
from tests.factories import make_edition, make_user
from tests.review.helpers import make_criteria, reviewer, set_phase, submitted

pytestmark = pytest.mark.e2e

PASSWORD = "a long passphrase for tests"


def _signed_in(browser, live_server, email, csp_violations):
    context = browser.new_context(base_url=live_server, viewport=VIEWPORTS["laptop"])
    page = context.new_page()
    page.set_default_timeout(10_000)
    page.on("console", lambda msg: csp_violations.append(msg.text) if "Content Security Policy" in msg.text else None)
    page.on("dialog", lambda dialog: dialog.accept())  # the "are you sure?" of sending
    page.goto("/login")
    page.get_by_label("Email").fill(email)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    page.wait_for_url(live_server + "/")
    return context, page


def _score_queue(page, slug, scores_by_title):
    page.goto(f"/{slug}/review/queue")
    for title, (relevance, quality, feedback) in scores_by_title.items():
        page.goto(f"/{slug}/review/queue")
        page.get_by_role("row", name=title).get_by_role("link", name="Score").click()
        page.get_by_role("radiogroup", name="Relevance").get_by_text(str(relevance), exact=True).click()
        page.get_by_role("radiogroup", name="Quality").get_by_text(str(quality), exact=True).click()
        page.get_by_label("Feedback for the speakers (optional)").fill(feedback)
        page.get_by_role("button", name="Save and next").click()
        expect(page.locator(".alert-danger")).to_have_count(0)


def test_reviewers_score_organizer_decides_speaker_confirms(browser, live_server):
    organizer = make_user(name="Olivia Organizer", email="olivia@example.org", password=PASSWORD)
    speaker = make_user(name="Sofia Speaker", email="sofia@example.org", password=PASSWORD)
    edition = make_edition(organizer=organizer, slug="rev27", name="Review Convention 2027")
    make_criteria(edition, organizer)  # Relevance 1-5 (weight 2), Quality 0-10 (weight 1)
    set_phase(edition, organizer, closes_in=timedelta(days=7))
    ann = reviewer(edition, name="Ann Reviewer", email="ann@reviewers.example.org")
    bob = reviewer(edition, name="Bob Reviewer", email="bob@reviewers.example.org")
    for user in (ann, bob):
        user.password_hash = organizer.password_hash  # the same passphrase, without hashing twice
    strong = submitted(edition, speaker, title="Fuzzing parsers in CI")
    weak = submitted(edition, speaker, title="Blockchain for everything")
    db.session.commit()

    csp_violations: list[str] = []
    contexts = []
    try:
        context, page = _signed_in(browser, live_server, organizer.email, csp_violations)
        contexts.append(context)
        page.goto("/rev27/manage/review/assignment/automatic")
        expect(page.locator("#stat-short")).to_have_text("2")
        page.get_by_label("Reviews per proposal").fill("2")
        page.get_by_role("button", name="Run the automatic assignment").click()
        expect(page.get_by_text("The automatic assignment added 4 assignments.")).to_be_visible()
        expect(page.locator("#run-created")).to_have_text("4")
        expect(page.locator("#run-unmet")).to_have_text("0")
        expect(page.locator("#stat-short")).to_have_text("0")
        expect(page.locator("#stat-spread")).to_have_text("0")
        save_screenshots(page, "review-00-automatic-assignment")
        db.session.expire_all()
        pairs = set(db.session.execute(sa.select(Assignment.proposal_id, Assignment.user_id, Assignment.source)).all())
        assert pairs == {(p.id, u.id, AssignmentSource.AUTOMATIC) for p in (strong, weak) for u in (ann, bob)}

        for user, scores in (
            (ann, {strong.title: (5, 9, "Great, concrete demo."), weak.title: (1, 2, "Too broad for the slot.")}),
            (bob, {strong.title: (4, 8, ""), weak.title: (2, 3, "")}),
        ):
            context, page = _signed_in(browser, live_server, user.email, csp_violations)
            contexts.append(context)
            _score_queue(page, "rev27", scores)
            page.goto("/rev27/review/queue")
            expect(page.get_by_text("2 of 2 reviewed.").first).to_be_visible()

        context, page = _signed_in(browser, live_server, organizer.email, csp_violations)
        contexts.append(context)
        page.goto("/rev27/manage/review/ranking")
        rows = page.locator(".review-ranking tbody tr")
        expect(rows).to_have_count(2)
        expect(rows.nth(0)).to_contain_text("Fuzzing parsers in CI")  # the best score first
        save_screenshots(page, "review-01-ranking")
        page.get_by_label("Select Fuzzing parsers in CI").check()
        page.locator("#bulk-decide").get_by_role("button", name="Accept").click()
        expect(page.get_by_text("1 proposal decided.")).to_be_visible()
        page.get_by_label("Select Blockchain for everything").check()
        page.locator("#bulk-decide").get_by_role("button", name="Reject").click()
        expect(rows.nth(1)).to_contain_text("(not told yet)")
        assert db.session.scalar(sa.select(sa.func.count(OutboxMessage.id)).where(
            OutboxMessage.recipient == speaker.email, OutboxMessage.template == "cfp_decision")) == 0

        page.get_by_role("link", name="Review and send the notifications").click()
        expect(page.locator(".review-template-reject .review-preview")).to_contain_text("Too broad for the slot.")
        save_screenshots(page, "review-02-notifications")
        page.get_by_role("button", name="Send the notifications").click()
        expect(page.get_by_text("Notifications sent: 1 accepted, 1 not accepted.")).to_be_visible()

        db.session.expire_all()
        states = dict(db.session.execute(sa.select(Proposal.title, Proposal.state)).all())
        assert states == {strong.title: ProposalState.ACCEPTED, weak.title: ProposalState.REJECTED}
        subjects = sorted(db.session.scalars(sa.select(OutboxMessage.subject).where(
            OutboxMessage.recipient == speaker.email, OutboxMessage.template == "cfp_decision")))
        assert subjects == ["About your proposal: Blockchain for everything", "Accepted: Fuzzing parsers in CI"]

        context, page = _signed_in(browser, live_server, speaker.email, csp_violations)
        contexts.append(context)
        page.goto(f"/rev27/cfp/proposals/{strong.code}")
        expect(page.locator(".cfp-state").first).to_have_text("Accepted")
        page.get_by_role("button", name="Confirm my talk").click()
        expect(page.locator(".cfp-state").first).to_have_text("Confirmed")
        save_screenshots(page, "review-03-speaker-confirmed")
        page.goto(f"/rev27/cfp/proposals/{weak.code}")
        expect(page.locator(".cfp-state").first).to_have_text("Not accepted")
    finally:
        for context in contexts:
            context.close()
    assert csp_violations == []
