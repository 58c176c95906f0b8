"""The draft as the organizers see it: the confirmed talks, the plan the checks read, and
the days x rooms grid of the editor (a fixed number of queries, whatever the size)."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime, timedelta

import sqlalchemy as sa
from sqlalchemy.orm import selectinload

from convention.cfp.models import Availability, Proposal, ProposalSpeaker
from convention.cfp.states import ProposalState
from convention.core.timeutil import to_local
from convention.editions.models import Edition, Room
from convention.extensions import db
from convention.schedule import problem, setup
from convention.schedule.checks import BlockInfo, Plan, Problem, all_problems
from convention.schedule.models import Block, Slot


def confirmed_talks(edition: Edition) -> list[Proposal]:
    """The edition's confirmed talks, with what the editor shows of them."""
    return list(db.session.scalars(
        sa.select(Proposal).where(Proposal.edition_id == edition.id, Proposal.state == ProposalState.CONFIRMED)
        .options(selectinload(Proposal.format), selectinload(Proposal.theme),
                 selectinload(Proposal.speakers).selectinload(ProposalSpeaker.profile))
        .order_by(Proposal.title, Proposal.id)))


def list_rooms(edition: Edition) -> list[Room]:
    return list(db.session.scalars(sa.select(Room).where(Room.edition_id == edition.id).order_by(Room.position, Room.id)))


def draft_slots(edition: Edition) -> list[Slot]:
    """The placements of talks that are still confirmed."""
    return list(db.session.scalars(
        sa.select(Slot).join(Proposal, Proposal.id == Slot.proposal_id)
        .where(Slot.edition_id == edition.id, Proposal.state == ProposalState.CONFIRMED)))


def pure_talk(proposal: Proposal, pinned: Slot | None = None) -> problem.Talk | None:
    """The solver's view of a talk (None without a format: its length is unknown)."""
    if proposal.format is None:
        return None
    return problem.Talk(
        id=proposal.id, duration=proposal.format.duration_minutes, format_id=proposal.format_id,
        theme_id=proposal.theme_id, speaker_ids=tuple(sorted({link.profile_id for link in proposal.speakers})),
        audience=proposal.expected_audience or 0,  # set by the organizers; 0: not estimated, fits any room
        pinned=problem.Placement(pinned.room_id, pinned.starts_at) if pinned is not None else None)


def load_plan(edition: Edition, talks: list[Proposal] | None = None, *, with_pins: bool = False) -> Plan:
    """The draft as the pure model sees it (speakers are their profiles of this edition)."""
    talks = confirmed_talks(edition) if talks is None else talks
    slots = {slot.proposal_id: slot for slot in draft_slots(edition)}
    pure = {talk.id: pure_talk(talk, slots.get(talk.id) if with_pins and slots.get(talk.id)
                              and slots[talk.id].pinned else None) for talk in talks}
    pure = {talk_id: talk for talk_id, talk in pure.items() if talk is not None}
    formats = setup.room_format_ids(edition)
    profile_ids = {speaker for talk in pure.values() for speaker in talk.speaker_ids}
    availability: dict[int, list[problem.Interval]] = {}
    if profile_ids:
        for row in db.session.scalars(sa.select(Availability).where(Availability.profile_id.in_(profile_ids))):
            if row.ends_at > row.starts_at:
                availability.setdefault(row.profile_id, []).append(problem.Interval(row.starts_at, row.ends_at))
    rooms = list_rooms(edition)
    blocks = [b for b in setup.list_blocks(edition) if b.blocks_talks]
    pure_problem = problem.Problem(
        talks=tuple(pure.values()),
        rooms=tuple(problem.Room(room.id, room.capacity, frozenset(formats[room.id]) if room.id in formats else None)
                    for room in rooms),
        days=tuple(problem.Day(day.day, (problem.Interval(day.opens_at, day.closes_at),))
                   for day in setup.list_days(edition)),
        breaks=tuple(problem.Interval(b.starts_at, b.ends_at) for b in blocks if b.room_id is None),
        availability={speaker: tuple(spans) for speaker, spans in availability.items()},
        granularity=setup.get_settings(edition).granularity_minutes,
    )
    return Plan(
        problem=pure_problem,
        placements={talk_id: problem.Placement(slot.room_id, slot.starts_at)
                    for talk_id, slot in slots.items() if talk_id in pure},
        blocks=[BlockInfo(b.title, b.starts_at, b.ends_at, b.room_id) for b in blocks],
        titles={talk.id: talk.title for talk in talks},
        room_names={room.id: room.name for room in rooms},
        format_names={f.id: f.name for f in edition.formats},
    )


