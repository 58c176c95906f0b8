"""Organizer pages: bank transfers marked paid, cancellations, search, figures, query counts."""

import csv
import io
import re
from datetime import timedelta

import pytest
import sqlalchemy as sa

from convention.core.timeutil import utcnow
from convention.extensions import db
from convention.registration.models import Attendee, Order, OrderState, TicketType
from tests.conftest import post_form
from tests.factories import make_edition, make_user
from tests.queries import count_queries
from tests.registration.helpers import buy, make_ticket_type, outbox


@pytest.fixture
def organizer_world(client, auth):
    organizer = make_user()
    edition = make_edition(organizer=organizer)
    pass_ = make_ticket_type(edition, capacity=10)
    auth.login(organizer.email)
    return organizer, edition, pass_


def test_organizer_marks_a_bank_transfer_paid(client, organizer_world):
    _, edition, pass_ = organizer_world
    order = buy(edition, {pass_: 2})
    page = f"/{edition.slug}/manage/orders/{order.code}"
    response = post_form(client, f"{page}/mark-paid", {"reference": "BNP 2026-11-02"}, page=page)
    assert response.status_code == 302
    db.session.refresh(order)
    assert (order.state, order.payment_method, order.payment_reference) == (
        OrderState.PAID, "bank_transfer", "BNP 2026-11-02")
    [mail] = outbox("registration_order_paid")
    assert mail.recipient == order.email
    assert "Paid" in client.get(page).get_data(as_text=True)


def test_organizer_marks_an_expired_bank_transfer_paid_when_seats_are_gone(client, organizer_world):
    from convention.registration.services import release_order

    _, edition, pass_ = organizer_world
    small = make_ticket_type(edition, name="Workshop", capacity=1)
    order = buy(edition, {small: 1})
    release_order(order, reason="expired")
    db.session.commit()
    buy(edition, {small: 1}, email="other@example.org")
    page = f"/{edition.slug}/manage/orders/{order.code}"
    response = post_form(client, f"{page}/mark-paid", {}, page=page, follow_redirects=True)
    assert "was released and its seats are gone" in response.get_data(as_text=True)
    db.session.refresh(order)
    assert order.state is OrderState.EXPIRED


def test_organizer_cancels_and_refunds_a_paid_order(client, organizer_world):
    from convention.registration.services import mark_order_paid

    _, edition, pass_ = organizer_world
    order = buy(edition, {pass_: 1})
    mark_order_paid(order, amount_cents=12100, currency="EUR", method="bank_transfer", reference=None)
    db.session.commit()
    page = f"/{edition.slug}/manage/orders/{order.code}"
    post_form(client, f"{page}/cancel", {}, page=page)
    db.session.refresh(order)
    assert (order.state, order.refunded_cents) == (OrderState.REFUNDED, 12100)
    assert db.session.get(TicketType, pass_.id).used == 0


def test_order_search_and_filters(client, organizer_world):
    _, edition, pass_ = organizer_world
    student = make_ticket_type(edition, name="Student", price_cents=0, capacity=10)
    buy(edition, {pass_: 1}, names=["Greta Grunwald"], email="greta@example.org")
    buy(edition, {student: 1}, names=["Hugo Hansen"], email="hugo@example.org")
    url = f"/{edition.slug}/manage/orders/"
    assert "greta@example.org" in client.get(f"{url}?q=grunwald").get_data(as_text=True)
    assert "hugo@example.org" not in client.get(f"{url}?q=grunwald").get_data(as_text=True)
    paid_only = client.get(f"{url}?state=paid&method=free").get_data(as_text=True)
    assert "hugo@example.org" in paid_only and "greta@example.org" not in paid_only
    by_type = client.get(f"{url}?ticket_type={pass_.id}").get_data(as_text=True)
    assert "greta@example.org" in by_type and "hugo@example.org" not in by_type


