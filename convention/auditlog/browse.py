"""The queries behind the audit log pages: filter, one page, or every row for the CSV."""

from __future__ import annotations

import json
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from typing import NamedTuple

import sqlalchemy as sa

from convention.accounts.models import User
from convention.audit.models import AuditClientAddress, AuditEntry
from convention.core.pagination import Page, fetch_page
from convention.core.search import contains, contains_pattern
from convention.core.timeutil import to_local, to_utc
from convention.extensions import db
from convention.registration.reports import STREAM_BATCH, csv_lines

PER_PAGE = 50
TEXT_MAX = 100
FILTER_ARGS = ("person", "action", "object", "since", "until")


@dataclass(frozen=True)
class AuditFilters:
    person: str = ""  # part of the actor's name or email, or "#<id>"
    action: str = ""  # an action or the start of one: "order." matches every order action
    object: str = ""  # an object type ("Order"), or type and id ("Order:12")
    since: date | None = None  # days in the time zone of the page (the edition's, or UTC)
    until: date | None = None

    @classmethod
    def from_args(cls, args) -> AuditFilters:
        def text(name):
            return (args.get(name) or "").strip()[:TEXT_MAX]

        def day(name):
            try:
                return date.fromisoformat(text(name)) if text(name) else None
            except ValueError:
                return None

        return cls(text("person"), text("action"), text("object"), day("since"), day("until"))


class AuditRow(NamedTuple):
    id: int
    created_at: datetime
    actor_id: int | None
    actor_name: str | None
    edition_id: int | None
    action: str
    object_type: str | None
    object_id: str | None
    data: dict | None
    before: dict | None
    after: dict | None
    request_id: str | None
    client_address: str | None


def _columns():
    return (
        AuditEntry.id,
        AuditEntry.created_at,
        AuditEntry.actor_id,
        User.name.label("actor_name"),
        AuditEntry.edition_id,
        AuditEntry.action,
        AuditEntry.object_type,
        AuditEntry.object_id,
        AuditEntry.data,
        AuditEntry.before,
        AuditEntry.after,
        AuditEntry.request_id,
        AuditClientAddress.address.label("client_address"),
    )


def _query(edition_id: int | None, filters: AuditFilters, timezone: str) -> sa.Select:
    query = (
        sa.select(*_columns())
        .outerjoin(User, User.id == AuditEntry.actor_id)
        .outerjoin(AuditClientAddress, AuditClientAddress.entry_id == AuditEntry.id)
    )
    if edition_id is not None:
        query = query.where(AuditEntry.edition_id == edition_id)
    if filters.person:
        if filters.person.startswith("#") and filters.person[1:].isdigit() and len(filters.person) < 12:
            query = query.where(AuditEntry.actor_id == int(filters.person[1:]))
        else:
            pattern = contains_pattern(filters.person)
            query = query.where(sa.or_(contains(User.name, pattern), contains(User.email, pattern)))
    if filters.action:
        if filters.action.endswith("."):
            query = query.where(AuditEntry.action.startswith(filters.action, autoescape=True))
        else:
            query = query.where(AuditEntry.action == filters.action)
    if filters.object:
        kind, _, ident = filters.object.partition(":")
        query = query.where(AuditEntry.object_type == kind.strip())
        if ident.strip():
            query = query.where(AuditEntry.object_id == ident.strip())
    if filters.since:
        query = query.where(AuditEntry.created_at >= to_utc(datetime.combine(filters.since, time()), timezone))
    if filters.until:
        end = datetime.combine(filters.until + timedelta(days=1), time())
        query = query.where(AuditEntry.created_at < to_utc(end, timezone))
    return query.order_by(AuditEntry.id.desc())


def search_entries(
    edition_id: int | None, filters: AuditFilters, *, timezone: str = "UTC", page: int = 1, per_page: int = PER_PAGE
) -> Page:
    """One page of entries, newest first, with the actor's current name and the address."""
    found = fetch_page(_query(edition_id, filters, timezone), page, per_page)
    return Page([AuditRow(*row) for row in found.items], found.total, found.page, found.per_page)


def known_actions(edition_id: int | None) -> list[str]:
    """The actions the log holds (for the filter's suggestions)."""
    query = sa.select(AuditEntry.action).distinct().order_by(AuditEntry.action)
    if edition_id is not None:
        query = query.where(AuditEntry.edition_id == edition_id)
    return list(db.session.scalars(query.limit(500)))


def _json(value) -> str:
    return "" if value in (None, {}) else json.dumps(value, sort_keys=True, ensure_ascii=False, default=str)


def entries_csv(edition_id: int | None, filters: AuditFilters, *, timezone: str = "UTC") -> Iterator[str]:
    """Every matching entry as CSV lines, streamed from the database in batches."""
    statement = _query(edition_id, filters, timezone).execution_options(yield_per=STREAM_BATCH)

    def rows():
        for row in db.session.execute(statement):  # run when the response is read
            yield [
                row.id,
                to_local(row.created_at, timezone).isoformat(timespec="seconds"),
                row.actor_id or "",
                row.actor_name or "",
                row.edition_id or "",
                row.action,
                row.object_type or "",
                row.object_id or "",
                _json(row.data),
                _json(row.before),
                _json(row.after),
                row.request_id or "",
                row.client_address or "",
            ]

    return csv_lines(
        [
            "id",
            "time",
            "actor_id",
            "actor",
            "edition_id",
            "action",
            "object_type",
            "object_id",
            "data",
            "before",
            "after",
            "request_id",
            "client_address",
        ],
        rows(),
    )
