"""Live arrivals for the organizers: checked in vs registered per ticket type, and arrivals
per 15 minutes. Both are SQL aggregations (two queries whatever the number of scans).

A person's arrival is their first ``checked_in`` scan on any list (an offline scan that
arrived late but was made earlier counts at the time it was made).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime

import sqlalchemy as sa

from convention.checkin.models import Checkin
from convention.checkin.scanning import CHECKED_IN
from convention.core.timeutil import to_local
from convention.extensions import db
from convention.registration.models import Attendee, Order, OrderState, TicketType

BUCKET_SECONDS = 15 * 60
MAX_BUCKETS = 192  # two days of quarter hours; longer spans show their last two days


@dataclass(frozen=True)
class TypeRow:
    name: str
    registered: int
    checked_in: int

    @property
    def percent(self) -> int:
        return round(100 * self.checked_in / self.registered) if self.registered else 0


@dataclass(frozen=True)
class Bucket:
    starts: datetime  # local time of the edition
    arrivals: int


def _arrivals(edition_id: int):
    """attendee id -> the time of their first check-in (a subquery)."""
    return (
        sa.select(Checkin.attendee_id.label("attendee_id"), sa.func.min(Checkin.at).label("first_at"))
        .where(Checkin.edition_id == edition_id, Checkin.status == CHECKED_IN, Checkin.attendee_id.is_not(None))
        .group_by(Checkin.attendee_id)
        .subquery()
    )


def by_ticket_type(edition) -> list[TypeRow]:
    arrived = _arrivals(edition.id)
    rows = db.session.execute(
        sa.select(TicketType.name, sa.func.count(Attendee.id), sa.func.count(arrived.c.attendee_id))
        .join(Attendee, Attendee.ticket_type_id == TicketType.id)
        .join(Order, Order.id == Attendee.order_id)
        .outerjoin(arrived, arrived.c.attendee_id == Attendee.id)
        .where(TicketType.edition_id == edition.id, Order.state == OrderState.PAID)
        .group_by(TicketType.id, TicketType.name, TicketType.position)
        .order_by(TicketType.position, TicketType.id)
    )
    return [TypeRow(name, registered, checked_in) for name, registered, checked_in in rows]


def _epoch(column):
    if db.engine.dialect.name == "sqlite":  # stored as UTC text
        return sa.cast(sa.func.strftime("%s", column), sa.Integer)
    return sa.cast(sa.func.floor(sa.func.extract("epoch", column)), sa.Integer)  # a cast alone rounds


def arrivals_per_quarter(edition) -> list[Bucket]:
    """Arrivals per 15 minutes, from the first to the last (empty quarters included)."""
    arrived = _arrivals(edition.id)
    bucket = (_epoch(arrived.c.first_at) // BUCKET_SECONDS).label("bucket")
    counts = dict(db.session.execute(sa.select(bucket, sa.func.count()).group_by(bucket).order_by(bucket)).all())
    if not counts:
        return []
    last = max(counts)
    first = max(min(counts), last - MAX_BUCKETS + 1)
    return [
        Bucket(to_local(datetime.fromtimestamp(n * BUCKET_SECONDS, UTC), edition.timezone), counts.get(n, 0))
        for n in range(first, last + 1)
    ]


@dataclass(frozen=True)
class Bar:
    """One bar of the SVG chart, its geometry computed here (the template only writes it)."""

    x: int
    y: int
    height: int
    label: str
    arrivals: int
    tick: bool  # the hour is written under it


CHART_HEIGHT = 160
BAR_WIDTH = 10


def chart(buckets: list[Bucket]) -> list[Bar]:
    top = max((b.arrivals for b in buckets), default=0) or 1
    bars = []
    for index, b in enumerate(buckets):
        height = round(CHART_HEIGHT * b.arrivals / top)
        bars.append(
            Bar(
                x=index * (BAR_WIDTH + 2),
                y=CHART_HEIGHT - height,
                height=height,
                label=b.starts.strftime("%H:%M"),
                arrivals=b.arrivals,
                tick=b.starts.minute == 0,
            )
        )
    return bars
