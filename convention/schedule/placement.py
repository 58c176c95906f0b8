"""Placing confirmed talks in the draft: one room, one start; the end follows from the format.

``place_talk`` refuses what would make the draft inconsistent (two talks in one room at
once, outside the day's opening hours, over a break: ``checks.HARD``) and returns the soft
problems (warnings) with the slot. The edition's settings row is locked first, so two
organizers placing at the same moment are checked one after the other.
"""

from __future__ import annotations

from datetime import UTC, datetime, time, timedelta

import sqlalchemy as sa
from flask_babel import gettext, ngettext

from convention.audit.services import record_audit
from convention.cfp.models import Proposal
from convention.cfp.states import ProposalState
from convention.core.errors import Conflict, NotFound
from convention.core.signals import ItemInUse, TalkCancelled, item_in_use, talk_cancelled
from convention.core.timeutil import to_utc
from convention.editions.models import Edition, Room
from convention.extensions import db
from convention.schedule import grid, setup
from convention.schedule.checks import Problem, problems_of
from convention.schedule.models import Block, Slot
from convention.schedule.problem import Placement as PurePlacement


class PlacementRefused(Conflict):
    """A hard problem: the message says which; ``problems`` lists them all."""

    def __init__(self, problems: list[Problem]):
        super().__init__(problems[0].message)
        self.problems = problems


def find_talk(edition: Edition, proposal_id) -> Proposal:
    """A confirmed talk of the edition, by id (from a form or a JSON body)."""
    try:
        proposal_id = int(proposal_id)
    except (TypeError, ValueError):
        raise NotFound(gettext("There is no such talk.")) from None
    proposal = db.session.get(Proposal, proposal_id) if 0 < proposal_id < 2**31 else None
    if proposal is None or proposal.edition_id != edition.id:
        raise NotFound(gettext("There is no such talk."))
    if proposal.state is not ProposalState.CONFIRMED:
        raise Conflict(gettext("Only confirmed talks can be scheduled."))
    return proposal


def find_room(edition: Edition, room_id) -> Room:
    try:
        room_id = int(room_id)
    except (TypeError, ValueError):
        raise NotFound(gettext("There is no such room."), field="room_id") from None
    room = db.session.get(Room, room_id) if 0 < room_id < 2**31 else None
    if room is None or room.edition_id != edition.id:
        raise NotFound(gettext("There is no such room."), field="room_id")
    return room


def parse_start(value) -> datetime:
    """An ISO 8601 time with its offset (the grid's cells carry UTC times)."""
    try:
        start = datetime.fromisoformat(str(value))
        if start.tzinfo is None:
            raise ValueError("no offset")
        return start.astimezone(UTC)
    except (ValueError, OverflowError):  # OverflowError: year 1 with a positive offset
        raise Conflict(gettext("The start time is not a valid time."), field="start") from None


def place_talk(edition: Edition, proposal: Proposal, room: Room, starts_at: datetime, *,
               actor, pinned: bool | None = None) -> tuple[Slot, list[Problem]]:
    """Put ``proposal`` in ``room`` at ``starts_at`` (or move it there): the slot and its warnings."""
    settings = setup.get_settings(edition, lock=True)
    if proposal.format is None:
        raise Conflict(gettext("The talk has no format, so its length is unknown."))
    step = settings.granularity_minutes * 60
    if starts_at.second or starts_at.microsecond or int(starts_at.timestamp()) % step:
        raise Conflict(gettext("Start times fall on steps of %(minutes)d minutes.",
                               minutes=settings.granularity_minutes), field="start")
    first = to_utc(datetime.combine(edition.starts_on, time()), edition.timezone)
    if not first <= starts_at < first + timedelta(days=(edition.ends_on - edition.starts_on).days + 1):
        raise PlacementRefused([Problem("outside_hours", gettext("The talk is outside the opening hours of the day."))])
    ends_at = starts_at + timedelta(minutes=proposal.format.duration_minutes)
    plan = grid.load_plan(edition)
    problems = problems_of(plan, proposal.id, PurePlacement(room.id, starts_at))
    hard = [problem for problem in problems if problem.hard]
    if hard:
        raise PlacementRefused(hard)
    slot = db.session.scalar(sa.select(Slot).where(Slot.proposal_id == proposal.id))
    before = None
    if slot is None:
        slot = Slot(edition_id=edition.id, proposal_id=proposal.id, room_id=room.id, starts_at=starts_at,
                    ends_at=ends_at, pinned=bool(pinned))
        db.session.add(slot)
    else:
        before = {"room_id": slot.room_id, "starts_at": slot.starts_at.isoformat()}
        slot.room_id, slot.starts_at, slot.ends_at = room.id, starts_at, ends_at
        if pinned is not None:
            slot.pinned = pinned
    db.session.flush()
    record_audit("schedule.talk_placed", actor=actor, edition_id=edition.id, target=slot,
                 data={"proposal_id": proposal.id, "room_id": room.id, "starts_at": starts_at.isoformat(),
                       "before": before, "warnings": [p.kind for p in problems]})
    return slot, problems