def test_attendees_csv_neutralises_formulas(client, organizer_world):
    _, edition, pass_ = organizer_world
    buy(edition, {pass_: 1}, names=["=cmd|' /C calc'!A0"])
    rows = list(csv.DictReader(io.StringIO(
        client.get(f"/{edition.slug}/manage/attendees.csv").get_data(as_text=True).lstrip("\ufeff"))))
    bought = [row for row in rows if row["ticket_type"] == "Conference pass"]
    assert [row["name"] for row in bought] == ["'=cmd|' /C calc'!A0"]
    assert bought[0]["price"] == "121.00"


def test_sales_page_shows_figures_per_type_and_a_chart(client, organizer_world):
    from convention.registration.services import mark_order_paid

    _, edition, pass_ = organizer_world
    for _ in range(3):
        order = buy(edition, {pass_: 1})
        mark_order_paid(order, amount_cents=12100, currency="EUR", method="bank_transfer", reference=None)
    buy(edition, {pass_: 2})
    db.session.commit()
    html = client.get(f"/{edition.slug}/manage/registration/sales").get_data(as_text=True)
    assert '<polyline class="line"' in html
    assert "€363.00" in html
    from convention.registration.reports import sales_report

    report = sales_report(edition)
    [row] = [s for s in report.per_type if s.ticket_type.id == pass_.id]
    assert (row.paid, row.reserved, row.revenue_cents) == (3, 2, 36300)


def test_ticket_type_form_creates_a_ticket_type(client, organizer_world):
    _, edition, _ = organizer_world
    url = f"/{edition.slug}/manage/tickets/new"
    response = post_form(client, url, {"name": "Day pass Tuesday", "price": "49.50", "currency": "EUR",
                                       "vat_rate": "21", "capacity": "100", "max_per_order": "4",
                                       "valid_on": edition.starts_on.isoformat()})
    assert response.status_code == 302
    created = db.session.scalar(sa.select(TicketType).where(TicketType.name == "Day pass Tuesday"))
    assert (created.price_cents, created.vat_rate_bp, created.capacity, created.valid_on) == (
        4950, 2100, 100, edition.starts_on)


def test_capacity_cannot_go_below_seats_taken(client, organizer_world):
    _, edition, pass_ = organizer_world
    buy(edition, {pass_: 3})
    response = post_form(client, f"/{edition.slug}/manage/tickets/{pass_.id}",
                         {"name": pass_.name, "price": "121.00", "currency": "EUR", "vat_rate": "21",
                          "capacity": "2", "max_per_order": "10"})
    assert response.status_code == 422
    assert "3 seats are already taken" in response.get_data(as_text=True)


def test_quota_counts_seats_already_taken(client, organizer_world):
    _, edition, pass_ = organizer_world
    buy(edition, {pass_: 3})
    response = post_form(client, f"/{edition.slug}/manage/quotas/new",
                         {"name": "Venue", "capacity": "50", "ticket_types": [str(pass_.id)]})
    assert response.status_code == 302
    from convention.registration.models import Quota

    quota = db.session.scalar(sa.select(Quota))
    assert (quota.used, [t.id for t in quota.ticket_types]) == (3, [pass_.id])


def _bulk_orders(edition, ticket_type, count):
    now = utcnow()
    for i in range(count):
        order = Order(edition_id=edition.id, email=f"bulk{i}@example.org", total_cents=12100, payment_method="free",
                      state=OrderState.PAID, paid_at=now, created_at=now - timedelta(minutes=i))
        order.attendees = [Attendee(edition_id=edition.id, ticket_type_id=ticket_type.id, name=f"Bulk {i} {j}")
                           for j in range(2)]
        db.session.add(order)
    db.session.commit()


def _orders_page_queries(client, slug):
    with count_queries() as statements:
        response = client.get(f"/{slug}/manage/orders/")
    assert response.status_code == 200
    return len(statements)


