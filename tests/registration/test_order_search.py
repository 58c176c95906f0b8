"""The organizer's order search: what it matches, and on PostgreSQL that trigram indexes serve it."""

from __future__ import annotations

import pytest
import sqlalchemy as sa

from convention.extensions import db
from convention.registration.models import Attendee, Order, OrderState
from convention.registration.reports import matching_order_ids, search_orders
from tests.factories import make_edition
from tests.registration.helpers import make_ticket_type

ROWS = 2000  # orders added by the index test (fewer, and even the index costs more than reading them)


@pytest.fixture
def shop(app):
    edition = make_edition()
    ticket_type = make_ticket_type(edition)
    people = [("a@shop.test", "Greta Grunwald", "Ada Okafor", "CERT.be"),
              ("b@shop.test", "Hugo Hansen", "Bob 50% Off", "Acme_Labs"),
              ("c@shop.test", "Ines Ivanova", "Carl Petrov", "")]
    orders = []
    for email, buyer, attendee, organisation in people:
        order = Order(edition_id=edition.id, email=email, buyer_name=buyer, total_cents=0, payment_method="free",
                      state=OrderState.PAID)
        order.attendees = [Attendee(edition_id=edition.id, ticket_type_id=ticket_type.id, name=attendee,
                                    organisation=organisation)]
        db.session.add(order)
        orders.append(order)
    db.session.commit()
    return edition, orders


def _emails(edition, text):
    return sorted(order.email for order in search_orders(edition, text=text).orders)


def test_search_matches_buyer_attendee_organisation_and_code_whatever_the_case(shop):
    edition, orders = shop
    assert _emails(edition, "GRUNWALD") == ["a@shop.test"]  # buyer name
    assert _emails(edition, "okaf") == ["a@shop.test"]  # attendee name
    assert _emails(edition, "cert.BE") == ["a@shop.test"]  # organisation
    assert _emails(edition, "c@shop") == ["c@shop.test"]  # buyer email
    assert _emails(edition, orders[1].code.lower()) == ["b@shop.test"]  # the code, exactly
    assert _emails(edition, "shop.test") == ["a@shop.test", "b@shop.test", "c@shop.test"]


def test_like_wildcards_in_the_search_match_themselves(shop):
    edition, _ = shop
    assert _emails(edition, "50%") == ["b@shop.test"]
    assert _emails(edition, "%") == ["b@shop.test"]  # not every order
    assert _emails(edition, "go_ha") == []  # "_" is no wildcard: "Hugo Hansen" has no "go_ha"
    assert _emails(edition, "acme_") == ["b@shop.test"]


def test_postgresql_answers_the_search_from_the_trigram_indexes(shop):
    edition, orders = shop
    if db.engine.dialect.name != "postgresql":
        pytest.skip("trigram indexes exist on PostgreSQL only")
    # ROWS orders of one seat, all in the edition (so its edition_id index selects nothing).
    ticket_type_id = orders[0].attendees[0].ticket_type_id
    ids = db.session.scalars(sa.insert(Order).returning(Order.id), [
        {"edition_id": edition.id, "code": f"BULK{n:05d}", "secret": f"secret-{n}", "email": f"bulk{n}@shop.test",
         "buyer_name": f"Buyer {n}", "total_cents": 0, "payment_method": "free", "state": OrderState.PAID}
        for n in range(ROWS)]).all()
    db.session.execute(sa.insert(Attendee), [
        {"edition_id": edition.id, "order_id": order_id, "ticket_type_id": ticket_type_id, "code": f"ATT{n:06d}",
         "name": f"Attendee {n}", "organisation": f"Company {n % 97}", "email": f"a{n}@shop.test"}
        for n, order_id in enumerate(ids)])
    db.session.commit()
    # As autovacuum would: statistics, and new rows moved from the GIN indexes' pending lists.
    with db.engine.connect().execution_options(isolation_level="AUTOCOMMIT") as conn:
        conn.exec_driver_sql("VACUUM ANALYZE orders, attendees")
    # Still a few pages, read whole faster than through any index: forbid that, to see which
    # index the planner takes (at 20,000 orders it takes these by itself, see bench/organizer_pages.py).
    db.session.execute(sa.text("SET LOCAL enable_seqscan = off"))
    compiled = matching_order_ids(edition, "okafor").compile(db.engine)
    plan = "\n".join(row[0] for row in db.session.connection().exec_driver_sql("EXPLAIN " + str(compiled),
                                                                                 compiled.params))
    for index in ("ix_attendees_name_trgm", "ix_attendees_organisation_trgm", "ix_attendees_email_trgm",
                  "ix_orders_email_trgm", "ix_orders_buyer_name_trgm"):
        assert index in plan, plan
    assert _emails(edition, "okafor") == ["a@shop.test"]
