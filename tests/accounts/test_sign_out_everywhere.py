""" "Sign out everywhere" on the account page ends the person's other sessions (two
browsers, the remember cookie included) and keeps the one that asked."""

from __future__ import annotations

import sqlalchemy as sa

from convention.audit.models import AuditEntry
from convention.extensions import db
from tests.conftest import csrf_token_from
from tests.factories import PASSWORD, make_user


def _sign_in(client, email, *, remember=False):
    token = csrf_token_from(client.get("/login").get_data(as_text=True))
    data = {"email": email, "password": PASSWORD, "csrf_token": token}
    if remember:
        data["remember"] = "y"
    assert client.post("/login", data=data).status_code == 302


def test_sign_out_everywhere_ends_the_other_sessions_only(app):
    user = make_user(email="ravi@example.org")
    laptop, phone = app.test_client(), app.test_client()
    _sign_in(laptop, user.email)
    _sign_in(phone, user.email, remember=True)
    assert phone.get("/account").status_code == 200
    token = csrf_token_from(laptop.get("/account").get_data(as_text=True))
    response = laptop.post("/account/sign-out-everywhere", data={"csrf_token": token})
    assert response.status_code == 302 and response.headers["Location"] == "/account"
    assert b"Every other session of your account has been signed out." in laptop.get("/account").data
    assert phone.get("/account").status_code == 302  # session and remember cookie are dead
    remember = phone.get_cookie("remember_token")
    assert remember is not None
    stranger = app.test_client()
    stranger.set_cookie("remember_token", remember.value)
    assert stranger.get("/account").status_code == 302
    actions = db.session.scalars(sa.select(AuditEntry.action).where(AuditEntry.object_id == str(user.id)))
    assert "account.sign_out_everywhere" in list(actions)


def test_sign_out_everywhere_needs_the_csrf_token(app):
    make_user(email="ravi@example.org")
    laptop, phone = app.test_client(), app.test_client()
    _sign_in(laptop, "ravi@example.org")
    _sign_in(phone, "ravi@example.org")
    assert laptop.post("/account/sign-out-everywhere", data={}).status_code == 400
    assert phone.get("/account").status_code == 200


def test_the_account_page_offers_it(client):
    make_user(email="ravi@example.org")
    _sign_in(client, "ravi@example.org")
    page = client.get("/account").get_data(as_text=True)
    assert 'action="/account/sign-out-everywhere"' in page
    assert 'href="/account/two-factor"' in page
