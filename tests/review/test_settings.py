"""The review phase's settings and the criteria: services and the organizer pages."""

from __future__ import annotations

from datetime import timedelta

import pytest

from convention.core.errors import Conflict, DomainError
from convention.core.timeutil import utcnow
from convention.extensions import db as _db
from convention.review import settings
from convention.review.models import Criterion, ReviewSettings
from tests.conftest import Auth, csrf_token_from
from tests.factories import make_edition, make_user
from tests.review.helpers import assigned, review_edition, score


@pytest.fixture
def setup(db):
    return review_edition()


def test_defaults_without_a_row(db):
    edition = make_edition()
    current = settings.get_settings(edition)
    assert (current.blind, current.scores_visible_after_own, current.reviews_per_proposal) == (True, True, 3)
    assert current.is_open() and settings.phase_state(current) == "open"
    assert _db.session.query(ReviewSettings).count() == 0


def test_settings_refuse_dates_out_of_order_and_odd_counts(db):
    organizer = make_user()
    edition = make_edition(organizer=organizer)
    now = utcnow()
    with pytest.raises(DomainError) as refused:
        settings.save_settings(edition, settings.SettingsData(now, now - timedelta(days=1), True, True, 3),
                               actor=organizer)
    assert refused.value.field == "closes_at"
    with pytest.raises(DomainError):
        settings.save_settings(edition, settings.SettingsData(None, None, True, True, 0), actor=organizer)
    saved = settings.save_settings(edition, settings.SettingsData(now, now + timedelta(days=2), False, False, 2),
                                   actor=organizer)
    assert settings.get_settings(edition) is saved and not saved.blind


def test_criteria_rules(setup, db):
    edition, organizer, (relevance, quality), rita, _zeb, proposal = setup
    data = settings.CriterionData
    for bad, field in ((data(name=""), "name"), (data(name="X", scale_min=5, scale_max=5), "scale_max"),
                       (data(name="X", scale_min=0, scale_max=500), "scale_max"), (data(name="X", weight=0), "weight"),
                       (data(name="relevance"), "name")):
        with pytest.raises(DomainError) as refused:
            settings.save_criterion(edition, bad, actor=organizer)
        assert refused.value.field == field
        _db.session.rollback()
    assigned(proposal, rita, organizer)
    score(edition, proposal, rita, {relevance.id: 4, quality.id: 4})
    with pytest.raises(Conflict):
        settings.save_criterion(edition, data(name="Relevance", scale_min=1, scale_max=10), actor=organizer,
                                criterion=relevance)
    _db.session.rollback()
    settings.save_criterion(edition, data(name="Relevance to the themes", scale_min=1, scale_max=5, weight=3),
                            actor=organizer, criterion=relevance)
    _db.session.commit()
    with pytest.raises(Conflict):
        settings.delete_criterion(quality, actor=organizer)
    _db.session.rollback()
    assert [c.name for c in settings.criteria_of(edition)] == ["Relevance to the themes", "Quality"]


def test_organizer_pages_save_settings_and_criteria(client, db):
    organizer = make_user(email="olga@example.org")
    edition = make_edition(organizer=organizer)
    assert Auth(client).login(organizer.email).status_code == 302
    url = f"/{edition.slug}/manage/review/"
    page = client.get(url)
    assert page.status_code == 200 and "No criteria yet" in page.get_data(as_text=True)
    token = csrf_token_from(page.get_data(as_text=True))
    answer = client.post(url, data={"csrf_token": token, "opens_at": "2030-01-01T09:00",
                                    "closes_at": "2029-01-01T09:00", "reviews_per_proposal": "3"})
    assert answer.status_code == 422 and "close after it opens" in answer.get_data(as_text=True)
    answer = client.post(url, data={"csrf_token": token, "opens_at": "", "closes_at": "2030-01-01T09:00",
                                    "reviews_per_proposal": "2", "scores_visible_after_own": "y"})
    assert answer.status_code == 302
    saved = settings.get_settings(edition)
    assert saved.blind is False and saved.reviews_per_proposal == 2 and saved.closes_at.year == 2030
    new = f"/{edition.slug}/manage/review/criteria/new"
    answer = client.post(new, data={"csrf_token": token, "name": "Originality", "scale_min": "1", "scale_max": "5",
                                    "weight": "2"})
    assert answer.status_code == 302
    criterion = _db.session.query(Criterion).one()
    assert (criterion.name, criterion.weight) == ("Originality", 2)
    answer = client.post(new, data={"csrf_token": token, "name": "Bad", "scale_min": "5", "scale_max": "1",
                                    "weight": "1"})
    assert answer.status_code == 422


def test_the_reviewer_finds_the_review_in_the_edition_menu(setup, client, db):
    edition, _organizer, _criteria, rita, zeb, _proposal = setup
    assert Auth(client).login(rita.email).status_code == 302
    html = client.get(f"/{edition.slug}/").get_data(as_text=True)
    assert f'href="/{edition.slug}/review/"' in html
    client.post("/logout", data={"csrf_token": csrf_token_from(html)})
    assert Auth(client).login(zeb.email).status_code == 302
    assert f'href="/{edition.slug}/review/"' not in client.get(f"/{edition.slug}/").get_data(as_text=True)
