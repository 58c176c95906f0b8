"""Who may open what: every route of the URL map, every method, every role.

The matrix is generated: each route belongs to a group, and the group declares who gets
in. The groups are the areas of convention/areas.py (a URL prefix guarded once, checked
before the view), then owner-only spaces by URL prefix (a speaker's proposal, an order's
secret pages), then the rule the view declares (``access_rule``, set by ``guarded(...)``
and ``public``). A route in no declared group fails the test with a message saying where
to declare it, so a new route cannot ship with a guard nobody chose.

Who is refused is answered exactly: an anonymous visitor goes to the login page, a
signed-in person gets 403, and both get 404 where the group hides what exists (a
speaker's proposal). Who gets in gets the page, or the view's own answer to an empty form.
"""

from __future__ import annotations

from dataclasses import dataclass

import pytest
import sqlalchemy as sa

from convention import create_app
from convention.core.permissions import area_of, guarded, public, signed_in
from convention.editions.models import EditionRole, Role, Room
from convention.extensions import db as _db
from tests.conftest import Auth, csrf_token_from
from tests.factories import give_role, make_edition, make_user
from tests.payments.fake_stripe import API_KEY, WEBHOOK_SECRET, FakeStripeAPI
from tests.world import ROLES, build_world, sign_in, url_values

EVERYONE = frozenset(ROLES)
SIGNED_IN = EVERYONE - {"anonymous"}


@dataclass(frozen=True)
class Access:
    """Who gets in; the others are refused (404 for everyone when ``hidden``)."""

    allowed: frozenset
    hidden: bool = False

    def expected(self, role: str):
        if role in self.allowed:
            return "in"
        if self.hidden:
            return 404
        return "login" if role == "anonymous" else 403


def _access(*roles, hidden=False) -> Access:
    return Access(frozenset(roles), hidden)


@dataclass(frozen=True)
class TokenOnly(Access):
    """A machine route (the read API): no session opens it, whatever the role; every
    visitor without an API token gets the API's 401 JSON (tests/api test the tokens)."""

    def expected(self, role: str):
        return 401


# The areas declared in convention/areas.py, by name.
AREAS = {
    "organizer": _access("organizer", "admin"),
    "reviewer": _access("reviewer", "organizer", "admin"),
    "door": _access("checkin", "organizer", "admin"),
    "site admin": _access("admin"),
}


@dataclass(frozen=True)
class InArea(Access):
    """A page of an area whose view admits fewer people and hides what it refuses: the area
    answers those it refuses as usual; those it lets in but the view refuses get 404."""

    area: Access = AREAS["reviewer"]

    def expected(self, role: str):
        if role not in self.area.allowed:
            return self.area.expected(role)
        return "in" if role in self.allowed else 404


# Owner-only spaces outside the areas, by URL-rule prefix: a page added there answers to
# this whatever rule its view declares.
SPACES = {
    "/<slug>/cfp/proposals/<code>": _access("speaker", hidden=True),  # a speaker's proposal
    "/<slug>/orders/<secret>/": Access(EVERYONE),  # the secret in the address is the key
    "/<slug>/waiting-list/<secret>/": Access(EVERYONE),
}
# Everything else, by the rule its view declares (``access_rule``).
RULES = {
    "public": Access(EVERYONE),
    "can_view_edition": Access(EVERYONE),  # a published edition's pages
    "can_buy_tickets": Access(EVERYONE),
    "signed_in": Access(SIGNED_IN),
    "can_create_edition": _access("organizer", "other_organizer", "admin"),
    "has_accepted_proposal": _access("speaker"),  # availability, once a talk is accepted
    "can_view_speaker_photo": _access("speaker", "organizer", "admin", hidden=True),
    "api_token": TokenOnly(frozenset()),  # /api/v1/<slug>/...: a bearer token of the right scope
}
# Single endpoints, before anything else.
ENDPOINTS = {
    "static": Access(EVERYONE),  # files served without a view of ours
    "bootstrap.static": Access(EVERYONE),
    "cfp.attachment": _access("speaker", "organizer", "admin", hidden=True),  # the organizers read the slides
    # Scoring is for the reviewers the proposal is assigned to (the world's reviewer); the
    # organizers read it in the reviewer area, but a proposal they were not given answers 404.
    "review.score": InArea(frozenset({"reviewer"}), area=AREAS["reviewer"]),
    # A background scheduler run's progress: the matrix asks for a run that does not exist
    # (and has no Redis), so those the organizer area lets in get the view's JSON 404.
    "schedule_manage.scheduler_status": InArea(frozenset(), area=AREAS["organizer"]),
    # The QR code of a two-factor setup the person started: without one (as here), 404.
    "account_security.two_factor_qr": InArea(frozenset(), area=Access(SIGNED_IN)),
    # A print sheet's progress and PDF: the matrix asks for a sheet that does not exist, so
    # those the organizer area lets in get the view's 404.
    "badges_manage.sheet_status": InArea(frozenset(), area=AREAS["organizer"]),
    "badges_manage.sheet_pdf": InArea(frozenset(), area=AREAS["organizer"]),
}
# Ends the session: asked last, so every other request is made signed in.
LAST = {("POST", "accounts.logout")}


