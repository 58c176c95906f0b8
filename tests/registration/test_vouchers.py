"""Vouchers: discounts, limits, validity, hidden types, bulk creation and the CSV export."""

import csv
import io

import pytest

from convention.extensions import db
from convention.registration import catalog
from convention.registration.errors import VoucherRefused
from convention.registration.models import Voucher, VoucherKind
from convention.registration.pricing import discounted_price, quote_selection
from convention.registration.services import release_order
from tests.factories import make_edition, make_user
from tests.registration.helpers import buy, checkout_form, count_orders, future, make_ticket_type, make_voucher, past


@pytest.mark.parametrize(
    "kind, value, expected",
    [(VoucherKind.PERCENT, 25, 9075), (VoucherKind.PERCENT, 100, 0), (VoucherKind.FIXED, 2000, 10100),
     (VoucherKind.FIXED, 50000, 0), (VoucherKind.FREE, 0, 0), (VoucherKind.UNLOCK, 0, 12100)],
)
def test_discounted_price_by_kind(kind, value, expected):
    assert discounted_price(12100, Voucher(kind=kind, value=value)) == expected


def test_voucher_used_past_its_limit_is_refused():
    edition = make_edition()
    pass_ = make_ticket_type(edition, capacity=10)
    make_voucher(edition, code="ONCE", max_uses=1)
    buy(edition, {pass_: 1}, voucher_code="ONCE")
    with pytest.raises(VoucherRefused, match="already been used as often as it allows"):
        buy(edition, {pass_: 1}, voucher_code="ONCE", total=6050)
    db.session.rollback()
    assert count_orders() == 1


def test_voucher_for_more_tickets_than_uses_left_is_refused():
    edition = make_edition()
    pass_ = make_ticket_type(edition, capacity=10)
    make_voucher(edition, code="TWICE", max_uses=2)
    with pytest.raises(VoucherRefused, match="2 more ticket"):
        quote_selection(edition, {pass_.id: 3}, voucher_code="TWICE", now=past(0))


def test_voucher_limit_is_enforced_by_the_counter_even_if_the_quote_was_stale():
    """Two buyers quoted at the same time: the second one's conditional update fails."""
    from convention.registration.ordering import hold_quote
    from convention.registration.pricing import Quote, QuoteLine

    edition = make_edition()
    pass_ = make_ticket_type(edition, capacity=10)
    voucher = make_voucher(edition, code="ONCE", max_uses=1)
    stale = Quote(lines=[QuoteLine(pass_, 6050, True)], voucher=voucher, voucher_uses=1)
    buy(edition, {pass_: 1}, voucher_code="ONCE")
    with pytest.raises(VoucherRefused):
        hold_quote(stale)
    db.session.rollback()
    assert (db.session.get(Voucher, voucher.id).used, pass_.used) == (1, 1)


def test_voucher_use_limit_refused_in_the_form(client):
    edition = make_edition()
    pass_ = make_ticket_type(edition, capacity=10)
    make_voucher(edition, code="ONCE", max_uses=1)
    _, data = checkout_form(client, edition, {pass_: 1}, voucher="ONCE")
    buy(edition, {pass_: 1}, voucher_code="ONCE", email="first@example.org")
    response = client.post(f"/{edition.slug}/tickets/checkout", data=data)
    assert response.status_code == 422
    assert "This voucher has already been used as often as it allows." in response.get_data(as_text=True)
    assert count_orders() == 1


def test_released_order_gives_its_voucher_uses_back():
    edition = make_edition()
    pass_ = make_ticket_type(edition, capacity=10)
    voucher = make_voucher(edition, code="ONCE", max_uses=1)
    order = buy(edition, {pass_: 1}, voucher_code="ONCE")
    release_order(order, reason="expired")
    db.session.commit()
    assert voucher.used == 0


@pytest.mark.parametrize("window", [{"valid_until": past(5)}, {"valid_from": future(60)}])
def test_voucher_outside_its_validity_is_refused(window):
    edition = make_edition()
    pass_ = make_ticket_type(edition, capacity=10)
    make_voucher(edition, code="WINDOW", **window)
    with pytest.raises(VoucherRefused, match="not valid at this time"):
        quote_selection(edition, {pass_.id: 1}, voucher_code="WINDOW", now=past(0))


