"""The "Run scheduler" button: the pure solver over the draft, synchronously, with a time limit.

The solver places as many confirmed talks as it can (fill mode), keeps pinned talks where
they are and starts from the current grid. Its placements replace the draft's (pinned
slots stay); a talk the solver leaves out goes back to the unscheduled list. The pure
model knows only breaks for every room: a block of one room goes in as a pinned stand-in
talk, and a talk that still lands on a hard problem is taken out again. The report says how good the result is.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import timedelta

import sqlalchemy as sa
from flask_babel import gettext, lazy_gettext

from convention.audit.services import record_audit
from convention.core.errors import Conflict
from convention.editions.models import Edition
from convention.extensions import db
from convention.schedule import grid, problem, setup, solver
from convention.schedule.checks import all_problems
from convention.schedule.diagnostics import BlockKind
from convention.schedule.models import Slot

TIME_LIMIT_SECONDS = 10.0

STATUS_LABELS = {
    solver.Status.OPTIMAL: lazy_gettext("proved the best possible"),
    solver.Status.FEASIBLE: lazy_gettext("the best found within the time limit"),
    solver.Status.INFEASIBLE: lazy_gettext("not every talk can be placed"),
    solver.Status.TIMEOUT: lazy_gettext("no schedule found within the time limit"),
}
BLOCKER_LABELS = {
    BlockKind.NO_ROOM: lazy_gettext("No room hosts the talk's format"),
    BlockKind.NO_START: lazy_gettext("No start fits the opening hours, breaks and the speakers' availability"),
    BlockKind.PINNED_CONFLICT: lazy_gettext("Pinned talks collide"),
    BlockKind.ROOM_MINUTES: lazy_gettext("The rooms do not have enough minutes for these talks"),
    BlockKind.SPEAKER_MINUTES: lazy_gettext("A speaker's talks are longer than their available time"),
    BlockKind.CANNOT_FIT_TOGETHER: lazy_gettext("These talks cannot all be placed together"),
    BlockKind.CROWDED_OUT: lazy_gettext("No free room at any possible start"),
}


@dataclass(frozen=True)
class Report:
    status: str
    placed: int
    total: int
    seconds: float
    theme_clashes: int
    room_changes: int
    gap: float | None
    reasons: tuple[str, ...]  # why talks stay out, in words, with their titles

    @property
    def summary(self) -> str:
        return gettext(
            "The scheduler placed %(placed)d of %(total)d talks in %(seconds).1f s (%(status)s): "
            "%(clashes)d theme clashes, %(changes)d room changes within a theme's day.",
            placed=self.placed, total=self.total, seconds=self.seconds, status=self.status,
            clashes=self.theme_clashes, changes=self.room_changes)


def run_scheduler(edition: Edition, *, actor, time_limit: float = TIME_LIMIT_SECONDS, on_progress=None) -> Report:
    """``on_progress(solver.Progress)``: called at each better solution (the background job's status)."""
    setup.get_settings(edition, lock=True)  # placements of one edition are made one at a time
    plan = grid.load_plan(edition, with_pins=True)
    pure = plan.problem
    if not pure.talks or not pure.rooms or not pure.days:
        raise Conflict(gettext("Add days, rooms and confirmed talks before running the scheduler."))
    result = solver.solve(_with_room_blocks(plan), time_limit=time_limit, fill=True, hint=plan.placements,
                           on_progress=on_progress)
    durations = {talk.id: talk.duration for talk in pure.talks}
    placements = {talk_id: p for talk_id, p in result.placements.items() if talk_id in durations}
    slots = {slot.proposal_id: slot for slot in grid.draft_slots(edition)}
    for talk_id, placement in placements.items():
        ends_at = placement.start + timedelta(minutes=durations[talk_id])
        slot = slots.get(talk_id)
        if slot is None:
            db.session.add(Slot(edition_id=edition.id, proposal_id=talk_id, room_id=placement.room_id,
                                starts_at=placement.start, ends_at=ends_at))
        elif not slot.pinned:
            slot.room_id, slot.starts_at, slot.ends_at = placement.room_id, placement.start, ends_at
    for talk_id in result.unscheduled:
        if talk_id in slots and not slots[talk_id].pinned:
            db.session.delete(slots[talk_id])
    db.session.flush()
    taken_out = _take_out_refused(edition)
    titles = plan.titles
    reasons = tuple(
        f"{BLOCKER_LABELS.get(blocker.kind, blocker.kind)}: {', '.join(titles.get(i, str(i)) for i in blocker.talk_ids)}"
        for blocker in result.blockers)
    if taken_out:
        reasons += (gettext("Taken out again, over a block of their room: %(titles)s",
                            titles=", ".join(titles.get(i, str(i)) for i in taken_out)),)
    placed = len(placements) - len(taken_out)
    record_audit("schedule.scheduler_run", actor=actor, edition_id=edition.id,
                 data={"status": result.status.value, "placed": placed, "talks": len(pure.talks),
                       "seconds": round(result.seconds, 2), "theme_clashes": result.theme_clashes,
                       "room_changes": result.room_changes})
    return Report(str(STATUS_LABELS[result.status]), placed, len(pure.talks), result.seconds,
                  result.theme_clashes, result.room_changes, result.gap, reasons)


def _with_room_blocks(plan) -> problem.Problem:
    """The pure model knows breaks for every room only: a block of one room becomes a pinned
    stand-in talk there (negative id, no speaker), so the solver keeps the room free."""
    rooms = plan.problem.rooms_by_id
    stand_ins = []
    for number, block in enumerate(b for b in plan.blocks if b.room_id is not None and b.room_id in rooms):
        room = rooms[block.room_id]
        minutes = int((block.ends_at - block.starts_at) / timedelta(minutes=1))
        stand_ins.append(problem.Talk(
            id=-1 - number, duration=minutes, format_id=min(room.format_ids) if room.format_ids else 0,
            pinned=problem.Placement(room.id, block.starts_at)))
    return replace(plan.problem, talks=plan.problem.talks + tuple(stand_ins))


def _take_out_refused(edition: Edition) -> list[int]:
    """Unpinned talks with a hard problem after the run (a block of one room) leave the draft."""
    refused = [talk_id for talk_id, problems in all_problems(grid.load_plan(edition)).items()
               if any(found.hard for found in problems)]
    if refused:
        db.session.execute(sa.delete(Slot).where(Slot.proposal_id.in_(refused), Slot.pinned.is_(False)))
    return refused
