"""Times are stored in UTC and shown in the edition's time zone."""

from __future__ import annotations

from datetime import UTC, datetime
from functools import lru_cache
from zoneinfo import ZoneInfo, available_timezones

import sqlalchemy as sa
from sqlalchemy.types import TypeDecorator

DEFAULT_TIMEZONE = "Europe/Brussels"


def utcnow() -> datetime:
    return datetime.now(UTC)


def to_utc(value: datetime, tz_name: str = DEFAULT_TIMEZONE) -> datetime:
    """Interpret a naive datetime as local time in ``tz_name`` and convert it to UTC."""
    if value.tzinfo is None:
        value = value.replace(tzinfo=ZoneInfo(tz_name))
    return value.astimezone(UTC)


def to_local(value: datetime | None, tz_name: str = DEFAULT_TIMEZONE) -> datetime | None:
    if value is None:
        return None
    if value.tzinfo is None:
        value = value.replace(tzinfo=UTC)
    return value.astimezone(ZoneInfo(tz_name))


@lru_cache(maxsize=1)
def _timezone_names() -> frozenset[str]:
    return frozenset(available_timezones())  # reads the zone database from disk: once


def is_valid_timezone(name: str) -> bool:
    return name in _timezone_names()


class UTCDateTime(TypeDecorator):
    """A timezone-aware datetime, stored as UTC on every backend.

    SQLite has no time zones and hands back naive values; this type always returns
    aware UTC datetimes and refuses naive ones on the way in, so no naive datetime
    can slip into the database.
    """

    impl = sa.DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value, dialect):
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError("naive datetime given to a UTC column")
        value = value.astimezone(UTC)
        if dialect.name == "sqlite":
            return value.replace(tzinfo=None)
        return value

    def process_result_value(self, value, dialect):
        if value is None:
            return None
        if value.tzinfo is None:
            return value.replace(tzinfo=UTC)
        return value.astimezone(UTC)
