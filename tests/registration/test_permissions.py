"""Who may open the registration pages: role x page -> status."""

import pytest

from convention.editions.models import Role
from tests.conftest import csrf_token_from
from tests.factories import give_role, make_edition, make_user
from tests.registration.helpers import buy, make_ticket_type, make_voucher

MANAGE_PAGES = [
    "/{slug}/manage/tickets/",
    "/{slug}/manage/tickets/new",
    "/{slug}/manage/tickets/{ticket_type}",
    "/{slug}/manage/quotas/new",
    "/{slug}/manage/vouchers/",
    "/{slug}/manage/vouchers.csv",
    "/{slug}/manage/orders/",
    "/{slug}/manage/orders/{order}",
    "/{slug}/manage/attendees.csv",
    "/{slug}/manage/registration/sales",
    "/{slug}/manage/registration/waiting-list",
    "/{slug}/manage/registration/settings",
]
MANAGE_POSTS = [
    "/{slug}/manage/orders/{order}/mark-paid",
    "/{slug}/manage/orders/{order}/cancel",
    "/{slug}/manage/vouchers/{voucher}/delete",
    "/{slug}/manage/tickets/{ticket_type}/delete",
]
PUBLIC_PAGES = ["/{slug}/tickets/", "/{slug}/orders/{secret}/", "/{slug}/orders/{secret}/receipt.pdf"]

# role -> expected status on organizer pages (anonymous visitors are sent to sign in)
EXPECTED = {"anonymous": 302, "signed_in": 403, "reviewer": 403, "checkin": 403, "organizer": 200, "admin": 200}


@pytest.fixture
def world(client, auth):
    organizer = make_user()
    edition = make_edition(organizer=organizer)
    pass_ = make_ticket_type(edition, price_cents=0, capacity=10)
    voucher = make_voucher(edition, code="SOMEONE")
    order = buy(edition, {pass_: 1})
    values = {"slug": edition.slug, "ticket_type": pass_.id, "order": order.code, "secret": order.secret,
              "voucher": voucher.id}

    def sign_in(role):
        if role == "anonymous":
            return
        user = make_user(is_admin=role == "admin")
        if role in ("reviewer", "checkin"):
            give_role(edition, user, Role(role))
        if role == "organizer":
            give_role(edition, user, Role.ORGANIZER)
        auth.login(user.email)

    return values, sign_in


@pytest.mark.parametrize("role, expected", EXPECTED.items())
def test_organizer_pages_by_role(client, world, role, expected):
    values, sign_in = world
    sign_in(role)
    statuses = {page: client.get(page.format(**values)).status_code for page in MANAGE_PAGES}
    assert statuses == {page: expected for page in MANAGE_PAGES}


@pytest.mark.parametrize("role", ["anonymous", "signed_in", "reviewer", "checkin"])
def test_organizer_actions_refused_to_others(client, world, role):
    values, sign_in = world
    sign_in(role)
    token = csrf_token_from(client.get(f"/{values['slug']}/tickets/checkout?q-{values['ticket_type']}=1").get_data(
        as_text=True))
    statuses = {page: client.post(page.format(**values), data={"csrf_token": token}).status_code for page in MANAGE_POSTS}
    assert statuses == {page: 302 if role == "anonymous" else 403 for page in MANAGE_POSTS}


@pytest.mark.parametrize("role", ["anonymous", "signed_in", "checkin"])
def test_public_pages_open_to_everyone(client, world, role):
    values, sign_in = world
    sign_in(role)
    statuses = {page: client.get(page.format(**values)).status_code for page in PUBLIC_PAGES}
    assert statuses == {page: 200 for page in PUBLIC_PAGES}


def test_order_page_with_a_wrong_secret_is_not_found(client, world):
    values, _ = world
    assert client.get(f"/{values['slug']}/orders/not-the-secret/").status_code == 404


def test_order_page_of_another_edition_is_not_found(client, world):
    values, _ = world
    other = make_edition()
    assert client.get(f"/{other.slug}/orders/{values['secret']}/").status_code == 404


def test_every_registration_route_is_guarded_or_public(app):
    rules = [rule for rule in app.url_map.iter_rules() if rule.endpoint.startswith("registration.")]
    assert len(rules) >= 25
    for rule in rules:
        view = app.view_functions[rule.endpoint]
        assert getattr(view, "access_rule", None), rule.rule
