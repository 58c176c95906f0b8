"""The secret order page: receipt PDF, attendee changes until the cut-off, self-cancellation."""

import io
from datetime import timedelta

import pytest
from pypdf import PdfReader

from convention.core.timeutil import utcnow
from convention.extensions import db
from convention.registration.models import OrderState, RegistrationSettings, TicketType
from convention.registration.services import mark_order_paid
from tests.conftest import post_form
from tests.factories import make_edition
from tests.registration.helpers import buy, make_ticket_type, outbox


def _paid_order(edition, selection, **kwargs):
    order = buy(edition, selection, **kwargs)
    mark_order_paid(order, amount_cents=order.total_cents, currency="EUR", method="bank_transfer", reference=None)
    db.session.commit()
    return order


def _settings(edition, **values):
    settings = RegistrationSettings.with_defaults(edition.id)
    for key, value in values.items():
        setattr(settings, key, value)
    db.session.add(settings)
    db.session.commit()
    return settings


def test_receipt_pdf_shows_code_vat_and_totals(client):
    edition = make_edition()
    _settings(edition, seller_name="Cyber Security Coalition vzw", seller_vat_number="BE0123456789")
    full = make_ticket_type(edition, name="Conference pass", price_cents=12100, vat_rate_bp=2100, capacity=10)
    workshop = make_ticket_type(edition, name="Workshop", price_cents=5300, vat_rate_bp=600, capacity=10)
    order = _paid_order(edition, {full: 2, workshop: 1}, names=["Zoë Ørsted", "Łukasz Kowalski", "Ann Lee"])
    response = client.get(f"/{edition.slug}/orders/{order.secret}/receipt.pdf")
    assert response.mimetype == "application/pdf"
    text = PdfReader(io.BytesIO(response.data)).pages[0].extract_text()
    assert order.code in text
    assert "BE0123456789" in text
    assert "VAT 21%" in text and "EUR 42.00" in text  # 2 x 21.00 VAT in 121.00
    assert "VAT 6%" in text and "EUR 3.00" in text  # 3.00 VAT in 53.00
    assert "Total excluding VAT" in text and "EUR 250.00" in text
    assert "Total paid" in text and "EUR 295.00" in text
    assert "Zoë Ørsted" in text and "Łukasz Kowalski" in text


def _pdf_text(data: bytes) -> str:
    # pypdf reads the CJK fallback font's codes (a CID-keyed font with its own CMap) one byte
    # at a time and puts a NUL before each character; the PDF's ToUnicode map is right.
    return PdfReader(io.BytesIO(data)).pages[0].extract_text().replace("\x00", "")


def test_receipt_prints_cyrillic_greek_chinese_and_polish_names(client):
    edition = make_edition()
    _settings(edition, seller_name="Stowarzyszenie Bezpieczeństwa Łódź")
    names = ["Анна Ковалёва", "Γιώργος Παπαδόπουλος", "王小明", "Zażółć Gęślą Jaźń"]
    order = _paid_order(edition, {make_ticket_type(edition, name="Día completo", capacity=10): 4}, names=names)
    order.buyer_name = "Мария Иванова"
    db.session.commit()
    response = client.get(f"/{edition.slug}/orders/{order.secret}/receipt.pdf")
    text = _pdf_text(response.data)
    for name in [*names, "Мария Иванова", "Stowarzyszenie Bezpieczeństwa Łódź", "Día completo"]:
        assert name in text
    assert "?" not in text


def test_a_latin_only_receipt_does_not_embed_the_cjk_font(client):
    edition = make_edition()
    order = _paid_order(edition, {make_ticket_type(edition, capacity=3): 1}, names=["Zoë Ørsted"])
    data = client.get(f"/{edition.slug}/orders/{order.secret}/receipt.pdf").data
    assert b"NotoSansCJK" not in data and b"OpenSans" in data
    assert len(data) < 60_000


def test_receipt_is_not_available_before_payment(client):
    edition = make_edition()
    order = buy(edition, {make_ticket_type(edition, capacity=3): 1})
    assert client.get(f"/{edition.slug}/orders/{order.secret}/receipt.pdf").status_code == 404


def _names_data(order, **changes):
    data = {}
    for i, attendee in enumerate(order.attendees):
        data.update({f"attendees-{i}-attendee_id": str(attendee.id), f"attendees-{i}-name": attendee.name,
                     f"attendees-{i}-email": attendee.email, f"attendees-{i}-organisation": attendee.organisation})
    data.update(changes)
    return data


def test_attendee_name_can_change_before_the_cut_off(client):
    edition = make_edition()
    order = _paid_order(edition, {make_ticket_type(edition, capacity=3): 2})
    page = f"/{edition.slug}/orders/{order.secret}/"
    response = post_form(client, f"{page}attendees", _names_data(order, **{"attendees-1-name": "Nora New"}), page=page)
    assert response.status_code == 302
    db.session.refresh(order)
    assert [a.name for a in order.attendees] == ["Attendee 1", "Nora New"]


