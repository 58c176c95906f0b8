"""Two-factor sign-in through the pages: setup with the shown secret, the two-step sign-in,
wrong and reused codes, recovery codes, the rate limit, turning it off."""

from __future__ import annotations

import re
import time

import pyotp
import pytest

from tests.conftest import Auth, csrf_token_from, post_form
from tests.factories import PASSWORD, make_user

SECRET_PATTERN = re.compile(r'id="totp-secret" data-secret="([A-Z2-7]+)"')
CODE_PATTERN = re.compile(r"<li class=\"col\">([a-z2-9]{5}-[a-z2-9]{5})</li>")


def _now_code(secret: str, offset_steps: int = 0) -> str:
    totp = pyotp.TOTP(secret)
    return totp.at(int(time.time()) + 30 * offset_steps)


def set_up_two_factor(client) -> tuple[str, list[str]]:
    """Through the pages, as a person would: start, read the secret, type the code."""
    post_form(client, "/account/two-factor/start", {}, page="/account/two-factor")
    page = client.get("/account/two-factor").get_data(as_text=True)
    secret = SECRET_PATTERN.search(page).group(1)
    response = post_form(client, "/account/two-factor", {"code": _now_code(secret)})
    assert response.status_code == 200
    assert response.headers["Cache-Control"] == "no-store"
    codes = CODE_PATTERN.findall(response.get_data(as_text=True))
    assert len(codes) == 10
    return secret, codes


def _password_step(client, email):
    response = Auth(client).login(email)
    assert response.status_code == 302
    return response


def _code_step(client, code):
    return post_form(client, "/login/code", {"code": code})


@pytest.fixture
def person(client):
    user = make_user(email="tess@example.org")
    Auth(client).login(user.email)
    secret, codes = set_up_two_factor(client)
    client.post("/logout", data={"csrf_token": csrf_token_from(client.get("/account").get_data(as_text=True))})
    return user, secret, codes


def test_setup_page_shows_the_secret_and_a_qr_code(client):
    make_user(email="tess@example.org")
    Auth(client).login("tess@example.org")
    assert b"Set up two-factor sign-in" in client.get("/account/two-factor").data
    assert client.get("/account/two-factor/qr.svg").status_code == 404  # nothing started yet
    post_form(client, "/account/two-factor/start", {}, page="/account/two-factor")
    page = client.get("/account/two-factor").get_data(as_text=True)
    secret = SECRET_PATTERN.search(page).group(1)
    assert " ".join(secret[i : i + 4] for i in range(0, 32, 4)) in page
    qr = client.get("/account/two-factor/qr.svg")
    assert qr.status_code == 200 and qr.mimetype == "image/svg+xml" and b"<svg" in qr.data
    assert qr.headers["Cache-Control"] == "no-store"


def test_a_wrong_setup_code_leaves_it_off(client):
    make_user(email="tess@example.org")
    Auth(client).login("tess@example.org")
    post_form(client, "/account/two-factor/start", {}, page="/account/two-factor")
    response = post_form(client, "/account/two-factor", {"code": "12345"})
    assert response.status_code == 422
    assert b"Set up two-factor sign-in" not in response.data and b"totp-secret" in response.data


def test_sign_in_asks_for_the_code_after_the_password(client, person):
    _user, secret, _codes = person
    response = _password_step(client, "tess@example.org")
    assert response.headers["Location"] == "/login/code"
    assert client.get("/account").status_code == 302  # not signed in yet
    assert client.get("/login/code").status_code == 200
    response = _code_step(client, _now_code(secret, 1))
    assert response.status_code == 302
    assert client.get("/account").status_code == 200


def test_the_next_page_survives_the_code_step(client, person):
    _user, secret, _codes = person
    token = csrf_token_from(client.get("/login").get_data(as_text=True))
    response = client.post(
        "/login?next=/account", data={"email": "tess@example.org", "password": PASSWORD, "csrf_token": token}
    )
    assert response.headers["Location"] == "/login/code?next=/account"
    page = client.get("/login/code?next=/account")
    token = csrf_token_from(page.get_data(as_text=True))
    response = client.post("/login/code?next=/account", data={"code": _now_code(secret, 1), "csrf_token": token})
    assert response.headers["Location"] == "/account"


def test_a_wrong_code_is_refused(client, person):
    _user, secret, _codes = person
    _password_step(client, "tess@example.org")
    wrong = f"{(int(_now_code(secret)) + 1) % 1_000_000:06d}"
    response = _code_step(client, wrong)
    assert response.status_code == 401
    assert b"That code is not valid" in response.data
    assert client.get("/account").status_code == 302