# -- the editor's grid ----------------------------------------------------------------------


@dataclass
class Cell:
    kind: str  # "talk", "block" or "free"
    starts_at: datetime
    rows: int = 1
    talk: Proposal | None = None
    block: Block | None = None
    problems: list[Problem] = field(default_factory=list)
    ends_at: datetime | None = None

    @property
    def has_hard(self) -> bool:
        return any(problem.hard for problem in self.problems)


@dataclass
class Row:
    starts_at: datetime
    label: str  # the local clock time, on full and half hours only
    cells: list[tuple[Room, Cell | None]]  # None: covered by a cell above
    time_text: str = ""  # the local clock time of every row, for screen readers


@dataclass
class DayGrid:
    day: date
    rows: list[Row]


@dataclass
class Editor:
    rooms: list[Room]
    days: list[DayGrid]
    unscheduled: list[Proposal]
    placed: dict[int, Slot]
    problems: dict[int, list[Problem]]
    talks: dict[int, Proposal]
    granularity: int


def _index(value: datetime, opens: datetime, step: timedelta) -> int:
    return int((value - opens) / step)


def _day_grid(edition, day, rooms, step, items_by_room) -> DayGrid:
    count = max(1, _index(day.closes_at, day.opens_at, step))
    starts = [day.opens_at + i * step for i in range(count)]
    columns = {}
    for room in rooms:
        column: list[Cell | bool | None] = [None] * count  # None: free; False: covered
        for cell in sorted(items_by_room.get(room.id, ()), key=lambda c: c.starts_at):
            if cell.ends_at <= day.opens_at or cell.starts_at >= day.closes_at:
                continue
            first = max(0, _index(cell.starts_at, day.opens_at, step))
            last = min(count, -(-(cell.ends_at - day.opens_at) // step))
            if any(column[i] is not None for i in range(first, last)):
                continue  # overlaps what is drawn already: the problems list names it
            cell.rows = max(1, last - first)
            column[first] = cell
            for i in range(first + 1, last):
                column[i] = False
        columns[room.id] = column
    rows = []
    for i, start in enumerate(starts):
        local = to_local(start, edition.timezone)
        label = local.strftime("%H:%M") if local.minute in (0, 30) or i == 0 else ""
        cells = []
        for room in rooms:
            value = columns[room.id][i]
            cells.append((room, None if value is False else value or Cell("free", start)))
        rows.append(Row(start, label, cells, local.strftime("%H:%M")))
    return DayGrid(day.day, rows)


def build_editor(edition: Edition) -> Editor:
    talks = confirmed_talks(edition)
    plan = load_plan(edition, talks)
    problems = all_problems(plan)
    rooms = list_rooms(edition)
    by_id = {talk.id: talk for talk in talks}
    slots = {slot.proposal_id: slot for slot in draft_slots(edition)}
    step = timedelta(minutes=setup.get_settings(edition).granularity_minutes)
    items: dict[int, list[Cell]] = {}
    for slot in slots.values():
        items.setdefault(slot.room_id, []).append(Cell(
            "talk", slot.starts_at, talk=by_id[slot.proposal_id], ends_at=slot.ends_at,
            problems=problems.get(slot.proposal_id, [])))
    for block in setup.list_blocks(edition):
        for room in rooms:
            if block.room_id in (None, room.id):
                items.setdefault(room.id, []).append(Cell("block", block.starts_at, block=block, ends_at=block.ends_at))
    days = [_day_grid(edition, day, rooms, step, items) for day in setup.list_days(edition)]
    return Editor(rooms=rooms, days=days, unscheduled=[t for t in talks if t.id not in slots], placed=slots,
                  problems=problems, talks=by_id, granularity=step.seconds // 60)
