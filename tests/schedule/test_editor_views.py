"""The organizer pages through the client: setup forms, the grid, the JSON endpoints, the keyboard form."""

from __future__ import annotations

import sqlalchemy as sa

from convention.extensions import db
from convention.schedule.models import RoomFormat, ScheduleDay, Slot
from tests.conftest import Auth, csrf_token_from


def _organizer(client, sched):
    assert Auth(client).login(sched.organizer.email).status_code == 302
    page = client.get(f"/{sched.edition.slug}/manage/schedule/")
    assert page.status_code == 200
    return csrf_token_from(page.get_data(as_text=True)), page.get_data(as_text=True)


def _place(client, sched, token, proposal, room, start):
    return client.post(f"/{sched.edition.slug}/manage/schedule/slots", headers={"X-CSRFToken": token},
                       json={"proposal_id": proposal.id, "room_id": room.id, "start": start.isoformat()})


def test_the_editor_shows_a_table_grid_and_unscheduled_talks(client, sched):
    _token, html = _organizer(client, sched)
    assert '<table class="table table-bordered table-sm schedule-grid">' in html
    assert '<th scope="col">Auditorium' in html
    assert html.count('class="schedule-card schedule-pending') == 3
    assert f'data-start="{sched.at(9).isoformat()}"' in html
    assert "js/schedule-editor.js" in html and "<script>" not in html


def test_json_place_move_and_unschedule(client, sched):
    token, _html = _organizer(client, sched)
    answer = _place(client, sched, token, sched.first, sched.big, sched.at(10))
    assert answer.status_code == 200 and answer.json["ok"] is True
    assert answer.json["slot"]["ends_at"] == sched.at(10, 30).isoformat()
    clash = _place(client, sched, token, sched.third, sched.big, sched.at(10, 15))
    assert clash.status_code == 409
    assert "taken by" in clash.json["error"] and clash.json["problems"][0]["kind"] == "room_busy"
    warned = _place(client, sched, token, sched.second, sched.small, sched.at(10))
    assert warned.status_code == 200 and [w["kind"] for w in warned.json["warnings"]] == ["speaker_busy"]
    html = client.get(f"/{sched.edition.slug}/manage/schedule/").get_data(as_text=True)
    assert "schedule-talk schedule-warn" in html and "A speaker also gives" in html
    gone = client.delete(f"/{sched.edition.slug}/manage/schedule/slots/{sched.second.id}", headers={"X-CSRFToken": token})
    assert gone.status_code == 200
    again = client.post(f"/{sched.edition.slug}/manage/schedule/slots/{sched.second.id}/unschedule",
                        headers={"X-CSRFToken": token}, json={})
    assert again.status_code == 409 and "not in the schedule" in again.json["error"]
    assert db.session.scalars(sa.select(Slot.proposal_id)).all() == [sched.first.id]


def test_json_refuses_bad_input_without_a_500(client, sched):
    token, _html = _organizer(client, sched)
    url = f"/{sched.edition.slug}/manage/schedule/slots"
    assert client.post(url, headers={"X-CSRFToken": token}, data="nonsense",
                       content_type="application/json").status_code == 400
    for body in ({"proposal_id": "x"}, {"proposal_id": 10**12}, {"proposal_id": sched.first.id, "room_id": None},
                 {"proposal_id": sched.first.id, "room_id": sched.big.id, "start": "tomorrow"},
                 {"proposal_id": sched.first.id, "room_id": sched.big.id, "start": "2027-01-01T10:00:00"},
                 {"proposal_id": sched.first.id, "room_id": sched.big.id, "start": "0001-01-01T00:00:00+14:00"},
                 {"proposal_id": sched.first.id, "room_id": sched.big.id, "start": "9999-12-31T23:55:00+00:00"},
                 {"proposal_id": [1], "room_id": {}, "start": None}):
        answer = client.post(url, headers={"X-CSRFToken": token}, json=body)
        assert answer.status_code in (404, 409), body
        assert answer.json["error"]
    assert client.post(url, json={"proposal_id": 1}).status_code == 400  # no CSRF token
    assert db.session.scalar(sa.select(sa.func.count(Slot.id))) == 0


def test_keyboard_form_places_a_talk(client, sched):
    token, _html = _organizer(client, sched)
    prefix = f"talk-{sched.first.id}"
    url = f"/{sched.edition.slug}/manage/schedule/talks/{sched.first.id}"
    answer = client.post(url, data={"csrf_token": token, f"{prefix}-room_id": sched.small.id,
                                    f"{prefix}-day": sched.day.isoformat(), f"{prefix}-time": "12:30"})
    assert answer.status_code == 422 and "overlaps “Lunch”" in answer.get_data(as_text=True)
    answer = client.post(url, data={"csrf_token": token, f"{prefix}-room_id": sched.small.id,
                                    f"{prefix}-day": sched.day.isoformat(), f"{prefix}-time": "14:00"})
    assert answer.status_code == 302
    slot = db.session.scalar(sa.select(Slot))
    assert (slot.room_id, slot.starts_at) == (sched.small.id, sched.at(14))
    page = client.get(url).get_data(as_text=True)
    assert 'value="14:00"' in page


def test_setup_pages_save_days_blocks_rooms_and_refuse_bad_ranges(client, sched):
    token, _html = _organizer(client, sched)
    slug = sched.edition.slug
    assert client.get(f"/{slug}/manage/schedule/setup").status_code == 200
    bad = client.post(f"/{slug}/manage/schedule/days/new", data={
        "csrf_token": token, "day": sched.edition.ends_on.isoformat(), "opens": "18:00", "closes": "09:00"})
    assert bad.status_code == 422 and "closing time must come after" in bad.get_data(as_text=True)
    outside = client.post(f"/{slug}/manage/schedule/days/new", data={
        "csrf_token": token, "day": "2000-01-01", "opens": "09:00", "closes": "17:00"})
    assert outside.status_code == 422 and "Choose a day between" in outside.get_data(as_text=True)
    same = client.post(f"/{slug}/manage/schedule/days/new", data={
        "csrf_token": token, "day": sched.day.isoformat(), "opens": "09:00", "closes": "17:00"})
    assert same.status_code == 422 and "already in the schedule" in same.get_data(as_text=True)
    good = client.post(f"/{slug}/manage/schedule/days/new", data={
        "csrf_token": token, "day": sched.edition.ends_on.isoformat(), "opens": "10:00", "closes": "16:00"})
    assert good.status_code == 302
    assert db.session.scalar(sa.select(sa.func.count(ScheduleDay.id))) == 2
    block = client.post(f"/{slug}/manage/schedule/blocks/new", data={
        "csrf_token": token, "kind": "break", "title": "Coffee", "day": sched.day.isoformat(), "starts": "15:00",
        "ends": "14:30", "room_id": "0", "blocks_talks": "y"})
    assert block.status_code == 422
    room = client.post(f"/{slug}/manage/schedule/rooms/{sched.small.id}", data={
        "csrf_token": token, "description": "Tables and power", "format_ids": [str(sched.edition.formats[4].id)]})
    assert room.status_code == 302
    assert db.session.scalars(sa.select(RoomFormat.format_id)).all() == [sched.edition.formats[4].id]
    assert "Tables and power" in client.get(f"/{slug}/manage/schedule/setup").get_data(as_text=True)