def test_attendee_name_cannot_change_after_the_cut_off(client):
    edition = make_edition()
    order = _paid_order(edition, {make_ticket_type(edition, capacity=3): 1})
    page = f"/{edition.slug}/orders/{order.secret}/"
    html = client.get(page).get_data(as_text=True)
    _settings(edition, name_changes_until=utcnow() - timedelta(minutes=1))
    from tests.conftest import csrf_token_from

    data = {**_names_data(order, **{"attendees-0-name": "Too Late"}), "csrf_token": csrf_token_from(html)}
    response = client.post(f"{page}attendees", data=data)
    assert response.status_code == 422
    assert "Attendee details can no longer be changed." in response.get_data(as_text=True)
    db.session.refresh(order)
    assert order.attendees[0].name == "Attendee 1"


def test_attendee_ids_of_another_order_are_refused(client):
    edition = make_edition()
    pass_ = make_ticket_type(edition, capacity=5)
    order, other = _paid_order(edition, {pass_: 1}), _paid_order(edition, {pass_: 1}, names=["Victim"])
    page = f"/{edition.slug}/orders/{order.secret}/"
    data = _names_data(order, **{"attendees-0-attendee_id": str(other.attendees[0].id), "attendees-0-name": "Hijack"})
    response = post_form(client, f"{page}attendees", data, page=page)
    assert response.status_code == 422
    db.session.refresh(other)
    assert other.attendees[0].name == "Victim"


def test_self_cancel_refunds_minus_the_fee_before_the_cut_off(client):
    edition = make_edition()
    _settings(edition, self_cancel_until=utcnow() + timedelta(days=3), cancellation_fee_cents=2500)
    pass_ = make_ticket_type(edition, capacity=3)
    order = _paid_order(edition, {pass_: 1})
    page = f"/{edition.slug}/orders/{order.secret}/"
    assert "you get €96.00 back" in client.get(page).get_data(as_text=True)
    post_form(client, f"{page}cancel", {}, page=page)
    db.session.refresh(order)
    assert (order.state, order.refunded_cents) == (OrderState.REFUNDED, 9600)
    assert db.session.get(TicketType, pass_.id).used == 0
    assert len(outbox("registration_order_refunded")) == 1


@pytest.mark.parametrize("until", [None, "past"])
def test_self_cancel_is_refused_without_policy_or_after_the_cut_off(client, until):
    edition = make_edition()
    if until:
        _settings(edition, self_cancel_until=utcnow() - timedelta(minutes=1))
    order = _paid_order(edition, {make_ticket_type(edition, capacity=3): 1})
    page = f"/{edition.slug}/orders/{order.secret}/"
    html = client.get(page).get_data(as_text=True)
    assert "Cancel my order" not in html
    from tests.conftest import csrf_token_from

    response = client.post(f"{page}cancel", data={"csrf_token": csrf_token_from(html)}, follow_redirects=True)
    assert "This order can no longer be cancelled online" in response.get_data(as_text=True)
    db.session.refresh(order)
    assert order.state is OrderState.PAID


def test_reserved_order_can_be_cancelled_by_its_holder(client):
    edition = make_edition()
    pass_ = make_ticket_type(edition, capacity=3)
    order = buy(edition, {pass_: 2})
    page = f"/{edition.slug}/orders/{order.secret}/"
    post_form(client, f"{page}cancel", {}, page=page)
    db.session.refresh(order)
    assert (order.state, db.session.get(TicketType, pass_.id).used) == (OrderState.CANCELLED, 0)


def test_order_page_expires_a_due_reservation_when_looked_at(client):
    edition = make_edition()
    pass_ = make_ticket_type(edition, capacity=3)
    order = buy(edition, {pass_: 1})
    order.expires_at = utcnow() - timedelta(seconds=1)
    db.session.commit()
    html = client.get(f"/{edition.slug}/orders/{order.secret}/").get_data(as_text=True)
    assert 'id="order-state">Expired<' in html


def _cancel_terms(client, edition, order) -> str:
    import re

    html = client.get(f"/{edition.slug}/orders/{order.secret}/").get_data(as_text=True)
    match = re.search(r'<p class="small" id="cancel-terms">(.*?)</p>', html, re.S)
    assert match, "no cancellation terms on the page"
    return match.group(1)


def test_a_free_order_cancel_text_speaks_of_no_fee_or_refund(client):
    edition = make_edition()
    _settings(edition, self_cancel_until=utcnow() + timedelta(days=3), cancellation_fee_cents=2500)
    order = buy(edition, {make_ticket_type(edition, price_cents=0, capacity=3): 1})
    assert (order.state, order.total_cents) == (OrderState.PAID, 0)
    terms = _cancel_terms(client, edition, order)
    assert terms.startswith("You can cancel until ")
    assert "fee" not in terms and "back" not in terms


def test_the_fee_kept_is_never_more_than_was_paid(client):
    edition = make_edition()
    _settings(edition, self_cancel_until=utcnow() + timedelta(days=3), cancellation_fee_cents=2500)
    order = _paid_order(edition, {make_ticket_type(edition, price_cents=1000, capacity=3): 1})
    assert _cancel_terms(client, edition, order).endswith("; you get €0.00 back (a €10.00 fee is kept).")
