"""The automatic scheduler on small instances: every hard rule kept, soft goals met, failures explained."""

from __future__ import annotations

from convention.schedule.conflicts import hard_conflicts, soft_counts
from convention.schedule.diagnostics import BlockKind
from convention.schedule.greedy import greedy_schedule
from convention.schedule.solver import Status, solve
from tests.schedule.helpers import WORKSHOP, at, one_day, placed, problem, random_problem, room, span, talk

LIMIT = 10.0
UNTIL_11 = one_day(((9, 0), (11, 0)))


def test_every_talk_is_placed_inside_opening_hours_and_outside_breaks():
    p = problem([talk(i) for i in range(1, 6)], breaks=[span((10, 30), (11, 0))])
    result = solve(p, time_limit=LIMIT)
    assert result.status == Status.OPTIMAL
    assert result.complete
    assert sorted(result.placements) == [1, 2, 3, 4, 5]
    assert hard_conflicts(p, result.placements) == []
    for placement in result.placements.values():
        end = placement.start + (at(9, 30) - at(9))
        assert at(9) <= placement.start and end <= at(12)
        assert end <= at(10, 30) or placement.start >= at(11)


def test_a_pinned_talk_stays_exactly_where_it_was_pinned():
    pin = placed(2, 10, 5)
    p = problem([talk(1, pinned=pin), talk(2), talk(3, speaker_ids=(7,))], rooms=[room(1), room(2)])
    result = solve(p, time_limit=LIMIT)
    assert result.placements[1] == pin
    assert hard_conflicts(p, result.placements) == []


def test_a_workshop_goes_to_a_room_that_hosts_workshops():
    p = problem([talk(1, 90, format_id=WORKSHOP), talk(2, 90)],
                rooms=[room(1, 500, formats={1}), room(2, 30, formats={1, WORKSHOP})])
    result = solve(p, time_limit=LIMIT)
    assert result.placements[1].room_id == 2
    assert result.placements[2].room_id == 1


def test_speaker_availability_and_double_booking_are_respected():
    # Speaker 5 gives two talks and is only there from 10:30; two rooms would allow parallel talks.
    p = problem([talk(1, speaker_ids=(5,)), talk(2, speaker_ids=(5, 6)), talk(3, speaker_ids=(6,))],
                rooms=[room(1), room(2)], availability={5: (span((10, 30), (12, 0)),)})
    result = solve(p, time_limit=LIMIT)
    assert result.complete
    assert hard_conflicts(p, result.placements) == []
    first, second, third = (result.placements[i].start for i in (1, 2, 3))
    assert first >= at(10, 30) and second >= at(10, 30)
    assert abs((first - second).total_seconds()) >= 30 * 60
    assert abs((second - third).total_seconds()) >= 30 * 60


def test_talks_of_a_theme_run_one_after_the_other_in_one_room():
    talks = [talk(i, theme_id=1 if i <= 3 else 2) for i in range(1, 7)]
    p = problem(talks, rooms=[room(1), room(2)])
    result = solve(p, time_limit=LIMIT)
    assert result.status == Status.OPTIMAL
    counts = soft_counts(p, result.placements)
    assert (counts.theme_clashes, counts.room_changes) == (0, 0)
    assert (result.theme_clashes, result.room_changes) == (0, 0)
    assert len({result.placements[i].room_id for i in (1, 2, 3)}) == 1


def test_the_most_popular_talk_gets_the_largest_room():
    p = problem([talk(1, popularity=1.0, audience=40), talk(2, popularity=9.0, audience=400)],
                rooms=[room(1, 50), room(2, 500)])
    result = solve(p, time_limit=LIMIT)
    assert result.placements[2].room_id == 2
    assert result.placements[1].room_id == 1


