"""Signed links: email confirmation and password reset (expiry, tampering, single use)."""

from __future__ import annotations

import re
import time

import pytest
import sqlalchemy as sa
from itsdangerous import TimestampSigner

from convention.accounts.models import User
from convention.accounts.services import request_password_reset
from convention.audit.models import AuditEntry
from convention.mail.models import OutboxMessage
from tests.conftest import Auth, csrf_token_from, post_form
from tests.factories import PASSWORD, make_user

LINK = re.compile(r"http://127\.0\.0\.1:5000(/\S+)")  # BASE_URL of the test app


def _outbox(db, template):
    return db.session.scalars(
        sa.select(OutboxMessage).where(OutboxMessage.template == template).order_by(OutboxMessage.id)
    ).all()


def _link_in(message) -> str:
    match = LINK.search(message.body_text)
    assert match, message.body_text
    return match.group(1)


@pytest.fixture
def signed_up(client, db):
    """Sign up through the form, then sign in; returns the path of the emailed confirmation link."""
    post_form(client, "/signup", {"name": "Carla Confirm", "email": "carla@example.org",
                                  "password": PASSWORD, "confirm": PASSWORD})
    assert Auth(client).login("carla@example.org", PASSWORD).status_code == 302
    (message,) = _outbox(db, "confirm_email")
    return _link_in(message)


def _confirm(client, link):
    """Open the emailed link (a page with a button) and press the button."""
    return post_form(client, link, {})


@pytest.fixture
def issued_long_ago(monkeypatch):
    """Links signed inside this context carry a timestamp from ``seconds`` ago."""

    def backdate(seconds):
        real = TimestampSigner.get_timestamp
        monkeypatch.setattr(TimestampSigner, "get_timestamp", lambda self: int(time.time()) - seconds)
        return lambda: monkeypatch.setattr(TimestampSigner, "get_timestamp", real)

    return backdate


def _user(db, email="carla@example.org") -> User:
    db.session.expire_all()
    return db.session.scalar(sa.select(User).where(User.email == email))


# -- confirmation ----------------------------------------------------------------------


def test_confirm_link_opened_shows_a_button_and_changes_nothing(client, db, signed_up):
    # Mail scanners and link previews open links: only the button's POST confirms.
    page = client.get(signed_up)
    assert page.status_code == 200
    html = page.get_data(as_text=True)
    assert "Confirm that carla@example.org is your address." in html
    assert f'<form method="post" action="{signed_up}">' in html
    assert not _user(db).email_confirmed
    anonymous_scanner = client.application.test_client()
    assert anonymous_scanner.get(signed_up).status_code == 200
    assert not _user(db).email_confirmed


def test_confirm_button_without_csrf_token_changes_nothing(client, db, signed_up):
    assert client.post(signed_up).status_code == 400
    assert not _user(db).email_confirmed


def test_confirm_link_valid_confirms_and_audits(client, db, signed_up):
    assert signed_up.startswith("/confirm/")
    response = _confirm(client, signed_up)
    assert response.status_code == 302
    assert response.headers["Location"] == "/account"
    user = _user(db)
    assert user.email_confirmed
    actions = db.session.scalars(sa.select(AuditEntry.action).where(AuditEntry.object_id == str(user.id))).all()
    assert actions == ["account.create", "account.confirm_email"]


def test_confirm_link_twice_is_harmless(client, db, signed_up):
    _confirm(client, signed_up)
    first = _user(db).email_confirmed_at
    assert _confirm(client, signed_up).status_code == 302
    assert _user(db).email_confirmed_at == first


def test_confirm_link_works_when_signed_out(app, db, signed_up):
    response = _confirm(app.test_client(), signed_up)
    assert response.status_code == 302
    assert response.headers["Location"] == "/login"
    assert _user(db).email_confirmed


def test_confirm_link_tampered_is_refused_with_400(client, db, signed_up):
    token = signed_up.removeprefix("/confirm/")
    tampered = token[:-3] + ("AAA" if not token.endswith("AAA") else "BBB")
    response = client.get("/confirm/" + tampered)
    assert response.status_code == 400
    assert client.post("/confirm/" + tampered).status_code == 400
    assert "This confirmation link is not valid." in response.get_data(as_text=True)
    assert not _user(db).email_confirmed


def test_confirm_link_for_another_salt_is_refused(client, db, signed_up):
    # A reset token is signed for a different purpose and must not confirm anything.
    post_form(client, "/forgot-password", {"email": "carla@example.org"})
    reset_token = _link_in(_outbox(db, "reset_password")[0]).removeprefix("/reset-password/")
    assert client.get("/confirm/" + reset_token).status_code == 400
    assert not _user(db).email_confirmed


def test_confirm_link_expired_is_refused_with_message(app, client, db, issued_long_ago):
    restore = issued_long_ago(app.config["EMAIL_CONFIRM_MAX_AGE"] + 60)
    post_form(client, "/signup", {"name": "Carla Confirm", "email": "carla@example.org",
                                  "password": PASSWORD, "confirm": PASSWORD})
    restore()
    link = _link_in(_outbox(db, "confirm_email")[0])
    response = client.get(link)
    assert response.status_code == 400
    assert "This confirmation link has expired." in response.get_data(as_text=True)
    assert not _user(db).email_confirmed


