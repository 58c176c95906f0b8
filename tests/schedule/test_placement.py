"""Placing talks: hard problems are refused and change nothing, soft ones come back as warnings."""

from __future__ import annotations

from datetime import time, timedelta

import pytest
import sqlalchemy as sa

from convention.cfp import submission
from convention.cfp.states import ProposalState
from convention.core.errors import Conflict
from convention.extensions import db
from convention.schedule import grid, setup
from convention.schedule.models import RoomFormat, Slot
from convention.schedule.placement import PlacementRefused, place_talk, unschedule_talk


def _slots():
    return db.session.scalars(sa.select(Slot).order_by(Slot.id)).all()


def test_a_talk_is_placed_for_its_format_length(sched):
    slot, warnings = place_talk(sched.edition, sched.first, sched.big, sched.at(10), actor=sched.organizer)
    assert warnings == []
    assert (slot.room_id, slot.starts_at, slot.ends_at) == (sched.big.id, sched.at(10), sched.at(10, 30))


def test_two_talks_in_one_room_at_once_are_refused(sched):
    place_talk(sched.edition, sched.first, sched.big, sched.at(10), actor=sched.organizer)
    with pytest.raises(PlacementRefused) as refused:
        place_talk(sched.edition, sched.third, sched.big, sched.at(10, 15), actor=sched.organizer)
    assert "taken by “First talk”" in refused.value.message
    assert [s.proposal_id for s in _slots()] == [sched.first.id]


@pytest.mark.parametrize("hour, minute", [(8, 45), (17, 45), (11, 45), (12, 30)])
def test_outside_opening_hours_or_over_the_break_is_refused(sched, hour, minute):
    with pytest.raises(PlacementRefused) as refused:
        place_talk(sched.edition, sched.first, sched.big, sched.at(hour, minute), actor=sched.organizer)
    assert refused.value.problems[0].kind in ("outside_hours", "blocked")
    assert _slots() == []


def test_a_start_off_the_grid_step_is_refused(sched):
    with pytest.raises(Conflict, match="steps of 5 minutes"):
        place_talk(sched.edition, sched.first, sched.big, sched.at(10, 2), actor=sched.organizer)


def test_a_break_for_one_room_leaves_the_others_free(sched):
    setup.save_block(sched.edition, setup.BlockData("other", "Cleaning", sched.day, time(15), time(16),
                                                    sched.small.id, True), actor=sched.organizer)
    place_talk(sched.edition, sched.first, sched.big, sched.at(15), actor=sched.organizer)
    with pytest.raises(PlacementRefused):
        place_talk(sched.edition, sched.third, sched.small, sched.at(15), actor=sched.organizer)


def test_soft_problems_are_warnings(sched):
    place_talk(sched.edition, sched.first, sched.big, sched.at(10), actor=sched.organizer)
    _slot, warnings = place_talk(sched.edition, sched.second, sched.small, sched.at(10), actor=sched.organizer)
    assert [w.kind for w in warnings] == ["speaker_busy"]
    assert not warnings[0].hard
    problems = grid.build_editor(sched.edition).problems
    assert {kind for p in problems.values() for kind in (x.kind for x in p)} == {"speaker_busy"}
    assert set(problems) == {sched.first.id, sched.second.id}


def test_same_theme_in_parallel_and_format_not_hosted_are_warnings(sched):
    db.session.add(RoomFormat(room_id=sched.small.id, format_id=sched.edition.formats[4].id))  # workshops only
    sched.third.theme_id = sched.first.theme_id
    db.session.flush()
    place_talk(sched.edition, sched.first, sched.big, sched.at(10), actor=sched.organizer)
    _slot, warnings = place_talk(sched.edition, sched.third, sched.small, sched.at(10), actor=sched.organizer)
    assert sorted(w.kind for w in warnings) == ["format", "theme_parallel"]


