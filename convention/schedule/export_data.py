"""The published snapshot arranged the way the frab XML and C3VOC JSON exports see it:
conference days (an event after midnight stays on the day it started in, as the
``day_change`` convention wants), rooms within a day, events with local times.

Pure: it reads only the snapshot (a dict) and a few values of the edition, never the
database, so the exports show exactly the published version and nothing of the draft.
"""

from __future__ import annotations

import re
import uuid
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

GENERATOR = "convention"
# Blocks of these kinds (not breaks) are exported as events, with ids above every talk's.
EXPORTED_BLOCKS = ("keynote", "social", "other")
BLOCK_ID_BASE = 1_000_000_000
SCHEMA_URL = "https://c3voc.de/schedule/schema.json"
_SLUG_CHARS = re.compile(r"[^a-z0-9]+")


def acronym_of(slug: str) -> str:
    """An acronym valid for both schemas ([a-z0-9_], at least four characters)."""
    text = re.sub(r"[^a-z0-9_]", "_", slug.lower())
    return text.ljust(4, "_")


def slugify(text: str, limit: int = 60) -> str:
    words = _SLUG_CHARS.sub("-", text.lower()).strip("-")[:limit].strip("-")
    return words if len(words) >= 4 else f"{words}-talk".lstrip("-")


def hhmm(minutes: int) -> str:
    return f"{minutes // 60:02d}:{minutes % 60:02d}"


def stable_uuid(*parts) -> str:
    return str(uuid.uuid5(uuid.NAMESPACE_URL, "convention:" + ":".join(str(p) for p in parts)))


def guid_of(value: str, *fallback) -> str:
    """The talk's guid when it is a UUID (imported or derived ones are), else a stable one."""
    try:
        return str(uuid.UUID(value))
    except (ValueError, AttributeError, TypeError):
        return stable_uuid(*fallback, value)


@dataclass
class Person:
    guid: str
    name: str
    code: str
    biography: str


@dataclass
class Event:
    id: int
    guid: str
    title: str
    room: str
    starts: datetime  # local, aware
    ends: datetime
    abstract: str
    description: str
    track: str
    type: str
    language: str
    slug: str
    url: str
    persons: list[Person]

    @property
    def minutes(self) -> int:
        return max(0, int((self.ends - self.starts).total_seconds() // 60))

    @property
    def duration(self) -> str:
        return hhmm(self.minutes)

    @property
    def start(self) -> str:
        return f"{self.starts:%H:%M}"


@dataclass
class Day:
    index: int
    date: date
    start: datetime  # local, aware
    end: datetime
    rooms: dict[str, list[Event]] = field(default_factory=dict)  # room name -> events in time order


@dataclass
class Conference:
    title: str
    acronym: str
    timezone: str
    start: date
    end: date
    url: str
    rooms: list[tuple[str, str]]  # (name, guid), in the edition's order
    tracks: list[str]
    days: list[Day]
    version: str

    @property
    def events(self) -> list[Event]:
        return [event for day in self.days for events in day.rooms.values() for event in events]


def _local(iso: str, tz: ZoneInfo) -> datetime:
    return datetime.fromisoformat(iso).astimezone(tz)


def _event(talk: dict, tz: ZoneInfo, acronym: str, slug: str, talk_url: str) -> Event:
    guid = guid_of(talk["guid"], slug, "talk", talk["id"])
    return Event(
        id=talk["id"], guid=guid, title=talk["title"], room=talk["room"],
        starts=_local(talk["starts_at"], tz), ends=_local(talk["ends_at"], tz),
        abstract=talk.get("abstract") or "", description=talk.get("description_html") or "",
        track=talk.get("theme") or "", type=talk.get("type") or talk.get("format") or "talk", language=talk.get("language") or "en",
        slug=f"{acronym}-{talk['id']}-{slugify(talk['title'])}", url=talk_url.replace("__ident__", talk["guid"]),
        persons=[Person(stable_uuid(slug, "speaker", s["code"]), s["name"], s["code"], s.get("bio_html") or "")
                 for s in talk.get("speakers", [])])


def _block_events(snapshot: dict, tz: ZoneInfo, acronym: str, slug: str, schedule_url: str) -> list[Event]:
    """The programme's fixed items (a keynote, a social event): a block of every room is
    listed in the first room, where the edition's rooms start."""
    rooms = {room["id"]: room["name"] for room in snapshot.get("rooms", [])}
    first_room = next(iter(rooms.values()), "")
    events = []
    for block in snapshot.get("blocks", []):
        if block["kind"] not in EXPORTED_BLOCKS:
            continue
        number = BLOCK_ID_BASE + block["id"]
        events.append(Event(
            id=number, guid=stable_uuid(slug, "block", block["id"]), title=block["title"],
            room=rooms.get(block["room_id"], first_room), starts=_local(block["starts_at"], tz),
            ends=_local(block["ends_at"], tz), abstract="", description="", track="", type=block["kind"],
            language="", slug=f"{acronym}-{number}-{slugify(block['title'])}", url=schedule_url, persons=[]))
    return [event for event in events if event.room]


def _days(snapshot: dict, events: list[Event], tz: ZoneInfo, first_day: date) -> list[Day]:
    """The published days; each event goes to the last day opened before it starts (after
    midnight is still the evening before). Without days: one per local date of the events."""
    days = [Day(0, date.fromisoformat(d["day"]), _local(d["opens_at"], tz), _local(d["closes_at"], tz))
            for d in sorted(snapshot.get("days", []), key=lambda d: d["opens_at"])]
    if not days:
        dates = sorted({event.starts.date() for event in events}) or [first_day]
        for on in dates:
            midnight = datetime.combine(on, datetime.min.time(), tz)
            days.append(Day(0, on, midnight, midnight + timedelta(days=1) - timedelta(minutes=1)))
    for event in sorted(events, key=lambda e: (e.starts, e.room, e.id)):
        home = days[0]
        for day in days:
            if day.start <= event.starts:
                home = day
        home.rooms.setdefault(event.room, []).append(event)
        home.start = min(home.start, event.starts)
        home.end = max(home.end, event.ends)
    for index, day in enumerate(days, start=1):
        day.index = index
    return days


def build_conference(snapshot: dict, *, slug: str, version_label: str, schedule_url: str, talk_url: str,
                     first_day: date) -> Conference:
    """``talk_url``: the public talk page with ``__ident__`` where the talk's guid goes."""
    meta = snapshot.get("edition", {})
    tz_name = meta.get("timezone") or "UTC"
    tz = ZoneInfo(tz_name)
    acronym = acronym_of(slug)
    events = [_event(talk, tz, acronym, slug, talk_url) for talk in snapshot.get("talks", [])]
    events += _block_events(snapshot, tz, acronym, slug, schedule_url)
    days = _days(snapshot, events, tz, first_day)
    room_names = [room["name"] for room in snapshot.get("rooms", [])]
    room_names += sorted({event.room for event in events} - set(room_names))
    tracks = sorted({event.track for event in events if event.track})
    return Conference(
        title=meta.get("name") or slug, acronym=acronym, timezone=tz_name, start=days[0].date, end=days[-1].date,
        url=schedule_url, rooms=[(name, stable_uuid(slug, "room", name)) for name in room_names], tracks=tracks,
        days=days, version=version_label)
