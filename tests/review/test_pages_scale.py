"""The reviewer's and organizer's lists cost the same number of queries with 2 or 12
proposals, and a review or assignment made twice at once is refused, not a 500."""

from __future__ import annotations

import pytest
import sqlalchemy as sa

from convention.core.errors import Conflict
from convention.extensions import db as _db
from convention.review import scoring
from convention.review.models import Review
from convention.review.scoring import ReviewData, save_review
from tests.conftest import Auth, csrf_token_from
from tests.queries import count_queries
from tests.review.helpers import assigned, review_edition, reviewer, score, submitted

PAGES = ("/review/", "/review/queue", "/review/bids", "/manage/review/assignments", "/manage/review/conflicts")


def _grow(edition, organizer, rita, speaker, relevance, quality, n):
    remy = reviewer(edition, name=f"Remy {n}")
    for i in range(n):
        proposal = submitted(edition, speaker, title=f"Talk {n}-{i}")
        assigned(proposal, rita, organizer)
        assigned(proposal, remy, organizer)
        if i % 2:
            score(edition, proposal, rita, {relevance.id: 3, quality.id: 4})


def _counts(client, slug, reviewer_email, organizer_email):
    counts = {}
    for email in (reviewer_email, organizer_email):
        Auth(client).login(email)
        for path in PAGES:
            if path.startswith("/manage") != (email == organizer_email):
                continue
            with count_queries() as statements:
                assert client.get(f"/{slug}{path}").status_code == 200
            counts[path] = len(statements)
        Auth(client).logout()
    return counts


def test_list_pages_do_not_grow_with_the_data(client, db):
    edition, organizer, (relevance, quality), rita, speaker, _proposal = review_edition()
    objects = [edition, organizer, rita, speaker, relevance, quality]
    keys = [(type(o), o.id) for o in objects]
    slug, emails = edition.slug, (rita.email, organizer.email)
    _grow(edition, organizer, rita, speaker, relevance, quality, 2)
    few = _counts(client, slug, *emails)
    edition, organizer, rita, speaker, relevance, quality = [_db.session.get(cls, key) for cls, key in keys]
    _grow(edition, organizer, rita, speaker, relevance, quality, 10)
    many = _counts(client, slug, *emails)
    assert many == few


def test_a_review_saved_twice_at_once_is_refused_not_a_500(monkeypatch, db):
    edition, organizer, (relevance, quality), rita, _speaker, proposal = review_edition()
    assigned(proposal, rita, organizer)
    score(edition, proposal, rita, {relevance.id: 3, quality.id: 3})
    # The second request read "no review yet" before the first one committed.
    monkeypatch.setattr(scoring, "review_of", lambda user, proposal: None)
    with pytest.raises(Conflict, match="another window"):
        save_review(edition, proposal, ReviewData(scores={relevance.id: 5, quality.id: 5}), actor=rita)
    _db.session.rollback()
    assert _db.session.scalar(sa.select(sa.func.count(Review.id))) == 1


def test_organizer_sees_the_conflicts_found(client, db):
    edition, organizer, _criteria, _rita, _speaker, proposal = review_edition()
    reviewer(edition, name="Colleague Cole", email="cole@quartermain-labs.be")
    Auth(client).login(organizer.email)
    page = client.get(f"/{edition.slug}/manage/review/conflicts").get_data(as_text=True)
    assert "No conflicts found yet." in page
    token = csrf_token_from(page)
    answer = client.post(f"/{edition.slug}/manage/review/conflicts/refresh", data={"csrf_token": token})
    assert answer.status_code == 302
    page = client.get(f"/{edition.slug}/manage/review/conflicts").get_data(as_text=True)
    assert "Colleague Cole" in page and proposal.title in page and "Same email domain as a speaker" in page
