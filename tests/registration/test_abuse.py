"""Abuse of registration (issue 7, item 5): rate limits on orders, waiting-list sign-ups
and voucher lookups; a cap on open orders per email; the bank-transfer hold per edition;
waiting-list entries count only once their address is confirmed by the emailed link."""

from __future__ import annotations

from datetime import timedelta

import pytest
import sqlalchemy as sa

from convention.audit.models import AuditEntry
from convention.core.errors import Conflict
from convention.core.timeutil import utcnow
from convention.extensions import db
from convention.registration.models import OrderState, RegistrationSettings, WaitingListEntry, WaitingState
from convention.registration.services import mark_order_paid, release_order
from convention.registration.waiting_list import join_waiting_list
from tests.conftest import csrf_token_from, post_form
from tests.factories import make_edition, make_user
from tests.registration.helpers import buy, checkout_form, count_orders, count_rows, make_ticket_type, outbox


@pytest.fixture
def limits(app):
    """Set rate limits for one test: ``limits(CHECKOUT_RATE_LIMIT="2 per minute")``; restored afterwards."""
    saved = {}

    def configure(**values):
        for key, value in values.items():
            saved.setdefault(key, app.config[key])
            app.config[key] = value

    yield configure
    app.config.update(saved)


# -- rate limits --------------------------------------------------------------------------


def test_placing_orders_is_rate_limited_per_client(client, limits):
    limits(CHECKOUT_RATE_LIMIT="2 per minute")
    edition = make_edition()
    pass_ = make_ticket_type(edition, capacity=10)
    statuses = []
    for i in range(3):
        _, data = checkout_form(client, edition, {pass_: 1}, email=f"buyer{i}@example.org")
        statuses.append(client.post(f"/{edition.slug}/tickets/checkout", data=data).status_code)
    assert statuses == [303, 303, 429]
    assert count_orders() == 2


def test_placing_orders_is_rate_limited_per_email_across_clients(app, limits):
    limits(CHECKOUT_RATE_LIMIT="2 per minute", MAX_OPEN_ORDERS_PER_EMAIL=0)
    edition = make_edition()
    pass_ = make_ticket_type(edition, capacity=10)
    statuses = []
    for i in range(3):
        client = app.test_client()
        _, data = checkout_form(client, edition, {pass_: 1}, email="same@example.org")
        response = client.post(f"/{edition.slug}/tickets/checkout", data=data,
                               environ_base={"REMOTE_ADDR": f"192.0.2.{i + 1}"})
        statuses.append(response.status_code)
    assert statuses == [303, 303, 429]
    assert "Too many orders from here in a short time." in response.get_data(as_text=True)
    assert count_orders() == 2


def _join_form(client, url, email, name="Wendy Waiter"):
    return post_form(client, url, {"name": name, "email": email, "quantity": "1",
                                   "privacy_version": "2026-01", "consent": "y"})


def test_waiting_list_sign_ups_are_rate_limited_per_client(client, limits):
    limits(WAITING_LIST_RATE_LIMIT="2 per hour")
    edition = make_edition()
    pass_ = make_ticket_type(edition, capacity=1)
    url = f"/{edition.slug}/tickets/{pass_.id}/waiting-list"
    statuses = [_join_form(client, url, f"w{i}@example.org").status_code for i in range(3)]
    assert statuses == [302, 302, 429]
    assert [m.recipient for m in outbox("registration_waiting_confirm")] == ["w0@example.org", "w1@example.org"]
    assert count_rows(WaitingListEntry) == 2


