"""The buyer's journey through the views: prices come from the server, bad input changes nothing."""

import pytest
import sqlalchemy as sa

from convention.extensions import db
from convention.registration.models import Order, OrderState, TicketCategory, TicketType
from tests.factories import make_edition
from tests.registration.helpers import checkout_form, count_orders, make_ticket_type, make_voucher, outbox


def _only_order():
    return db.session.scalar(sa.select(Order).where(Order.payment_method != "complimentary"))


def test_paid_order_goes_to_bank_transfer_and_shows_the_reference(client):
    edition = make_edition()
    pass_ = make_ticket_type(edition, price_cents=12100, capacity=10)
    _, data = checkout_form(client, edition, {pass_: 2}, names=["Ann Smith", "Bo Jones"])
    response = client.post(f"/{edition.slug}/tickets/checkout", data=data)
    order = _only_order()
    assert response.status_code == 303
    assert response.headers["Location"].endswith(f"/{edition.slug}/orders/{order.secret}/")
    assert (order.state, order.total_cents, order.payment_method) == (OrderState.RESERVED, 24200, "bank_transfer")
    assert [a.name for a in order.attendees] == ["Ann Smith", "Bo Jones"]
    assert order.consent_version == "2026-01"
    page = client.get(response.headers["Location"]).get_data(as_text=True)
    assert f'id="transfer-reference">{order.code}<' in page
    assert [m.recipient for m in outbox("registration_order_reserved")] == ["buyer@example.org"]


def test_free_order_is_paid_at_once_with_confirmation_email(client):
    edition = make_edition()
    free = make_ticket_type(edition, name="Community", price_cents=0, capacity=10)
    _, data = checkout_form(client, edition, {free: 1})
    client.post(f"/{edition.slug}/tickets/checkout", data=data)
    order = _only_order()
    assert (order.state, order.payment_method, order.expires_at) == (OrderState.PAID, "free", None)
    [mail] = outbox("registration_order_paid")
    assert order.secret in mail.body_text


def test_tampered_total_is_refused_and_nothing_is_created(client):
    edition = make_edition()
    pass_ = make_ticket_type(edition, price_cents=12100, capacity=10)
    _, data = checkout_form(client, edition, {pass_: 1}, total_cents="1")
    response = client.post(f"/{edition.slug}/tickets/checkout", data=data)
    assert response.status_code == 409
    assert "The total has changed" in response.get_data(as_text=True)
    assert count_orders() == 0
    assert db.session.get(TicketType, pass_.id).used == 0


def test_price_field_added_to_the_form_is_ignored(client):
    edition = make_edition()
    pass_ = make_ticket_type(edition, price_cents=12100, capacity=10)
    _, data = checkout_form(client, edition, {pass_: 1}, price_cents="0", **{"attendees-0-price": "0"})
    client.post(f"/{edition.slug}/tickets/checkout", data=data)
    order = _only_order()
    assert (order.total_cents, order.attendees[0].price_cents) == (12100, 12100)


@pytest.mark.parametrize("which", ["other_edition", "hidden", "complimentary", "unknown"])
def test_tampered_ticket_type_id_is_refused(client, which):
    edition = make_edition()
    pass_ = make_ticket_type(edition, price_cents=12100, capacity=10)
    target = {
        "other_edition": lambda: make_ticket_type(make_edition(), price_cents=0, capacity=10).id,
        "hidden": lambda: make_ticket_type(edition, name="Secret", price_cents=0, hidden=True).id,
        "complimentary": lambda: make_ticket_type(edition, name="Crew", price_cents=0,
                                                  category=TicketCategory.STAFF).id,
        "unknown": lambda: 999999,
    }[which]()
    _, data = checkout_form(client, edition, {pass_: 1})
    data.update(selection=f"{target}:1", total_cents="0")
    response = client.post(f"/{edition.slug}/tickets/checkout", data=data)
    assert response.status_code == 422
    assert "One of the chosen tickets is not available." in response.get_data(as_text=True)
    assert count_orders() == 0


def test_voucher_only_ticket_without_voucher_is_refused(client):
    edition = make_edition()
    press = make_ticket_type(edition, name="Press", price_cents=0, requires_voucher=True)
    _, data = checkout_form(client, edition, {make_ticket_type(edition, capacity=5): 1})
    data.update(selection=f"{press.id}:1", total_cents="0")
    response = client.post(f"/{edition.slug}/tickets/checkout", data=data)
    assert response.status_code == 422
    assert "Press needs a voucher." in response.get_data(as_text=True)
    assert count_orders() == 0


def test_missing_consent_and_names_are_shown_on_the_form(client):
    edition = make_edition()
    pass_ = make_ticket_type(edition, capacity=5)
    _, data = checkout_form(client, edition, {pass_: 1}, consent="")
    data["attendees-0-name"] = ""
    response = client.post(f"/{edition.slug}/tickets/checkout", data=data)
    html = response.get_data(as_text=True)
    assert response.status_code == 422
    assert "Please accept the privacy notice to register." in html
    # A lazily translated message is markup-safe text: its apostrophe may come out unescaped.
    assert "Enter the attendee&#39;s name." in html or "Enter the attendee's name." in html
    assert count_orders() == 0


def test_changed_privacy_version_is_refused(client):
    edition = make_edition()
    pass_ = make_ticket_type(edition, capacity=5)
    _, data = checkout_form(client, edition, {pass_: 1}, privacy_version="2020-01")
    response = client.post(f"/{edition.slug}/tickets/checkout", data=data)
    assert response.status_code == 422
    assert "The privacy notice has changed" in response.get_data(as_text=True)
    assert count_orders() == 0


def test_order_without_csrf_token_is_refused(client):
    edition = make_edition()
    pass_ = make_ticket_type(edition, capacity=5)
    _, data = checkout_form(client, edition, {pass_: 1})
    del data["csrf_token"]
    response = client.post(f"/{edition.slug}/tickets/checkout", data=data)
    assert response.status_code == 400
    assert count_orders() == 0


def test_ticket_not_yet_on_sale_is_refused(client):
    from tests.registration.helpers import future

    edition = make_edition()
    early = make_ticket_type(edition, capacity=5, sale_starts_at=future(60))
    page = client.get(f"/{edition.slug}/tickets/checkout?q-{early.id}=1")
    assert page.status_code == 422
    assert "Conference pass is not on sale at this time." in page.get_data(as_text=True)


def test_voucher_discount_is_applied_by_the_server(client):
    edition = make_edition()
    pass_ = make_ticket_type(edition, price_cents=10000, capacity=5)
    make_voucher(edition, code="HALF", value=50, max_uses=5)
    _, data = checkout_form(client, edition, {pass_: 2}, voucher="HALF")
    assert data["total_cents"] == "10000"
    client.post(f"/{edition.slug}/tickets/checkout", data=data)
    order = _only_order()
    assert (order.total_cents, order.voucher.code, order.voucher_uses, order.voucher.used) == (10000, "HALF", 2, 2)
