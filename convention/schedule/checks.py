"""The schedule's rules about one placement, on plain values (no database).

``problems_of(plan, placement)`` answers what is wrong with putting one talk in one room
at one time, given everything else of the ``Plan``. Hard problems make the draft
inconsistent and are refused (two talks in one room at once, outside the day's opening
hours, over a break); soft ones are shown on the grid as warnings (a speaker in two
places or not available, the room too small, a format the room does not host, two talks
of one theme in parallel). ``grid.load_plan`` builds the plan from the database.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime

from flask_babel import gettext

HARD = ("room_busy", "outside_hours", "blocked")


@dataclass(frozen=True)
class TalkInfo:
    proposal_id: int
    title: str
    format_id: int | None
    format_name: str
    theme_id: int | None
    profile_ids: frozenset[int]
    expected_audience: int | None = None  # no estimate: the size check stays silent


@dataclass(frozen=True)
class RoomInfo:
    id: int
    name: str
    capacity: int
    format_ids: frozenset[int]  # empty: every format


@dataclass(frozen=True)
class BlockInfo:
    title: str
    starts_at: datetime
    ends_at: datetime
    room_id: int | None  # None: every room
    blocks_talks: bool


@dataclass(frozen=True)
class Placement:
    proposal_id: int
    room_id: int
    starts_at: datetime
    ends_at: datetime


@dataclass
class Plan:
    hours: list[tuple[datetime, datetime]]  # each day's opening and closing time
    rooms: dict[int, RoomInfo]
    blocks: list[BlockInfo]
    talks: dict[int, TalkInfo]
    placements: dict[int, Placement]  # by proposal id
    availability: dict[int, list[tuple[datetime, datetime]]] = field(default_factory=dict)  # by profile id


@dataclass(frozen=True)
class Problem:
    kind: str
    message: str

    @property
    def hard(self) -> bool:
        return self.kind in HARD


def _overlap(a_start, a_end, b_start, b_end) -> bool:
    return a_start < b_end and b_start < a_end


def problems_of(plan: Plan, placement: Placement) -> list[Problem]:
    """Everything wrong with ``placement``; the talk's own current placement is ignored."""
    talk = plan.talks[placement.proposal_id]
    room = plan.rooms[placement.room_id]
    start, end = placement.starts_at, placement.ends_at
    problems: list[Problem] = []
    others = [p for p in plan.placements.values() if p.proposal_id != placement.proposal_id]
    parallel = [p for p in others if _overlap(start, end, p.starts_at, p.ends_at)]

    for other in parallel:
        if other.room_id == placement.room_id:
            problems.append(Problem("room_busy", gettext(
                "The room %(room)s is taken by “%(title)s” at that time.",
                room=room.name, title=plan.talks[other.proposal_id].title)))
    if not any(opens <= start and end <= closes for opens, closes in plan.hours):
        problems.append(Problem("outside_hours", gettext("The talk is outside the opening hours of the day.")))
    for block in plan.blocks:
        if (block.blocks_talks and block.room_id in (None, placement.room_id)
                and _overlap(start, end, block.starts_at, block.ends_at)):
            problems.append(Problem("blocked", gettext("The talk overlaps “%(title)s”.", title=block.title)))

    for other in parallel:
        other_talk = plan.talks[other.proposal_id]
        if talk.profile_ids & other_talk.profile_ids:
            problems.append(Problem("speaker_busy", gettext(
                "A speaker also gives “%(title)s” at that time.", title=other_talk.title)))
        if talk.theme_id is not None and talk.theme_id == other_talk.theme_id:
            problems.append(Problem("theme_parallel", gettext(
                "“%(title)s”, of the same theme, runs at the same time.", title=other_talk.title)))
    for profile_id in sorted(talk.profile_ids):
        ranges = plan.availability.get(profile_id)
        if ranges and not any(a <= start and end <= b for a, b in ranges):
            problems.append(Problem("unavailable", gettext("A speaker is not available at that time.")))
            break
    if talk.expected_audience is not None and talk.expected_audience > room.capacity:
        problems.append(Problem("room_small", gettext(
            "The room has %(capacity)d seats for about %(expected)d people.",
            capacity=room.capacity, expected=talk.expected_audience)))
    if room.format_ids and talk.format_id not in room.format_ids:
        problems.append(Problem("format", gettext(
            "The room %(room)s does not host the format %(format)s.", room=room.name, format=talk.format_name)))
    return problems


def all_problems(plan: Plan) -> dict[int, list[Problem]]:
    """The problems of every placed talk, by proposal id (only talks that have some)."""
    found = {}
    for placement in plan.placements.values():
        problems = problems_of(plan, placement)
        if problems:
            found[placement.proposal_id] = problems
    return found
