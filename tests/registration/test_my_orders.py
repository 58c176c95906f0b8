"""My orders and tickets: a signed-in person's orders, found by their confirmed email address."""

from __future__ import annotations

from convention.editions.models import Role
from convention.extensions import db
from convention.registration.my_orders import orders_of_person
from tests.factories import give_role, make_edition, make_user
from tests.registration.helpers import buy, make_ticket_type


def _world():
    """Ada bought one order, holds a ticket on Bob's, is staff of another edition; Eve's order is not hers."""
    ada = make_user(name="Ada Lovelace", email="ada@example.org")
    edition = make_edition()
    pass_ = make_ticket_type(edition, capacity=10)
    bought = buy(edition, {pass_: 2}, email="ada@example.org", names=["Ada Lovelace", "Charles Babbage"])
    on_bobs = buy(edition, {pass_: 2}, email="bob@example.org", names=["Bob Builder", "Ada Lovelace"])
    on_bobs.attendees[1].email = "ADA@example.org"
    db.session.commit()
    staff_edition = make_edition()
    give_role(staff_edition, ada, Role.CHECKIN)  # a complimentary staff registration
    others = buy(edition, {pass_: 1}, email="eve@example.org", names=["Eve"])
    return ada, bought, on_bobs, staff_edition, others


def test_orders_of_a_person_by_buyer_and_attendee_email_complimentary_included(db):
    ada, bought, on_bobs, staff_edition, others = _world()
    found = orders_of_person(ada)
    by_code = {item.order.code: item for item in found}
    complimentary = [item for item in found if item.order.is_complimentary]
    assert len(complimentary) == 1 and complimentary[0].edition.id == staff_edition.id
    assert set(by_code) == {bought.code, on_bobs.code, complimentary[0].order.code}
    assert others.code not in by_code
    assert (by_code[bought.code].is_buyer, [t.name for t in by_code[bought.code].tickets]) == (
        True, ["Ada Lovelace", "Charles Babbage"])
    assert (by_code[on_bobs.code].is_buyer, [t.name for t in by_code[on_bobs.code].tickets]) == (
        False, ["Ada Lovelace"])


def test_an_unconfirmed_address_shows_no_orders(db):
    buy_edition = make_edition()
    buy(buy_edition, {make_ticket_type(buy_edition, capacity=3): 1}, email="victim@example.org")
    squatter = make_user(email="victim@example.org", confirmed=False)
    assert orders_of_person(squatter) == []


def test_the_page_links_the_buyers_orders_only(client, auth):
    ada, bought, on_bobs, _staff_edition, others = _world()
    auth.login(ada.email)
    html = client.get("/account/orders").get_data(as_text=True)
    assert bought.secret in html and bought.code in html
    assert on_bobs.code in html and on_bobs.secret not in html  # Bob's order page stays Bob's
    assert "Bought by bob@example.org, who has the order page." in html
    assert "Free registration" in html
    assert others.code not in html and others.secret not in html
    assert 'href="/account/orders">My tickets</a>' in html  # in the account menu


def test_the_page_asks_an_unconfirmed_person_to_confirm(client, auth):
    edition = make_edition()
    order = buy(edition, {make_ticket_type(edition, capacity=3): 1}, email="victim@example.org")
    squatter = make_user(email="victim@example.org", confirmed=False)
    auth.login(squatter.email)
    response = client.get("/account/orders")
    html = response.get_data(as_text=True)
    assert response.status_code == 200
    assert "to see them here" in html
    assert order.code not in html


def test_the_page_needs_a_sign_in(client):
    response = client.get("/account/orders")
    assert (response.status_code, response.headers["Location"]) == (302, "/login?next=/account/orders")