def test_confirm_link_just_inside_max_age_still_works(app, client, db, issued_long_ago):
    restore = issued_long_ago(app.config["EMAIL_CONFIRM_MAX_AGE"] - 60)
    post_form(client, "/signup", {"name": "Carla Confirm", "email": "carla@example.org",
                                  "password": PASSWORD, "confirm": PASSWORD})
    restore()
    assert _confirm(client, _link_in(_outbox(db, "confirm_email")[0])).status_code == 302
    assert _user(db).email_confirmed


def test_resend_confirmation_queues_a_new_working_link(client, db, signed_up):
    response = post_form(client, "/account/resend-confirmation", {}, page="/account")
    assert response.status_code == 302
    messages = _outbox(db, "confirm_email")
    assert [m.recipient for m in messages] == ["carla@example.org", "carla@example.org"]
    assert _confirm(client, _link_in(messages[1])).status_code == 302
    assert _user(db).email_confirmed
    # Once confirmed, the button is gone and a resend sends nothing.
    assert "Send the link again" not in client.get("/account").get_data(as_text=True)
    post_form(client, "/account/resend-confirmation", {}, page="/account")
    assert len(_outbox(db, "confirm_email")) == 2


def test_resend_confirmation_requires_csrf_and_sign_in(app, client, db, signed_up):
    assert client.post("/account/resend-confirmation").status_code == 400
    anonymous = app.test_client()
    token = csrf_token_from(anonymous.get("/login").get_data(as_text=True))
    response = anonymous.post("/account/resend-confirmation", data={"csrf_token": token})
    assert response.status_code == 302
    assert response.headers["Location"].startswith("/login?next=")
    assert len(_outbox(db, "confirm_email")) == 1


# -- password reset --------------------------------------------------------------------


FORGOT_ANSWER = "If an account exists for that address, a reset link is on its way."


def _request_reset(client, email):
    return post_form(client, "/forgot-password", {"email": email}, follow_redirects=True)


def test_reset_request_known_and_unknown_email_answer_the_same(client, db):
    make_user(email="rosa@example.org")
    known = _request_reset(client, "Rosa@example.org")
    unknown = _request_reset(client, "nobody@example.org")
    assert known.status_code == unknown.status_code == 200
    assert FORGOT_ANSWER in known.get_data(as_text=True)
    assert FORGOT_ANSWER in unknown.get_data(as_text=True)
    assert [m.recipient for m in _outbox(db, "reset_password")] == ["rosa@example.org"]


def test_reset_link_uses_base_url_whatever_host_header_the_client_sends(app, db):
    make_user(email="rosa@example.org")
    with app.test_request_context("/forgot-password", method="POST", headers={"Host": "evil.example"}):
        request_password_reset("rosa@example.org")
    (message,) = _outbox(db, "reset_password")
    assert "evil.example" not in message.body_text
    assert "http://127.0.0.1:5000/reset-password/" in message.body_text


def test_reset_request_unknown_email_queues_nothing(client, db):
    _request_reset(client, "nobody@example.org")
    assert db.session.scalar(sa.select(sa.func.count(OutboxMessage.id))) == 0


def test_reset_link_sets_new_password_and_is_single_use(client, db):
    make_user(email="rosa@example.org")
    _request_reset(client, "rosa@example.org")
    link = _link_in(_outbox(db, "reset_password")[0])
    assert client.get(link).status_code == 200
    new = "a completely new passphrase"
    response = post_form(client, link, {"password": new, "confirm": new})
    assert response.status_code == 302
    assert Auth(client).logout().status_code == 302
    assert Auth(client).login("rosa@example.org", new).status_code == 302
    assert Auth(client).logout().status_code == 302
    assert Auth(client).login("rosa@example.org", PASSWORD).status_code == 401
    # Second use of the same link: refused, password unchanged.
    second = client.get(link)
    assert second.status_code == 400
    assert "This reset link has already been used or is no longer valid." in second.get_data(as_text=True)
    token = csrf_token_from(client.get("/login").get_data(as_text=True))
    again = client.post(link, data={"password": "yet another passphrase", "confirm": "yet another passphrase",
                                    "csrf_token": token})
    assert again.status_code == 400
    assert Auth(client).login("rosa@example.org", new).status_code == 302


def test_reset_link_expired_is_refused(app, client, db, issued_long_ago):
    make_user(email="rosa@example.org")
    restore = issued_long_ago(app.config["PASSWORD_RESET_MAX_AGE"] + 1)
    _request_reset(client, "rosa@example.org")
    restore()
    link = _link_in(_outbox(db, "reset_password")[0])
    response = client.get(link)
    assert response.status_code == 400
    assert "This reset link has expired. Ask for a new one." in response.get_data(as_text=True)
    assert "Ask for a new reset link" in response.get_data(as_text=True)