def test_waiting_list_sign_ups_for_one_email_are_limited_from_any_address(app, limits):
    limits(WAITING_LIST_RATE_LIMIT="2 per hour")
    edition = make_edition()
    pass_ = make_ticket_type(edition, capacity=1)
    url = f"/{edition.slug}/tickets/{pass_.id}/waiting-list"
    statuses = []
    for i in range(3):
        client = app.test_client()
        token = csrf_token_from(client.get(url).get_data(as_text=True))
        statuses.append(client.post(url, data={"name": "W", "email": "victim@example.org", "quantity": "1",
                                               "privacy_version": "2026-01", "consent": "y", "csrf_token": token},
                                    environ_base={"REMOTE_ADDR": f"198.51.100.{i + 1}"}).status_code)
    assert statuses == [302, 302, 429]
    assert len(outbox("registration_waiting_confirm", to="victim@example.org")) == 2


def test_voucher_lookups_are_rate_limited_per_client(client, limits):
    limits(VOUCHER_RATE_LIMIT="3 per minute")
    edition = make_edition()
    pass_ = make_ticket_type(edition, capacity=10)
    shop = f"/{edition.slug}/tickets/"
    guesses = [client.get(f"{shop}?voucher=GUESS{i}").status_code for i in range(3)]
    assert guesses == [422, 422, 422]  # refused codes
    assert client.get(f"/{edition.slug}/tickets/checkout?q-{pass_.id}=1&voucher=GUESS9").status_code == 429
    assert client.get(f"{shop}?voucher=GUESS4").status_code == 429
    assert client.get(shop).status_code == 200  # the shop itself is not limited
    assert client.get(f"{shop}?voucher=").status_code == 200


# -- open orders per email ----------------------------------------------------------------


def test_open_orders_per_email_are_capped(limits):
    limits(MAX_OPEN_ORDERS_PER_EMAIL=2)
    edition = make_edition()
    student = make_ticket_type(edition, name="Student", capacity=10)
    held = [buy(edition, {student: 1}, email="hoarder@example.org") for _ in range(2)]
    with pytest.raises(Conflict) as refused:
        buy(edition, {student: 1}, email=" Hoarder@Example.org ")
    assert refused.value.field == "email"
    assert refused.value.message.startswith("This address already has 2 order(s) awaiting payment.")
    db.session.rollback()
    assert buy(edition, {student: 1}, email="other@example.org").state is OrderState.RESERVED
    # A paid order no longer counts: the same address may order again.
    mark_order_paid(held[0], amount_cents=held[0].total_cents, currency="EUR", method="bank_transfer", reference=None)
    db.session.commit()
    assert buy(edition, {student: 1}, email="hoarder@example.org").state is OrderState.RESERVED
    assert student.used == 4


def test_free_orders_do_not_count_against_the_cap(limits):
    limits(MAX_OPEN_ORDERS_PER_EMAIL=1)
    edition = make_edition()
    free = make_ticket_type(edition, name="Community", price_cents=0, capacity=10)
    orders = [buy(edition, {free: 1}, email="free@example.org") for _ in range(3)]
    assert [o.state for o in orders] == [OrderState.PAID] * 3


def test_the_cap_is_shown_on_the_checkout_form(client, limits):
    limits(MAX_OPEN_ORDERS_PER_EMAIL=1)
    edition = make_edition()
    pass_ = make_ticket_type(edition, capacity=10)
    buy(edition, {pass_: 1}, email="buyer@example.org")
    _, data = checkout_form(client, edition, {pass_: 1}, email="buyer@example.org")
    response = client.post(f"/{edition.slug}/tickets/checkout", data=data)
    assert response.status_code == 409
    assert "This address already has 1 order(s) awaiting payment." in response.get_data(as_text=True)
    assert count_orders() == 1 and pass_.used == 1


def test_bank_transfer_hold_is_the_editions_setting():
    edition = make_edition()
    settings = RegistrationSettings.with_defaults(edition.id)
    settings.bank_transfer_days = 2
    db.session.add(settings)
    db.session.commit()
    now = utcnow()
    order = buy(edition, {make_ticket_type(edition, capacity=5): 1}, now=now)
    assert (order.payment_method, order.expires_at) == ("bank_transfer", now + timedelta(days=2))