def test_capacity_as_a_hard_rule_keeps_a_big_audience_out_of_a_small_room():
    talks = [talk(1, audience=400), talk(2, audience=10)]
    rooms = [room(1, 50), room(2, 500)]
    p = problem(talks, rooms=rooms, capacity_is_hard=True)
    result = solve(p, time_limit=LIMIT)
    assert result.placements[1].room_id == 2
    too_big = problem([talk(1, audience=900)], rooms=rooms, capacity_is_hard=True)
    refused = solve(too_big, time_limit=LIMIT)
    assert refused.status == Status.INFEASIBLE
    assert [b.kind for b in refused.blockers] == [BlockKind.NO_ROOM]
    assert "holds its audience of 900" in refused.blockers[0].message


def test_a_format_no_room_hosts_is_named():
    p = problem([talk(1, format_id=WORKSHOP), talk(2)], rooms=[room(1, formats={1})])
    result = solve(p, time_limit=LIMIT)
    assert result.status == Status.INFEASIBLE
    assert result.placements == {}
    assert [(b.kind, b.talk_ids) for b in result.blockers] == [(BlockKind.NO_ROOM, (1,))]
    assert result.blockers[0].message == "talk 1: no room hosts its format 2"


def test_a_talk_longer_than_the_day_or_outside_availability_is_named():
    p = problem([talk(1, 240), talk(2, speaker_ids=(8,)), talk(3, 45)],
                breaks=[span((10, 0), (10, 15))], availability={8: (span((13, 0), (14, 0)),)})
    result = solve(p, time_limit=LIMIT)
    assert result.status == Status.INFEASIBLE
    messages = {b.talk_ids: b.message for b in result.blockers if b.kind == BlockKind.NO_START}
    assert messages[(1,)] == "talk 1 (240 min) is longer than any opening period (the longest is 180 min)"
    assert messages[(2,)] == "talk 2 (30 min): its speakers (8) are never available together during opening hours"
    assert (3,) not in messages


def test_more_minutes_than_the_rooms_offer_is_a_total():
    p = problem([talk(i, 60) for i in range(1, 5)], breaks=[span((10, 0), (10, 30))])
    result = solve(p, time_limit=LIMIT)
    assert result.status == Status.INFEASIBLE
    totals = [b for b in result.blockers if b.kind == BlockKind.ROOM_MINUTES]
    assert [(b.demanded, b.available, b.talk_ids) for b in totals] == [(240, 150, (1, 2, 3, 4))]


def test_a_speaker_with_more_talks_than_time_is_a_total():
    p = problem([talk(1, 45, speaker_ids=(3,)), talk(2, 45, speaker_ids=(3,))], rooms=[room(1), room(2)],
                availability={3: (span((9, 0), (10, 0)),)})
    result = solve(p, time_limit=LIMIT)
    blocker = next(b for b in result.blockers if b.kind == BlockKind.SPEAKER_MINUTES)
    assert (blocker.speaker_id, blocker.demanded, blocker.available) == (3, 90, 60)


def test_talks_that_fit_alone_but_not_together_are_named_by_the_search():
    # 100 free minutes for 90 minutes of talks, but the break leaves two 50-minute gaps.
    p = problem([talk(1), talk(2), talk(3)], days=UNTIL_11, breaks=[span((9, 50), (10, 10))])
    result = solve(p, time_limit=LIMIT)
    assert result.status == Status.INFEASIBLE
    assert result.blockers[0].kind == BlockKind.CANNOT_FIT_TOGETHER
    assert result.blockers[0].talk_ids == (1, 2, 3)
    assert result.blockers[0].message.startswith("these 3 talks cannot all be placed")


def test_fill_mode_places_as_many_talks_as_fit_and_explains_the_rest():
    p = problem([talk(1), talk(2, popularity=5), talk(3, format_id=WORKSHOP)], days=UNTIL_11,
                breaks=[span((9, 50), (10, 10))], rooms=[room(1, formats={1})])
    result = solve(p, time_limit=LIMIT, fill=True)
    assert result.status == Status.OPTIMAL
    assert sorted(result.placements) == [1, 2]
    assert result.unscheduled == (3,)
    assert [(b.kind, b.talk_ids) for b in result.blockers] == [(BlockKind.NO_ROOM, (3,))]
    crowded = solve(problem([talk(1), talk(2), talk(3)], days=UNTIL_11,
                            breaks=[span((9, 50), (10, 10))]), time_limit=LIMIT, fill=True)
    assert len(crowded.placements) == 2 and len(crowded.unscheduled) == 1
    assert crowded.blockers[0].kind == BlockKind.CROWDED_OUT


