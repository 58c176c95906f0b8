"""Published versions: the draft frozen as the public schedule, and what changed.

``publish_version`` builds the snapshot (everything the public pages and exports show:
rooms, days, blocks, talks with their speakers), compares it with the previous version
(talks moved, added, cancelled), stores both, writes the audit entry and emails the
speakers whose talk moved. Public pages read only ``latest_version``: drafting never leaks.

The snapshot (exports read it too; times are ISO 8601 in UTC, shown in ``edition.timezone``):
  edition: {slug, name, timezone}
  rooms:   [{id, name, capacity, description, position}]
  days:    [{day (YYYY-MM-DD, local), opens_at, closes_at}]
  blocks:  [{id, kind (break|keynote|social|other), title, starts_at, ends_at, room_id (null: every room)}]
  talks:   [{id (proposal id), guid, title, abstract, description_html (sanitised), speakers: [{code, name,
            bio_html, organisation}], theme, theme_id, format, language (en|nl|fr|de), level, room_id, room,
            starts_at, ends_at}]  in time order
The changelog: {moved: [talk + "from": {room, starts_at, ends_at}], added: [talk], cancelled: [talk]},
each talk as {guid, id, title, room, starts_at, ends_at}.
"""

from __future__ import annotations

import uuid
from datetime import datetime

import sqlalchemy as sa
from flask_babel import gettext

from convention.audit.services import record_audit
from convention.cfp.markup import render_markdown
from convention.cfp.models import Proposal
from convention.core.errors import Conflict
from convention.core.timeutil import to_local, utcnow
from convention.core.urls import external_url
from convention.editions.models import Edition
from convention.extensions import db
from convention.mail.services import queue_email
from convention.schedule import grid, setup
from convention.schedule.models import ScheduleVersion

NAME_MAX = 120


def talk_guid(edition: Edition, proposal: Proposal) -> str:
    """A talk's stable public identifier: the importer's, or one derived from the proposal."""
    return proposal.external_guid or str(uuid.uuid5(uuid.NAMESPACE_URL, f"convention:{edition.slug}:{proposal.code}"))


def _iso(value) -> str:
    return value.isoformat()


def build_snapshot(edition: Edition) -> dict:
    """The complete public schedule as the draft stands (placed confirmed talks only)."""
    rooms = grid.list_rooms(edition)
    talks = {talk.id: talk for talk in grid.confirmed_talks(edition)}
    slots = sorted(grid.draft_slots(edition), key=lambda s: (s.starts_at, s.room_id))
    room_names = {room.id: room.name for room in rooms}
    return {
        "edition": {"slug": edition.slug, "name": edition.name, "timezone": edition.timezone},
        "rooms": [{"id": r.id, "name": r.name, "capacity": r.capacity, "description": r.description,
                   "position": r.position} for r in rooms],
        "days": [{"day": d.day.isoformat(), "opens_at": _iso(d.opens_at), "closes_at": _iso(d.closes_at)}
                 for d in setup.list_days(edition)],
        "blocks": [{"id": b.id, "kind": b.kind.value, "title": b.title, "starts_at": _iso(b.starts_at),
                    "ends_at": _iso(b.ends_at), "room_id": b.room_id} for b in setup.list_blocks(edition)],
        "talks": [_talk(edition, talks[slot.proposal_id], slot, room_names) for slot in slots],
    }


def _talk(edition: Edition, proposal: Proposal, slot, room_names: dict) -> dict:
    return {
        "id": proposal.id,
        "guid": talk_guid(edition, proposal),
        "title": proposal.title,
        "abstract": proposal.abstract,
        "description_html": str(render_markdown(proposal.description)),
        "speakers": [{"code": link.profile.code, "name": link.profile.display_name,
                      "bio_html": str(render_markdown(link.profile.biography)),
                      "organisation": link.profile.organisation} for link in proposal.speakers],
        "theme": proposal.theme.name if proposal.theme else "",
        "theme_id": proposal.theme_id,
        "format": proposal.format.name if proposal.format else "",
        "language": proposal.language.value,
        "level": proposal.level.value,
        "room_id": slot.room_id,
        "room": room_names[slot.room_id],
        "starts_at": _iso(slot.starts_at),
        "ends_at": _iso(slot.ends_at),
    }


