"""Read-only views of the orders for organizers: search, sales figures, the chart, CSV."""

from __future__ import annotations

import csv
import io
import itertools
from collections import defaultdict
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta

import sqlalchemy as sa
from flask_babel import format_date

from convention.core.pagination import fetch_page, page_count
from convention.core.search import contains, contains_pattern
from convention.core.timeutil import to_local
from convention.editions.models import Edition
from convention.extensions import db
from convention.registration.models import Attendee, Order, OrderState, TicketType, Voucher

PER_PAGE = 50
SEARCH_MAX = 100  # characters of search text considered
FORMULA_PREFIXES = ("=", "+", "-", "@", "\t", "\r")


# -- search -----------------------------------------------------------------------------


@dataclass
class OrderPage:
    orders: list[Order]
    total: int
    page: int
    per_page: int = PER_PAGE

    @property
    def pages(self) -> int:
        return page_count(self.total, self.per_page)


def search_orders(
    edition: Edition,
    *,
    text: str = "",
    state: str = "",
    ticket_type_id: int | None = None,
    method: str = "",
    page: int = 1,
    per_page: int = PER_PAGE,
) -> OrderPage:
    """Orders matching a code, email, buyer or attendee name/organisation, with filters."""
    query = sa.select(Order).where(Order.edition_id == edition.id)
    text = (text or "").strip()[:SEARCH_MAX]
    if text:
        query = query.where(Order.id.in_(matching_order_ids(edition, text)))
    if state in {s.value for s in OrderState}:
        query = query.where(Order.state == OrderState(state))
    if ticket_type_id:
        query = query.where(Order.id.in_(sa.select(Attendee.order_id).where(Attendee.ticket_type_id == ticket_type_id)))
    if method:
        query = query.where(Order.payment_method == method)
    found = fetch_page(  # the page and the total in one statement
        query.options(sa.orm.selectinload(Order.attendees).joinedload(Attendee.ticket_type))
        .order_by(Order.created_at.desc(), Order.id.desc()),
        page,
        per_page,
    )
    return OrderPage(list(found.items), found.total, found.page, per_page)


def matching_order_ids(edition: Edition, text: str) -> sa.CompoundSelect:
    """The ids of the orders whose code is ``text`` or whose buyer's or attendees' email,
    name or organisation contains it: a union of one select per table, each served by its
    indexes (the code's unique index; trigram indexes on PostgreSQL, see core/search.py)."""
    pattern = contains_pattern(text)
    return sa.union(
        sa.select(Order.id).where(Order.edition_id == edition.id, Order.code == text.strip().upper()),
        sa.select(Order.id).where(Order.edition_id == edition.id,
                                  sa.or_(contains(Order.email, pattern), contains(Order.buyer_name, pattern))),
        sa.select(Attendee.order_id).where(
            Attendee.edition_id == edition.id,
            sa.or_(contains(Attendee.name, pattern), contains(Attendee.organisation, pattern),
                   contains(Attendee.email, pattern)),
        ),
    )


def get_order_by_code(edition: Edition, code: str) -> Order | None:
    return db.session.scalar(
        sa.select(Order)
        .where(Order.edition_id == edition.id, Order.code == code)
        .options(sa.orm.selectinload(Order.attendees).joinedload(Attendee.ticket_type))
    )


# -- figures ----------------------------------------------------------------------------


@dataclass
class TypeSales:
    ticket_type: TicketType
    paid: int = 0
    reserved: int = 0
    revenue_cents: int = 0


@dataclass
class SalesReport:
    per_type: list[TypeSales]
    per_day: list[tuple[date, int, int]]  # (day, seats paid that day, revenue that day)
    currency: str
    paid_seats: int = 0
    reserved_seats: int = 0
    revenue_cents: int = 0
    refunded_cents: int = 0
    chart: Chart | None = None


@dataclass
class Chart:
    """Cumulative paid registrations over time, as SVG coordinates (server-rendered)."""

    width: int = 640
    height: int = 220
    points: str = ""
    area: str = ""
    labels: list[tuple[float, str]] = field(default_factory=list)
    max_value: int = 0


@dataclass(frozen=True)
class SeatCounts:
    paid: int = 0
    reserved: int = 0


