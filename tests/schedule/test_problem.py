"""Where a talk may start: the grid, opening hours, breaks and availability, precomputed."""

from __future__ import annotations

import pytest

from convention.schedule.problem import Grid, Interval, Problem, popularity_ranks
from tests.schedule.helpers import at, placed, problem, room, span, talk


def starts(p, the_talk):
    grid = Grid(p)
    return [grid.timeline.at(minute).strftime("%H:%M") for minute in grid.windows(the_talk).starts]


def test_starts_step_by_the_granularity_and_keep_the_whole_talk_inside_opening_hours():
    p = problem([talk(1, 45)], granularity=15)
    assert starts(p, p.talks[0]) == ["09:00", "09:15", "09:30", "09:45", "10:00", "10:15", "10:30",
                                     "10:45", "11:00", "11:15"]


def test_a_talk_may_start_right_after_a_break_that_ends_off_the_grid():
    p = problem([talk(1, 60)], breaks=[span((9, 30), (10, 10))], granularity=30)
    assert starts(p, p.talks[0]) == ["10:10", "10:30", "11:00"]


def test_every_speakers_availability_narrows_the_starts():
    p = problem([talk(1, 30, speaker_ids=(1, 2))], granularity=30,
                availability={1: (span((9, 0), (11, 0)),), 2: (span((10, 0), (12, 0)),)})
    assert starts(p, p.talks[0]) == ["10:00", "10:30"]


def test_bad_inputs_are_refused():
    with pytest.raises(ValueError, match="end after it starts"):
        Interval(at(10), at(9))
    with pytest.raises(ValueError, match="duration must be positive"):
        talk(1, 0)
    with pytest.raises(ValueError, match="duplicate talk ids"):
        problem([talk(1), talk(1)])
    with pytest.raises(ValueError, match="unknown room 4"):
        problem([talk(1, pinned=placed(4, 9))])
    with pytest.raises(ValueError, match="granularity"):
        Problem((), (room(1),), (), granularity=0)


def test_popularity_becomes_a_rank_with_ties_shared():
    ranks = popularity_ranks([talk(1, popularity=3), talk(2, popularity=9), talk(3, popularity=3)])
    assert ranks == {1: 0.0, 3: 0.0, 2: 1.0}
