"""Scoring: the rules of a review (scale, phase, queue), directly and through the pages."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest

from convention.core.errors import Conflict, DomainError, Forbidden
from convention.review.models import Review
from convention.review.scoring import ReviewData, next_to_review, others_reviews, queue_of, save_review
from tests.conftest import Auth, csrf_token_from
from tests.review.helpers import assigned, review_edition, reviewer, score, set_phase, submitted


@pytest.fixture
def setup(db):
    return review_edition()


def test_scores_outside_the_scale_are_refused(setup, db):
    edition, organizer, (relevance, quality), rita, _speaker, proposal = setup
    assigned(proposal, rita, organizer)
    for values in ({relevance.id: 6, quality.id: 5}, {relevance.id: 0, quality.id: 5},
                   {relevance.id: 3, quality.id: 11}, {relevance.id: 3, quality.id: -1}):
        with pytest.raises(DomainError) as refused:
            save_review(edition, proposal, ReviewData(scores=values), actor=rita)
        assert refused.value.field in (f"score_{relevance.id}", f"score_{quality.id}")
        db.session.rollback()
    with pytest.raises(DomainError, match="Give a score"):
        save_review(edition, proposal, ReviewData(scores={relevance.id: 3}), actor=rita)
    db.session.rollback()
    assert db.session.query(Review).count() == 0


def test_a_review_is_saved_changed_and_counted_in_the_queue(setup, db):
    edition, organizer, (relevance, quality), rita, speaker, proposal = setup
    other = submitted(edition, speaker, title="Another talk")
    assigned(proposal, rita, organizer)
    assigned(other, rita, organizer)
    assert queue_of(rita, edition).to_do == 2
    review = score(edition, proposal, rita, {relevance.id: 5, quality.id: 0}, comment="Good")
    first_submitted = review.submitted_at
    assert queue_of(rita, edition).done == 1
    assert next_to_review(rita, edition, proposal.code) == other.code
    score(edition, proposal, rita, {relevance.id: 2, quality.id: 10}, comment="Changed my mind")
    db.session.refresh(review)
    assert {s.criterion_id: s.value for s in review.scores} == {relevance.id: 2, quality.id: 10}
    assert review.comment == "Changed my mind" and review.submitted_at == first_submitted
    assert db.session.query(Review).count() == 1


def test_only_the_queue_is_scored_and_only_while_open(setup, db):
    edition, organizer, (relevance, quality), rita, _speaker, proposal = setup
    values = {relevance.id: 3, quality.id: 3}
    with pytest.raises(Forbidden):
        save_review(edition, proposal, ReviewData(scores=values), actor=rita)
    db.session.rollback()
    assigned(proposal, rita, organizer)
    set_phase(edition, organizer, opens_in=timedelta(days=-3), closes_in=timedelta(seconds=-1))
    with pytest.raises(Conflict, match="closed"):
        save_review(edition, proposal, ReviewData(scores=values), actor=rita)
    db.session.rollback()
    set_phase(edition, organizer, opens_in=timedelta(days=1))
    with pytest.raises(Conflict, match="not opened"):
        save_review(edition, proposal, ReviewData(scores=values), actor=rita)


def test_others_scores_show_only_after_ones_own(setup, db):
    edition, organizer, (relevance, quality), rita, _speaker, proposal = setup
    remy = reviewer(edition, name="Remy")
    for user in (rita, remy):
        assigned(proposal, user, organizer)
    score(edition, proposal, remy, {relevance.id: 4, quality.id: 8}, comment="Remy's view")
    assert others_reviews(rita, edition, proposal) is None
    score(edition, proposal, rita, {relevance.id: 2, quality.id: 2})
    others = others_reviews(rita, edition, proposal)
    assert [(o.label, o.total, o.comment) for o in others] == [("Reviewer 1", (4 * 2 + 8) / 3, "Remy's view")]
    set_phase(edition, organizer, after_own=False)
    assert len(others_reviews(remy, edition, proposal)) == 1


def _login(client, email):
    assert Auth(client).login(email).status_code == 302


def test_scoring_page_saves_and_moves_to_the_next(setup, client, db):
    edition, organizer, (relevance, quality), rita, speaker, proposal = setup
    other = submitted(edition, speaker, title="Zz last talk")
    assigned(proposal, rita, organizer)
    assigned(other, rita, organizer)
    _login(client, rita.email)
    url = f"/{edition.slug}/review/proposals/{proposal.code}/score"
    page = client.get(url)
    html = page.get_data(as_text=True)
    assert page.status_code == 200 and "autofocus" in html and 'type="radio"' in html
    token = csrf_token_from(html)
    refused = client.post(url, data={"csrf_token": token, f"score_{relevance.id}": "9", f"score_{quality.id}": "3",
                                     "submit": "1"})
    assert refused.status_code == 422 and "is scored from 1 to 5" in refused.get_data(as_text=True)
    saved = client.post(url, data={"csrf_token": token, f"score_{relevance.id}": "5", f"score_{quality.id}": "3",
                                   "comment": "Clear", "submit": "1"})
    assert saved.status_code == 302 and saved.headers["Location"].endswith(f"/review/proposals/{other.code}/score")
    again = client.get(url).get_data(as_text=True)
    checked = re.findall(r'<input (?:autofocus )?checked[^>]*name="(score_\d+)"[^>]*value="(-?\d+)"', again)
    assert sorted(checked) == sorted([(f"score_{relevance.id}", "5"), (f"score_{quality.id}", "3")])
    landing = client.get(f"/{edition.slug}/review/").get_data(as_text=True)
    assert "Still to review" in landing and other.code in landing


def test_a_closed_phase_shows_the_review_but_refuses_changes(setup, client, db):
    edition, organizer, (relevance, quality), rita, _speaker, proposal = setup
    assigned(proposal, rita, organizer)
    score(edition, proposal, rita, {relevance.id: 3, quality.id: 3})
    set_phase(edition, organizer, opens_in=timedelta(days=-3), closes_in=timedelta(seconds=-1))
    _login(client, rita.email)
    url = f"/{edition.slug}/review/proposals/{proposal.code}/score"
    page = client.get(url)
    assert page.status_code == 200 and "reviews can no longer change" in page.get_data(as_text=True)
    token = csrf_token_from(page.get_data(as_text=True))
    answer = client.post(url, data={"csrf_token": token, f"score_{relevance.id}": "5", f"score_{quality.id}": "5"})
    assert answer.status_code == 422
    review = db.session.query(Review).one()
    assert sorted(s.value for s in review.scores) == [3, 3]
