"""Sales figures grouped in SQL (per ticket type, per day in the edition's time zone) and
CSV exports streamed line by line: exact figures across a DST change and local midnights,
query counts that do not grow with the orders, the same bytes as the whole-file CSV."""

from __future__ import annotations

import csv
import io
from datetime import UTC, date, datetime

import pytest

from convention.accounts.models import User
from convention.editions.models import Edition
from convention.extensions import db
from convention.registration import catalog, reports
from convention.registration.models import TicketType, VoucherKind
from convention.registration.services import mark_order_paid
from tests.factories import make_edition, make_user
from tests.queries import count_queries
from tests.registration.helpers import buy, make_ticket_type
from tests.streaming import fetch_in_a_thread


@pytest.fixture
def world(client, auth):
    organizer = make_user()
    edition = make_edition(organizer=organizer, timezone="Europe/Brussels")
    pass_ = make_ticket_type(edition, price_cents=10000)
    auth.login(organizer.email)
    return organizer, edition, pass_


def paid(edition, ticket_type, seats: int, at: datetime):
    order = buy(edition, {ticket_type: seats})
    mark_order_paid(order, amount_cents=order.total_cents, currency=order.currency, method="bank_transfer",
                    reference=None)
    order.paid_at = at
    db.session.commit()
    return order


def test_sales_per_day_follow_brussels_midnights_across_the_dst_change(world):
    _, edition, pass_ = world
    # Brussels leaves CET (+1) for CEST (+2) on 29 March 2026 at 01:00 UTC.
    paid(edition, pass_, 1, datetime(2026, 3, 28, 22, 59, 59, tzinfo=UTC))  # 23:59:59 CET, the 28th
    paid(edition, pass_, 2, datetime(2026, 3, 28, 23, 0, 0, tzinfo=UTC))  # midnight CET: the 29th
    paid(edition, pass_, 1, datetime(2026, 3, 29, 0, 30, tzinfo=UTC))  # 01:30 CET, just before the change
    paid(edition, pass_, 3, datetime(2026, 3, 29, 21, 59, tzinfo=UTC))  # 23:59 CEST, still the 29th
    paid(edition, pass_, 1, datetime(2026, 3, 29, 22, 0, tzinfo=UTC))  # midnight CEST: the 30th
    buy(edition, {pass_: 2})  # reserved, never paid: not in the days

    report = reports.sales_report(edition)
    # (the edition's own complimentary seats, given today, are left aside)
    assert [day for day in report.per_day if day[0].month == 3] == [
        (date(2026, 3, 28), 1, 10000),
        (date(2026, 3, 29), 6, 60000),
        (date(2026, 3, 30), 1, 10000),
    ]
    [row] = [s for s in report.per_type if s.ticket_type.id == pass_.id]
    assert (row.paid, row.reserved, row.revenue_cents) == (8, 2, 80000)
    assert report.revenue_cents == 80000
    assert reports.seats_by_type(edition)[pass_.id] == reports.SeatCounts(paid=8, reserved=2)


def test_sales_and_tickets_pages_query_count_does_not_grow_with_orders(client, world):
    _, edition, pass_ = world
    edition_id, pass_id = edition.id, pass_.id
    for i in range(2):
        paid(edition, pass_, 1, datetime(2026, 3, 1 + i, 12, tzinfo=UTC))

    def measure(url):
        with count_queries() as statements:
            assert client.get(url).status_code == 200
        return len(statements)

    sales_few = measure(f"/{edition.slug}/manage/registration/sales")
    tickets_few = measure(f"/{edition.slug}/manage/tickets/")
    edition, pass_ = db.session.get(Edition, edition_id), db.session.get(TicketType, pass_id)
    for i in range(20):
        paid(edition, pass_, 1, datetime(2026, 3, 3 + i, 8 + i % 10, tzinfo=UTC))
        buy(edition, {pass_: 1}, email=f"r{i}@example.org")
    assert measure(f"/{edition.slug}/manage/registration/sales") == sales_few
    assert measure(f"/{edition.slug}/manage/tickets/") == tickets_few


