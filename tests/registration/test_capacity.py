"""Seats, quotas and sold-out: counters, the constraint backstop, and what buyers see."""

import pytest
import sqlalchemy as sa

from convention.extensions import db
from convention.registration.errors import SoldOut
from convention.registration.models import OrderState, Quota, TicketType
from tests.factories import make_edition
from tests.registration.helpers import buy, checkout_form, count_orders, make_quota, make_ticket_type


def test_order_takes_seats_from_ticket_type_and_its_quotas():
    edition = make_edition()
    pass_ = make_ticket_type(edition, capacity=10)
    quota = make_quota(edition, [pass_], capacity=8)
    buy(edition, {pass_: 3})
    assert (pass_.used, quota.used) == (3, 3)


def test_order_beyond_ticket_capacity_is_sold_out_and_holds_nothing():
    edition = make_edition()
    pass_ = make_ticket_type(edition, capacity=2)
    buy(edition, {pass_: 1})
    with pytest.raises(SoldOut) as refused:
        buy(edition, {pass_: 2})
    db.session.rollback()
    assert "sold out" in refused.value.message
    assert refused.value.ticket_type_ids == (pass_.id,)
    assert pass_.used == 1
    assert count_orders() == 1


def test_shared_quota_caps_ticket_types_together():
    edition = make_edition()
    regular = make_ticket_type(edition, name="Regular", capacity=10)
    student = make_ticket_type(edition, name="Student", price_cents=2500, capacity=10)
    venue = make_quota(edition, [regular, student], capacity=3)
    buy(edition, {regular: 2})
    with pytest.raises(SoldOut):
        buy(edition, {student: 2})
    db.session.rollback()
    buy(edition, {student: 1})
    assert (regular.used, student.used, venue.used) == (2, 1, 3)


def test_failed_quota_undoes_the_ticket_type_seats_taken_before_it_in_the_same_transaction():
    from convention.registration.inventory import take_seats

    edition = make_edition()
    regular = make_ticket_type(edition, name="Regular", capacity=10)
    make_quota(edition, [regular], capacity=1)
    with pytest.raises(SoldOut):
        take_seats({regular.id: 2})  # the ticket type has room, the quota has not
    db.session.commit()  # what stays of the transaction: nothing
    assert db.session.scalar(sa.select(TicketType.used).where(TicketType.id == regular.id)) == 0


def test_locked_update_refuses_even_when_the_early_check_was_passed():
    """Two buyers read the counters before either wrote: the conditional update decides."""
    from convention.registration.ordering import hold_quote
    from convention.registration.pricing import quote_selection
    from tests.registration.helpers import past

    edition = make_edition()
    pass_ = make_ticket_type(edition, capacity=1)
    stale = quote_selection(edition, {pass_.id: 1}, voucher_code=None, now=past(0))
    buy(edition, {pass_: 1})
    with pytest.raises(SoldOut):
        hold_quote(stale)
    db.session.rollback()
    assert db.session.scalar(sa.select(TicketType.used).where(TicketType.id == pass_.id)) == 1


@pytest.mark.parametrize("model, values", [(Quota, {"used": 4}), (TicketType, {"used": 4}), (Quota, {"used": -1})])
def test_check_constraint_refuses_counters_outside_capacity(model, values):
    edition = make_edition()
    pass_ = make_ticket_type(edition, capacity=3)
    quota = make_quota(edition, [pass_], capacity=3)
    target = quota if model is Quota else pass_
    with pytest.raises(sa.exc.IntegrityError):
        db.session.execute(sa.update(model).where(model.id == target.id).values(**values))
        db.session.flush()
    db.session.rollback()


def test_sold_out_ticket_shows_message_and_waiting_list_in_the_shop(client):
    edition = make_edition()
    pass_ = make_ticket_type(edition, capacity=1)
    buy(edition, {pass_: 1})
    page = client.get(f"/{edition.slug}/tickets/")
    html = page.get_data(as_text=True)
    assert page.status_code == 200
    assert "Sold out" in html
    assert f"/{edition.slug}/tickets/{pass_.id}/waiting-list" in html


def test_checkout_for_more_than_left_answers_the_shop_with_sold_out(client):
    edition = make_edition()
    pass_ = make_ticket_type(edition, capacity=2)
    buy(edition, {pass_: 1})
    page = client.get(f"/{edition.slug}/tickets/checkout?q-{pass_.id}=2")
    html = page.get_data(as_text=True)
    assert page.status_code == 409
    assert "only 1 seat(s) left for Conference pass" in html
    assert "Join the waiting list for Conference pass" in html


def test_order_posted_after_the_last_seat_went_gets_sold_out_on_the_form(client):
    edition = make_edition()
    pass_ = make_ticket_type(edition, capacity=1)
    _, data = checkout_form(client, edition, {pass_: 1})
    buy(edition, {pass_: 1}, email="faster@example.org")  # someone else was faster
    response = client.post(f"/{edition.slug}/tickets/checkout", data=data)
    html = response.get_data(as_text=True)
    assert response.status_code == 409
    assert "Sorry, Conference pass is sold out" in html
    assert 'name="attendees-0-name"' in html  # the form, not an error page
    assert count_orders() == 1


def test_release_returns_seats_to_type_and_quota():
    from convention.registration.services import release_order

    edition = make_edition()
    pass_ = make_ticket_type(edition, capacity=5)
    quota = make_quota(edition, [pass_], capacity=5)
    order = buy(edition, {pass_: 2})
    release_order(order, reason="cancelled")
    db.session.commit()
    assert order.state is OrderState.CANCELLED
    assert (pass_.used, quota.used) == (0, 0)
