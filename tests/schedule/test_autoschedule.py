"""The "Run scheduler" button: the solver places the talks, pins hold, the report says how well."""

from __future__ import annotations

from datetime import time

import pytest
import sqlalchemy as sa

from convention.core.errors import Conflict
from convention.extensions import db
from convention.schedule import grid, setup
from convention.schedule.autoschedule import run_scheduler
from convention.schedule.checks import all_problems
from convention.schedule.models import Slot
from convention.schedule.placement import place_talk, set_pinned
from tests.conftest import Auth, csrf_token_from


def _slots():
    return {s.proposal_id: s for s in db.session.scalars(sa.select(Slot))}


def test_the_scheduler_places_every_talk_without_hard_problems(sched):
    report = run_scheduler(sched.edition, actor=sched.organizer, time_limit=5)
    assert (report.placed, report.total) == (3, 3)
    assert set(_slots()) == {sched.first.id, sched.second.id, sched.third.id}
    problems = all_problems(grid.load_plan(sched.edition))
    assert not any(p.hard or p.kind == "speaker_busy" for found in problems.values() for p in found)
    assert "placed 3 of 3 talks" in report.summary


def test_pinned_talks_stay_and_a_room_block_is_respected(sched):
    place_talk(sched.edition, sched.first, sched.small, sched.at(16), actor=sched.organizer)
    set_pinned(sched.edition, sched.first, True, actor=sched.organizer)
    for starts, ends in ((time(9), time(12)), (time(13), time(18))):  # the auditorium is closed all day
        setup.save_block(sched.edition, setup.BlockData("other", "Set-up", sched.day, starts, ends, sched.big.id, True),
                         actor=sched.organizer)
    report = run_scheduler(sched.edition, actor=sched.organizer, time_limit=5)
    slots = _slots()
    assert (slots[sched.first.id].room_id, slots[sched.first.id].starts_at) == (sched.small.id, sched.at(16))
    assert all(slot.room_id == sched.small.id for slot in slots.values())
    assert report.placed == len(slots) == 3


def test_nothing_to_schedule_is_refused(sched):
    for day in setup.list_days(sched.edition):
        setup.delete_day(sched.edition, day, actor=sched.organizer)
    with pytest.raises(Conflict, match="Add days, rooms"):
        run_scheduler(sched.edition, actor=sched.organizer)


def test_run_button_reports(client, sched):
    Auth(client).login(sched.organizer.email)
    url = f"/{sched.edition.slug}/manage/schedule/"
    token = csrf_token_from(client.get(url).get_data(as_text=True))
    answer = client.post(f"{url}run", data={"csrf_token": token}, follow_redirects=True)
    assert answer.status_code == 200
    assert "The scheduler placed 3 of 3 talks" in answer.get_data(as_text=True)
