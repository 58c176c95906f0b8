"""The door through the client: the scan API's JSON contract, the page and its search."""

from __future__ import annotations

import sqlalchemy as sa

from convention.checkin.models import Checkin
from convention.editions.models import Role
from convention.extensions import db
from tests.checkin.helpers import registration
from tests.conftest import csrf_token_from
from tests.factories import give_role, make_edition, make_user


def _door_staff(client, auth, edition):
    staff = make_user(email="door@example.org")
    give_role(edition, staff, Role.CHECKIN)
    auth.login("door@example.org")
    html = client.get(f"/{edition.slug}/checkin/").get_data(as_text=True)
    return csrf_token_from(html)


def _post(client, edition, token, payload, **headers):
    return client.post(f"/{edition.slug}/checkin/scan", json=payload, headers={"X-CSRFToken": token, **headers})


def test_the_scan_api_answers_the_contract(client, auth):
    edition = make_edition()
    _a, code = registration(edition, name="Grace Hopper")
    token = _door_staff(client, auth, edition)
    first = _post(client, edition, token, {"code": code, "gate": "A"})
    assert first.status_code == 200
    assert first.json["status"] == "checked_in"
    assert (first.json["name"], first.json["ticket_type"], first.json["message"]) == (
        "Grace Hopper", "Conference pass", "Checked in")
    again = _post(client, edition, token, {"code": code, "gate": "B"}).json
    assert again["status"] == "already_checked_in"
    assert again["gate"] == "A" and again["detail"].startswith("Since ") and again["detail"].endswith(" at gate A.")
    assert _post(client, edition, token, {"code": code[:-3]}).json["status"] == "invalid"


def test_bad_input_is_a_json_refusal_and_logs_nothing(client, auth):
    edition = make_edition()
    token = _door_staff(client, auth, edition)
    for payload in ([1, 2], {"code": 5}, {"code": "x" * 600}, {"code": "a", "type": "dance"}, {"code": "a", "list": "1"},
                    {"code": "a", "list": 99999}, {"code": "a", "nonce": "n" * 65}):
        response = _post(client, edition, token, payload)
        assert response.status_code in (400, 404), payload
        assert response.json["error"], payload
    response = client.post(f"/{edition.slug}/checkin/scan", data="not json", headers={"X-CSRFToken": token})
    assert response.status_code == 400 and response.json["error"]
    assert db.session.scalar(sa.select(sa.func.count(Checkin.id))) == 0


def test_the_scan_api_needs_the_csrf_token_and_the_door_role(client, auth):
    edition = make_edition()
    _a, code = registration(edition)
    make_user(email="someone@example.org")
    auth.login("someone@example.org")
    assert client.post(f"/{edition.slug}/checkin/scan", json={"code": code}).status_code in (400, 403)
    auth.logout()
    _door_staff(client, auth, edition)
    assert client.post(f"/{edition.slug}/checkin/scan", json={"code": code}).status_code == 400  # no token
    assert db.session.scalar(sa.select(sa.func.count(Checkin.id))) == 0


def test_search_by_name_or_order_code_and_check_in_without_a_badge(client, auth):
    edition = make_edition()
    attendee, _code = registration(edition, name="Katherine Johnson")
    token = _door_staff(client, auth, edition)
    by_name = client.get(f"/{edition.slug}/checkin/?q=katherine").get_data(as_text=True)
    assert "Katherine Johnson" in by_name
    by_order = client.get(f"/{edition.slug}/checkin/?q={attendee.order.code.lower()}").get_data(as_text=True)
    assert "Katherine Johnson" in by_order
    assert "No registration matches." in client.get(f"/{edition.slug}/checkin/?q=nobody").get_data(as_text=True)
    url = f"/{edition.slug}/checkin/registrations/{attendee.code}"
    page = client.post(url, data={"csrf_token": token, "q": "katherine"}).get_data(as_text=True)
    assert "door-checked_in" in page and "Checked in" in page
    page = client.post(url, data={"csrf_token": token, "q": "katherine"}).get_data(as_text=True)
    assert "door-already_checked_in" in page and "Already checked in" in page
    assert client.post(f"/{edition.slug}/checkin/registrations/NOPE", data={"csrf_token": token}).status_code == 404
    assert client.post(url, data={}).status_code == 400


def test_the_door_speaks_dutch(client, auth):
    edition = make_edition()
    _a, code = registration(edition, name="Ada")
    token = _door_staff(client, auth, edition)
    page = client.get(f"/{edition.slug}/checkin/", headers={"Accept-Language": "nl"}).get_data(as_text=True)
    assert "Geen badge?" in page
    answer = _post(client, edition, token, {"code": code}, **{"Accept-Language": "nl"}).json
    assert answer["status"] == "checked_in" and answer["message"] == "Ingecheckt"


def test_the_search_offers_to_print_the_badge_of_a_paid_registration_only(client, auth):
    edition = make_edition()
    paid, _code = registration(edition, name="Katherine Johnson")
    unpaid, _other = registration(edition, name="Katherine Unpaid", paid=False, type_name="Day pass")
    _door_staff(client, auth, edition)
    page = client.get(f"/{edition.slug}/checkin/?q=katherine").get_data(as_text=True)
    assert f'href="/{edition.slug}/checkin/badges/{paid.code}.pdf"' in page
    assert f"/checkin/badges/{unpaid.code}.pdf" not in page
    badge = client.get(f"/{edition.slug}/checkin/badges/{paid.code}.pdf")
    assert badge.status_code == 200 and badge.data.startswith(b"%PDF")
    assert client.get(f"/{edition.slug}/checkin/badges/{unpaid.code}.pdf").status_code == 404


def test_only_the_door_page_lets_its_qr_reader_compile_webassembly(client, auth):
    """The camera's reader is WebAssembly: the door page's policy adds 'wasm-unsafe-eval' to
    script-src (compiling WebAssembly, not running JavaScript from strings), and no other
    page sends it; the rest of the policy is the site's own."""
    edition = make_edition()
    _door_staff(client, auth, edition)
    door = client.get(f"/{edition.slug}/checkin/").headers["Content-Security-Policy"]
    assert "script-src 'self' 'wasm-unsafe-eval';" in door
    assert "'unsafe-eval'" not in door and "unsafe-inline" not in door
    elsewhere = client.get("/").headers["Content-Security-Policy"]
    assert "wasm" not in elsewhere
    assert door.replace(" 'wasm-unsafe-eval'", "") == elsewhere
