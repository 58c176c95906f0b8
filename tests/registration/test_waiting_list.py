"""Waiting list: when seats return, the next entries get a time-limited offer, in order."""

from datetime import timedelta

import pytest

from convention.extensions import db
from convention.registration.models import OrderState, WaitingState
from convention.registration.services import (
    cancel_order,
    confirm_free_order,
    expire_due_reservations,
    mark_order_paid,
    release_order,
)
from convention.registration.waiting_list import confirm_waiting_entry, join_waiting_list
from tests.factories import make_edition
from tests.registration.helpers import buy, checkout_form, make_ticket_type, outbox


def _join(edition, ticket_type, name, quantity=1, *, confirm=True):
    entry = join_waiting_list(edition, ticket_type, name=name, email=f"{name.lower()}@example.org",
                              quantity=quantity, consent_version="2026-01")
    if confirm:
        confirm_waiting_entry(entry)
    db.session.commit()
    return entry


@pytest.fixture
def full_house():
    edition = make_edition()
    pass_ = make_ticket_type(edition, capacity=3)
    orders = [buy(edition, {pass_: 1}, email=f"holder{i}@example.org") for i in range(3)]
    return edition, pass_, orders


def test_returned_seats_are_offered_to_entries_in_the_order_they_joined(full_house):
    edition, pass_, orders = full_house
    ann, bob, cat = (_join(edition, pass_, name) for name in ("Ann", "Bob", "Cat"))
    release_order(orders[2], reason="cancelled")
    release_order(orders[0], reason="expired")
    db.session.commit()
    assert [e.state for e in (ann, bob, cat)] == [WaitingState.OFFERED, WaitingState.OFFERED, WaitingState.WAITING]
    assert [m.recipient for m in outbox("registration_waiting_offer")] == ["ann@example.org", "bob@example.org"]
    assert (ann.order.state, ann.order.total_cents, pass_.used) == (OrderState.RESERVED, 12100, 3)


def test_head_of_line_needing_more_seats_is_not_overtaken(full_house):
    edition, pass_, orders = full_house
    group = _join(edition, pass_, "Group", quantity=2)
    single = _join(edition, pass_, "Single")
    release_order(orders[0], reason="cancelled")
    db.session.commit()
    assert (group.state, single.state, pass_.used) == (WaitingState.WAITING, WaitingState.WAITING, 2)
    release_order(orders[1], reason="cancelled")
    db.session.commit()
    assert (group.state, single.state, pass_.used) == (WaitingState.OFFERED, WaitingState.WAITING, 3)
    assert [a.name for a in group.order.attendees] == ["Group", "Group (guest 1)"]


def test_lapsed_offer_goes_to_the_next_entry(full_house):
    edition, pass_, orders = full_house
    ann, bob = _join(edition, pass_, "Ann"), _join(edition, pass_, "Bob")
    release_order(orders[0], reason="cancelled")
    db.session.commit()
    expire_due_reservations(now=ann.order.expires_at + timedelta(seconds=1))
    db.session.commit()
    assert (ann.state, ann.order.state) == (WaitingState.LAPSED, OrderState.EXPIRED)
    assert (bob.state, bob.order.state, pass_.used) == (WaitingState.OFFERED, OrderState.RESERVED, 3)


def test_paid_offer_converts_the_entry(full_house):
    edition, pass_, orders = full_house
    ann = _join(edition, pass_, "Ann")
    release_order(orders[0], reason="cancelled")
    mark_order_paid(ann.order, amount_cents=12100, currency="EUR", method="bank_transfer", reference=None)
    db.session.commit()
    assert (ann.state, ann.order.state) == (WaitingState.CONVERTED, OrderState.PAID)


def test_free_offer_is_confirmed_from_the_order_page(client):
    edition = make_edition()
    free = make_ticket_type(edition, name="Community", price_cents=0, capacity=1)
    taken = buy(edition, {free: 1})
    ann = _join(edition, free, "Ann")
    cancel_order(taken, actor=None)
    db.session.commit()
    assert ann.state is WaitingState.OFFERED
    page = client.get(f"/{edition.slug}/orders/{ann.order.secret}/").get_data(as_text=True)
    assert "Confirm my registration" in page
    confirm_free_order(ann.order)
    db.session.commit()
    assert (ann.order.state, ann.state) == (OrderState.PAID, WaitingState.CONVERTED)


def test_join_waiting_list_form(client):
    from tests.conftest import post_form

    edition = make_edition()
    pass_ = make_ticket_type(edition, capacity=1)
    buy(edition, {pass_: 1})
    url = f"/{edition.slug}/tickets/{pass_.id}/waiting-list"
    response = post_form(client, url, {"name": "Wendy Waiter", "email": "wendy@example.org", "quantity": "2",
                                       "privacy_version": "2026-01", "consent": "y"})
    assert response.status_code == 302
    [mail] = outbox("registration_waiting_confirm")
    assert mail.recipient == "wendy@example.org"
    refused = post_form(client, url, {"name": "No Consent", "email": "nc@example.org", "quantity": "1",
                                      "privacy_version": "2026-01"})
    assert refused.status_code == 422
    assert "Please accept the privacy notice to join the list." in refused.get_data(as_text=True)


def test_sold_out_checkout_links_to_the_waiting_list(client):
    edition = make_edition()
    pass_ = make_ticket_type(edition, capacity=1)
    _, data = checkout_form(client, edition, {pass_: 1})
    buy(edition, {pass_: 1})
    html = client.post(f"/{edition.slug}/tickets/checkout", data=data).get_data(as_text=True)
    assert f"/{edition.slug}/tickets/{pass_.id}/waiting-list" in html


def test_leaving_the_waiting_list(client):
    from tests.conftest import post_form

    edition = make_edition()
    pass_ = make_ticket_type(edition, capacity=1)
    entry = _join(edition, pass_, "Leo")
    url = f"/{edition.slug}/waiting-list/{entry.secret}/leave"
    assert post_form(client, url, {}).status_code == 302
    db.session.refresh(entry)
    assert entry.state is WaitingState.LEFT
