"""The exports of the published schedule: built once per published version, then served
from memory with an ETag and a Last-Modified date.

A version's snapshot never changes once published, so the rendered bytes are cached by
``(version id and time, format, edition slug, BASE_URL)``: a new publication has a new id, and
every gunicorn worker rebuilds its copy at its first request for it; no worker can serve
an older version than the database names. A request for a cached export reads only the
newest version's id and date (a few columns, never the large snapshot). Nothing
published: ``None`` (the views answer 404; documented in the README).
"""

from __future__ import annotations

import threading
from collections import OrderedDict
from dataclasses import dataclass
from datetime import datetime

import sqlalchemy as sa
from flask import current_app

from convention.core.urls import external_url
from convention.editions.models import Edition
from convention.extensions import db
from convention.schedule.export_data import BLOCK_ID_BASE, Conference, build_conference
from convention.schedule.export_frab import render_json, render_xml
from convention.schedule.export_ical import render_ical
from convention.schedule.models import ScheduleVersion

FORMATS = {
    "xml": "application/xml; charset=utf-8",
    "json": "application/json; charset=utf-8",
    "ics": "text/calendar; charset=utf-8",
}
REVISION = 1  # raise when the output of the builders changes: clients' ETags then differ


@dataclass(frozen=True)
class VersionInfo:
    id: int
    number: int
    name: str
    published_at: datetime

    @property
    def key(self) -> str:
        """The version's id and publication time (to the microsecond): SQLite may hand a
        deleted version's id to a new one, never with the same time as well."""
        return f"{self.id}.{int(self.published_at.timestamp() * 1_000_000):x}"


@dataclass(frozen=True)
class Export:
    body: bytes
    content_type: str
    etag: str
    last_modified: datetime


class Lru:
    """A small thread-safe LRU map, per process."""

    def __init__(self, size: int):
        self.size = size
        self.items: OrderedDict = OrderedDict()
        self.lock = threading.Lock()

    def get(self, key):
        with self.lock:
            if key in self.items:
                self.items.move_to_end(key)
                return self.items[key]
        return None

    def put(self, key, value) -> None:
        with self.lock:
            self.items[key] = value
            self.items.move_to_end(key)
            while len(self.items) > self.size:
                self.items.popitem(last=False)

    def clear(self) -> None:
        with self.lock:
            self.items.clear()


_rendered = Lru(32)  # bytes of whole-schedule exports
_talks = Lru(512)  # bytes of single-talk calendars
_conferences = Lru(4)  # the parsed snapshot of the versions asked for most recently


def clear_cache() -> None:
    for cache in (_rendered, _talks, _conferences):
        cache.clear()


def latest_info(edition: Edition) -> VersionInfo | None:
    """The newest published version's id, number, name and date (not its snapshot)."""
    row = db.session.execute(
        sa.select(ScheduleVersion.id, ScheduleVersion.number, ScheduleVersion.name, ScheduleVersion.published_at)
        .where(ScheduleVersion.edition_id == edition.id).order_by(ScheduleVersion.number.desc()).limit(1)).first()
    return VersionInfo(*row) if row else None


def etag_of(info: VersionInfo, what: str) -> str:
    return f"v{info.key}-r{REVISION}-{what}"


def _conference(edition: Edition, info: VersionInfo) -> Conference:
    key = (info.key, edition.slug, current_app.config["BASE_URL"])
    conference = _conferences.get(key)
    if conference is None:
        snapshot = db.session.scalar(sa.select(ScheduleVersion.snapshot).where(ScheduleVersion.id == info.id))
        conference = build_conference(
            snapshot, slug=edition.slug, version_label=f"{info.number} {info.name}",
            schedule_url=external_url("schedule.programme", slug=edition.slug),
            talk_url=external_url("schedule.talk", slug=edition.slug, ident="__ident__"),
            first_day=edition.starts_on)
        _conferences.put(key, conference)
    return conference


def _cached(cache: Lru, edition: Edition, info: VersionInfo, what: str, content_type: str, build) -> Export | None:
    key = (info.key, what, edition.slug, current_app.config["BASE_URL"])
    body = cache.get(key)
    if body is None:
        body = build(_conference(edition, info))
        if body is None:
            return None
        cache.put(key, body)
    return Export(body, content_type, etag_of(info, what), info.published_at)


def schedule_export(edition: Edition, fmt: str, info: VersionInfo) -> Export:
    """The whole published schedule as ``fmt`` ("xml", "json" or "ics")."""
    builders = {
        "xml": render_xml,
        "json": render_json,
        "ics": lambda conference: render_ical(conference, conference.events, stamp=info.published_at),
    }
    return _cached(_rendered, edition, info, fmt, FORMATS[fmt], builders[fmt])


def talk_calendar(edition: Edition, ident: str, info: VersionInfo) -> Export | None:
    """One published talk (by guid or number) as iCalendar, or None if it is not published."""
    def build(conference: Conference):
        found = [e for e in conference.events if ident in (e.guid, str(e.id)) and e.id < BLOCK_ID_BASE]
        return render_ical(conference, found[:1], stamp=info.published_at) if found else None

    return _cached(_talks, edition, info, f"talk-{ident}", FORMATS["ics"], build)
