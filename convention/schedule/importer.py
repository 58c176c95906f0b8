"""Importing a schedule from another tool (``flask schedule import``): the edition (created
if missing), its rooms, days, tracks as themes, formats by duration, speakers, and the
talks as confirmed proposals placed (and pinned) in the draft grid; then a published
version unless it is a draft import.

Talks are keyed on the source's guid (``Proposal.external_guid``) and speakers on the
source's person guid or id, so importing the same file again updates rows instead of
adding them; a talk that left the file is taken off the grid. Imported speakers are
accounts without a usable password at an ``.invalid`` address: they cannot sign in and
no mail reaches anyone. Text from the file is sanitised with ``cfp.markup`` (nh3).
"""

from __future__ import annotations

import hashlib
import html
import re
import uuid
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, time, timedelta
from zoneinfo import ZoneInfo

import nh3
import sqlalchemy as sa
from flask_babel import gettext

from convention.accounts.models import User
from convention.audit.services import record_audit
from convention.cfp.markup import render_markdown
from convention.cfp.models import AudienceLevel, Language, Proposal, ProposalSpeaker, SpeakerProfile
from convention.cfp.states import ProposalState
from convention.core.errors import DomainError
from convention.core.timeutil import to_utc, utcnow
from convention.editions.models import Edition, Role, Room, SessionFormat, Theme
from convention.editions.services import SLUG_PATTERN, grant_role, reserved_slugs
from convention.extensions import db
from convention.schedule.import_parse import Source, SourceEvent
from convention.schedule.models import ScheduleDay, ScheduleVersion, Slot
from convention.schedule.versions import publish_version

UNUSABLE_PASSWORD = "!imported"  # noqa: S105 - not an argon2 hash: no password ever matches it
IMPORTED_CAPACITY = 100
MAX_MINUTES = 720
_CHUNK = 500
_LANGUAGES = {language.value for language in Language}


@dataclass
class ImportResult:
    edition: Edition
    edition_created: bool
    talks_created: int
    talks_updated: int
    talks_unscheduled: int
    speakers: int
    rooms: int
    version: ScheduleVersion | None


def plain_text(markup: str) -> str:
    """Escaped HTML from the file as sanitised plain text, paragraphs kept as blank lines."""
    if not markup:
        return ""
    safe = str(render_markdown(markup))
    safe = re.sub(r"(?i)</p>|<br\s*/?>|</li>", "\n", safe)
    return re.sub(r"\n{3,}", "\n\n", html.unescape(nh3.clean(safe, tags=set())).strip())


def language_of(text: str) -> Language:
    """The first language of ``de, en`` that this system knows; English otherwise."""
    for code in re.split(r"[\s,;/]+", (text or "").lower()):
        if code[:2] in _LANGUAGES:
            return Language(code[:2])
    return Language.ENGLISH


def canonical_guid(value: str, slug: str) -> str:
    try:
        return str(uuid.UUID(value))
    except ValueError:
        return str(uuid.uuid5(uuid.NAMESPACE_URL, f"convention:{slug}:import:{value}"))


def _email_of(slug: str, key: str) -> str:
    return f"speaker-{hashlib.sha256(f'{slug}:{key}'.encode()).hexdigest()[:24]}@import.invalid"


def _in_chunks(query, column, values):
    values = list(values)
    for start in range(0, len(values), _CHUNK):
        yield from db.session.scalars(query.where(column.in_(values[start:start + _CHUNK])))


# -- the frame: edition, rooms, themes, formats, days ---------------------------------------


def _edition(source: Source, slug: str, *, draft: bool, actor) -> tuple[Edition, bool]:
    tz = ZoneInfo(source.timezone)
    dates = [day.day for day in source.days] + [event.starts.astimezone(tz).date() for event in source.events]
    edition = db.session.scalar(sa.select(Edition).where(Edition.slug == slug))
    if edition is not None:
        edition.starts_on, edition.ends_on = min([edition.starts_on, *dates]), max([edition.ends_on, *dates])
        return edition, False
    if not SLUG_PATTERN.match(slug):
        raise DomainError(gettext("Use 1 to 40 lowercase letters, digits and dashes, not starting or ending with a dash."),
                          field="slug")
    if slug in reserved_slugs():
        raise DomainError(gettext("“%(slug)s” is reserved by the site; choose another address.", slug=slug), field="slug")
    edition = Edition(slug=slug, name=(source.title or slug)[:160], starts_on=min(dates), ends_on=max(dates),
                      timezone=source.timezone, published=not draft)
    db.session.add(edition)
    db.session.flush()
    record_audit("edition.create", actor=actor, edition_id=edition.id, target=edition, data={"slug": slug, "import": True})
    if actor is not None:
        grant_role(edition, actor, Role.ORGANIZER, actor=actor)
    return edition, True