def test_orders_list_query_count_is_the_same_for_10_and_500_orders(client, organizer_world):
    organizer, edition, pass_ = organizer_world
    other = make_edition(organizer=organizer)
    _bulk_orders(edition, pass_, 10)
    _bulk_orders(other, make_ticket_type(other, capacity=None), 500)
    few_slug, many_slug = edition.slug, other.slug
    few = _orders_page_queries(client, few_slug)
    many = _orders_page_queries(client, many_slug)
    assert few == many


def _ticket_form(**changes):
    return {"name": "Day pass", "price": "49.50", "currency": "EUR", "vat_rate": "21", "capacity": "100",
            "max_per_order": "4", **changes}


@pytest.mark.parametrize("currency", ["XYZ", "JPY", "EU1", "XAU"])
def test_ticket_type_currency_must_be_an_iso_4217_code_with_cents(client, organizer_world, currency):
    _, edition, _ = organizer_world
    response = post_form(client, f"/{edition.slug}/manage/tickets/new", _ticket_form(currency=currency))
    assert response.status_code == 422
    assert "Enter an ISO 4217 currency code with cents, such as EUR, USD or GBP." in response.get_data(as_text=True)
    assert db.session.scalar(sa.select(TicketType.id).where(TicketType.name == "Day pass")) is None


def test_a_currency_code_in_lower_case_is_kept_in_upper_case(client, organizer_world):
    _, edition, _ = organizer_world
    response = post_form(client, f"/{edition.slug}/manage/tickets/new", _ticket_form(currency="pln"))
    assert response.status_code == 302
    assert db.session.scalar(sa.select(TicketType.currency).where(TicketType.name == "Day pass")) == "PLN"


def test_the_catalog_service_refuses_an_unknown_currency(organizer_world):
    from convention.core.errors import DomainError
    from convention.registration.catalog import TicketTypeData, save_ticket_type

    organizer, edition, _ = organizer_world
    with pytest.raises(DomainError) as refused:
        save_ticket_type(edition, TicketTypeData(name="Day pass", price_cents=100, currency="XYZ"), actor=organizer)
    assert refused.value.field == "currency"


@pytest.mark.parametrize(("value", "message"), [
    ("0", "Allow 1 to 20 tickets per order."),
    ("21", "Allow 1 to 20 tickets per order."),
    ("", "Enter how many tickets one order may have."),
])
def test_max_per_order_out_of_range_says_so(client, organizer_world, value, message):
    _, edition, _ = organizer_world
    response = post_form(client, f"/{edition.slug}/manage/tickets/new", _ticket_form(max_per_order=value))
    assert response.status_code == 422
    html = response.get_data(as_text=True)
    assert message in html
    assert "This field is required" not in html


def test_the_catalog_service_refuses_max_per_order_zero(organizer_world):
    from convention.core.errors import DomainError
    from convention.registration.catalog import TicketTypeData, save_ticket_type

    organizer, edition, _ = organizer_world
    with pytest.raises(DomainError, match="Allow 1 to 20 tickets per order."):
        save_ticket_type(edition, TicketTypeData(name="Day pass", price_cents=100, max_per_order=0), actor=organizer)


def test_a_quota_needs_a_ticket_type(client, organizer_world):
    from convention.registration.models import Quota

    _, edition, _ = organizer_world
    response = post_form(client, f"/{edition.slug}/manage/quotas/new", {"name": "Venue", "capacity": "50"})
    assert response.status_code == 422
    assert "Choose the ticket types this quota caps." in response.get_data(as_text=True)
    assert db.session.scalar(sa.select(sa.func.count(Quota.id))) == 0


def test_the_quota_service_refuses_no_ticket_type(organizer_world):
    from convention.core.errors import DomainError
    from convention.registration.catalog import save_quota

    organizer, edition, _ = organizer_world
    with pytest.raises(DomainError, match="Choose the ticket types this quota caps.") as refused:
        save_quota(edition, name="Venue", capacity=50, ticket_type_ids=[], actor=organizer)
    assert refused.value.field == "ticket_types"


