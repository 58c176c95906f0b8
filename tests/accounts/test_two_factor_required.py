"""Organizers and site admins set up two-factor sign-in before their pages
(REQUIRE_ORGANIZER_2FA, on by default; the test app turns it off for the other tests)."""

from __future__ import annotations

import pytest

from convention.config import load_config
from convention.editions.models import Role
from tests.accounts.test_two_factor_pages import set_up_two_factor
from tests.conftest import Auth, csrf_token_from
from tests.factories import give_role, make_edition, make_user


@pytest.fixture
def required(app, monkeypatch):
    monkeypatch.setitem(app.config, "REQUIRE_ORGANIZER_2FA", True)


def test_the_requirement_is_on_unless_turned_off(tmp_path, monkeypatch):
    monkeypatch.delenv("REQUIRE_ORGANIZER_2FA", raising=False)
    assert load_config(str(tmp_path))["REQUIRE_ORGANIZER_2FA"] is True
    monkeypatch.setenv("REQUIRE_ORGANIZER_2FA", "0")
    assert load_config(str(tmp_path))["REQUIRE_ORGANIZER_2FA"] is False


def test_an_organizer_without_it_is_sent_to_the_setup_page(client, required):
    organizer = make_user(email="olivia@example.org")
    make_edition(organizer=organizer, slug="csc")
    Auth(client).login(organizer.email)
    response = client.get("/csc/manage/team")
    assert response.status_code == 302
    assert response.headers["Location"] == "/account/two-factor?next=/csc/manage/team"
    page = client.get(response.headers["Location"]).get_data(as_text=True)
    assert "Organizer and admin pages need two-factor sign-in" in page
    token = csrf_token_from(client.get("/account").get_data(as_text=True))
    refused = client.post("/csc/manage/team", data={"csrf_token": token, "email": "x@example.org"})
    assert refused.status_code == 302 and refused.headers["Location"].startswith("/account/two-factor?next=")
    set_up_two_factor(client)
    assert client.get("/csc/manage/team").status_code == 200


def test_a_site_admin_without_it_is_sent_to_the_setup_page(client, required):
    make_user(email="ada@example.org", is_admin=True)
    Auth(client).login("ada@example.org")
    response = client.get("/admin/outbox/")
    assert response.headers["Location"] == "/account/two-factor?next=/admin/outbox/"
    set_up_two_factor(client)
    assert client.get("/admin/outbox/").status_code == 200


def test_other_areas_and_pages_do_not_ask_for_it(client, required):
    organizer = make_user()
    edition = make_edition(organizer=organizer, slug="csc")
    reviewer = make_user(email="ravi@example.org")
    give_role(edition, reviewer, Role.REVIEWER)
    Auth(client).login(reviewer.email)
    assert client.get("/csc/review/").status_code == 200
    assert client.get("/account").status_code == 200


def test_a_stranger_is_refused_as_before(client, required):
    make_edition(organizer=make_user(), slug="csc")
    make_user(email="someone@example.org")
    Auth(client).login("someone@example.org")
    assert client.get("/csc/manage/team").status_code == 403


def test_with_the_requirement_off_organizers_go_straight_in(client):
    organizer = make_user(email="olivia@example.org")
    make_edition(organizer=organizer, slug="csc")
    Auth(client).login(organizer.email)
    assert client.get("/csc/manage/team").status_code == 200
