"""No overselling under a rush: 200 buyers at once for 50 seats, on PostgreSQL.

SQLite lets one writer in at a time, which hides overselling bugs, so these tests only
mean something on PostgreSQL (CI runs them there with DATABASE_URL). Each buyer is a
thread with its own connection, session and app context; a barrier releases them
together so their transactions really overlap.
"""

from __future__ import annotations

import threading
from collections import Counter

import pytest
import sqlalchemy as sa

from convention.extensions import db
from convention.registration.errors import SoldOut
from convention.registration.models import Attendee, Order, OrderState, Quota, TicketType
from tests.conftest import csrf_token_from
from tests.factories import make_edition
from tests.registration.helpers import make_quota, make_ticket_type

pytestmark = pytest.mark.postgres

BUYERS = 200
SEATS = 50


@pytest.fixture(autouse=True)
def _needs_postgresql(app):
    if db.engine.dialect.name != "postgresql":
        pytest.skip("needs DATABASE_URL pointing to PostgreSQL: SQLite serialises writers and would hide overselling")


def _run_together(count: int, prepare, act) -> list:
    """Run ``act(i, prepared)`` in ``count`` threads released at once; returns their outcomes."""
    barrier = threading.Barrier(count, timeout=120)
    outcomes: list = [None] * count

    def worker(i: int) -> None:
        try:
            prepared = prepare(i)
        except Exception as exc:  # noqa: BLE001 - reported by the test
            outcomes[i] = ("prepare-error", repr(exc))
            barrier.abort()
            return
        try:
            barrier.wait()
        except threading.BrokenBarrierError:
            outcomes[i] = ("barrier-broken", None)
            return
        try:
            outcomes[i] = act(i, prepared)
        except Exception as exc:  # noqa: BLE001 - reported by the test
            outcomes[i] = ("error", repr(exc))

    threads = [threading.Thread(target=worker, args=(i,)) for i in range(count)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=300)
    return outcomes


def _seat_figures(edition_id: int) -> tuple[int, int]:
    db.session.expire_all()
    held = db.session.scalar(
        sa.select(sa.func.count(Attendee.id))
        .join(Order, Order.id == Attendee.order_id)
        .where(Order.edition_id == edition_id, Order.payment_method != "complimentary",
               Order.state.in_([OrderState.RESERVED, OrderState.PAID]))
    )
    orders = db.session.scalar(
        sa.select(sa.func.count(Order.id)).where(Order.edition_id == edition_id, Order.payment_method != "complimentary")
    )
    return held, orders


def test_200_buyers_through_the_checkout_page_for_50_seats(app, monkeypatch):
    """The real view, through separate test clients: 50 orders, 150 'sold out' forms, nothing else."""
    monkeypatch.setitem(app.config, "CHECKOUT_RATE_LIMIT", "1000 per minute")  # all come from 127.0.0.1
    edition = make_edition()
    pass_ = make_ticket_type(edition, price_cents=12100, capacity=SEATS)
    slug, type_id = edition.slug, pass_.id

    def prepare(i):
        client = app.test_client()
        html = client.get(f"/{slug}/tickets/checkout?q-{type_id}=1").get_data(as_text=True)
        data = {
            "csrf_token": csrf_token_from(html),
            "selection": f"{type_id}:1",
            "voucher": "",
            "total_cents": "12100",
            "privacy_version": "2026-01",
            "buyer_name": f"Buyer {i}",
            "email": f"buyer{i}@example.org",
            "consent": "y",
            "attendees-0-name": f"Buyer {i}",
        }
        return client, data

    def act(i, prepared):
        client, data = prepared
        response = client.post(f"/{slug}/tickets/checkout", data=data)
        html = response.get_data(as_text=True)
        if response.status_code == 303 and "/orders/" in response.headers["Location"]:
            return ("ordered", None)
        if response.status_code == 409 and "Sorry, Conference pass is sold out" in html and 'name="attendees-0-name"' in html:
            return ("sold_out", None)
        return ("unexpected", response.status_code)

    outcomes = _run_together(BUYERS, prepare, act)
    assert Counter(kind for kind, _ in outcomes) == {"ordered": SEATS, "sold_out": BUYERS - SEATS}, [
        o for o in outcomes if o[0] not in ("ordered", "sold_out")
    ][:5]
    assert _seat_figures(edition.id) == (SEATS, SEATS)
    assert db.session.get(TicketType, type_id).used == SEATS


def test_200_buyers_through_the_service_for_a_shared_quota_of_50(app):
    """Two ticket types under one venue quota: the quota's lock holds across types."""
    from convention.registration.ordering import AttendeeData, create_order

    edition = make_edition()
    regular = make_ticket_type(edition, name="Regular", price_cents=12100, capacity=200)
    student = make_ticket_type(edition, name="Student", price_cents=0, capacity=200)
    venue = make_quota(edition, [regular, student], name="Venue", capacity=SEATS)
    edition_id, type_ids, quota_id = edition.id, (regular.id, student.id), venue.id

    def prepare(i):
        return type_ids[i % 2], 12100 if i % 2 == 0 else 0

    def act(i, prepared):
        type_id, total = prepared
        with app.app_context():
            from convention.editions.models import Edition

            try:
                create_order(
                    db.session.get(Edition, edition_id),
                    selection={type_id: 1},
                    attendees=[AttendeeData(f"Buyer {i}", f"b{i}@example.org")],
                    email=f"b{i}@example.org",
                    consent_version="2026-01",
                    expected_total_cents=total,
                )
                db.session.commit()
                return ("ordered", None)
            except SoldOut:
                db.session.rollback()
                return ("sold_out", None)
            finally:
                db.session.remove()

    outcomes = _run_together(BUYERS, prepare, act)
    assert Counter(kind for kind, _ in outcomes) == {"ordered": SEATS, "sold_out": BUYERS - SEATS}, [
        o for o in outcomes if o[0] not in ("ordered", "sold_out")
    ][:5]
    assert _seat_figures(edition_id) == (SEATS, SEATS)
    assert db.session.get(Quota, quota_id).used == SEATS
    assert sum(db.session.get(TicketType, t).used for t in type_ids) == SEATS
