"""frab schedule XML and C3VOC schedule JSON of a ``Conference`` (``export_data``).

Both validate against the official schemas kept in ``../shared/data/schema/`` (the
tests check it): the XML against ``schedule.xml.xsd``, the JSON against
``schedule.schema.json``. Only standard elements are written, in UTF-8.
"""

from __future__ import annotations

import json
import re
from xml.etree.ElementTree import Element, SubElement, tostring  # noqa: S405 - builds XML, never parses it

from convention.schedule.export_data import GENERATOR, SCHEMA_URL, Conference, Event, hhmm

TIMESLOT = hhmm(5)
# The JSON schema's pattern for time_zone_name; another zone name is left out.
_ZONE_PATTERN = re.compile(r"^([A-Z][a-z]+/[A-Z][a-z]+)|UTC$")


def _http(url: str) -> bool:
    return url.startswith(("http://", "https://"))


def _text(parent: Element, tag: str, value: str = "", **attributes) -> Element:
    child = SubElement(parent, tag, {k: v for k, v in attributes.items() if v is not None})
    child.text = value
    return child


def _xml_event(parent: Element, event: Event) -> None:
    node = SubElement(parent, "event", {"guid": event.guid, "id": str(event.id)})
    for tag, value in (("date", event.starts.isoformat()), ("start", event.start), ("duration", event.duration),
                       ("room", event.room), ("slug", event.slug), ("title", event.title), ("subtitle", ""),
                       ("track", event.track), ("type", event.type), ("language", event.language),
                       ("abstract", event.abstract), ("description", event.description)):
        _text(node, tag, value)
    if _http(event.url):
        _text(node, "url", event.url)
    persons = SubElement(node, "persons")
    for person in event.persons:
        _text(persons, "person", person.name, guid=person.guid)
    SubElement(node, "links")
    SubElement(node, "attachments")


def render_xml(conference: Conference) -> bytes:
    root = Element("schedule")
    SubElement(root, "generator", {"name": GENERATOR})
    if _http(conference.url):
        _text(root, "url", conference.url)
    _text(root, "version", conference.version)
    info = SubElement(root, "conference")
    for tag, value in (("title", conference.title), ("acronym", conference.acronym),
                       ("start", conference.start.isoformat()), ("end", conference.end.isoformat()),
                       ("days", str(len(conference.days))), ("timeslot_duration", TIMESLOT),
                       ("time_zone_name", conference.timezone)):
        _text(info, tag, value)
    for track in conference.tracks:
        _text(info, "track", track, name=track)
    for day in conference.days:
        day_node = SubElement(root, "day", {"index": str(day.index), "date": day.date.isoformat(),
                                            "start": day.start.isoformat(), "end": day.end.isoformat()})
        for name, guid in conference.rooms:  # every room every day, as frab and FOSDEM write it
            room_node = SubElement(day_node, "room", {"name": name, "guid": guid})
            for event in day.rooms.get(name, ()):
                _xml_event(room_node, event)
    return b'<?xml version="1.0" encoding="UTF-8"?>\n' + tostring(root, encoding="utf-8", xml_declaration=False) + b"\n"


def _json_event(event: Event) -> dict:
    return {
        "guid": event.guid, "id": event.id, "date": event.starts.isoformat(), "start": event.start,
        "end": event.ends.isoformat(), "duration": event.duration, "room": event.room, "slug": event.slug,
        "url": event.url, "title": event.title, "subtitle": "", "track": event.track or None, "type": event.type,
        "language": event.language, "abstract": event.abstract, "description": event.description,
        "persons": [{"guid": p.guid, "code": p.code, "name": p.name, "biography": p.biography} for p in event.persons],
        "links": [], "attachments": [],
    }


def render_json(conference: Conference) -> bytes:
    info = {
        "acronym": conference.acronym, "title": conference.title, "start": conference.start.isoformat(),
        "end": conference.end.isoformat(), "daysCount": len(conference.days), "timeslot_duration": TIMESLOT,
    }
    if _ZONE_PATTERN.search(conference.timezone):
        info["time_zone_name"] = conference.timezone
    if _http(conference.url):
        info["url"] = conference.url
    info["tracks"] = [{"name": track} for track in conference.tracks]
    info["rooms"] = [{"name": name, "guid": guid} for name, guid in conference.rooms]
    info["days"] = [{
        "index": day.index, "date": day.date.isoformat(), "day_start": day.start.isoformat(),
        "day_end": day.end.isoformat(),
        "rooms": {name: [_json_event(e) for e in day.rooms[name]] for name, _guid in conference.rooms
                  if name in day.rooms},
    } for day in conference.days]
    document = {"$schema": SCHEMA_URL, "generator": {"name": GENERATOR},
                "schedule": {"version": conference.version, "conference": info}}
    return json.dumps(document, ensure_ascii=False, separators=(",", ":")).encode()