def test_reset_link_tampered_is_refused(client, db):
    make_user(email="rosa@example.org")
    _request_reset(client, "rosa@example.org")
    link = _link_in(_outbox(db, "reset_password")[0])
    response = client.get(link[:-4] + "xxxx")
    assert response.status_code == 400
    assert "This reset link is not valid." in response.get_data(as_text=True)


def test_reset_link_weak_password_keeps_link_usable(client, db):
    user = make_user(email="rosa@example.org")
    _request_reset(client, "rosa@example.org")
    link = _link_in(_outbox(db, "reset_password")[0])
    response = post_form(client, link, {"password": "short", "confirm": "short"})
    assert response.status_code == 422
    assert "Use at least 10 characters." in response.get_data(as_text=True)
    assert _user(db, "rosa@example.org").password_hash == user.password_hash
    assert client.get(link).status_code == 200


def test_reset_link_confirms_an_unconfirmed_address(client, db):
    make_user(email="rosa@example.org", confirmed=False)
    _request_reset(client, "rosa@example.org")
    link = _link_in(_outbox(db, "reset_password")[0])
    post_form(client, link, {"password": "a completely new passphrase", "confirm": "a completely new passphrase"})
    assert _user(db, "rosa@example.org").email_confirmed


def test_reset_without_csrf_token_changes_nothing(client, db):
    user = make_user(email="rosa@example.org")
    _request_reset(client, "rosa@example.org")
    link = _link_in(_outbox(db, "reset_password")[0])
    response = client.post(link, data={"password": "a completely new passphrase",
                                       "confirm": "a completely new passphrase"})
    assert response.status_code == 400
    assert _user(db, "rosa@example.org").password_hash == user.password_hash


# -- sessions end when the password changes --------------------------------------------


def test_password_change_on_profile_ends_other_sessions_only(app, db):
    make_user(email="rosa@example.org")
    laptop, phone = app.test_client(), app.test_client()
    Auth(laptop).login("rosa@example.org")
    Auth(phone).login("rosa@example.org")
    assert phone.get("/account").status_code == 200
    new = "a completely new passphrase"
    response = post_form(laptop, "/account", {"password-current_password": PASSWORD, "password-password": new,
                                              "password-confirm": new, "password-submit": "Change password"})
    assert response.status_code == 302
    assert laptop.get("/account").status_code == 200
    assert phone.get("/account").status_code == 302
    actions = db.session.scalars(sa.select(AuditEntry.action)).all()
    assert "account.change_password" in actions


def test_password_change_wrong_current_password_keeps_everything(app, db):
    user = make_user(email="rosa@example.org")
    laptop, phone = app.test_client(), app.test_client()
    Auth(laptop).login("rosa@example.org")
    Auth(phone).login("rosa@example.org")
    response = post_form(laptop, "/account", {"password-current_password": "not my password",
                                              "password-password": "a completely new passphrase",
                                              "password-confirm": "a completely new passphrase",
                                              "password-submit": "Change password"})
    assert response.status_code == 422
    assert "Your current password is not correct." in response.get_data(as_text=True)
    assert _user(db, "rosa@example.org").session_token == user.session_token
    assert phone.get("/account").status_code == 200


def test_password_reset_ends_every_session_and_remember_cookie(app, db):
    make_user(email="rosa@example.org")
    phone = app.test_client()
    token = csrf_token_from(phone.get("/login").get_data(as_text=True))
    phone.post("/login", data={"email": "rosa@example.org", "password": PASSWORD, "remember": "y",
                               "csrf_token": token})
    assert phone.get_cookie("remember_token") is not None
    other = app.test_client()
    _request_reset(other, "rosa@example.org")
    link = _link_in(_outbox(db, "reset_password")[0])
    post_form(other, link, {"password": "a completely new passphrase", "confirm": "a completely new passphrase"})
    assert phone.get("/account").status_code == 302
    # Even a fresh session that only has the old remember cookie is refused.
    phone.delete_cookie("session")
    assert phone.get("/account").status_code == 302


def test_profile_update_changes_name_and_audits(client, auth, db):
    user = make_user(email="rosa@example.org", name="Rosa")
    auth.login("rosa@example.org")
    response = post_form(client, "/account", {"profile-name": "  Rosa   Reviewer ", "profile-submit": "Save profile"})
    assert response.status_code == 302
    assert _user(db, "rosa@example.org").name == "Rosa Reviewer"
    entry = db.session.scalar(sa.select(AuditEntry).where(AuditEntry.action == "account.update_profile"))
    assert (entry.actor_id, entry.object_id) == (user.id, str(user.id))


def test_profile_update_overlong_name_refused(client, auth, db):
    make_user(email="rosa@example.org", name="Rosa")
    auth.login("rosa@example.org")
    response = post_form(client, "/account", {"profile-name": "r" * 121, "profile-submit": "Save profile"})
    assert response.status_code == 422
    assert "Names are limited to 120 characters." in response.get_data(as_text=True)
    assert _user(db, "rosa@example.org").name == "Rosa"