def diff(previous: dict | None, current: dict) -> dict:
    """Talks moved (room or time changed), added and cancelled since ``previous``, by guid."""
    old = {talk["guid"]: talk for talk in (previous or {}).get("talks", [])}
    new = {talk["guid"]: talk for talk in current["talks"]}

    def brief(talk):
        return {"guid": talk["guid"], "id": talk["id"], "title": talk["title"], "room": talk["room"],
                "starts_at": talk["starts_at"], "ends_at": talk["ends_at"]}

    moved = []
    for guid, talk in new.items():
        before = old.get(guid)
        if before and (before["room_id"], before["starts_at"], before["ends_at"]) != (
                talk["room_id"], talk["starts_at"], talk["ends_at"]):
            moved.append({**brief(talk), "from": {"room": before["room"], "starts_at": before["starts_at"],
                                                 "ends_at": before["ends_at"]}})
    return {"moved": moved,
            "added": [brief(talk) for guid, talk in new.items() if guid not in old],
            "cancelled": [brief(talk) for guid, talk in old.items() if guid not in new]}


def latest_version(edition: Edition) -> ScheduleVersion | None:
    """The newest published version: the only one public pages and exports read."""
    return db.session.scalar(sa.select(ScheduleVersion).where(ScheduleVersion.edition_id == edition.id)
                             .order_by(ScheduleVersion.number.desc()).limit(1))


def list_versions(edition: Edition) -> list[ScheduleVersion]:
    return list(db.session.scalars(sa.select(ScheduleVersion).where(ScheduleVersion.edition_id == edition.id)
                                   .order_by(ScheduleVersion.number.desc())))


def publish_version(edition: Edition, name: str, *, actor) -> ScheduleVersion:
    name = (name or "").strip()
    if not name or len(name) > NAME_MAX:
        raise Conflict(gettext("Give the version a name of at most %(max)d characters.", max=NAME_MAX), field="name")
    setup.get_settings(edition, lock=True)  # one publication at a time per edition
    previous = latest_version(edition)
    snapshot = build_snapshot(edition)
    changelog = diff(previous.snapshot if previous else None, snapshot)
    version = ScheduleVersion(edition_id=edition.id, number=(previous.number + 1) if previous else 1, name=name,
                              published_at=utcnow(), published_by_id=getattr(actor, "id", None),
                              snapshot=snapshot, changelog=changelog)
    db.session.add(version)
    db.session.flush()
    record_audit("schedule.published", actor=actor, edition_id=edition.id, target=version,
                 data={"number": version.number, "name": name, "talks": len(snapshot["talks"]),
                       **{key: len(value) for key, value in changelog.items()}},
                 before={"version": previous.number if previous else None}, after={"version": version.number})
    _tell_moved_speakers(edition, changelog["moved"])
    return version


def _tell_moved_speakers(edition: Edition, moved: list[dict]) -> None:
    if not moved:
        return
    proposals = db.session.scalars(sa.select(Proposal).where(Proposal.id.in_([m["id"] for m in moved])))
    by_id = {proposal.id: proposal for proposal in proposals}
    for change in moved:
        proposal = by_id[change["id"]]
        link = external_url("cfp.proposal", slug=edition.slug, code=proposal.code)
        for user in proposal.speaker_users:
            if user.email.endswith(".invalid"):  # an imported speaker (RFC 2606: never deliverable)
                continue
            queue_email("schedule_talk_moved", to=user.email, edition_id=edition.id, context={
                "user": user, "edition": edition, "proposal": proposal, "link": link,
                "room": change["room"], "when": local_text(change["starts_at"], edition.timezone),
                "old_room": change["from"]["room"], "old_when": local_text(change["from"]["starts_at"], edition.timezone)})


def local_text(iso: str, tz_name: str) -> str:
    """An ISO time of a snapshot as the edition's clock shows it ("Fri 12 Mar 2027, 10:30")."""
    return to_local(datetime.fromisoformat(iso), tz_name).strftime("%a %d %b %Y, %H:%M")