# -- waiting list: only confirmed addresses -----------------------------------------------


@pytest.fixture
def full_house():
    edition = make_edition()
    pass_ = make_ticket_type(edition, capacity=1)
    taken = buy(edition, {pass_: 1}, email="holder@example.org")
    return edition, pass_, taken


def _join(edition, ticket_type, name):
    entry = join_waiting_list(edition, ticket_type, name=name, email=f"{name.lower()}@example.org", quantity=1,
                              consent_version="2026-01")
    db.session.commit()
    return entry


def test_an_unconfirmed_entry_gets_no_offer(full_house):
    edition, pass_, taken = full_house
    entry = _join(edition, pass_, "Ann")
    assert entry.state is WaitingState.UNCONFIRMED
    release_order(taken, reason="cancelled")
    db.session.commit()
    assert (entry.state, entry.order_id, pass_.used) == (WaitingState.UNCONFIRMED, None, 0)
    assert outbox("registration_waiting_offer") == []


def test_the_join_email_links_to_a_confirmation_page_on_base_url(app, client, full_house):
    edition, pass_, _ = full_house
    url = f"/{edition.slug}/tickets/{pass_.id}/waiting-list"
    token = csrf_token_from(client.get(url).get_data(as_text=True))
    client.post(url, data={
        "name": "Ann", "email": "ann@example.org", "quantity": "1", "privacy_version": "2026-01", "consent": "y",
        "csrf_token": token})
    entry = db.session.scalar(sa.select(WaitingListEntry))
    [mail] = outbox("registration_waiting_confirm")
    assert f"{app.config['BASE_URL']}/{edition.slug}/waiting-list/{entry.secret}/confirm" in mail.body_text


def test_the_confirmation_link_shows_a_button_and_writes_nothing(client, full_house):
    edition, pass_, _ = full_house
    entry = _join(edition, pass_, "Ann")
    audits = count_rows(AuditEntry)
    html = client.get(f"/{edition.slug}/waiting-list/{entry.secret}/confirm").get_data(as_text=True)
    assert "Confirm my place on the waiting list" in html
    db.session.expire_all()
    assert (db.session.get(WaitingListEntry, entry.id).state, count_rows(AuditEntry)) == (
        WaitingState.UNCONFIRMED, audits)


def test_confirming_puts_the_entry_in_line_for_offers(client, full_house):
    edition, pass_, taken = full_house
    entry = _join(edition, pass_, "Ann")
    page = f"/{edition.slug}/waiting-list/{entry.secret}/confirm"
    response = post_form(client, page, {})
    assert response.status_code == 302
    db.session.expire_all()
    entry = db.session.get(WaitingListEntry, entry.id)
    assert entry.state is WaitingState.WAITING
    assert "You are on the waiting list" in client.get(page).get_data(as_text=True)
    release_order(taken, reason="cancelled")
    db.session.commit()
    assert entry.state is WaitingState.OFFERED
    assert [m.recipient for m in outbox("registration_waiting_offer")] == ["ann@example.org"]


def test_confirmation_needs_the_csrf_token(client, full_house):
    edition, pass_, _ = full_house
    entry = _join(edition, pass_, "Ann")
    client.post(f"/{edition.slug}/waiting-list/{entry.secret}/confirm", data={})
    db.session.expire_all()
    assert db.session.get(WaitingListEntry, entry.id).state is WaitingState.UNCONFIRMED


def test_organizers_see_unconfirmed_entries_as_such(client, auth):
    organizer = make_user()
    edition = make_edition(organizer=organizer)
    pass_ = make_ticket_type(edition, capacity=1)
    _join(edition, pass_, "Ann")
    auth.login(organizer.email)
    html = client.get(f"/{edition.slug}/manage/registration/waiting-list").get_data(as_text=True)
    assert "state-unconfirmed" in html and ">Unconfirmed<" in html