def test_unknown_voucher_is_refused_in_the_shop(client):
    edition = make_edition()
    make_ticket_type(edition, capacity=10)
    page = client.get(f"/{edition.slug}/tickets/?voucher=NOPE")
    assert page.status_code == 422
    assert "This voucher code is not valid for this convention." in page.get_data(as_text=True)


def test_hidden_ticket_type_appears_only_with_its_voucher(client):
    edition = make_edition()
    make_ticket_type(edition, capacity=10)
    hidden = make_ticket_type(edition, name="Sponsor pass", price_cents=0, hidden=True)
    make_voucher(edition, code="SPONSOR", kind=VoucherKind.UNLOCK, value=0, ticket_type_id=hidden.id, max_uses=5)
    assert "Sponsor pass" not in client.get(f"/{edition.slug}/tickets/").get_data(as_text=True)
    assert "Sponsor pass" in client.get(f"/{edition.slug}/tickets/?voucher=sponsor").get_data(as_text=True)
    order = buy(edition, {hidden: 2}, voucher_code="SPONSOR")
    assert (order.total_cents, order.voucher_uses) == (0, 2)


def test_bulk_vouchers_are_unique_and_exported_as_csv(client, auth):
    organizer = make_user()
    edition = make_edition(organizer=organizer)
    created = catalog.create_vouchers(
        edition, catalog.VoucherData(kind=VoucherKind.FREE, comment="=HYPERLINK(\"http://evil\")"), actor=organizer,
        count=50, prefix="press-",
    )
    db.session.commit()
    assert len({v.code for v in created}) == 50
    assert all(v.code.startswith("PRESS-") and len(v.code) == 14 for v in created)
    auth.login(organizer.email)
    response = client.get(f"/{edition.slug}/manage/vouchers.csv")
    rows = list(csv.reader(io.StringIO(response.get_data(as_text=True).lstrip("\ufeff"))))
    assert response.mimetype == "text/csv"
    assert rows[0] == ["code", "kind", "value", "ticket_type", "max_uses", "used", "valid_from", "valid_until", "comment"]
    assert len(rows) == 51
    assert rows[1][8] == "'=HYPERLINK(\"http://evil\")"


def test_voucher_form_creates_a_chosen_code(client, auth):
    from tests.conftest import post_form

    organizer = make_user()
    edition = make_edition(organizer=organizer)
    auth.login(organizer.email)
    url = f"/{edition.slug}/manage/vouchers/"
    response = post_form(client, url, {"code": "speaker-friend", "count": "1", "kind": "percent", "percent": "20",
                                       "ticket_type": "0", "max_uses": "3"})
    assert response.status_code == 302
    voucher = db.session.query(Voucher).one()
    assert (voucher.code, voucher.kind, voucher.value, voucher.max_uses) == ("SPEAKER-FRIEND", VoucherKind.PERCENT, 20, 3)
    again = post_form(client, url, {"code": "SPEAKER-FRIEND", "count": "1", "kind": "free", "ticket_type": "0",
                                    "max_uses": "1"})
    assert again.status_code == 422
    assert "A voucher with this code already exists." in again.get_data(as_text=True)


def test_the_voucher_list_is_paged_with_one_csrf_token_for_all_row_buttons(client, auth):
    from tests.conftest import post_form

    organizer = make_user()
    edition = make_edition(organizer=organizer)
    for n in range(catalog.VOUCHERS_PER_PAGE + 5):
        make_voucher(edition, code=f"ROW{n:03d}")
    auth.login(organizer.email)
    url = f"/{edition.slug}/manage/vouchers/"
    html = client.get(url).get_data(as_text=True)
    assert html.count('name="csrf_token"') == 3  # sign-out, the row buttons' one form, the create form
    assert html.count('form="voucher-actions"') == catalog.VOUCHERS_PER_PAGE
    assert f'href="{url}?page=2"' in html and "Page 1 of 2" in html
    second = client.get(f"{url}?page=2").get_data(as_text=True)
    assert second.count('form="voucher-actions"') == 5 and "ROW000" in second and "ROW054" not in second
    voucher = db.session.query(Voucher).filter_by(code="ROW000").one()
    response = post_form(client, f"{url}{voucher.id}/delete", {}, page=f"{url}?page=2")
    assert response.status_code == 302
    assert db.session.query(Voucher).filter_by(code="ROW000").count() == 0