def test_a_quota_of_capacity_zero_is_accepted(client, organizer_world):
    from convention.registration.models import Quota

    _, edition, pass_ = organizer_world
    response = post_form(client, f"/{edition.slug}/manage/quotas/new",
                         {"name": "Closed room", "capacity": "0", "ticket_types": [str(pass_.id)]})
    assert response.status_code == 302
    assert db.session.scalar(sa.select(Quota.capacity)) == 0


def test_a_page_past_the_end_of_the_orders_shows_the_last_page(client, organizer_world):
    from convention.registration.reports import search_orders

    _, edition, pass_ = organizer_world
    _bulk_orders(edition, pass_, 5)
    total = search_orders(edition).total  # the bulk orders, and the organizer's own free badge
    assert total in (5, 6)
    assert [search_orders(edition, page=p, per_page=2).page for p in (999, 0, -4, 10**19)] == [3, 1, 1, 3]
    last = search_orders(edition, page=999, per_page=2)
    assert (len(last.orders), last.pages) == (total - 4, 3)
    html = client.get(f"/{edition.slug}/manage/orders/?page=999").get_data(as_text=True)
    assert f"{total} order(s)." in html
    assert "No orders match." not in html
    assert all(f"bulk{i}@example.org" in html for i in range(5))  # page 1 of 1, not an empty page 999


def test_the_orders_pager_keeps_the_filters(client, organizer_world):
    _, edition, pass_ = organizer_world
    _bulk_orders(edition, pass_, 120)
    base = f"/{edition.slug}/manage/orders/"
    html = client.get(f"{base}?q=bulk&state=paid&page=2").get_data(as_text=True)
    links = {href.replace("&amp;", "&") for href in re.findall(r'class="page-link" href="([^"]+)"', html)}
    assert links == {f"{base}?page={n}&q=bulk&state=paid" for n in (1, 3)}
    assert "Page 2 of 3" in html and html.count('class="page-link" href') == 6  # first, previous, 1, 3, next, last


def test_the_waiting_list_is_paged(client, organizer_world):
    from convention.registration.models import WaitingListEntry
    from convention.registration.waiting_list import ENTRIES_PER_PAGE

    _, edition, pass_ = organizer_world
    db.session.add_all(WaitingListEntry(edition_id=edition.id, ticket_type_id=pass_.id, name=f"Waiter {n:03d}",
                                        email=f"w{n}@example.org") for n in range(ENTRIES_PER_PAGE + 3))
    db.session.commit()
    url = f"/{edition.slug}/manage/registration/waiting-list"
    first = client.get(url).get_data(as_text=True)
    second = client.get(f"{url}?page=2").get_data(as_text=True)
    assert "Waiter 000" in first and f"Waiter {ENTRIES_PER_PAGE:03d}" not in first and "Page 1 of 2" in first
    assert f"Waiter {ENTRIES_PER_PAGE:03d}" in second and "Waiter 000" not in second
    assert f"<td>{ENTRIES_PER_PAGE + 1}</td>" in second  # the place in the queue counts on across pages


def test_order_search_reads_its_page_and_total_in_one_statement(organizer_world):
    from convention.editions.models import Edition
    from convention.registration.reports import search_orders

    _, edition, pass_ = organizer_world
    _bulk_orders(edition, pass_, 120)
    edition_id = edition.id
    with count_queries() as statements:
        found = search_orders(db.session.get(Edition, edition_id), text="bulk1", page=2, per_page=10)
    # "bulk1" matches bulk1, bulk10-19 and bulk100-119: 31 orders, page 2 holds 10 of them.
    assert (found.total, found.page, found.pages, len(found.orders)) == (31, 2, 4, 10)
    # the edition, the page with its total (count(*) OVER ()), the attendees of that page
    assert len(statements) == 3, statements
