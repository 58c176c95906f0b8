"""Placing an order costs a fixed number of SQL statements: pinned, so it cannot grow
unnoticed, and the same whatever the edition has sold or how many seats are bought."""

from __future__ import annotations

import sqlalchemy as sa

from convention.extensions import db
from convention.registration.models import Order
from tests.factories import make_edition
from tests.queries import count_queries
from tests.registration.helpers import buy, checkout_form, make_quota, make_ticket_type

# A bank-transfer order from the checkout form, on a ticket type that is not in a quota:
# the edition, an earlier order with the form's submission key, the registration
# settings, the due reservations to release, the ticket types with their quotas, the
# buyer's open orders, a SAVEPOINT around the order's insert (for a parallel post of the
# same form), the order, its attendees (one statement for all), RELEASE, the audit
# entry and its client address (kept beside the append-only log, see audit/models.py),
# the email in the outbox and the one seat counter's UPDATE. Nothing is read again after
# the commit.
STATEMENTS_PER_ORDER = 14


def _statements(statements: list[str]) -> list[str]:
    # SQLite's driver opens its transaction before the first SAVEPOINT with a BEGIN of its
    # own (core/database.py); PostgreSQL's opens it implicitly. Count the same on both.
    return [s for s in statements if s.strip().upper() != "BEGIN"]


def _place(client, edition, selection, *, email="buyer@example.org") -> list[str]:
    _, data = checkout_form(client, edition, selection, email=email)
    with count_queries() as statements:
        response = client.post(f"/{edition.slug}/tickets/checkout", data=data)
    assert response.status_code == 303, response.get_data(as_text=True)
    assert "/orders/" in response.headers["Location"]
    return _statements(statements)


def test_an_order_costs_a_fixed_number_of_statements(client):
    edition = make_edition()
    pass_ = make_ticket_type(edition, capacity=100)
    statements = _place(client, edition, {pass_: 1})
    assert len(statements) == STATEMENTS_PER_ORDER, "\n".join(statements)
    assert sum(s.lstrip().upper().startswith("SAVEPOINT") for s in statements) == 1


def _attendee_inserts(seats: int) -> int:
    """PostgreSQL inserts an order's attendees in one statement (SQLAlchemy's
    insertmanyvalues); SQLite's driver, one by one."""
    return 1 if db.engine.dialect.name == "postgresql" else seats


def test_the_count_does_not_grow_with_orders_sold_or_seats_bought(client):
    edition = make_edition()
    pass_ = make_ticket_type(edition, capacity=100)
    for i in range(12):
        buy(edition, {pass_: 2}, email=f"earlier{i}@example.org")
    after_sales = _place(client, edition, {pass_: 1})
    assert len(after_sales) == STATEMENTS_PER_ORDER, "\n".join(after_sales)
    group = _place(client, edition, {pass_: 4}, email="group@example.org")
    assert len(group) == STATEMENTS_PER_ORDER - 1 + _attendee_inserts(4), "\n".join(group)
    placed = db.session.scalar(sa.select(Order).where(Order.email == "group@example.org"))
    assert len(placed.attendees) == 4


def test_several_counters_are_taken_all_or_nothing_in_one_savepoint(client):
    edition = make_edition()
    day = make_ticket_type(edition, name="Day pass", capacity=100)
    workshop = make_ticket_type(edition, name="Workshop", capacity=100)
    make_quota(edition, [day, workshop], capacity=50)
    statements = _place(client, edition, {day: 1, workshop: 1})
    # Two ticket types and their quota: three UPDATEs, in a SAVEPOINT of their own.
    assert sum(s.lstrip().upper().startswith("UPDATE") for s in statements) == 3
    assert sum(s.lstrip().upper().startswith("SAVEPOINT") for s in statements) == 2
    # Two UPDATEs more, SAVEPOINT and RELEASE: four statements for the three counters.
    assert len(statements) == STATEMENTS_PER_ORDER - 1 + _attendee_inserts(2) + 4, "\n".join(statements)
