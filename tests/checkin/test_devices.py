"""Door devices with API tokens, CSRF for sessions only, and sessions that survive a new network."""

from __future__ import annotations

import sqlalchemy as sa

from convention.checkin.models import Checkin
from convention.editions.models import Edition, Role
from convention.extensions import db
from convention.registration.models import TicketType
from convention.tokens.services import create_token, revoke_token
from tests.checkin.helpers import registration
from tests.conftest import Auth, csrf_token_from
from tests.factories import give_role, make_edition, make_user
from tests.queries import count_queries


def _device(edition, name="Gate A phone", scope="checkin"):
    issued = create_token(edition, scope=scope, name=name)
    db.session.commit()
    return issued


def _bearer(secret):
    return {"Authorization": f"Bearer {secret}"}


def test_a_device_token_scans_without_session_or_csrf_and_is_logged_as_the_device(client):
    edition = make_edition()
    _a, code = registration(edition, name="Grace Hopper")
    issued = _device(edition)
    answer = client.post(
        f"/{edition.slug}/checkin/scan",
        json={"code": code, "gate": "A", "device": "lie"},
        headers=_bearer(issued.secret),
    )
    assert answer.status_code == 200
    assert (answer.json["status"], answer.json["name"]) == ("checked_in", "Grace Hopper")
    row = db.session.scalar(sa.select(Checkin))
    assert (row.device, row.gate, row.user_id) == ("Gate A phone", "A", None)
    again = client.post(f"/{edition.slug}/checkin/scan", json={"code": code}, headers=_bearer(issued.secret))
    assert again.json["status"] == "already_checked_in"
    assert "Set-Cookie" not in answer.headers  # a device gets no session


def test_a_revoked_token_is_refused_with_401_json(client):
    edition = make_edition()
    _a, code = registration(edition)
    issued = _device(edition)
    revoke_token(edition, issued.token.id)
    db.session.commit()
    answer = client.post(f"/{edition.slug}/checkin/scan", json={"code": code}, headers=_bearer(issued.secret))
    assert answer.status_code == 401
    assert answer.json["error"] and answer.headers["WWW-Authenticate"].startswith("Bearer")
    assert client.get(f"/{edition.slug}/checkin/offline", headers=_bearer(issued.secret)).status_code == 401
    assert db.session.scalar(sa.select(sa.func.count(Checkin.id))) == 0


def test_tokens_of_another_scope_or_edition_or_unknown_are_refused(client):
    edition, other = make_edition(), make_edition()
    _a, code = registration(edition)
    wrong_scope = _device(edition, scope="orders:read")
    elsewhere = _device(other)
    for secret in (wrong_scope.secret, elsewhere.secret, "cvt_" + "A" * 43, "garbage"):
        answer = client.post(f"/{edition.slug}/checkin/scan", json={"code": code}, headers=_bearer(secret))
        assert answer.status_code == 401, secret
    assert db.session.scalar(sa.select(sa.func.count(Checkin.id))) == 0


def test_a_device_scan_runs_three_statements_whatever_the_edition_size(client):
    """The door's hot path: token and edition (one select), list, registration, counted
    entry and key (one select), the log row (one insert), for a first entry and a scan
    again alike, with 1 registration or 12."""
    edition = make_edition()
    slug, edition_id = edition.slug, edition.id
    secret = _device(edition).secret
    first, code = registration(edition, name="Person 0")
    ticket_type_id = first.ticket_type_id
    codes = [code] + [registration(db.session.get(Edition, edition_id), name=f"Person {n}",
                                   ticket_type=db.session.get(TicketType, ticket_type_id))[1] for n in range(1, 12)]
    client.post(f"/{slug}/checkin/scan", json={"code": codes[0]}, headers=_bearer(secret))  # token's first use noted
    counts = []
    for code in (codes[1], codes[1], codes[11], codes[11]):
        with count_queries() as statements:
            answer = client.post(f"/{slug}/checkin/scan", json={"code": code, "nonce": code[-20:] + str(len(counts))},
                                 headers=_bearer(secret))
        assert answer.status_code == 200
        counts.append((answer.json["status"], len(statements)))
    assert counts == [("checked_in", 3), ("already_checked_in", 3)] * 2


def test_a_draft_edition_or_a_missing_one_answers_404_before_the_token_is_judged(client):
    draft = make_edition(published=False)
    issued = _device(draft)
    assert client.post(f"/{draft.slug}/checkin/scan", json={"code": "x"}, headers=_bearer(issued.secret)).status_code == 404
    assert client.post("/no-such-edition/checkin/scan", json={"code": "x"},
                       headers=_bearer(issued.secret)).status_code == 404
    assert client.post("/no-such-edition/checkin/scan", json={"code": "x"},
                       headers=_bearer("cvt_" + "A" * 43)).status_code == 404