def test_attendees_csv_is_streamed_with_the_same_bytes(client, world):
    _, edition, pass_ = world
    order = paid(edition, pass_, 2, datetime(2026, 3, 28, 22, 59, 59, tzinfo=UTC))
    response = client.get(f"/{edition.slug}/manage/attendees.csv")
    assert response.is_streamed
    assert response.headers["Content-Disposition"] == f'attachment; filename="{edition.slug}-attendees.csv"'
    first, second = sorted(order.attendees, key=lambda a: a.id)
    created = order.created_at.isoformat(timespec="seconds")
    expected = (
        "\ufefforder,state,payment,ticket_code,ticket_type,name,email,organisation,price,currency,buyer_email,"
        "ordered_at,paid_at\r\n"
        f"{order.code},paid,bank_transfer,{first.code},Conference pass,Attendee 1,a0@example.org,ACME,100.00,EUR,"
        f"buyer@example.org,{created},2026-03-28T22:59:59+00:00\r\n"
        f"{order.code},paid,bank_transfer,{second.code},Conference pass,Attendee 2,a1@example.org,ACME,100.00,EUR,"
        f"buyer@example.org,{created},2026-03-28T22:59:59+00:00\r\n"
    )
    # The organizer's own staff seat (complimentary, given with the edition) is left aside.
    text = response.get_data(as_text=True)
    assert "".join(line for line in text.splitlines(keepends=True) if ",complimentary," not in line) == expected


def test_vouchers_csv_is_streamed_formula_safe_and_same_bytes(client, world):
    organizer, edition, pass_ = world
    [voucher] = catalog.create_vouchers(
        edition, catalog.VoucherData(kind=VoucherKind.FREE, comment="=1+1", ticket_type_id=pass_.id),
        actor=organizer, count=1, prefix="x-")
    db.session.commit()
    response = client.get(f"/{edition.slug}/manage/vouchers.csv")
    assert response.is_streamed
    assert response.get_data(as_text=True) == (
        "\ufeffcode,kind,value,ticket_type,max_uses,used,valid_from,valid_until,comment\r\n"
        f"{voucher.code},free,{voucher.value},Conference pass,{voucher.max_uses},0,,,'=1+1\r\n"
    )


def test_csv_exports_query_count_does_not_grow_with_rows(client, world):
    organizer, edition, pass_ = world
    ids = organizer.id, edition.id, pass_.id

    def measure(url):
        with count_queries() as statements:
            response = client.get(url)
            body = response.get_data()  # the rows are read while the body is
        assert response.status_code == 200
        return len(statements), body.count(b"\r\n")

    buy(edition, {pass_: 1})
    catalog.create_vouchers(edition, catalog.VoucherData(kind=VoucherKind.FREE), actor=organizer, count=2)
    db.session.commit()
    attendees_few, lines = measure(f"/{edition.slug}/manage/attendees.csv")
    vouchers_few, _ = measure(f"/{edition.slug}/manage/vouchers.csv")
    assert lines == 3  # the header, the attendee bought, the organizer's staff seat
    organizer, edition, pass_ = db.session.get(User, ids[0]), db.session.get(Edition, ids[1]), db.session.get(TicketType, ids[2])
    for i in range(15):
        buy(edition, {pass_: 2}, email=f"b{i}@example.org")
    catalog.create_vouchers(edition, catalog.VoucherData(kind=VoucherKind.FREE), actor=organizer, count=40)
    db.session.commit()
    assert measure(f"/{edition.slug}/manage/attendees.csv") == (attendees_few, 33)
    assert measure(f"/{edition.slug}/manage/vouchers.csv") == (vouchers_few, 43)


def test_csv_lines_is_one_line_per_row():
    lines = list(reports.csv_lines(["a", "b"], [["=x", "1,2"], [None, "y"]]))
    assert lines == ["a,b\r\n", "'=x,\"1,2\"\r\n", ",y\r\n"]
    assert list(csv.reader(io.StringIO("".join(lines)))) == [["a", "b"], ["'=x", "1,2"], ["", "y"]]


def test_streamed_csvs_read_their_rows_after_the_view_returned(client, world):
    organizer, edition, pass_ = world
    order = paid(edition, pass_, 2, datetime(2026, 3, 28, 22, 59, 59, tzinfo=UTC))
    catalog.create_vouchers(edition, catalog.VoucherData(kind=VoucherKind.FREE, ticket_type_id=pass_.id),
                            actor=organizer, count=3)
    db.session.commit()
    slug, code = edition.slug, order.code
    attendees = fetch_in_a_thread(client, f"/{slug}/manage/attendees.csv")
    assert attendees.count(code) == 2 and attendees.count("\r\n") == 4
    vouchers = fetch_in_a_thread(client, f"/{slug}/manage/vouchers.csv")
    assert vouchers.count(",Conference pass,") == 3
