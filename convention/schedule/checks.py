"""The grid editor's problems, found by the solver's own checker (``conflicts.py``).

``grid.load_plan`` builds the pure ``problem.Problem`` from the database; here the
checker's conflicts become what an organizer reads (translated, with the other talk's
title) and the editor's policy decides what is refused. Hard problems make the draft
inconsistent and are refused: two talks in one room at once, outside the day's opening
hours, over a break (``HARD``). The rest are warnings shown on the grid: a speaker in two
places or outside their availability, a format the room does not host, a room too
small, two talks of one theme in parallel. (The checker counts a double-booked speaker
and an unhosted format as hard for the solver; an organizer may still want them for a
moment while moving things around, so the editor only warns.)

Two rules the pure model does not know are checked here: a block of one room only (the
model's breaks hold for every room) and, in ``placement``, the grid's step.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, timedelta

from flask_babel import gettext

from convention.schedule.conflicts import Kind, find_conflicts
from convention.schedule.problem import Placement
from convention.schedule.problem import Problem as PureProblem

HARD = ("room_busy", "outside_hours", "blocked", "unknown_room")
KINDS = {
    Kind.ROOM_OVERLAP: "room_busy", Kind.OUTSIDE_OPENING: "outside_hours", Kind.BREAK_OVERLAP: "blocked",
    Kind.UNKNOWN_ROOM: "unknown_room", Kind.SPEAKER_DOUBLE_BOOKED: "speaker_busy",
    Kind.OUTSIDE_AVAILABILITY: "unavailable", Kind.FORMAT_NOT_HOSTED: "format", Kind.ROOM_TOO_SMALL: "room_small",
    Kind.THEME_PARALLEL: "theme_parallel", Kind.PIN_MOVED: "pinned",
}


@dataclass(frozen=True)
class BlockInfo:
    title: str
    starts_at: datetime
    ends_at: datetime
    room_id: int | None  # None: every room


@dataclass
class Plan:
    """The pure problem and the current placements, with the names the messages use."""

    problem: PureProblem
    placements: dict[int, Placement]  # by talk (proposal) id
    blocks: list[BlockInfo] = field(default_factory=list)  # the blocks that keep talks out
    titles: dict[int, str] = field(default_factory=dict)
    room_names: dict[int, str] = field(default_factory=dict)
    format_names: dict[int, str] = field(default_factory=dict)


@dataclass(frozen=True)
class Problem:
    kind: str
    message: str

    @property
    def hard(self) -> bool:
        return self.kind in HARD


def _overlap(a_start, a_end, b_start, b_end) -> bool:
    return a_start < b_end and b_start < a_end


def _message(plan: Plan, kind: str, talk_id: int, other_id: int | None, room_id: int | None, span) -> str:
    other = plan.titles.get(other_id, "") if other_id is not None else ""
    room = plan.room_names.get(room_id, "")
    if kind == "room_busy":
        return gettext("The room %(room)s is taken by “%(title)s” at that time.", room=room, title=other)
    if kind == "outside_hours":
        return gettext("The talk is outside the opening hours of the day.")
    if kind == "blocked":
        title = next((b.title for b in plan.blocks if b.room_id is None and _overlap(*span, b.starts_at, b.ends_at)), "")
        return gettext("The talk overlaps “%(title)s”.", title=title)
    if kind == "unknown_room":
        return gettext("There is no such room.")
    if kind == "speaker_busy":
        return gettext("A speaker also gives “%(title)s” at that time.", title=other)
    if kind == "unavailable":
        return gettext("A speaker is not available at that time.")
    if kind == "format":
        talk = plan.problem.talks_by_id[talk_id]
        return gettext("The room %(room)s does not host the format %(format)s.", room=room,
                       format=plan.format_names.get(talk.format_id, ""))
    if kind == "room_small":
        talk = plan.problem.talks_by_id[talk_id]
        room_info = plan.problem.rooms_by_id[room_id]
        return gettext("The room has %(capacity)d seats for about %(expected)d people.",
                       capacity=room_info.capacity, expected=talk.audience)
    if kind == "theme_parallel":
        return gettext("“%(title)s”, of the same theme, runs at the same time.", title=other)
    return gettext("The talk is pinned elsewhere.")


def _span(plan: Plan, talk_id: int, placement: Placement):
    return placement.start, placement.start + timedelta(minutes=plan.problem.talks_by_id[talk_id].duration)


def _found(plan: Plan, placements: dict[int, Placement]) -> dict[int, list[Problem]]:
    found: dict[int, list[Problem]] = {}

    def add(talk_id, problem):
        if problem not in found.setdefault(talk_id, []):
            found[talk_id].append(problem)

    if not plan.problem.days:  # no opening hours at all: the pure timeline has no origin
        for talk_id in placements:
            add(talk_id, Problem("outside_hours", _message(plan, "outside_hours", talk_id, None, None, None)))
        return found
    for conflict in find_conflicts(plan.problem, placements):
        kind = KINDS[conflict.kind]
        for talk_id in conflict.talk_ids:
            others = [other for other in conflict.talk_ids if other != talk_id]
            placement = placements[talk_id]
            room_id = conflict.room_id if conflict.room_id is not None else placement.room_id
            message = _message(plan, kind, talk_id, others[0] if others else None, room_id,
                               _span(plan, talk_id, placement))
            add(talk_id, Problem(kind, message))
    for talk_id, placement in placements.items():
        start, end = _span(plan, talk_id, placement)
        for block in plan.blocks:
            if block.room_id == placement.room_id and _overlap(start, end, block.starts_at, block.ends_at):
                add(talk_id, Problem("blocked", gettext("The talk overlaps “%(title)s”.", title=block.title)))
    return found


def problems_of(plan: Plan, talk_id: int, placement: Placement) -> list[Problem]:
    """Everything wrong with putting ``talk_id`` at ``placement`` (its own current place ignored)."""
    return _found(plan, {**plan.placements, talk_id: placement}).get(talk_id, [])


def all_problems(plan: Plan) -> dict[int, list[Problem]]:
    """The problems of every placed talk, by talk id (only talks that have some)."""
    return {talk_id: problems for talk_id, problems in _found(plan, plan.placements).items() if problems}