def test_fill_mode_completes_a_partly_pinned_grid():
    pins = {1: placed(1, 9), 2: placed(2, 9)}
    p = problem([talk(1, pinned=pins[1]), talk(2, pinned=pins[2]), talk(3), talk(4, 60)], rooms=[room(1), room(2)])
    result = solve(p, time_limit=LIMIT, fill=True)
    assert result.complete
    assert result.placements[1] == pins[1] and result.placements[2] == pins[2]
    assert hard_conflicts(p, result.placements) == []


def test_pinned_talks_that_collide_are_reported_before_any_search():
    p = problem([talk(1, pinned=placed(1, 9)), talk(2, pinned=placed(1, 9, 15)), talk(3)])
    result = solve(p, time_limit=LIMIT, fill=True)
    assert result.status == Status.INFEASIBLE
    assert [(b.kind, b.talk_ids) for b in result.blockers] == [(BlockKind.PINNED_CONFLICT, (1, 2))]


def test_progress_is_reported_with_objective_and_bound():
    seen = []
    result = solve(problem([talk(1), talk(2, theme_id=1), talk(3, theme_id=1)], rooms=[room(1), room(2)]),
                   time_limit=LIMIT, on_progress=seen.append)
    assert seen and seen[-1].objective == result.objective
    assert all(p.bound <= p.objective for p in seen)


def test_a_random_conference_is_scheduled_without_hard_conflicts():
    p = random_problem(seed=3)
    result = solve(p, time_limit=3, workers=2)  # a feasible answer within the limit is the contract
    assert result.complete
    assert hard_conflicts(p, result.placements) == []
    assert result.theme_clashes == soft_counts(p, result.placements).theme_clashes


def test_the_greedy_start_keeps_every_hard_rule():
    for seed in range(5):
        p = random_problem(seed)
        first = greedy_schedule(p)
        assert len(first) == len(p.talks)
        assert hard_conflicts(p, first) == []



def test_nothing_to_place_is_an_empty_optimal_schedule():
    result = solve(problem([]), time_limit=LIMIT)
    assert (result.status, dict(result.placements), result.unscheduled, result.blockers) == (Status.OPTIMAL, {}, (), ())


def test_a_stale_hint_is_only_a_starting_point():
    # The old grid put the workshop in a room that no longer hosts it and knows a withdrawn talk 99.
    p = problem([talk(1, 60, format_id=WORKSHOP), talk(2)], rooms=[room(1, formats={1}), room(2)])
    hint = {1: placed(1, 11), 2: placed(2, 11, 30), 99: placed(1, 9)}
    start = greedy_schedule(p, keep=hint)
    assert start[2] == hint[2] and start[1].room_id == 2 and 99 not in start
    result = solve(p, time_limit=LIMIT, hint=hint)
    assert result.status == Status.OPTIMAL
    assert result.placements[1].room_id == 2
    assert hard_conflicts(p, result.placements) == []


def test_workshops_that_overflow_their_rooms_are_named_with_those_rooms():
    p = problem([talk(1, 120, format_id=WORKSHOP), talk(2, 90, format_id=WORKSHOP), talk(3)],
                rooms=[room(1, formats={1}), room(2, formats={1, WORKSHOP})])
    result = solve(p, time_limit=LIMIT)
    assert [(b.kind, b.message) for b in result.blockers] == [
        (BlockKind.ROOM_MINUTES, "the 2 talks that can only use rooms 2 (formats 2) need 210 min, "
                                 "those rooms offer 180 min outside breaks")]