def _named(model, edition: Edition, names: list[str], limit: int, make) -> dict[str, object]:
    """The edition's rows of ``model`` by the source's names, creating those missing."""
    existing = {row.name: row for row in db.session.scalars(sa.select(model).where(model.edition_id == edition.id))}
    found = {}
    for position, name in enumerate(names, start=len(existing)):
        short = name[:limit].strip() or "?"
        if short not in existing:
            existing[short] = make(short, position)
            db.session.add(existing[short])
        found[name] = existing[short]
    return found


def _formats(edition: Edition, events: list[SourceEvent]) -> dict[int, SessionFormat]:
    by_minutes: dict[int, SessionFormat] = {}
    for row in db.session.scalars(sa.select(SessionFormat).where(SessionFormat.edition_id == edition.id)
                                  .order_by(SessionFormat.id)):
        by_minutes.setdefault(row.duration_minutes, row)
    taken = {row.name for row in by_minutes.values()}
    for minutes in sorted({_clamp(event.minutes) for event in events} - by_minutes.keys()):
        name = gettext("Session (%(minutes)d min)", minutes=minutes)
        if name in taken:
            name = f"{name} #{minutes}"
        by_minutes[minutes] = SessionFormat(edition_id=edition.id, name=name[:80], duration_minutes=minutes)
        db.session.add(by_minutes[minutes])
    return by_minutes


def _clamp(minutes: int) -> int:
    return min(max(minutes, 1), MAX_MINUTES)


def _days(edition: Edition, source: Source) -> None:
    tz = ZoneInfo(edition.timezone)
    existing = {row.day: row for row in db.session.scalars(sa.select(ScheduleDay).where(ScheduleDay.edition_id == edition.id))}
    for source_day in source.days:
        on_day = [e for e in source.events if e.starts.astimezone(tz).date() == source_day.day]
        opens = source_day.starts or min((e.starts for e in on_day), default=to_utc(
            datetime.combine(source_day.day, time(9)), edition.timezone))
        closes = source_day.ends or max((e.starts + timedelta(minutes=e.minutes) for e in on_day),
                                        default=opens + timedelta(hours=9))
        closes = max(closes, opens + timedelta(minutes=1))
        row = existing.get(source_day.day)
        if row is None:
            row = existing[source_day.day] = ScheduleDay(edition_id=edition.id, day=source_day.day)
            db.session.add(row)
        row.opens_at, row.closes_at = opens, closes


# -- people ----------------------------------------------------------------------------------


def _profiles(edition: Edition, source: Source) -> dict[str, SpeakerProfile]:
    people = {}
    for event in source.events:
        for person in event.persons:
            known = people.get(person.key)
            if known is None or (person.biography and not known.biography):
                people[person.key] = person
    emails = {_email_of(edition.slug, key): key for key in people}
    users = {user.email: user for user in _in_chunks(sa.select(User), User.email, emails)}
    for email, key in emails.items():
        if email not in users:
            users[email] = User(email=email, name=people[key].name[:120], password_hash=UNUSABLE_PASSWORD)
            db.session.add(users[email])
    db.session.flush()
    by_user = {p.user_id: p for p in db.session.scalars(
        sa.select(SpeakerProfile).where(SpeakerProfile.edition_id == edition.id,
                                        SpeakerProfile.user_id.in_([u.id for u in users.values()])))} if users else {}
    profiles = {}
    for email, key in emails.items():
        user, person = users[email], people[key]
        profile = by_user.get(user.id)
        if profile is None:
            profile = SpeakerProfile(edition_id=edition.id, user_id=user.id)
            db.session.add(profile)
        profile.display_name = person.name[:120]
        profile.biography = person.biography or profile.biography or ""
        profiles[key] = profile
    db.session.flush()
    return profiles