def access_of(app, rule) -> Access:
    if rule.endpoint in ENDPOINTS:
        return ENDPOINTS[rule.endpoint]
    area = area_of(rule.rule, app.extensions["access_areas"])
    if area is not None:
        assert area.name in AREAS, (
            f"area {area.name!r} (convention/areas.py) has no expected access: declare it in AREAS in {__file__}")
        return AREAS[area.name]
    space = next((prefix for prefix in SPACES if rule.rule.startswith(prefix)), None)
    if space is not None:
        return SPACES[space]
    rule_name = getattr(app.view_functions[rule.endpoint], "access_rule", None)
    assert rule_name in RULES, (
        f"{rule.rule} ({rule.endpoint}, access rule {rule_name!r}) belongs to no declared group: put it under an"
        f" area in convention/areas.py, or declare who may open it in SPACES, RULES or ENDPOINTS in {__file__}")
    return RULES[rule_name]


def _requests(app):
    """(method, rule) for every route and method: the GETs first (they change nothing),
    then the POSTs in address order (an item's page before its delete), logout last."""
    pairs = [(method, rule) for rule in app.url_map.iter_rules()
             for method in ("GET", "POST") if method in rule.methods]
    return sorted(pairs, key=lambda p: ((p[0], p[1].endpoint) in LAST, p[0] == "POST", p[1].rule, p[1].endpoint))


def _outcome(response):
    """What a response says about access: "login", 401, 403, 404, or "in" (the view answered)."""
    location = response.headers.get("Location", "")
    if response.status_code == 302 and location.startswith("/login?"):
        return "login"
    if response.status_code in (401, 403, 404):
        return response.status_code
    return "in"


def test_every_route_belongs_to_a_declared_group(app):
    undeclared = []
    for rule in app.url_map.iter_rules():
        try:
            access_of(app, rule)
        except AssertionError as error:
            undeclared.append(str(error))
    assert undeclared == []


@pytest.fixture
def world(app, tmp_path, monkeypatch):
    """The demo-like world of tests/world.py, with Stripe switched on (over a fake API)."""
    monkeypatch.setitem(app.config, "UPLOAD_FOLDER", str(tmp_path / "uploads"))
    monkeypatch.setitem(app.config, "STRIPE_SECRET_KEY", API_KEY)
    monkeypatch.setitem(app.config, "STRIPE_WEBHOOK_SECRET", WEBHOOK_SECRET)
    monkeypatch.setitem(app.config, "STRIPE_HTTP_CLIENT", FakeStripeAPI())
    monkeypatch.setitem(app.config, "STRIPE_MAX_NETWORK_RETRIES", 0)
    return build_world()