def test_a_code_used_once_is_refused_the_second_time(app, client, person):
    _user, secret, _codes = person
    code = _now_code(secret, 1)
    _password_step(client, "tess@example.org")
    assert _code_step(client, code).status_code == 302
    other = app.test_client()
    _password_step(other, "tess@example.org")
    assert _code_step(other, code).status_code == 401
    assert other.get("/account").status_code == 302


def test_a_recovery_code_signs_in_once(app, client, person):
    _user, _secret, codes = person
    _password_step(client, "tess@example.org")
    response = _code_step(client, codes[0])
    assert response.status_code == 302
    assert b"recovery code; 9 are left" in client.get("/").data
    other = app.test_client()
    _password_step(other, "tess@example.org")
    assert _code_step(other, codes[0]).status_code == 401


def test_the_code_page_without_a_password_goes_back_to_sign_in(client, person):
    response = client.get("/login/code")
    assert response.status_code == 302 and response.headers["Location"] == "/login"


def test_the_password_step_expires(app, client, person, monkeypatch):
    _user, secret, _codes = person
    _password_step(client, "tess@example.org")
    monkeypatch.setitem(app.config, "TWO_FACTOR_PENDING_SECONDS", -1)
    response = client.get("/login/code")
    assert response.headers["Location"] == "/login"


def test_code_attempts_are_rate_limited(app, client, person, monkeypatch):
    monkeypatch.setitem(app.config, "LOGIN_RATE_LIMIT", "3 per minute")
    _password_step(client, "tess@example.org")
    token = csrf_token_from(client.get("/login/code").get_data(as_text=True))
    statuses = [client.post("/login/code", data={"code": "000000", "csrf_token": token}).status_code for _ in range(4)]
    assert statuses[:3] != [429, 429, 429] and statuses[3] == 429


def test_code_attempts_are_limited_per_account_from_any_address(app, person, monkeypatch):
    monkeypatch.setitem(app.config, "LOGIN_RATE_LIMIT", "2 per minute")
    statuses = []
    for address, attempts in (("10.0.0.1", 2), ("10.0.0.2", 1)):
        other = app.test_client()
        env = {"REMOTE_ADDR": address}
        token = csrf_token_from(other.get("/login", environ_base=env).get_data(as_text=True))
        other.post(
            "/login", data={"email": "tess@example.org", "password": PASSWORD, "csrf_token": token}, environ_base=env
        )
        for _ in range(attempts):
            statuses.append(
                other.post("/login/code", data={"code": "000000", "csrf_token": token}, environ_base=env).status_code
            )
    assert statuses == [401, 401, 429]


def test_turning_it_off_needs_a_code(client, person):
    _user, secret, _codes = person
    _password_step(client, "tess@example.org")
    _code_step(client, _now_code(secret, 1))
    response = post_form(client, "/account/two-factor/disable", {"disable-code": "000001"}, page="/account/two-factor")
    assert response.status_code == 302
    assert b"Turn off two-factor sign-in" in client.get("/account/two-factor").data  # still on
    response = post_form(client, "/account/two-factor/disable", {"disable-code": ""}, page="/account/two-factor")
    assert b"Please enter the code." in client.get(response.headers["Location"]).data
    response = post_form(client, "/account/two-factor/disable", {"disable-code": _codes[1]}, page="/account/two-factor")
    assert response.status_code == 302
    assert b"Set up two-factor sign-in" in client.get("/account/two-factor").data
    client.post("/logout", data={"csrf_token": csrf_token_from(client.get("/account").get_data(as_text=True))})
    assert Auth(client).login("tess@example.org").headers["Location"] == "/"


def test_new_recovery_codes_are_shown_once(client, person):
    _user, secret, codes = person
    _password_step(client, "tess@example.org")
    _code_step(client, codes[0])
    response = post_form(
        client, "/account/two-factor/recovery-codes", {"recovery-code": codes[1]}, page="/account/two-factor"
    )
    fresh = CODE_PATTERN.findall(response.get_data(as_text=True))
    assert len(fresh) == 10 and set(fresh).isdisjoint(codes)
    assert b"You have 10 unused recovery codes" in client.get("/account/two-factor").data


def test_codes_typed_while_signed_in_are_rate_limited_per_account(app, client, person, monkeypatch):
    _user, secret, _codes = person
    _password_step(client, "tess@example.org")
    _code_step(client, _now_code(secret, 1))
    monkeypatch.setitem(app.config, "LOGIN_RATE_LIMIT", "2 per minute")
    token = csrf_token_from(client.get("/account/two-factor").get_data(as_text=True))
    statuses = [
        client.post(url, data={"disable-code": "000000", "recovery-code": "000000", "csrf_token": token}).status_code
        for url in ("/account/two-factor/disable", "/account/two-factor/recovery-codes", "/account/two-factor/disable")
    ]
    assert statuses == [302, 302, 429]