def test_speaker_availability_is_a_warning(sched):
    from convention.cfp.models import Availability, SpeakerProfile
    profile = db.session.scalar(sa.select(SpeakerProfile).where(SpeakerProfile.user_id == sched.other.id))
    db.session.add(Availability(profile_id=profile.id, starts_at=sched.at(14), ends_at=sched.at(18)))
    db.session.flush()
    _slot, warnings = place_talk(sched.edition, sched.third, sched.big, sched.at(10), actor=sched.organizer)
    assert [w.kind for w in warnings] == ["unavailable"]
    _slot, warnings = place_talk(sched.edition, sched.third, sched.big, sched.at(14), actor=sched.organizer)
    assert warnings == []


def test_moving_keeps_one_slot_and_a_talk_does_not_collide_with_itself(sched):
    place_talk(sched.edition, sched.first, sched.big, sched.at(10), actor=sched.organizer)
    place_talk(sched.edition, sched.first, sched.big, sched.at(10, 15), actor=sched.organizer)
    assert [(s.starts_at, s.ends_at) for s in _slots()] == [(sched.at(10, 15), sched.at(10, 45))]


def test_unschedule_and_cancel_take_the_talk_out(sched):
    place_talk(sched.edition, sched.first, sched.big, sched.at(10), actor=sched.organizer)
    place_talk(sched.edition, sched.third, sched.big, sched.at(11), actor=sched.organizer)
    unschedule_talk(sched.edition, sched.first, actor=sched.organizer)
    with pytest.raises(Conflict):
        unschedule_talk(sched.edition, sched.first, actor=sched.organizer)
    submission.set_proposal_state(sched.third, ProposalState.CANCELLED, actor=sched.organizer)
    assert _slots() == []
    assert {t.id for t in grid.build_editor(sched.edition).unscheduled} == {sched.first.id, sched.second.id}


def test_a_room_in_the_schedule_is_not_deleted(sched):
    from convention.editions.services import ITEM_KINDS, delete_item
    place_talk(sched.edition, sched.first, sched.small, sched.at(10), actor=sched.organizer)
    with pytest.raises(Conflict, match="1 talk in the schedule"):
        delete_item(sched.edition, ITEM_KINDS["rooms"], sched.small, actor=sched.organizer)


def test_the_grid_draws_talks_and_breaks_with_their_length(sched):
    place_talk(sched.edition, sched.first, sched.big, sched.at(10), actor=sched.organizer)
    editor = grid.build_editor(sched.edition)
    (day,) = editor.days
    assert len(day.rows) == 9 * 12  # 09:00-18:00 in steps of 5 minutes
    row = next(r for r in day.rows if r.starts_at == sched.at(10))
    cell = dict((room.id, c) for room, c in row.cells)[sched.big.id]
    assert (cell.kind, cell.rows, cell.talk.id) == ("talk", 6, sched.first.id)
    covered = next(r for r in day.rows if r.starts_at == sched.at(10) + timedelta(minutes=5))
    assert dict((room.id, c) for room, c in covered.cells)[sched.big.id] is None
    lunch_row = next(r for r in day.rows if r.starts_at == sched.at(12))
    assert all(c.kind == "block" and c.rows == 12 for _room, c in lunch_row.cells)


def test_blocks_in_one_room_at_once_are_refused(sched):
    with pytest.raises(Conflict, match="overlaps the block “Lunch”"):
        setup.save_block(sched.edition, setup.BlockData("social", "Photo", sched.day, time(12, 30), time(12, 45),
                                                        sched.small.id, True), actor=sched.organizer)
    setup.save_block(sched.edition, setup.BlockData("social", "Photo", sched.day, time(13), time(13, 15),
                                                    sched.small.id, True), actor=sched.organizer)
    with pytest.raises(Conflict, match="overlaps the block “Photo”"):
        setup.save_block(sched.edition, setup.BlockData("break", "Tea", sched.day, time(13, 10), time(13, 20),
                                                        None, True), actor=sched.organizer)
    setup.save_block(sched.edition, setup.BlockData("other", "Sound check", sched.day, time(13), time(13, 15),
                                                    sched.big.id, True), actor=sched.organizer)
    lunch = setup.save_block(sched.edition, setup.BlockData("break", "Lunch", sched.day, time(12), time(12, 50),
                                                            None, True), actor=sched.organizer, item=sched.lunch)
    assert lunch.ends_at == sched.at(12, 50)
