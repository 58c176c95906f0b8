"""What a schedule is made of, as plain frozen dataclasses, and where each talk may start.

The scheduler, its diagnostics and the conflict checker all read a `Problem`; none of
them knows the database. Datetimes are in UTC (aware or naive, but all the same kind),
durations in minutes. Time inside the solver is whole minutes since `Timeline.origin`.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from functools import cached_property

Span = tuple[int, int]  # [start, end) in minutes since the timeline's origin


@dataclass(frozen=True)
class Interval:
    start: datetime
    end: datetime

    def __post_init__(self) -> None:
        if self.end <= self.start:
            raise ValueError(f"an interval must end after it starts ({self.start} .. {self.end})")


@dataclass(frozen=True)
class Placement:
    room_id: int
    start: datetime


@dataclass(frozen=True)
class Talk:
    id: int
    duration: int  # minutes
    format_id: int
    theme_id: int | None = None
    speaker_ids: tuple[int, ...] = ()
    popularity: float = 0.0  # any scale: the committee's score, interest counts...
    audience: int = 0  # expected attendance
    pinned: Placement | None = None  # stays exactly here

    def __post_init__(self) -> None:
        if self.duration <= 0:
            raise ValueError(f"talk {self.id}: the duration must be positive")


@dataclass(frozen=True)
class Room:
    id: int
    capacity: int
    format_ids: frozenset[int] | None = None  # None: every format

    def hosts(self, format_id: int) -> bool:
        return self.format_ids is None or format_id in self.format_ids


@dataclass(frozen=True)
class Day:
    date: date
    opening: tuple[Interval, ...]


@dataclass(frozen=True)
class Problem:
    talks: tuple[Talk, ...]
    rooms: tuple[Room, ...]
    days: tuple[Day, ...]
    breaks: tuple[Interval, ...] = ()
    # speaker id -> when they can speak; a speaker who is absent is always available
    availability: Mapping[int, tuple[Interval, ...]] = field(default_factory=dict, hash=False)
    granularity: int = 5  # minutes between possible starts
    capacity_is_hard: bool = False  # True: never put a talk in a room smaller than its audience

    def __post_init__(self) -> None:
        if self.granularity <= 0:
            raise ValueError("the granularity must be a positive number of minutes")
        for what, ids in (("talk", [t.id for t in self.talks]), ("room", [r.id for r in self.rooms])):
            if len(set(ids)) != len(ids):
                raise ValueError(f"duplicate {what} ids")
        room_ids = {room.id for room in self.rooms}
        for talk in self.talks:
            if talk.pinned is not None and talk.pinned.room_id not in room_ids:
                raise ValueError(f"talk {talk.id} is pinned to unknown room {talk.pinned.room_id}")

    def talk(self, talk_id: int) -> Talk:
        return self.talks_by_id[talk_id]

    @cached_property
    def talks_by_id(self) -> dict[int, Talk]:
        return {talk.id: talk for talk in self.talks}

    @cached_property
    def rooms_by_id(self) -> dict[int, Room]:
        return {room.id: room for room in self.rooms}

    def rooms_for(self, talk: Talk) -> list[Room]:
        """The rooms that may host the talk: its format, and its audience if capacity is hard."""
        return [room for room in self.rooms
                if room.hosts(talk.format_id) and (not self.capacity_is_hard or room.capacity >= talk.audience)]


class Timeline:
    """Whole minutes since the earliest opening (or pinned start) of the problem."""

    def __init__(self, problem: Problem) -> None:
        moments = [iv.start for day in problem.days for iv in day.opening]
        moments += [talk.pinned.start for talk in problem.talks if talk.pinned is not None]
        self.origin = min(moments) if moments else datetime(2000, 1, 1)  # noqa: DTZ001 - nothing to place
        self.granularity = problem.granularity

    def minute(self, moment: datetime) -> int:
        return int((moment - self.origin) // timedelta(minutes=1))

    def at(self, minute: int) -> datetime:
        return self.origin + timedelta(minutes=minute)

    def span(self, interval: Interval) -> Span:
        return self.minute(interval.start), self.minute(interval.end)

    def spans(self, intervals: Iterable[Interval]) -> list[Span]:
        return merge([self.span(iv) for iv in intervals])


def merge(spans: Iterable[Span]) -> list[Span]:
    """Sorted, non-overlapping spans covering the same minutes."""
    out: list[list[int]] = []
    for start, end in sorted(spans):
        if out and start <= out[-1][1]:
            out[-1][1] = max(out[-1][1], end)
        else:
            out.append([start, end])
    return [(a, b) for a, b in out]


def subtract(spans: list[Span], holes: list[Span]) -> list[Span]:
    """The minutes of `spans` outside `holes` (both merged)."""
    out: list[Span] = []
    for start, end in spans:
        cursor = start
        for hole_start, hole_end in holes:
            if hole_end <= cursor or hole_start >= end:
                continue
            if hole_start > cursor:
                out.append((cursor, hole_start))
            cursor = max(cursor, hole_end)
        if cursor < end:
            out.append((cursor, end))
    return out


def intersect(a: list[Span], b: list[Span]) -> list[Span]:
    """The minutes in both `a` and `b` (both merged)."""
    out: list[Span] = []
    i = j = 0
    while i < len(a) and j < len(b):
        start, end = max(a[i][0], b[j][0]), min(a[i][1], b[j][1])
        if start < end:
            out.append((start, end))
        if a[i][1] < b[j][1]:
            i += 1
        else:
            j += 1
    return out


def minutes(spans: Iterable[Span]) -> int:
    return sum(end - start for start, end in spans)


@dataclass(frozen=True)
class Windows:
    """The minutes a talk could occupy, step by step, so a failure can be explained."""

    opening: list[Span]  # the opening hours
    free: list[Span]  # ... minus the breaks
    usable: list[Span]  # ... within every speaker's availability
    starts: list[int]  # allowed starts: on the grid, the whole talk inside one usable span


class Grid:
    """Precomputed opening hours, breaks and availability on one timeline."""

    def __init__(self, problem: Problem) -> None:
        self.problem = problem
        self.timeline = Timeline(problem)
        self.opening = self.timeline.spans(iv for day in problem.days for iv in day.opening)
        self.breaks = self.timeline.spans(problem.breaks)
        self.free = subtract(self.opening, self.breaks)
        self.availability = {speaker: self.timeline.spans(ivs) for speaker, ivs in problem.availability.items()}
        self.day_spans = [(day, self.timeline.spans(day.opening)) for day in problem.days]

    def usable_for(self, speaker_ids: Iterable[int]) -> list[Span]:
        usable = self.free
        for speaker in speaker_ids:
            if speaker in self.availability:
                usable = intersect(usable, self.availability[speaker])
        return usable

    def windows(self, talk: Talk) -> Windows:
        usable = self.usable_for(talk.speaker_ids)
        return Windows(self.opening, self.free, usable, self.starts_within(usable, talk.duration))

    def starts_within(self, usable: list[Span], duration: int) -> list[int]:
        step = self.timeline.granularity
        starts: list[int] = []
        for start, end in usable:
            last = end - duration
            if last < start:
                continue
            first_on_grid = -(-start // step) * step
            if first_on_grid != start:
                starts.append(start)  # right after a break or an opening off the grid
            starts.extend(range(first_on_grid, last + 1, step))
        return starts

    def day_index(self, minute: int) -> int | None:
        """Which of the problem's days a start falls on (its opening hours' envelope)."""
        for index, (_day, spans) in enumerate(self.day_spans):
            if spans and spans[0][0] <= minute < spans[-1][1]:
                return index
        return None

    def day_label(self, moment: datetime) -> date:
        index = self.day_index(self.timeline.minute(moment))
        return self.problem.days[index].date if index is not None else moment.date()


def popularity_ranks(talks: Iterable[Talk]) -> dict[int, float]:
    """Each talk's popularity as a rank between 0 (least) and 1 (most popular)."""
    ordered = sorted(talks, key=lambda talk: talk.popularity)
    if len(ordered) < 2:
        return {talk.id: 1.0 for talk in ordered}
    ranks, index = {}, 0
    while index < len(ordered):  # equal scores share a rank
        same = index
        while same + 1 < len(ordered) and ordered[same + 1].popularity == ordered[index].popularity:
            same += 1
        for talk in ordered[index:same + 1]:
            ranks[talk.id] = index / (len(ordered) - 1)
        index = same + 1
    return ranks
