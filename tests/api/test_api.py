"""The read API: scoped bearer tokens, public fields only, paginated lists whose query
count does not grow with the data."""

from __future__ import annotations

import pytest
import sqlalchemy as sa

from convention.accounts.models import User
from convention.cfp.models import Proposal
from convention.cfp.states import ProposalState
from convention.editions.models import Edition
from convention.extensions import db
from convention.registration.models import Order
from convention.registration.states import OrderState
from convention.tokens.models import ApiToken
from convention.tokens.services import create_token, hash_secret, revoke_token
from tests.cfp.helpers import make_proposal
from tests.factories import make_user
from tests.queries import count_queries
from tests.registration.helpers import buy, make_ticket_type
from tests.world import build_world

TALK_FIELDS = {
    "code",
    "state",
    "title",
    "abstract",
    "description_html",
    "format",
    "duration_minutes",
    "theme",
    "language",
    "level",
    "may_record",
    "speakers",
}


@pytest.fixture
def world(app, tmp_path, monkeypatch):
    monkeypatch.setitem(app.config, "UPLOAD_FOLDER", str(tmp_path / "uploads"))
    build_world()
    return db.session.scalar(sa.select(Edition).where(Edition.slug == "demo"))


def _organizer() -> User:
    return db.session.scalar(sa.select(User).where(User.email == "olivia@example.org"))


def _token(edition, scope: str) -> str:
    secret = create_token(edition, scope=scope, name=f"{scope} client").secret
    db.session.commit()
    return secret


def _token_id(secret: str) -> int:
    return db.session.scalar(sa.select(ApiToken.id).where(ApiToken.token_hash == hash_secret(secret)))


def _get(client, path, token=None, **params):
    headers = {"Authorization": f"Bearer {token}"} if token else {}
    return client.get(path, headers=headers, query_string=params or None)


# -- tokens and scopes ------------------------------------------------------------------------


def test_no_token_is_refused_with_401_json_and_a_bearer_challenge(client, world):
    response = _get(client, "/api/v1/demo/proposals")
    assert response.status_code == 401
    assert response.json["error"] == "invalid_token"
    assert response.headers["WWW-Authenticate"].startswith('Bearer realm="convention", error="invalid_token"')


def test_a_token_outside_its_scope_is_refused_with_403(client, world):
    orders_token = _token(world, "orders:read")
    schedule_token = _token(world, "schedule:read")
    for path, token, scope in [
        ("/api/v1/demo/proposals", orders_token, "schedule:read"),
        ("/api/v1/demo/schedule", orders_token, "schedule:read"),
        ("/api/v1/demo/orders", schedule_token, "orders:read"),
    ]:
        response = _get(client, path, token)
        assert response.status_code == 403, path
        assert response.json["error"] == "insufficient_scope"
        assert f'scope="{scope}"' in response.headers["WWW-Authenticate"]


def test_a_checkin_token_reads_nothing(client, world):
    token = _token(world, "checkin")
    assert {_get(client, f"/api/v1/demo/{what}", token).status_code for what in ("proposals", "orders")} == {403}


def test_a_revoked_token_is_refused_with_401(client, world):
    token = _token(world, "orders:read")
    assert _get(client, "/api/v1/demo/orders", token).status_code == 200
    revoke_token(world, _token_id(token), actor=None)
    db.session.commit()
    response = _get(client, "/api/v1/demo/orders", token)
    assert response.status_code == 401 and response.json["error"] == "invalid_token"


def test_a_token_opens_only_its_own_edition(client, world):
    token = _token(world, "orders:read")
    other = db.session.scalar(sa.select(Edition).where(Edition.slug == "elsewhere"))
    other_token = _token(other, "orders:read")
    assert _get(client, "/api/v1/elsewhere/orders", token).status_code == 401
    assert _get(client, "/api/v1/demo/orders", other_token).status_code == 401
    assert _get(client, "/api/v1/nowhere/orders", token).status_code == 401  # no edition: same answer
    assert _get(client, "/api/v1/demo/orders", "cvt_" + "x" * 43).status_code == 401
    assert _get(client, "/api/v1/demo/orders", token).status_code == 200


def test_a_signed_in_organizer_without_a_token_is_refused(client, auth, world):
    auth.login("olivia@example.org")
    assert _get(client, "/api/v1/demo/orders").status_code == 401


def test_a_used_token_shows_its_last_use(client, world):
    token = _token(world, "schedule:read")
    last_use = sa.select(ApiToken.last_used_at).where(ApiToken.id == _token_id(token))
    assert db.session.scalar(last_use) is None
    assert _get(client, "/api/v1/demo/proposals", token).status_code == 200
    db.session.expire_all()
    assert db.session.scalar(last_use) is not None


# -- proposals --------------------------------------------------------------------------------


def test_proposals_are_the_programme_with_public_fields_only(client, world):
    response = _get(client, "/api/v1/demo/proposals", _token(world, "schedule:read"))
    assert response.status_code == 200
    assert response.headers["Cache-Control"] == "no-store"
    talks = response.json["data"]
    expected = db.session.execute(
        sa.select(Proposal.code, Proposal.title, Proposal.state)
        .where(Proposal.edition_id == world.id, Proposal.state.in_([ProposalState.ACCEPTED, ProposalState.CONFIRMED]))
        .order_by(Proposal.id)
    ).all()
    assert [(t["code"], t["title"], t["state"]) for t in talks] == [(c, t, s.value) for c, t, s in expected]
    assert {t["title"] for t in talks} == {"Second talk", "Scheduled talk"}  # not the submitted one
    assert all(set(t) == TALK_FIELDS for t in talks)
    assert talks[0]["speakers"][0]["name"] == "Sofia S."
    assert set(talks[0]["speakers"][0]) == {"code", "name", "organisation", "biography_html"}
    text = response.get_data(as_text=True)
    for private in ("sofia@example.org", "I can also give it in Dutch.", "Solid.", "score", "review"):
        assert private not in text


