"""Small schedules for the tests: one conference day on 1 June 2026, times in UTC."""

from __future__ import annotations

import random
from datetime import UTC, date, datetime, timedelta

from convention.schedule.problem import Day, Interval, Placement, Problem, Room, Talk

DAY = date(2026, 6, 1)
TALK, WORKSHOP = 1, 2


def at(hour: int, minute: int = 0, day: int = 0) -> datetime:
    return datetime(DAY.year, DAY.month, DAY.day, hour, minute, tzinfo=UTC) + timedelta(days=day)


def span(start: tuple[int, int], end: tuple[int, int], day: int = 0) -> Interval:
    return Interval(at(*start, day=day), at(*end, day=day))


def one_day(opening=((9, 0), (12, 0))) -> tuple[Day, ...]:
    return (Day(DAY, (span(*opening),)),)


def talk(talk_id: int, duration: int = 30, **options) -> Talk:
    return Talk(talk_id, duration, options.pop("format_id", TALK), **options)


def room(room_id: int, capacity: int = 100, formats=None) -> Room:
    return Room(room_id, capacity, frozenset(formats) if formats is not None else None)


def problem(talks, rooms=None, days=None, breaks=(), availability=None, **options) -> Problem:
    return Problem(tuple(talks), tuple(rooms or [room(1)]), days or one_day(), tuple(breaks),
                   availability or {}, **options)


def placed(room_id: int, hour: int, minute: int = 0, day: int = 0) -> Placement:
    return Placement(room_id, at(hour, minute, day))


def random_problem(seed: int, talks: int = 40, rooms: int = 4, days: int = 2) -> Problem:
    """A busy but feasible conference: themes, shared speakers, limited availability, workshops."""
    rng = random.Random(seed)
    day_rows = tuple(Day(DAY + timedelta(days=d), (span((9, 0), (18, 0), d),)) for d in range(days))
    breaks = [span((12, 0), (13, 0), d) for d in range(days)] + [span((15, 0), (15, 15), d) for d in range(days)]
    room_rows = [room(i, capacity=rng.choice([50, 100, 300]), formats={TALK}) for i in range(1, rooms)]
    room_rows.append(room(rooms, capacity=40, formats={TALK, WORKSHOP}))
    speakers = list(range(1, talks))
    talk_rows = []
    for talk_id in range(1, talks + 1):
        workshop = talk_id % 10 == 0
        talk_rows.append(talk(talk_id, 90 if workshop else rng.choice([30, 45]),
                              format_id=WORKSHOP if workshop else TALK, theme_id=rng.randint(1, 4),
                              speaker_ids=tuple(rng.sample(speakers, rng.choice([1, 1, 2]))),
                              popularity=rng.uniform(0, 10), audience=rng.randint(10, 120)))
    until_3pm = tuple(span((9, 0), (15, 0), d) for d in range(days))
    availability = {s: until_3pm for s in rng.sample(speakers, talks // 5)}
    return Problem(tuple(talk_rows), tuple(room_rows), day_rows, tuple(breaks), availability)
