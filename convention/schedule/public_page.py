"""The public grid page's content, rendered once per (published version, day, filters,
language) and then served from memory.

The key holds the version's id and publication time (``exports.VersionInfo.key``): a new
publication has a new key, so every gunicorn worker renders its own copy at its first
request for it and none serves an older version than the database names. A request whose
fragment is cached reads only the newest version's id and date, never the snapshot; on a
miss the snapshot is read once and kept for the next days and filters.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import date, datetime

import sqlalchemy as sa
from flask import current_app
from flask_babel import get_locale
from markupsafe import Markup

from convention.core.timeutil import to_local, utcnow
from convention.editions.models import Edition
from convention.extensions import db
from convention.schedule import public
from convention.schedule.exports import Lru, VersionInfo
from convention.schedule.models import ScheduleVersion

ARG_LIMIT = 40  # longer values name nothing offered: cut before they become cache keys
_fragments = Lru(24)  # a FOSDEM day is ~0.5 MB of HTML: at most ~12 MB per worker
_snapshots = Lru(2)


def clear_cache() -> None:
    _fragments.clear()
    _snapshots.clear()


def _snapshot(info: VersionInfo) -> dict:
    snapshot = _snapshots.get(info.key)
    if snapshot is None:
        snapshot = db.session.scalar(sa.select(ScheduleVersion.snapshot).where(ScheduleVersion.id == info.id))
        _snapshots.put(info.key, snapshot)
    return snapshot


def _days(edition: Edition, snapshot: dict) -> list[date]:
    days = [day for day, _opens in public.conference_days(snapshot, edition.timezone)]
    if days:
        return days
    return sorted({to_local(datetime.fromisoformat(talk["starts_at"]), edition.timezone).date()
                   for talk in snapshot["talks"]})


def today_in(edition: Edition) -> date:
    return to_local(utcnow(), edition.timezone).date()


def grid_fragment(edition: Edition, info: VersionInfo, args, render: Callable[..., str]) -> Markup:
    """The page's content below the layout: version line, filters, day links, one day's grid.
    ``render(**context)``: the view's template for it (rendered on a miss only)."""
    asked = {name: args.get(name, "")[:ARG_LIMIT] for name in (*public.FILTERS, "day")}
    today = today_in(edition)
    key = (info.key, edition.slug, edition.timezone, current_app.config.get("BASE_URL"), str(get_locale()),
           tuple(sorted(asked.items())), today if not asked["day"] else None)
    fragment = _fragments.get(key)
    if fragment is None:
        fragment = Markup(render(**_context(edition, info, asked, today)))  # noqa: S704 - rendered by autoescaped Jinja
        _fragments.put(key, fragment)
    return fragment


def _context(edition: Edition, info: VersionInfo, asked: dict, today: date) -> dict:
    snapshot = _snapshot(info)
    chosen = public.clean_filters(snapshot, asked)
    days = _days(edition, snapshot)
    day = public.pick_day(days, asked["day"], today)
    shown = public.schedule_day(edition, snapshot, chosen, day) if day else None
    return {"edition": edition, "version": info, "rooms": snapshot["rooms"], "days": days, "day": shown,
            "options": public.filter_options(snapshot), "chosen": chosen}