@pytest.mark.parametrize("role", ROLES)
def test_access_matrix(app, world, role):
    """Every route, GET and POST (with a valid CSRF token and an empty form), as ``role``."""
    client = app.test_client()
    sign_in(client, role)
    token = csrf_token_from(client.get("/login" if role == "anonymous" else "/account").get_data(as_text=True))
    wrong = []
    asked = 0
    for method, rule in _requests(app):
        expected = access_of(app, rule).expected(role)
        path = rule.build(url_values(rule, world), append_unknown=False)[1]
        response = client.get(path) if method == "GET" else client.post(path, data={"csrf_token": token})
        outcome = _outcome(response)
        response.close()  # a streamed CSV's generator is closed now, in order, not by a later garbage collection
        asked += 1
        if outcome != expected or response.status_code >= 500:
            wrong.append(f"{method} {path} ({rule.endpoint}): expected {expected}, got {response.status_code}"
                         f" {response.headers.get('Location', '')}".rstrip())
        _db.session.rollback()
    assert asked > 100
    assert not wrong, f"{role}: {len(wrong)} routes answer otherwise than declared:\n" + "\n".join(wrong)


# -- the area guard itself ------------------------------------------------------------------------


def test_area_of_a_rule_is_found_by_its_prefix(app):
    areas = app.extensions["access_areas"]
    assert area_of("/<slug>/manage/team", areas).name == "organizer"
    assert area_of("/<slug>/manage/", areas).name == "organizer"
    assert area_of("/<slug>/review/proposals/<code>", areas).name == "reviewer"
    assert area_of("/<slug>/checkin/", areas).name == "door"
    assert area_of("/admin/outbox/", areas).name == "site admin"
    assert area_of("/<slug>/manage/audit/", areas).name == "organizer"  # the edition's audit log
    assert area_of("/<slug>/manage/privacy/processing", areas).name == "organizer"
    assert area_of("/admin/audit.csv", areas).name == "site admin"  # the whole site's log
    assert area_of("/account/privacy/delete", areas) is None  # signed_in: one's own account
    assert area_of("/manage/new", areas) is None
    assert area_of("/<slug>/cfp/proposals/<code>", areas) is None


@pytest.fixture(scope="module")
def leaky_app(app):
    """A second app on the same database, with routes under each area whose own guard is
    too weak (or missing): the area guard must refuse them all the same. And one route in
    no declared group."""
    test_app = create_app(dict(app.config))

    @test_app.get("/<slug>/manage/leak")
    @public
    def organizer_leak(slug):
        return "organizer secrets"

    @test_app.post("/<slug>/manage/leak")
    @guarded(signed_in)
    def organizer_post_leak(slug):
        return "changed"

    @test_app.get("/<slug>/review/leak")
    @public
    def reviewer_leak(slug):
        return "reviews"

    @test_app.get("/<slug>/checkin/leak")
    @public
    def door_leak(slug):
        return "arrivals"

    @test_app.get("/admin/leak")
    @guarded(signed_in)
    def admin_leak():
        return "every edition"

    def sees_statistics(user, **_objects):
        return True

    @test_app.get("/<slug>/statistics")
    @guarded(sees_statistics)
    def undeclared(slug):
        return "figures"

    yield test_app
    with test_app.app_context():
        _db.engine.dispose()


def _statuses(test_app, role, paths, *, method="GET"):
    client = test_app.test_client()
    if role != "anonymous":
        assert Auth(client).login(f"{role}@example.org").status_code == 302
    answers = {}
    for path in paths:
        if method == "GET":
            response = client.get(path)
        else:
            token = csrf_token_from(client.get("/login" if role == "anonymous" else "/account").get_data(as_text=True))
            response = client.post(path, data={"csrf_token": token})
        answers[path] = "login" if response.headers.get("Location", "").startswith("/login?") else response.status_code
    return answers


@pytest.fixture
def team(db):
    """An edition ``csc`` with one person per role, and a draft edition ``draft`` by the same organizer."""
    organizer = make_user(email="organizer@example.org")
    edition = make_edition(organizer=organizer, slug="csc")
    make_edition(organizer=organizer, slug="draft", published=False)
    give_role(edition, make_user(email="reviewer@example.org"), Role.REVIEWER)
    give_role(edition, make_user(email="checkin@example.org"), Role.CHECKIN)
    make_user(email="no_role@example.org")
    make_user(email="admin@example.org", is_admin=True)
    make_edition(organizer=make_user(email="other_organizer@example.org"), slug="elsewhere")
    return edition


LEAKS = ("/csc/manage/leak", "/csc/review/leak", "/csc/checkin/leak", "/admin/leak")


