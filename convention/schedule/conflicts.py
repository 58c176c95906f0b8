"""Every problem with a set of placements: the grid editor shows them, the bench counts them.

Independent of the solver on purpose: it re-checks the solver's answer from the inputs
alone. Hard conflicts are things a published schedule must not have; soft ones (two talks
of a theme in parallel, a small room when capacity is not a hard rule) are shown but
allowed.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum

from convention.schedule.problem import Grid, Placement, Problem, Span, Talk, subtract


class Kind(StrEnum):
    ROOM_OVERLAP = "room_overlap"
    SPEAKER_DOUBLE_BOOKED = "speaker_double_booked"
    BREAK_OVERLAP = "break_overlap"
    OUTSIDE_OPENING = "outside_opening"
    OUTSIDE_AVAILABILITY = "outside_availability"
    FORMAT_NOT_HOSTED = "format_not_hosted"
    ROOM_TOO_SMALL = "room_too_small"
    PIN_MOVED = "pin_moved"
    THEME_PARALLEL = "theme_parallel"
    UNKNOWN_ROOM = "unknown_room"


@dataclass(frozen=True)
class Conflict:
    kind: Kind
    hard: bool
    talk_ids: tuple[int, ...]
    message: str
    room_id: int | None = None
    speaker_id: int | None = None


@dataclass(frozen=True)
class SoftCounts:
    theme_clashes: int  # pairs of same-theme talks that overlap
    room_changes: int  # consecutive same-theme talks of a day in different rooms


@dataclass(frozen=True)
class _Placed:
    talk: Talk
    room_id: int
    start: int  # minutes on the grid's timeline
    end: int


def _when(moment: datetime) -> str:
    return moment.strftime("%a %d %b %H:%M")


def _placed(grid: Grid, placements: Mapping[int, Placement]) -> list[_Placed]:
    talks = grid.problem.talks_by_id
    out = []
    for talk_id, placement in placements.items():
        if talk_id not in talks:
            raise ValueError(f"placement for unknown talk {talk_id}")
        talk = talks[talk_id]
        start = grid.timeline.minute(placement.start)
        out.append(_Placed(talk, placement.room_id, start, start + talk.duration))
    return out


def overlapping_pairs(items: Iterable[_Placed]) -> list[tuple[_Placed, _Placed]]:
    """Every pair that shares at least one minute, by a sweep over starts."""
    pairs = []
    active: list[_Placed] = []
    for item in sorted(items, key=lambda p: (p.start, p.end, p.talk.id)):
        active = [other for other in active if other.end > item.start]
        pairs.extend((other, item) for other in active)
        active.append(item)
    return pairs


def find_conflicts(problem: Problem, placements: Mapping[int, Placement]) -> list[Conflict]:
    """Every hard and soft conflict of the placements (talk id -> room and start)."""
    grid = Grid(problem)
    placed = _placed(grid, placements)
    at = grid.timeline.at
    conflicts: list[Conflict] = []
    conflicts += _pins(problem, placements)
    conflicts += _rooms(problem, placed)
    conflicts += _times(grid, placed)
    by_room: dict[int, list[_Placed]] = defaultdict(list)
    by_speaker: dict[int, list[_Placed]] = defaultdict(list)
    by_theme: dict[int, list[_Placed]] = defaultdict(list)
    for item in placed:
        by_room[item.room_id].append(item)
        for speaker in set(item.talk.speaker_ids):
            by_speaker[speaker].append(item)
        if item.talk.theme_id is not None:
            by_theme[item.talk.theme_id].append(item)
    for room_id, items in by_room.items():
        for a, b in overlapping_pairs(items):
            conflicts.append(Conflict(Kind.ROOM_OVERLAP, True, (a.talk.id, b.talk.id),
                                      f"talks {a.talk.id} and {b.talk.id} overlap in room {room_id} "
                                      f"at {_when(at(max(a.start, b.start)))}", room_id=room_id))
    for speaker, items in by_speaker.items():
        for a, b in overlapping_pairs(items):
            conflicts.append(Conflict(Kind.SPEAKER_DOUBLE_BOOKED, True, (a.talk.id, b.talk.id),
                                      f"speaker {speaker} is in talks {a.talk.id} and {b.talk.id} at once "
                                      f"({_when(at(max(a.start, b.start)))})", speaker_id=speaker))
    for theme, items in by_theme.items():
        for a, b in overlapping_pairs(items):
            conflicts.append(Conflict(Kind.THEME_PARALLEL, False, (a.talk.id, b.talk.id),
                                      f"talks {a.talk.id} and {b.talk.id} of theme {theme} run in parallel "
                                      f"({_when(at(max(a.start, b.start)))})"))
    return conflicts


def _pins(problem: Problem, placements: Mapping[int, Placement]) -> list[Conflict]:
    out = []
    for talk in problem.talks:
        if talk.pinned is not None and talk.id in placements and placements[talk.id] != talk.pinned:
            out.append(Conflict(Kind.PIN_MOVED, True, (talk.id,),
                                f"talk {talk.id} is pinned to room {talk.pinned.room_id} at "
                                f"{_when(talk.pinned.start)} but placed elsewhere", room_id=talk.pinned.room_id))
    return out


def _rooms(problem: Problem, placed: list[_Placed]) -> list[Conflict]:
    rooms = problem.rooms_by_id
    out = []
    for item in placed:
        talk, room = item.talk, rooms.get(item.room_id)
        if room is None:
            out.append(Conflict(Kind.UNKNOWN_ROOM, True, (talk.id,),
                                f"talk {talk.id} is placed in unknown room {item.room_id}", room_id=item.room_id))
            continue
        if not room.hosts(talk.format_id):
            out.append(Conflict(Kind.FORMAT_NOT_HOSTED, True, (talk.id,),
                                f"room {room.id} cannot host talk {talk.id}'s format {talk.format_id}",
                                room_id=room.id))
        if talk.audience > room.capacity:
            out.append(Conflict(Kind.ROOM_TOO_SMALL, problem.capacity_is_hard, (talk.id,),
                                f"room {room.id} holds {room.capacity}, talk {talk.id} expects {talk.audience}",
                                room_id=room.id))
    return out


def _outside(span: Span, allowed: list[Span]) -> bool:
    return bool(subtract([span], allowed))


def _times(grid: Grid, placed: list[_Placed]) -> list[Conflict]:
    at = grid.timeline.at
    out = []
    for item in placed:
        talk, span = item.talk, (item.start, item.end)
        when = f"{_when(at(item.start))}-{at(item.end):%H:%M}"
        if _outside(span, grid.opening):
            out.append(Conflict(Kind.OUTSIDE_OPENING, True, (talk.id,),
                                f"talk {talk.id} ({when}) runs outside the opening hours", room_id=item.room_id))
        if any(start < item.end and item.start < end for start, end in grid.breaks):
            out.append(Conflict(Kind.BREAK_OVERLAP, True, (talk.id,),
                                f"talk {talk.id} ({when}) overlaps a break", room_id=item.room_id))
        for speaker in sorted(set(talk.speaker_ids)):
            if speaker in grid.availability and _outside(span, grid.availability[speaker]):
                out.append(Conflict(Kind.OUTSIDE_AVAILABILITY, True, (talk.id,),
                                    f"talk {talk.id} ({when}) is outside speaker {speaker}'s availability",
                                    room_id=item.room_id, speaker_id=speaker))
    return out


def soft_counts(problem: Problem, placements: Mapping[int, Placement]) -> SoftCounts:
    """How well the soft goals are met: theme clashes and theme room changes within a day."""
    grid = Grid(problem)
    placed = _placed(grid, placements)
    by_theme: dict[int, list[_Placed]] = defaultdict(list)
    for item in placed:
        if item.talk.theme_id is not None:
            by_theme[item.talk.theme_id].append(item)
    clashes = sum(len(overlapping_pairs(items)) for items in by_theme.values())
    changes = 0
    for items in by_theme.values():
        by_day: dict[object, list[_Placed]] = defaultdict(list)
        for item in items:
            by_day[grid.day_index(item.start)].append(item)
        for day_items in by_day.values():
            day_items.sort(key=lambda p: (p.start, p.room_id))
            changes += sum(1 for a, b in zip(day_items, day_items[1:], strict=False) if a.room_id != b.room_id)
    return SoftCounts(clashes, changes)


def hard_conflicts(problem: Problem, placements: Mapping[int, Placement]) -> list[Conflict]:
    return [conflict for conflict in find_conflicts(problem, placements) if conflict.hard]

