"""Loaders for ``guarded``: the schedule's rows of the URL's edition, or 404."""

from __future__ import annotations

from flask import abort, g

from convention.cfp.models import Proposal
from convention.cfp.states import ProposalState
from convention.editions.loaders import get_edition_or_404, get_owned_or_404
from convention.editions.models import Room
from convention.schedule.exports import latest_info
from convention.schedule.models import Block, ScheduleDay, ScheduleVersion
from convention.schedule.versions import latest_version


def load_day(slug: str, day_id: int) -> dict:
    edition = get_edition_or_404(slug)
    return {"edition": edition, "item": get_owned_or_404(edition, ScheduleDay, day_id)}


def load_block(slug: str, block_id: int) -> dict:
    edition = get_edition_or_404(slug)
    return {"edition": edition, "item": get_owned_or_404(edition, Block, block_id)}


def load_room(slug: str, room_id: int) -> dict:
    edition = get_edition_or_404(slug)
    return {"edition": edition, "room": get_owned_or_404(edition, Room, room_id)}


def load_version(slug: str, version_id: int) -> dict:
    edition = get_edition_or_404(slug)
    return {"edition": edition, "version": get_owned_or_404(edition, ScheduleVersion, version_id)}


def load_talk(slug: str, proposal_id: int) -> dict:
    """A confirmed talk of the edition (the editor's unit)."""
    edition = get_edition_or_404(slug)
    proposal = get_owned_or_404(edition, Proposal, proposal_id)
    if proposal.state is not ProposalState.CONFIRMED:
        abort(404)
    return {"edition": edition, "proposal": proposal}


def published_version(edition) -> ScheduleVersion | None:
    """The newest published version, read once per request (menu, page and hooks ask)."""
    cache = g.setdefault("_schedule_versions", {})
    if edition.id not in cache:
        cache[edition.id] = latest_version(edition)
    return cache[edition.id]


def published_info(edition):
    """The newest published version's id, number, name and date (never its snapshot), once per request."""
    cache = g.setdefault("_schedule_infos", {})
    if edition.id not in cache:
        cache[edition.id] = latest_info(edition)
    return cache[edition.id]


def load_edition_and_args(slug: str, **arguments) -> dict:
    """The edition, and the URL's other arguments as they are (a talk's guid, a speaker's code)."""
    return {"edition": get_edition_or_404(slug), **arguments}
