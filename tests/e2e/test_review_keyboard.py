"""A committee member scores their queue with the keyboard alone, in a real browser.

Sign in, follow "Review" in the edition's menu, start on the next proposal: the first
criterion's scale has the focus, the arrow keys pick a score, Tab moves to the next
criterion, Enter saves and opens the next proposal of the queue; after the last one the
queue shows everything reviewed. Speakers' names appear nowhere on the way (blind).
"""

from __future__ import annotations

import pytest
import sqlalchemy as sa
from playwright.sync_api import expect

from convention.extensions import db
from convention.review.models import Review
from tests.e2e.conftest import save_screenshots
from tests.factories import PASSWORD
from tests.review.helpers import assigned, review_edition, submitted

pytestmark = pytest.mark.e2e


def test_reviewer_scores_the_queue_with_the_keyboard(page):
    edition, organizer, (relevance, quality), rita, speaker, first = review_edition()
    second = submitted(edition, speaker, title="Secure boot in the field")
    for proposal in (first, second):
        assigned(proposal, rita, organizer)
    slug = edition.slug
    rita_email = rita.email

    page.goto("/login")
    page.get_by_label("Email").fill(rita_email)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    page.goto(f"/{slug}/")
    page.get_by_role("link", name="Review", exact=True).first.click()
    expect(page.get_by_text("Still to review")).to_be_visible()
    save_screenshots(page, "review-landing")
    page.get_by_role("link", name="Review the next proposal").click()

    for expected_title in ("Resolvers at scale", "Secure boot in the field"):
        expect(page.get_by_role("heading", name=expected_title)).to_be_visible()
        assert "Quartermain" not in page.content()
        if expected_title == "Resolvers at scale":
            save_screenshots(page, "review-score")
        # Focus starts on the first criterion's scale (1..5): two steps right picks 3.
        page.keyboard.press("ArrowRight")
        page.keyboard.press("ArrowRight")
        page.keyboard.press("Tab")  # to the second criterion (0..10): its first value, then right
        page.keyboard.press("ArrowRight")
        page.keyboard.press("Enter")

    expect(page.get_by_text("2 of 2 reviewed.")).to_be_visible()
    reviews = db.session.scalars(sa.select(Review).order_by(Review.id)).all()
    assert len(reviews) == 2
    for review in reviews:
        db.session.refresh(review)
        values = {score.criterion_id: score.value for score in review.scores}
        assert values == {relevance.id: 3, quality.id: 1}
