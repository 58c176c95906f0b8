"""Issue 11: the room-size check has a source — the expected audience organizers give a
talk in the grid editor — and flags a room with fewer seats."""

from __future__ import annotations

import pytest

from convention.audit.models import AuditEntry
from convention.core.errors import Conflict
from convention.extensions import db
from convention.schedule import grid
from convention.schedule.checks import all_problems
from convention.schedule.placement import place_talk, set_expected_audience
from tests.conftest import Auth, csrf_token_from


def test_a_room_smaller_than_the_expected_audience_is_flagged(sched):
    place_talk(sched.edition, sched.first, sched.small, sched.at(10), actor=sched.organizer)  # Lab: 20 seats
    assert all_problems(grid.load_plan(sched.edition)) == {}  # no estimate: nothing to flag
    problems = set_expected_audience(sched.edition, sched.first, 80, actor=sched.organizer)
    assert [(p.kind, p.hard, p.message) for p in problems] == [
        ("room_small", False, "The room has 20 seats for about 80 people.")
    ]
    assert [p.kind for p in all_problems(grid.load_plan(sched.edition))[sched.first.id]] == ["room_small"]
    # The big room holds them: no problem there; 20 people fit the Lab exactly.
    _slot, moved = place_talk(sched.edition, sched.first, sched.big, sched.at(10), actor=sched.organizer)
    assert moved == []
    set_expected_audience(sched.edition, sched.first, 20, actor=sched.organizer)
    _slot, back = place_talk(sched.edition, sched.first, sched.small, sched.at(10), actor=sched.organizer)
    assert back == []


def test_clearing_the_estimate_clears_the_warning_and_is_audited(sched):
    place_talk(sched.edition, sched.first, sched.small, sched.at(10), actor=sched.organizer)
    set_expected_audience(sched.edition, sched.first, 500, actor=sched.organizer)
    assert set_expected_audience(sched.edition, sched.first, None, actor=sched.organizer) == []
    assert sched.first.expected_audience is None
    entries = db.session.query(AuditEntry).filter_by(action="schedule.audience_set").order_by(AuditEntry.id).all()
    assert [(e.data["before"], e.data["audience"]) for e in entries] == [(None, 500), (500, None)]


def test_an_unplaced_talk_keeps_its_estimate_for_the_scheduler(sched):
    assert set_expected_audience(sched.edition, sched.second, 150, actor=sched.organizer) == []
    talk = grid.load_plan(sched.edition).problem.talks_by_id[sched.second.id]
    assert talk.audience == 150


@pytest.mark.parametrize("audience", [-1, 100001])
def test_an_impossible_estimate_is_refused(sched, audience):
    with pytest.raises(Conflict) as refused:
        set_expected_audience(sched.edition, sched.first, audience, actor=sched.organizer)
    assert refused.value.field == "expected_audience"


def test_the_editor_form_saves_the_audience_and_warns(client, sched):
    place_talk(sched.edition, sched.first, sched.small, sched.at(10), actor=sched.organizer)
    db.session.commit()
    Auth(client).login(sched.organizer.email)
    url = f"/{sched.edition.slug}/manage/schedule/talks/{sched.first.id}"
    page = client.get(url).get_data(as_text=True)
    assert 'name="audience-expected_audience"' in page
    token = csrf_token_from(page)
    response = client.post(
        f"{url}/audience", data={"csrf_token": token, "audience-expected_audience": "45"}, follow_redirects=True
    )
    html = response.get_data(as_text=True)
    assert "The room has 20 seats for about 45 people." in html and 'value="45"' in html
    db.session.expire_all()
    assert sched.first.expected_audience == 45
    editor = client.get(f"/{sched.edition.slug}/manage/schedule/").get_data(as_text=True)
    assert "The room has 20 seats for about 45 people." in editor
    refused = client.post(f"{url}/audience", data={"csrf_token": token, "audience-expected_audience": "-3"})
    assert refused.status_code == 422