def test_proposals_are_paginated_with_next_links(client, world):
    speaker = make_user(name="Paula Pager", email="paula@example.org")
    for n in range(3):
        make_proposal(world, speaker, state=ProposalState.ACCEPTED, organizer=_organizer(), title=f"Paged talk {n}")
    token = _token(world, "schedule:read")
    first = _get(client, "/api/v1/demo/proposals", token, per_page=2).json
    assert (first["page"], first["per_page"], first["total"], first["pages"]) == (1, 2, 5, 3)
    assert first["next"] == "http://127.0.0.1:5000/api/v1/demo/proposals?page=2&per_page=2"
    seen = [t["code"] for t in first["data"]]
    page = first
    while page["next"]:
        page = _get(client, page["next"].removeprefix("http://127.0.0.1:5000"), token).json
        seen += [t["code"] for t in page["data"]]
    assert len(seen) == len(set(seen)) == 5 and page["page"] == 3


def _queries(client, path, token) -> int:
    with count_queries() as statements:
        assert _get(client, path, token).status_code == 200
    return len(statements)


def test_the_query_counts_do_not_grow_with_the_data(client, world):
    schedule_token, orders_token = _token(world, "schedule:read"), _token(world, "orders:read")
    _get(client, "/api/v1/demo/proposals", schedule_token)  # last use written: later calls do not write
    _get(client, "/api/v1/demo/orders", orders_token)
    before = (
        _queries(client, "/api/v1/demo/proposals", schedule_token),
        _queries(client, "/api/v1/demo/orders", orders_token),
    )
    edition = db.session.scalar(sa.select(Edition).where(Edition.slug == "demo"))  # the counting reset the session
    speaker, organizer = make_user(name="Many Talks", email="many@example.org"), _organizer()
    for n in range(6):
        make_proposal(
            edition,
            speaker,
            state=ProposalState.CONFIRMED,
            organizer=organizer,
            title=f"Talk {n}",
            co_speakers=[make_user(name=f"Co {n}", email=f"co{n}@example.org")],
        )
    ticket = make_ticket_type(edition, name="Bulk", price_cents=0, capacity=100)
    for n in range(6):
        buy(edition, {ticket: 2}, email=f"bulk{n}@example.org")
    after = (
        _queries(client, "/api/v1/demo/proposals", schedule_token),
        _queries(client, "/api/v1/demo/orders", orders_token),
    )
    assert after == before, (before, after)
    print(f"api queries per request: proposals={after[0]} orders={after[1]}")  # shown with -s


# -- schedule and orders ----------------------------------------------------------------------


def test_the_schedule_is_the_published_version(client, world):
    response = _get(client, "/api/v1/demo/schedule", _token(world, "schedule:read"))
    assert response.status_code == 200
    body = response.json
    assert body["version"]["number"] == 1 and body["version"]["name"] == "First programme"
    assert [t["title"] for t in body["talks"]] == ["Scheduled talk"]
    assert body["edition"]["slug"] == "demo" and body["rooms"][0]["name"] == "Auditorium"


def test_an_edition_without_a_published_schedule_answers_404_json(client, world):
    other = db.session.scalar(sa.select(Edition).where(Edition.slug == "elsewhere"))
    response = _get(client, "/api/v1/elsewhere/schedule", _token(other, "schedule:read"))
    assert response.status_code == 404 and response.json["error"] == "not_published"


def test_orders_carry_the_organizer_data_but_no_secret_link(client, world):
    response = _get(client, "/api/v1/demo/orders", _token(world, "orders:read"), per_page=200)
    assert response.status_code == 200
    stored = db.session.scalars(
        sa.select(Order).where(Order.edition_id == world.id).order_by(Order.created_at, Order.id)
    ).all()
    orders = response.json["data"]
    assert [(o["code"], o["state"], o["email"], o["total_cents"]) for o in orders] == [
        (o.code, o.state.value, o.email, o.total_cents) for o in stored
    ]
    assert [len(o["attendees"]) for o in orders] == [len(o.attendees) for o in stored]
    assert orders[0]["attendees"][0]["ticket_type"] == stored[0].attendees[0].ticket_type.name
    text = response.get_data(as_text=True)
    assert all(o.secret not in text for o in stored)


def test_orders_filter_by_state(client, world):
    token = _token(world, "orders:read")
    paid = _get(client, "/api/v1/demo/orders", token, state="paid").json
    stored = db.session.scalar(
        sa.select(sa.func.count())
        .select_from(Order)
        .where(Order.edition_id == world.id, Order.state == OrderState.PAID)
    )
    assert paid["total"] == stored and all(o["state"] == "paid" for o in paid["data"])
    refused = _get(client, "/api/v1/demo/orders", token, state="lost")
    assert refused.status_code == 400 and refused.json["error"] == "invalid_state"


def test_odd_input_with_a_valid_token_never_answers_a_server_error(client, world):
    token = _token(world, "orders:read")
    schedule = _token(world, "schedule:read")
    for path, key in [("/api/v1/demo/orders", token), ("/api/v1/demo/proposals", schedule)]:
        for query in (
            "page=99999999999999999999",
            "page=-3&per_page=0",
            "per_page=100000",
            "state=%00",
            "page=x&per_page=y",
            "state=paid&state=reserved",
        ):
            response = _get(client, f"{path}?{query}", key)
            assert response.status_code in (200, 400), (path, query, response.status_code)
    last = _get(client, "/api/v1/demo/orders", token, page=10**9).json
    assert last["page"] == last["pages"] and last["next"] is None  # a page past the end shows the last one