def _per_type_rows(edition: Edition):
    """(ticket type id, order state, seats, revenue) for paid and reserved orders: one
    grouped query, a row per type and state whatever the number of orders."""
    return db.session.execute(
        sa.select(Attendee.ticket_type_id, Order.state, sa.func.count(Attendee.id), sa.func.sum(Attendee.price_cents))
        .join(Order, Order.id == Attendee.order_id)
        .where(Order.edition_id == edition.id, Order.state.in_([OrderState.PAID, OrderState.RESERVED]))
        .group_by(Attendee.ticket_type_id, Order.state)
    ).all()


def seats_by_type(edition: Edition) -> dict[int, SeatCounts]:
    """Seats paid and reserved per ticket type id (the tickets page): one query."""
    counts: dict[int, dict[OrderState, int]] = defaultdict(dict)
    for type_id, state, seats, _ in _per_type_rows(edition):
        counts[type_id][state] = seats
    return {
        type_id: SeatCounts(paid=by_state.get(OrderState.PAID, 0), reserved=by_state.get(OrderState.RESERVED, 0))
        for type_id, by_state in counts.items()
    }


SLOT_SECONDS = 900  # every time zone's offset is a multiple of 15 minutes


def _paid_per_day(edition: Edition) -> list[tuple[date, int, int]]:
    """(local day, seats paid, revenue) per day in the edition's time zone, grouped in SQL.

    PostgreSQL converts to the zone itself (``timezone(tz, paid_at)``, DST included) and
    returns a row per day. SQLite knows no time zones: it groups by 15-minute UTC slot
    (rows bounded by the selling period, not by the orders) and the slots are folded into
    local days here, each slot converted with the zone's offset at that instant."""
    paid_here = (Order.edition_id == edition.id, Order.state == OrderState.PAID, Order.paid_at.is_not(None))
    # Seats per paid order of this edition only: counting every attendee of the table
    # first cost most of the page at 20,000 orders.
    seats = (
        sa.select(Attendee.order_id, sa.func.count(Attendee.id).label("seats"))
        .join(Order, Order.id == Attendee.order_id)
        .where(*paid_here)
        .group_by(Attendee.order_id)
        .subquery()
    )
    if db.session.get_bind().dialect.name == "postgresql":
        bucket = sa.func.date(sa.func.timezone(edition.timezone, Order.paid_at))
    else:
        bucket = sa.cast(sa.func.strftime("%s", Order.paid_at), sa.Integer) / SLOT_SECONDS
    rows = db.session.execute(
        sa.select(bucket, sa.func.sum(seats.c.seats), sa.func.sum(Order.total_cents))
        .join(seats, seats.c.order_id == Order.id)
        .where(*paid_here)
        .group_by(bucket)
    ).all()
    days: dict[date, list[int]] = defaultdict(lambda: [0, 0])
    for key, seat_count, revenue in rows:
        if isinstance(key, date):
            day = key
        elif isinstance(key, str):  # a driver handing the date back as text
            day = date.fromisoformat(key)
        else:
            day = to_local(datetime.fromtimestamp(int(key) * SLOT_SECONDS, UTC), edition.timezone).date()
        days[day][0] += int(seat_count or 0)
        days[day][1] += int(revenue or 0)
    return [(day, seat_count, revenue) for day, (seat_count, revenue) in sorted(days.items())]


def sales_report(edition: Edition) -> SalesReport:
    """Figures per ticket type and per day, all aggregated in SQL: four queries whatever
    the number of orders."""
    types = db.session.scalars(
        sa.select(TicketType).where(TicketType.edition_id == edition.id).order_by(TicketType.category, TicketType.position, TicketType.id)
    ).all()
    per_type = {t.id: TypeSales(t) for t in types}
    for type_id, state, count, revenue in _per_type_rows(edition):
        sales = per_type[type_id]
        if state is OrderState.PAID:
            sales.paid += count
            sales.revenue_cents += revenue or 0
        else:
            sales.reserved += count
    per_day = _paid_per_day(edition)
    refunded = db.session.scalar(
        sa.select(sa.func.coalesce(sa.func.sum(Order.refunded_cents), 0)).where(Order.edition_id == edition.id)
    )
    currency = next((t.currency for t in types), "EUR")
    report = SalesReport(list(per_type.values()), per_day, currency, refunded_cents=refunded)
    report.paid_seats = sum(s.paid for s in report.per_type)
    report.reserved_seats = sum(s.reserved for s in report.per_type)
    report.revenue_cents = sum(s.revenue_cents for s in report.per_type)
    report.chart = build_chart(per_day)
    return report