def unschedule_talk(edition: Edition, proposal: Proposal, *, actor) -> None:
    slot = db.session.scalar(sa.select(Slot).where(Slot.proposal_id == proposal.id, Slot.edition_id == edition.id))
    if slot is None:
        raise Conflict(gettext("The talk is not in the schedule."))
    record_audit("schedule.talk_unscheduled", actor=actor, edition_id=edition.id, target=slot,
                 data={"proposal_id": proposal.id, "room_id": slot.room_id, "starts_at": slot.starts_at.isoformat()})
    db.session.delete(slot)
    db.session.flush()


def set_pinned(edition: Edition, proposal: Proposal, pinned: bool, *, actor) -> Slot:
    """Pin a placed talk (the scheduler leaves it where it is) or free it again."""
    slot = db.session.scalar(sa.select(Slot).where(Slot.proposal_id == proposal.id, Slot.edition_id == edition.id))
    if slot is None:
        raise Conflict(gettext("The talk is not in the schedule."))
    slot.pinned = pinned
    db.session.flush()
    record_audit("schedule.talk_pinned" if pinned else "schedule.talk_unpinned", actor=actor, edition_id=edition.id,
                 target=slot, data={"proposal_id": proposal.id})
    return slot


AUDIENCE_MAX = 100000


def set_expected_audience(edition: Edition, proposal: Proposal, audience: int | None, *, actor) -> list[Problem]:
    """Say how many people a talk is expected to draw (None: no estimate). The room-size
    check and the scheduler read it; the answer is the talk's problems where it stands now
    (a room too small among them), none when it is not placed."""
    if audience is not None and not 0 <= audience <= AUDIENCE_MAX:
        raise Conflict(gettext("Expect between 0 and %(max)d people.", max=AUDIENCE_MAX), field="expected_audience")
    before = proposal.expected_audience
    proposal.expected_audience = audience
    db.session.flush()
    record_audit("schedule.audience_set", actor=actor, edition_id=edition.id, target=proposal,
                 data={"proposal_id": proposal.id, "before": before, "audience": audience})
    slot = db.session.scalar(sa.select(Slot).where(Slot.proposal_id == proposal.id, Slot.edition_id == edition.id))
    if slot is None:
        return []
    return problems_of(grid.load_plan(edition), proposal.id, PurePlacement(slot.room_id, slot.starts_at))


# -- receivers ------------------------------------------------------------------------------


def drop_cancelled_talk(payload: TalkCancelled) -> None:
    """A talk that is no longer confirmed leaves the draft (a speaker leaving does not)."""
    proposal = db.session.get(Proposal, payload.proposal_id)
    if proposal is not None and proposal.state is not ProposalState.CONFIRMED:
        db.session.execute(sa.delete(Slot).where(Slot.proposal_id == proposal.id))


def schedule_using(question: ItemInUse) -> str | None:
    """Receiver of ``item_in_use``: a room with talks or blocks in the draft is not deleted."""
    if question.kind != "rooms":
        return None
    slots = db.session.scalar(sa.select(sa.func.count(Slot.id)).where(Slot.room_id == question.item_id)) or 0
    blocks = db.session.scalar(sa.select(sa.func.count(Block.id)).where(Block.room_id == question.item_id)) or 0
    if slots:
        return ngettext("%(num)d talk in the schedule", "%(num)d talks in the schedule", slots)
    if blocks:
        return ngettext("%(num)d block in the schedule", "%(num)d blocks in the schedule", blocks)
    return None


def connect_receivers() -> None:
    item_in_use.connect(schedule_using)
    talk_cancelled.connect(drop_cancelled_talk)