def test_a_token_opens_only_the_device_routes_not_the_door_page(client):
    edition = make_edition()
    issued = _device(edition)
    page = client.get(f"/{edition.slug}/checkin/", headers=_bearer(issued.secret))
    assert page.status_code == 302 and page.headers["Location"].startswith("/login")
    assert client.get(f"/{edition.slug}/manage/tokens/", headers=_bearer(issued.secret)).status_code == 302


def test_session_requests_keep_csrf_even_with_a_non_bearer_authorization(client, auth):
    edition = make_edition()
    _a, code = registration(edition)
    give_role(edition, make_user(email="door@example.org"), Role.CHECKIN)
    auth.login("door@example.org")
    for headers in ({}, {"Authorization": "Basic Zm9vOmJhcg=="}):
        assert client.post(f"/{edition.slug}/checkin/scan", json={"code": code}, headers=headers).status_code == 400
    assert db.session.scalar(sa.select(sa.func.count(Checkin.id))) == 0
    token = csrf_token_from(client.get(f"/{edition.slug}/checkin/").get_data(as_text=True))
    ok = client.post(
        f"/{edition.slug}/checkin/scan", json={"code": code, "device": "laptop"}, headers={"X-CSRFToken": token}
    )
    assert ok.json["status"] == "checked_in"
    assert db.session.scalar(sa.select(Checkin.device)) == "laptop"


def test_door_staff_keep_their_session_when_the_phone_changes_network(app):
    edition = make_edition()
    _a, code = registration(edition)
    give_role(edition, make_user(email="door@example.org"), Role.CHECKIN)
    phone = {"User-Agent": "Mozilla/5.0 (Android 14; Mobile) Door"}
    client = app.test_client()
    client.environ_base.update(REMOTE_ADDR="10.0.0.7", HTTP_USER_AGENT=phone["User-Agent"])
    assert Auth(client).login("door@example.org").status_code == 302
    token = csrf_token_from(client.get(f"/{edition.slug}/checkin/").get_data(as_text=True))
    client.environ_base.update(REMOTE_ADDR="100.64.12.34")  # the mobile network now
    page = client.get(f"/{edition.slug}/checkin/")
    assert page.status_code == 200
    answer = client.post(f"/{edition.slug}/checkin/scan", json={"code": code}, headers={"X-CSRFToken": token})
    assert answer.json["status"] == "checked_in"
    with client.session_transaction() as session:
        # Flask-Login's "strong" protection found the same browser: the session is not even
        # marked stale (its identifier is the User-Agent's hash, no address in it)
        assert session["_fresh"] is True and session["_user_id"]
    client.environ_base.update(HTTP_USER_AGENT="curl/8.0")  # another browser: no longer fresh
    client.get(f"/{edition.slug}/checkin/")
    with client.session_transaction() as session:
        assert session["_fresh"] is False


def test_nul_characters_or_deep_nesting_in_a_json_body_are_refused_with_400_and_nothing_logged(client):
    """PostgreSQL cannot store NUL in text (it answered 500 for a nonce or gate with one);
    Python's JSON parser gives up on arrays nested a thousand deep (it answered 500 too)."""
    edition = make_edition()
    _a, code = registration(edition)
    secret = _device(edition).secret
    url = f"/{edition.slug}/checkin/scan"
    for body in ({"code": code, "nonce": "a\x00b"}, {"code": code, "gate": "A\x00"}, {"code": "x\x00"},
                 {"code\x00": code}, {"code": code, "extra": [{"deep": ["\x00"]}]}):
        answer = client.post(url, json=body, headers=_bearer(secret))
        assert answer.status_code == 400 and "NUL" in answer.json["message"], body
    upload = {"scans": [{"code": code, "nonce": "n\x00", "scanned_at": "2026-01-01T10:00:00+00:00"}]}
    assert client.post(f"/{edition.slug}/checkin/upload", json=upload, headers=_bearer(secret)).status_code == 400
    deep = "[" * 5000 + "]" * 5000
    answer = client.post(url, data=deep, headers={**_bearer(secret), "Content-Type": "application/json"})
    assert answer.status_code == 400 and answer.json["message"] == "The JSON document is nested too deeply."
    assert db.session.scalar(sa.select(sa.func.count(Checkin.id))) == 0
    assert client.post(url, json={"code": code}, headers=_bearer(secret)).json["status"] == "checked_in"
