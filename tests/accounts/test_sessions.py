"""Signing out, changing or resetting the password ends every session (issue 7, item 6).

The tests copy the real cookies a browser holds and replay them from another client,
as someone who copied them (or a shared computer's browser) would."""

from __future__ import annotations

import re

import sqlalchemy as sa

from convention.extensions import db
from convention.mail.models import OutboxMessage
from tests.conftest import Auth, csrf_token_from, post_form
from tests.factories import PASSWORD, make_user

EMAIL = "ravi@example.org"


def _sign_in(client, *, remember=False):
    token = csrf_token_from(client.get("/login").get_data(as_text=True))
    data = {"email": EMAIL, "password": PASSWORD, "csrf_token": token}
    if remember:
        data["remember"] = "y"
    response = client.post("/login", data=data)
    assert response.status_code == 302
    return response


def _cookie(client, name):
    cookie = client.get_cookie(name)
    assert cookie is not None, name
    return cookie.value


def _replay(app, **cookies):
    """A fresh client holding only the given cookies; the status of GET /account."""
    other = app.test_client()
    for name, value in cookies.items():
        other.set_cookie(name, value)
    return other.get("/account").status_code


def test_replayed_session_cookie_opens_the_account_until_sign_out(app, client):
    make_user(email=EMAIL)
    _sign_in(client)
    session = _cookie(client, "session")
    assert _replay(app, session=session) == 200
    assert Auth(client).logout().status_code == 302
    assert _replay(app, session=session) == 302


def test_replayed_remember_cookie_dies_with_sign_out(app, client):
    make_user(email=EMAIL)
    _sign_in(client, remember=True)
    remember = _cookie(client, "remember_token")
    assert _replay(app, remember_token=remember) == 200
    Auth(client).logout()
    assert _replay(app, remember_token=remember) == 302
    assert client.get("/account").status_code == 302


def test_sign_out_ends_the_sessions_on_other_devices_too(app, client):
    make_user(email=EMAIL)
    laptop = app.test_client()
    _sign_in(laptop)
    _sign_in(client)
    Auth(client).logout()
    assert laptop.get("/account").status_code == 302


def test_password_change_keeps_this_session_and_ends_the_others(app, client):
    make_user(email=EMAIL)
    _sign_in(client, remember=True)
    old_session, old_remember = _cookie(client, "session"), _cookie(client, "remember_token")
    new = "a completely new passphrase"
    response = post_form(client, "/account", {"password-current_password": PASSWORD, "password-password": new,
                                              "password-confirm": new, "password-submit": "y"})
    assert response.status_code == 302
    assert client.get("/account").status_code == 200
    assert _replay(app, session=old_session) == 302
    assert _replay(app, remember_token=old_remember) == 302


def test_password_reset_ends_every_earlier_session(app, client):
    make_user(email=EMAIL)
    _sign_in(client, remember=True)
    old_session, old_remember = _cookie(client, "session"), _cookie(client, "remember_token")
    stranger = app.test_client()
    post_form(stranger, "/forgot-password", {"email": EMAIL})
    body = sa.select(OutboxMessage.body_text).where(OutboxMessage.template == "reset_password")
    link = re.search(r"http://127\.0\.0\.1:5000(/\S+)", db.session.scalar(body)).group(1)
    new = "a completely new passphrase"
    assert post_form(stranger, link, {"password": new, "confirm": new}).status_code == 302
    assert _replay(app, session=old_session) == 302
    assert _replay(app, remember_token=old_remember) == 302
    assert stranger.get("/account").status_code == 200