def build_chart(per_day: list[tuple[date, int, int]], *, width: int = 640, height: int = 220) -> Chart:
    chart = Chart(width=width, height=height)
    if not per_day:
        return chart
    first, last = per_day[0][0] - timedelta(days=1), per_day[-1][0]  # start from zero the day before
    span = max((last - first).days, 1)
    running, coords = 0, []
    counts = {day: seats for day, seats, _ in per_day}
    day = first
    while day <= last:
        running += counts.get(day, 0)
        coords.append(((day - first).days, running))
        day += timedelta(days=1)
    chart.max_value = running
    pad, top = 40, 10
    plot_w, plot_h = width - pad - 10, height - pad - top

    def xy(x: int, y: int) -> tuple[float, float]:
        return round(pad + plot_w * x / span, 1), round(top + plot_h * (1 - y / max(running, 1)), 1)

    points = [xy(x, y) for x, y in coords]
    chart.points = " ".join(f"{px},{py}" for px, py in points)
    base = top + plot_h
    chart.area = f"{points[0][0]},{base} " + chart.points + f" {points[-1][0]},{base}"
    ticks = 5 if span >= 5 else span
    for i in range(ticks + 1):
        offset = round(span * i / max(ticks, 1))
        chart.labels.append((xy(offset, 0)[0], format_date(first + timedelta(days=offset), "dd MMM")))
    return chart


# -- CSV --------------------------------------------------------------------------------


def safe_cell(value) -> str:
    """Spreadsheets run cells starting with = + - @ as formulas: neutralise them."""
    text = "" if value is None else str(value)
    return "'" + text if text.startswith(FORMULA_PREFIXES) else text


STREAM_BATCH = 500  # rows fetched from the database at a time by the CSV exports


def csv_lines(header: list[str], rows: Iterable) -> Iterator[str]:
    """The CSV text, a line at a time (header first), every cell made formula-safe."""
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    for row in itertools.chain([header], ([safe_cell(value) for value in row] for row in rows)):
        writer.writerow(row)
        yield buffer.getvalue()
        buffer.seek(0)
        buffer.truncate()


def _streamed(statement) -> Iterator:
    """The rows of ``statement``, run only when first read: a streamed response reads
    after the view has returned and its session has been removed, so the query must run
    in the session of that moment (everything the statement needs is bound already)."""
    yield from db.session.execute(statement.execution_options(yield_per=STREAM_BATCH))


def attendees_csv(edition: Edition) -> Iterator[str]:
    """Every attendee of the edition as CSV lines, streamed from the database in batches."""
    rows = _streamed(
        sa.select(Order.code, Order.state, Order.payment_method, Attendee.code, TicketType.name, Attendee.name,
                  Attendee.email, Attendee.organisation, Attendee.price_cents, Order.currency, Order.email,
                  Order.created_at, Order.paid_at)
        .join(Order, Order.id == Attendee.order_id)
        .join(TicketType, TicketType.id == Attendee.ticket_type_id)
        .where(Attendee.edition_id == edition.id)
        .order_by(Order.created_at, Attendee.id)
    )
    return csv_lines(
        ["order", "state", "payment", "ticket_code", "ticket_type", "name", "email", "organisation", "price",
         "currency", "buyer_email", "ordered_at", "paid_at"],
        (
            [order_code, state.value, method, code, type_name, name, email, org, f"{price / 100:.2f}", currency,
             buyer, created.isoformat(timespec="seconds"), paid.isoformat(timespec="seconds") if paid else ""]
            for order_code, state, method, code, type_name, name, email, org, price, currency, buyer, created, paid
            in rows
        ),
    )


def vouchers_csv(edition: Edition) -> Iterator[str]:
    """Every voucher of the edition as CSV lines, streamed from the database in batches."""
    vouchers = (
        voucher
        for (voucher,) in _streamed(
            sa.select(Voucher).where(Voucher.edition_id == edition.id).options(sa.orm.joinedload(Voucher.ticket_type))
            .order_by(Voucher.id)
        )
    )
    return csv_lines(
        ["code", "kind", "value", "ticket_type", "max_uses", "used", "valid_from", "valid_until", "comment"],
        (
            [v.code, v.kind.value, v.value, v.ticket_type.name if v.ticket_type else "", v.max_uses, v.used,
             v.valid_from.isoformat(timespec="minutes") if v.valid_from else "",
             v.valid_until.isoformat(timespec="minutes") if v.valid_until else "", v.comment]
            for v in vouchers
        ),
    )