@pytest.mark.parametrize(("role", "expected"), [
    ("anonymous", ["login", "login", "login", "login"]),
    ("no_role", [403, 403, 403, 403]),
    ("other_organizer", [403, 403, 403, 403]),
    ("reviewer", [403, 200, 403, 403]),
    ("checkin", [403, 403, 200, 403]),
    ("organizer", [200, 200, 200, 403]),
    ("admin", [200, 200, 200, 200]),
])
def test_area_guard_refuses_a_route_whose_own_guard_is_too_weak(leaky_app, team, role, expected):
    assert _statuses(leaky_app, role, LEAKS) == dict(zip(LEAKS, expected, strict=True))


@pytest.mark.parametrize(("role", "expected"), [
    ("anonymous", "login"), ("no_role", 403), ("reviewer", 403), ("organizer", 200)])
def test_area_guard_refuses_a_weakly_guarded_post(leaky_app, team, role, expected):
    assert _statuses(leaky_app, role, ["/csc/manage/leak"], method="POST") == {"/csc/manage/leak": expected}


@pytest.mark.parametrize(("role", "expected"), [
    ("anonymous", 404), ("no_role", 404), ("other_organizer", 404), ("organizer", 200), ("admin", 200)])
def test_area_pages_of_a_draft_are_hidden_from_strangers(leaky_app, team, role, expected):
    assert _statuses(leaky_app, role, ["/draft/manage/leak"]) == {"/draft/manage/leak": expected}


def test_a_route_in_no_declared_group_is_reported(leaky_app):
    rule = next(rule for rule in leaky_app.url_map.iter_rules() if rule.endpoint == "undeclared")
    with pytest.raises(AssertionError, match=r"/<slug>/statistics \(undeclared, access rule 'sees_statistics'\)"
                                             r" belongs to no declared group"):
        access_of(leaky_app, rule)


def test_area_pages_of_a_missing_edition_are_not_found(leaky_app, team):
    assert _statuses(leaky_app, "admin", ["/nowhere/manage/leak"]) == {"/nowhere/manage/leak": 404}


# -- every view declares its rule -----------------------------------------------------------------


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


# -- refusals change nothing, and the login page leads back -----------------------------------------


@pytest.fixture
def small_world(team):
    """``csc`` with a room, and the reviewer's grant (which an organizer could revoke)."""
    room = Room(edition_id=team.id, name="Auditorium", capacity=500)
    _db.session.add(room)
    _db.session.commit()
    grant = _db.session.scalar(sa.select(EditionRole).where(EditionRole.role == Role.REVIEWER))
    return {"edition": team, "themes_id": team.themes[0].id, "grant_id": grant.id}


@pytest.mark.parametrize("role", ["no_role", "reviewer", "checkin", "other_organizer"])
def test_forbidden_posts_change_nothing(client, small_world, db, role):
    assert Auth(client).login(f"{role}@example.org").status_code == 302
    token = csrf_token_from(client.get("/account").get_data(as_text=True))
    client.post(f"/csc/manage/themes/{small_world['themes_id']}/delete", data={"csrf_token": token})
    client.post(f"/csc/manage/team/{small_world['grant_id']}/revoke", data={"csrf_token": token})
    client.post("/csc/manage/team", data={"csrf_token": token, "email": f"{role}@example.org", "role": "organizer"})
    assert db.session.get(EditionRole, small_world["grant_id"]) is not None
    assert len(small_world["edition"].themes) == 6
    organizers = db.session.scalars(sa.select(EditionRole.user_id).where(
        EditionRole.edition_id == small_world["edition"].id, EditionRole.role == Role.ORGANIZER)).all()
    assert len(organizers) == 1


def test_login_redirect_keeps_the_page_asked_for(client, small_world):
    response = client.get("/csc/manage/team")
    assert response.headers["Location"] == "/login?next=/csc/manage/team"
    token = csrf_token_from(client.get(response.headers["Location"]).get_data(as_text=True))
    signed_in_answer = client.post(response.headers["Location"], data={
        "email": "organizer@example.org", "password": "correct horse battery", "csrf_token": token})
    assert signed_in_answer.headers["Location"] == "/csc/manage/team"
