"""Who may open what: every route is guarded or public, and the role x page matrix.

Roles: anonymous, signed in without a role, reviewer and check-in staff of the edition,
organizer of another edition, organizer of the edition, site admin. Anonymous visitors
are sent to the login page; signed-in people without the right get 403.
"""

from __future__ import annotations

import pytest
import sqlalchemy as sa

from convention.editions.models import EditionRole, Role, Room
from convention.extensions import db as _db
from tests.conftest import Auth, csrf_token_from
from tests.factories import give_role, make_edition, make_user

ROLES = ("anonymous", "no_role", "reviewer", "checkin", "other_organizer", "organizer", "admin")

# Who gets in, per group of pages.
EDITION_ORGANIZERS = {"organizer", "admin"}
EDITION_CREATORS = {"organizer", "other_organizer", "admin"}
ADMINS = {"admin"}
SIGNED_IN = set(ROLES) - {"anonymous"}

# (method, url template, who gets in, status for those who get in)
PAGES = [
    ("GET", "/{slug}/manage/", EDITION_ORGANIZERS, 200),
    ("POST", "/{slug}/manage/", EDITION_ORGANIZERS, 422),  # empty form: refused on its merits
    *[("GET", f"/{{slug}}/manage/{kind}/new", EDITION_ORGANIZERS, 200) for kind in ("themes", "formats", "rooms")],
    *[("POST", f"/{{slug}}/manage/{kind}/new", EDITION_ORGANIZERS, 422) for kind in ("themes", "formats", "rooms")],
    *[("GET", f"/{{slug}}/manage/{kind}/{{{kind}_id}}", EDITION_ORGANIZERS, 200) for kind in ("themes", "formats", "rooms")],
    *[("POST", f"/{{slug}}/manage/{kind}/{{{kind}_id}}/delete", EDITION_ORGANIZERS, 302)
      for kind in ("themes", "formats", "rooms")],
    ("GET", "/{slug}/manage/team", EDITION_ORGANIZERS, 200),
    ("POST", "/{slug}/manage/team", EDITION_ORGANIZERS, 422),
    ("POST", "/{slug}/manage/team/{grant_id}/revoke", EDITION_ORGANIZERS, 302),
    ("GET", "/manage/new", EDITION_CREATORS, 200),
    ("POST", "/manage/new", EDITION_CREATORS, 422),
    ("GET", "/admin/outbox/", ADMINS, 200),
    ("GET", "/account", SIGNED_IN, 200),
    ("GET", "/account/orders", SIGNED_IN, 200),
    ("GET", "/{slug}/", set(ROLES), 200),  # the landing page is public
]


def _expected(role, allowed, ok_status):
    if role in allowed:
        return ok_status
    return "login" if role == "anonymous" else 403


CASES = [
    pytest.param(role, method, url, _expected(role, allowed, ok), id=f"{role}-{method}-{url}")
    for method, url, allowed, ok in PAGES
    for role in ROLES
]


@pytest.fixture
def world(db):
    """One edition with one room, its organizer, a reviewer whose grant can be revoked."""
    organizer = make_user(email="organizer@example.org")
    edition = make_edition(organizer=organizer, slug="csc")
    room = Room(edition_id=edition.id, name="Auditorium", capacity=500)
    _db.session.add(room)
    _db.session.commit()
    reviewer = make_user(email="reviewer@example.org")
    grant = give_role(edition, reviewer, Role.REVIEWER)
    return {"organizer": organizer, "edition": edition, "reviewer": reviewer, "values": {
        "slug": edition.slug, "themes_id": edition.themes[0].id, "formats_id": edition.formats[0].id,
        "rooms_id": room.id, "grant_id": grant.id}}


def _sign_in_as(role, world, client):
    edition = world["edition"]
    if role == "anonymous":
        return
    if role == "organizer":
        user = world["organizer"]
    elif role == "reviewer":
        user = world["reviewer"]
    else:
        user = make_user(email=f"{role}@example.org", is_admin=(role == "admin"))
        if role == "checkin":
            give_role(edition, user, Role.CHECKIN)
        elif role == "other_organizer":
            make_edition(organizer=user, slug="elsewhere")
    assert Auth(client).login(user.email).status_code == 302


@pytest.mark.parametrize(("role", "method", "url", "expected"), CASES)
def test_access_matrix(client, world, role, method, url, expected):
    _sign_in_as(role, world, client)
    path = url.format(**world["values"])
    if method == "GET":
        response = client.get(path)
    else:
        token = csrf_token_from(client.get("/login" if role == "anonymous" else "/account").get_data(as_text=True))
        response = client.post(path, data={"csrf_token": token})
    if expected == "login":
        assert response.status_code == 302
        assert response.headers["Location"].startswith("/login?next=")
    else:
        assert response.status_code == expected
        if expected == 302:
            assert not response.headers["Location"].startswith("/login")
    if expected == 403:
        assert "You do not have access to this page." in response.get_data(as_text=True)


@pytest.mark.parametrize("role", ["no_role", "reviewer", "checkin", "other_organizer"])
def test_forbidden_posts_change_nothing(client, world, db, role):
    _sign_in_as(role, world, client)
    token = csrf_token_from(client.get("/account").get_data(as_text=True))
    values = world["values"]
    client.post(f"/csc/manage/themes/{values['themes_id']}/delete", data={"csrf_token": token})
    client.post(f"/csc/manage/team/{values['grant_id']}/revoke", data={"csrf_token": token})
    client.post("/csc/manage/team", data={"csrf_token": token, "email": f"{role}@example.org", "role": "organizer"})
    assert db.session.get(EditionRole, values["grant_id"]) is not None
    assert len(world["edition"].themes) == 6
    organizers = db.session.scalars(sa.select(EditionRole.user_id).where(
        EditionRole.edition_id == world["edition"].id, EditionRole.role == Role.ORGANIZER)).all()
    assert organizers == [world["organizer"].id]


def test_login_redirect_keeps_the_page_asked_for(client, world):
    response = client.get("/csc/manage/team")
    assert response.headers["Location"] == "/login?next=/csc/manage/team"
    token = csrf_token_from(client.get(response.headers["Location"]).get_data(as_text=True))
    signed_in = client.post(response.headers["Location"], data={
        "email": "organizer@example.org", "password": "correct horse battery", "csrf_token": token})
    assert signed_in.headers["Location"] == "/csc/manage/team"


def test_every_route_is_guarded_or_public(app):
    """A view without ``guarded(...)`` or ``public`` fails here, before it ships."""
    unguarded = []
    for rule in app.url_map.iter_rules():
        if rule.endpoint == "static" or rule.endpoint.endswith(".static"):
            continue
        view = app.view_functions[rule.endpoint]
        if not getattr(view, "access_rule", None):
            unguarded.append(f"{rule.rule} -> {rule.endpoint}")
    assert unguarded == []


def test_organizer_pages_use_the_edition_manager_rule(app):
    rules = {endpoint: getattr(view, "access_rule", None) for endpoint, view in app.view_functions.items()}
    for endpoint in ("editions.manage", "editions.create_item", "editions.edit_item", "editions.delete_item",
                     "editions.team", "editions.revoke"):
        assert rules[endpoint] == "can_manage_edition", endpoint
    assert rules["editions.create"] == "can_create_edition"
    assert rules["mail.outbox"] == "site_admin"
    assert rules["accounts.profile"] == "signed_in"
    assert rules["registration.my_orders"] == "signed_in"