# -- talks ---------------------------------------------------------------------------------


def _talk(edition, proposal, event, theme, session_format, speakers, slot, room, now) -> None:
    proposal.title = event.title[:200]
    proposal.theme_id = theme.id if theme else None
    proposal.format_id = session_format.id
    proposal.language = language_of(event.language)
    proposal.external_type = (event.type or "").strip()[:40]  # exported back as the frab <type>
    proposal.abstract = plain_text(event.abstract)
    proposal.description = str(render_markdown(event.description)) if event.description else ""
    proposal.updated_at = now
    wanted = list(dict.fromkeys(profile.id for profile in speakers))
    current = {link.profile_id: link for link in proposal.speakers}
    for profile_id, link in current.items():
        if profile_id not in wanted:
            proposal.speakers.remove(link)
    for position, profile_id in enumerate(wanted):
        if profile_id not in current:
            proposal.speakers.append(ProposalSpeaker(profile_id=profile_id, is_submitter=position == 0))
    slot.room_id, slot.starts_at = room.id, event.starts
    slot.ends_at = event.starts + timedelta(minutes=max(event.minutes, 1))
    slot.pinned = True


def import_schedule(source: Source, slug: str, *, draft: bool = False, actor=None,
                    progress: Callable[[int], None] | None = None) -> ImportResult:
    """Bring ``source`` into the edition ``slug``; flushes, never commits."""
    edition, created = _edition(source, slug, draft=draft, actor=actor)
    rooms = _named(Room, edition, source.rooms, 80,
                   lambda name, pos: Room(edition_id=edition.id, name=name, capacity=IMPORTED_CAPACITY, position=pos))
    themes = _named(Theme, edition, source.tracks, 120, lambda name, pos: Theme(edition_id=edition.id, name=name, position=pos))
    formats = _formats(edition, source.events)
    _days(edition, source)
    db.session.flush()
    profiles = _profiles(edition, source)
    guids = {canonical_guid(event.guid, slug): event for event in source.events}
    proposals = {p.external_guid: p for p in db.session.scalars(
        sa.select(Proposal).where(Proposal.edition_id == edition.id, Proposal.external_guid.is_not(None))
        .options(sa.orm.selectinload(Proposal.speakers)))}
    slots = {s.proposal_id: s for s in db.session.scalars(sa.select(Slot).where(Slot.edition_id == edition.id))}
    now, made = utcnow(), 0
    for done, (guid, event) in enumerate(guids.items(), start=1):
        proposal = proposals.get(guid)
        if proposal is None:
            made += 1
            proposal = Proposal(edition_id=edition.id, external_guid=guid, level=AudienceLevel.INTERMEDIATE,
                                state=ProposalState.CONFIRMED, submitted_at=now, state_changed_at=now, created_at=now)
            db.session.add(proposal)
        slot = slots.get(proposal.id) if proposal.id else None
        if slot is None:
            slot = Slot(edition_id=edition.id, proposal=proposal)
            db.session.add(slot)
        _talk(edition, proposal, event, themes.get(event.track), formats[_clamp(event.minutes)],
              [profiles[p.key] for p in event.persons], slot, rooms[event.room], now)
        if progress is not None and done % 50 == 0:
            progress(50)
    unscheduled = [slots[p.id] for g, p in proposals.items() if g not in guids and p.id in slots]
    for slot in unscheduled:
        db.session.delete(slot)
    db.session.flush()
    if progress is not None:
        progress(len(guids) % 50)
    record_audit("schedule.imported", actor=actor, edition_id=edition.id, target=edition, data={
        "talks": len(guids), "created": made, "unscheduled": len(unscheduled), "speakers": len(profiles)})
    version = None
    if not draft:
        version = publish_version(edition, (gettext("Import %(version)s", version=source.version)
                                            if source.version else gettext("Import"))[:120], actor=actor)
    return ImportResult(edition, created, made, len(guids) - made, len(unscheduled), len(profiles), len(rooms), version)
