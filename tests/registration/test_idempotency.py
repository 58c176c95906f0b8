"""One checkout form submission makes one order: Back then "Place order" again, a double
click, or identical parallel posts all give the first order (issue 7, item 13)."""

from __future__ import annotations

import pytest
import sqlalchemy as sa

from convention.extensions import db
from convention.registration.models import Order, TicketType
from convention.registration.ordering import AttendeeData, create_order
from tests.conftest import csrf_token_from
from tests.factories import make_edition
from tests.registration.helpers import checkout_form, count_orders, make_ticket_type, outbox


def _order_ids():
    db.session.expire_all()
    return list(db.session.scalars(sa.select(Order.id).where(Order.payment_method != "complimentary")))


def test_checkout_page_gives_each_form_its_own_key(client):
    edition = make_edition()
    pass_ = make_ticket_type(edition, capacity=5)
    _, first = checkout_form(client, edition, {pass_: 1})
    _, second = checkout_form(client, edition, {pass_: 1})
    assert len(first["submission_key"]) >= 16
    assert first["submission_key"] != second["submission_key"]


def test_posting_the_same_checkout_form_twice_makes_one_order(client):
    edition = make_edition()
    pass_ = make_ticket_type(edition, capacity=5)
    _, data = checkout_form(client, edition, {pass_: 2})
    url = f"/{edition.slug}/tickets/checkout"

    first = client.post(url, data=data)
    again = client.post(url, data=data)  # Back, then "Place order" again

    assert (first.status_code, again.status_code) == (303, 303)
    assert again.headers["Location"] == first.headers["Location"]
    [order_id] = _order_ids()
    order = db.session.get(Order, order_id)
    assert first.headers["Location"].endswith(f"/orders/{order.secret}/")
    assert db.session.get(TicketType, pass_.id).used == 2
    assert len(outbox("registration_order_reserved")) == 1


def test_a_new_checkout_form_makes_a_new_order(client):
    edition = make_edition()
    pass_ = make_ticket_type(edition, capacity=5)
    url = f"/{edition.slug}/tickets/checkout"
    for _ in range(2):
        _, data = checkout_form(client, edition, {pass_: 1})
        assert client.post(url, data=data).status_code == 303
    assert count_orders() == 2


def test_a_used_key_with_another_email_is_refused(client):
    edition = make_edition()
    pass_ = make_ticket_type(edition, capacity=5)
    _, data = checkout_form(client, edition, {pass_: 1})
    url = f"/{edition.slug}/tickets/checkout"
    assert client.post(url, data=data).status_code == 303
    refused = client.post(url, data={**data, "email": "someone.else@example.org"})
    assert refused.status_code == 409
    assert "This form was already used." in refused.get_data(as_text=True)
    assert count_orders() == 1


def _create(edition, type_id, key, email="buyer@example.org"):
    return create_order(
        edition,
        selection={type_id: 1},
        attendees=[AttendeeData("Ann Buyer", email)],
        email=email,
        consent_version="2026-01",
        expected_total_cents=12100,
        idempotency_key=key,
    )


def test_create_order_with_a_used_key_returns_the_first_order():
    edition = make_edition()
    pass_ = make_ticket_type(edition, capacity=5)
    first = _create(edition, pass_.id, "k" * 22)
    db.session.commit()
    assert _create(edition, pass_.id, "k" * 22, email=" Buyer@Example.org ") is first
    db.session.commit()
    assert _order_ids() == [first.id]
    assert db.session.get(TicketType, pass_.id).used == 1


PARALLEL = 6


def test_identical_parallel_posts_make_one_order(app):
    """On PostgreSQL: the losers' inserts wait for the winner's commit, then find its order."""
    from tests.registration.test_concurrency import _run_together

    if db.engine.dialect.name != "postgresql":
        pytest.skip("needs DATABASE_URL pointing to PostgreSQL: SQLite serialises writers")
    edition = make_edition()
    pass_ = make_ticket_type(edition, price_cents=12100, capacity=10)
    slug, type_id = edition.slug, pass_.id
    key = "parallel-form-key-0123456789"

    def prepare(i):
        client = app.test_client()  # each its own session and CSRF token, one form key
        html = client.get(f"/{slug}/tickets/checkout?q-{type_id}=1").get_data(as_text=True)
        data = {
            "csrf_token": csrf_token_from(html), "selection": f"{type_id}:1", "voucher": "", "total_cents": "12100",
            "privacy_version": "2026-01", "submission_key": key, "buyer_name": "Ann Buyer",
            "email": "ann@example.org", "consent": "y", "attendees-0-name": "Ann Buyer",
        }
        return client, data

    def act(i, prepared):
        client, data = prepared
        response = client.post(f"/{slug}/tickets/checkout", data=data)
        return response.status_code, response.headers.get("Location")

    outcomes = _run_together(PARALLEL, prepare, act)
    [order_id] = _order_ids()
    order = db.session.get(Order, order_id)
    assert outcomes == [(303, f"/{slug}/orders/{order.secret}/")] * PARALLEL
    assert db.session.get(TicketType, type_id).used == 1
    assert len(outbox("registration_order_reserved")) == 1
