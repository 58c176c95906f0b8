"""The conflict checker finds each kind of problem the grid editor must show, and nothing on a clean grid."""

from __future__ import annotations

import pytest

from convention.schedule.conflicts import Kind, SoftCounts, find_conflicts, hard_conflicts, soft_counts
from tests.schedule.helpers import WORKSHOP, placed, problem, room, span, talk


def kinds(conflicts):
    return sorted((c.kind, c.talk_ids, c.hard) for c in conflicts)


def test_a_clean_grid_has_no_conflicts_and_back_to_back_talks_do_not_overlap():
    p = problem([talk(1, speaker_ids=(1,), theme_id=1), talk(2, speaker_ids=(1,), theme_id=1), talk(3)],
                rooms=[room(1), room(2)])
    grid = {1: placed(1, 9), 2: placed(1, 9, 30), 3: placed(2, 9)}
    assert find_conflicts(p, grid) == []
    assert soft_counts(p, grid) == SoftCounts(theme_clashes=0, room_changes=0)


def test_two_talks_in_one_room_at_once():
    p = problem([talk(1), talk(2, 45)])
    conflicts = find_conflicts(p, {1: placed(1, 9), 2: placed(1, 9, 15)})
    assert kinds(conflicts) == [(Kind.ROOM_OVERLAP, (1, 2), True)]
    assert conflicts[0].room_id == 1
    assert conflicts[0].message == "talks 1 and 2 overlap in room 1 at Mon 01 Jun 09:15"


def test_a_speaker_in_two_places_at_once():
    p = problem([talk(1, speaker_ids=(4, 5)), talk(2, speaker_ids=(5,))], rooms=[room(1), room(2)])
    conflicts = find_conflicts(p, {1: placed(1, 9), 2: placed(2, 9, 25)})
    assert kinds(conflicts) == [(Kind.SPEAKER_DOUBLE_BOOKED, (1, 2), True)]
    assert conflicts[0].speaker_id == 5


def test_a_talk_over_a_break_or_outside_opening_hours():
    p = problem([talk(1), talk(2), talk(3)], rooms=[room(1), room(2), room(3)], breaks=[span((10, 30), (11, 0))])
    conflicts = find_conflicts(p, {1: placed(1, 10, 15), 2: placed(2, 11, 45), 3: placed(3, 8, 30)})
    assert kinds(conflicts) == [(Kind.BREAK_OVERLAP, (1,), True), (Kind.OUTSIDE_OPENING, (2,), True),
                                (Kind.OUTSIDE_OPENING, (3,), True)]


def test_a_talk_outside_its_speakers_availability():
    p = problem([talk(1, speaker_ids=(2, 3))], availability={3: (span((11, 0), (12, 0)),)})
    conflicts = find_conflicts(p, {1: placed(1, 10, 45)})
    assert kinds(conflicts) == [(Kind.OUTSIDE_AVAILABILITY, (1,), True)]
    assert conflicts[0].speaker_id == 3
    assert find_conflicts(p, {1: placed(1, 11)}) == []


def test_a_room_that_cannot_host_the_format_or_is_unknown():
    p = problem([talk(1, format_id=WORKSHOP), talk(2)], rooms=[room(1, formats={1})])
    conflicts = find_conflicts(p, {1: placed(1, 9), 2: placed(9, 9)})
    assert kinds(conflicts) == [(Kind.FORMAT_NOT_HOSTED, (1,), True), (Kind.UNKNOWN_ROOM, (2,), True)]


def test_a_room_too_small_is_soft_unless_capacity_is_a_hard_rule():
    talks = [talk(1, audience=120)]
    grid = {1: placed(1, 9)}
    assert kinds(find_conflicts(problem(talks, rooms=[room(1, 100)]), grid)) == [(Kind.ROOM_TOO_SMALL, (1,), False)]
    strict = problem(talks, rooms=[room(1, 100)], capacity_is_hard=True)
    assert kinds(hard_conflicts(strict, grid)) == [(Kind.ROOM_TOO_SMALL, (1,), True)]


def test_a_pinned_talk_placed_elsewhere():
    p = problem([talk(1, pinned=placed(1, 10))])
    assert kinds(find_conflicts(p, {1: placed(1, 9)})) == [(Kind.PIN_MOVED, (1,), True)]


def test_talks_of_one_theme_in_parallel_are_a_soft_conflict_and_counted():
    p = problem([talk(i, theme_id=7) for i in (1, 2, 3)], rooms=[room(1), room(2), room(3)])
    grid = {1: placed(1, 9), 2: placed(2, 9, 10), 3: placed(3, 9, 20)}
    conflicts = find_conflicts(p, grid)
    assert kinds(conflicts) == [(Kind.THEME_PARALLEL, (1, 2), False), (Kind.THEME_PARALLEL, (1, 3), False),
                                (Kind.THEME_PARALLEL, (2, 3), False)]
    assert hard_conflicts(p, grid) == []
    assert soft_counts(p, grid) == SoftCounts(theme_clashes=3, room_changes=2)


def test_a_theme_changing_rooms_within_a_day_is_counted_once_per_change():
    p = problem([talk(i, theme_id=1) for i in (1, 2, 3)], rooms=[room(1), room(2)])
    assert soft_counts(p, {1: placed(1, 9), 2: placed(2, 9, 30), 3: placed(2, 10)}).room_changes == 1
    assert soft_counts(p, {1: placed(1, 9), 2: placed(2, 9, 30), 3: placed(1, 10)}).room_changes == 2


def test_a_placement_for_a_talk_the_problem_does_not_know_is_a_programming_error():
    with pytest.raises(ValueError, match="unknown talk 5"):
        find_conflicts(problem([talk(1)]), {5: placed(1, 9)})
