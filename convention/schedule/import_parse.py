"""Reading a schedule written by another tool: frab schedule XML or C3VOC schedule JSON,
told apart by content. Both become one ``Source``; the database is never touched here.

XML is parsed with defusedxml with DTDs forbidden (no entity expansion, no external
entities). What real producers add is tolerated: FOSDEM's extra elements (``day_change``,
``tracks``, ``venue``...), persons without ids, durations like ``00:25`` or ``00:25:00``,
conference dates with or without a time, and a missing time zone.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from defusedxml import ElementTree as SafeTree
from flask_babel import gettext

from convention.core.errors import DomainError
from convention.core.timeutil import DEFAULT_TIMEZONE, is_valid_timezone


@dataclass
class SourcePerson:
    key: str  # the source's guid, id or, failing both, name
    name: str
    biography: str = ""


@dataclass
class SourceEvent:
    guid: str
    title: str
    room: str
    starts: datetime  # UTC
    minutes: int
    track: str = ""
    type: str = ""
    language: str = ""
    abstract: str = ""
    description: str = ""
    persons: list[SourcePerson] = field(default_factory=list)


@dataclass
class SourceDay:
    day: date
    starts: datetime | None  # UTC
    ends: datetime | None


@dataclass
class Source:
    title: str
    acronym: str
    timezone: str
    days: list[SourceDay]
    rooms: list[str]
    tracks: list[str]
    events: list[SourceEvent]
    version: str = ""


class ImportFormatError(DomainError):
    """The file is neither frab XML nor C3VOC JSON, or misses what an import needs."""


def _refuse(detail: str):
    raise ImportFormatError(gettext("This file cannot be imported: %(detail)s", detail=detail))


def parse_schedule(data: bytes) -> Source:
    """A frab XML or C3VOC JSON schedule, recognised by its first character."""
    text = data.lstrip()
    if text.startswith(b"<"):
        return parse_xml(data)
    if text.startswith(b"{"):
        return parse_json(data)
    return _refuse(gettext("it is neither a frab schedule XML nor a C3VOC schedule JSON."))


def _aware(value: str, tz: ZoneInfo) -> datetime:
    moment = datetime.fromisoformat(value.strip().replace("Z", "+00:00"))
    return (moment if moment.tzinfo else moment.replace(tzinfo=tz)).astimezone(UTC)


def _minutes(value: str) -> int:
    """"00:25", "00:25:00" or "25" as minutes."""
    try:
        parts = [int(p) for p in (value or "0").strip().split(":")]
    except ValueError:
        return _refuse(gettext("a duration is not written as hours:minutes."))
    if len(parts) == 1:
        return parts[0]
    return parts[0] * 60 + parts[1] + (1 if len(parts) > 2 and parts[2] >= 30 else 0)


def _zone(name: str | None) -> str:
    return name if name and is_valid_timezone(name) else DEFAULT_TIMEZONE


def _start_of(date_text: str | None, day: date | None, clock: str | None, tz: ZoneInfo) -> datetime:
    if date_text and "T" in date_text:
        return _aware(date_text, tz)
    if day is None or not clock:
        return _refuse(gettext("an event has no start time."))
    return datetime.combine(day, time.fromisoformat(clock.strip())).replace(tzinfo=tz).astimezone(UTC)


def _person_key(guid, ident, name: str) -> str:
    if guid:
        return f"guid:{str(guid).lower()}"
    if ident not in (None, ""):
        return f"id:{ident}"
    return f"name:{name.strip().lower()}"


def _finish(source: Source) -> Source:
    if not source.events and not source.days:
        _refuse(gettext("it holds no days and no events."))
    for event in source.events:
        if event.room not in source.rooms:
            source.rooms.append(event.room)
        if event.track and event.track not in source.tracks:
            source.tracks.append(event.track)
    return source


# -- frab XML -------------------------------------------------------------------------------


def _child(node, tag: str) -> str:
    found = node.find(tag)
    return (found.text or "").strip() if found is not None and found.text else ""


def parse_xml(data: bytes) -> Source:
    try:
        root = SafeTree.fromstring(data, forbid_dtd=True)
    except Exception as error:  # defusedxml's refusals and expat's syntax errors alike  # noqa: BLE001
        return _refuse(gettext("the XML cannot be read (%(error)s).", error=type(error).__name__))
    if root.tag != "schedule" or root.find("conference") is None:
        return _refuse(gettext("a frab schedule starts with <schedule> and holds a <conference>."))
    conference = root.find("conference")
    tz_name = _zone(_child(conference, "time_zone_name"))
    tz = ZoneInfo(tz_name)
    source = Source(title=_child(conference, "title"), acronym=_child(conference, "acronym"), timezone=tz_name,
                    days=[], rooms=[], tracks=[], events=[], version=_child(root, "version"))
    for track in root.iter("track"):  # FOSDEM's <tracks> block and the schema's conference/track
        name = (track.get("name") or track.text or "").strip()
        if name and name not in source.tracks:
            source.tracks.append(name)
    for day_node in root.findall("day"):
        day = date.fromisoformat(day_node.get("date")) if day_node.get("date") else None
        starts = _aware(day_node.get("start"), tz) if day_node.get("start") else None
        ends = _aware(day_node.get("end"), tz) if day_node.get("end") else None
        if day is None and starts is not None:
            day = starts.astimezone(tz).date()
        if day is not None:
            source.days.append(SourceDay(day, starts, ends))
        for room_node in day_node.findall("room"):
            room = (room_node.get("name") or "").strip()
            if room and room not in source.rooms:
                source.rooms.append(room)
            for node in room_node.findall("event"):
                source.events.append(_xml_event(node, room, day, tz))
    return _finish(source)


def _xml_event(node, room: str, day: date | None, tz: ZoneInfo) -> SourceEvent:
    persons = [SourcePerson(_person_key(p.get("guid"), p.get("id"), p.text or ""), (p.text or "").strip())
               for p in node.iter("person") if (p.text or "").strip()]
    guid = node.get("guid") or node.get("id") or ""
    if not guid:
        _refuse(gettext("an event has neither a guid nor an id."))
    return SourceEvent(
        guid=guid, title=_child(node, "title") or guid, room=_child(node, "room") or room,
        starts=_start_of(_child(node, "date"), day, _child(node, "start"), tz),
        minutes=_minutes(_child(node, "duration")), track=_child(node, "track"), type=_child(node, "type"),
        language=_child(node, "language"), abstract=_child(node, "abstract"),
        description=_child(node, "description"), persons=persons)


# -- C3VOC JSON -----------------------------------------------------------------------------


def parse_json(data: bytes) -> Source:
    try:
        document = json.loads(data)
        conference = document["schedule"]["conference"]
        days = conference.get("days") or []
    except (ValueError, KeyError, TypeError, AttributeError):
        return _refuse(gettext("a C3VOC schedule JSON holds schedule.conference with its days."))
    tz_name = _zone(conference.get("time_zone_name"))
    tz = ZoneInfo(tz_name)
    source = Source(title=str(conference.get("title") or ""), acronym=str(conference.get("acronym") or ""),
                    timezone=tz_name, days=[], rooms=[], tracks=[], events=[],
                    version=str(document["schedule"].get("version") or ""))
    for track in conference.get("tracks") or []:
        if isinstance(track, dict) and track.get("name"):
            source.tracks.append(str(track["name"]))
    for room in conference.get("rooms") or []:
        if isinstance(room, dict) and room.get("name") and room["name"] not in source.rooms:
            source.rooms.append(str(room["name"]))
    try:
        for day_row in days:
            day = date.fromisoformat(day_row["date"][:10])
            starts = _aware(day_row["day_start"], tz) if day_row.get("day_start") else None
            ends = _aware(day_row["day_end"], tz) if day_row.get("day_end") else None
            source.days.append(SourceDay(day, starts, ends))
            for room, events in (day_row.get("rooms") or {}).items():
                if room not in source.rooms:
                    source.rooms.append(room)
                source.events.extend(_json_event(event, room, day, tz) for event in events)
    except (ValueError, KeyError, TypeError, AttributeError) as error:
        return _refuse(gettext("an event or a day is incomplete (%(error)s).", error=str(error)[:80]))
    return _finish(source)


def _text(value) -> str:
    return "" if value is None else str(value).strip()


def _json_event(event: dict, room: str, day: date, tz: ZoneInfo) -> SourceEvent:
    persons = []
    for person in event.get("persons") or []:
        name = _text(person.get("name") or person.get("public_name") or person.get("full_public_name"))
        if name:
            persons.append(SourcePerson(_person_key(person.get("guid"), person.get("id") or person.get("code"), name),
                                        name, _text(person.get("biography"))))
    guid = _text(event.get("guid") or event.get("id"))
    if not guid:
        _refuse(gettext("an event has neither a guid nor an id."))
    if event.get("end") and event.get("date") and not event.get("duration"):
        minutes = int((_aware(event["end"], tz) - _aware(event["date"], tz)) / timedelta(minutes=1))
    else:
        minutes = _minutes(_text(event.get("duration")))
    return SourceEvent(
        guid=guid, title=_text(event.get("title")) or guid, room=_text(event.get("room")) or room,
        starts=_start_of(_text(event.get("date")), day, _text(event.get("start")), tz), minutes=minutes,
        track=_text(event.get("track")), type=_text(event.get("type")), language=_text(event.get("language")),
        abstract=_text(event.get("abstract")), description=_text(event.get("description")), persons=persons)
