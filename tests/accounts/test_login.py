"""Login, logout and the login rate limits (per client address and per email)."""

from __future__ import annotations

import pytest
import sqlalchemy as sa

from convention.accounts.models import User
from tests.conftest import csrf_token_from, post_form
from tests.factories import PASSWORD, make_user


def _login(client, email, password=PASSWORD, *, ip=None, url="/login"):
    environ = {"REMOTE_ADDR": ip or "127.0.0.1"}
    token = csrf_token_from(client.get("/login", environ_base=environ).get_data(as_text=True))
    return client.post(url, data={"email": email, "password": password, "csrf_token": token},
                       environ_base=environ)


def test_login_valid_credentials_signs_in_and_records_time(client, db):
    user = make_user(email="ravi@example.org")
    response = _login(client, "Ravi@Example.org ")
    assert response.status_code == 302
    assert response.headers["Location"] == "/"
    assert client.get("/account").status_code == 200
    db.session.expire_all()
    assert db.session.get(User, user.id).last_login_at is not None


def test_login_wrong_password_and_unknown_email_answer_the_same(client, db):
    make_user(email="ravi@example.org")
    wrong_password = _login(client, "ravi@example.org", "not the password at all")
    unknown_email = _login(client, "nobody@example.org", "not the password at all")
    assert wrong_password.status_code == unknown_email.status_code == 401
    for response in (wrong_password, unknown_email):
        body = response.get_data(as_text=True)
        assert body.count("Invalid email or password.") == 1
        assert "no account" not in body.lower()
    # The pages differ only in the CSRF token and the address typed in.
    def page(response, email):
        body = response.get_data(as_text=True).replace(email, "EMAIL")
        return [line for line in body.splitlines() if "csrf_token" not in line]

    assert page(wrong_password, "ravi@example.org") == page(unknown_email, "nobody@example.org")
    assert client.get("/account").status_code == 302


def test_login_missing_fields_gives_422_with_messages(client):
    response = post_form(client, "/login", {"email": "", "password": ""})
    assert response.status_code == 422
    body = response.get_data(as_text=True)
    assert "Please enter your email address." in body
    assert "Please enter your password." in body


def test_login_without_csrf_token_is_refused(client):
    make_user(email="ravi@example.org")
    response = client.post("/login", data={"email": "ravi@example.org", "password": PASSWORD})
    assert response.status_code == 400
    assert "The form had expired or was not sent from this site." in response.get_data(as_text=True)
    assert client.get("/account").status_code == 302


@pytest.mark.parametrize(
    ("target", "expected"),
    [
        ("/account", "/account"),
        ("/demo/manage/?tab=rooms", "/demo/manage/?tab=rooms"),
        ("//evil.example", "/"),
        ("//evil.example/account", "/"),
        ("https://evil.example", "/"),
        ("http://localhost/account", "/"),
        ("/\\evil.example", "/"),
        ("/\\/evil.example", "/"),
        ("\\\\evil.example", "/"),
        ("javascript:alert(1)", "/"),
        ("/%0a/evil.example", "/%0a/evil.example"),  # stays a path on this site
        ("/\t/evil.example", "/"),
        ("account", "/"),
        ("", "/"),
    ],
)
def test_login_next_parameter_only_follows_same_site_paths(client, target, expected):
    make_user(email="ravi@example.org")
    response = _login(client, "ravi@example.org", url="/login?" + _query(next=target))
    assert response.status_code == 302
    assert response.headers["Location"] == expected


def _query(**params):
    from urllib.parse import urlencode

    return urlencode(params)


def test_login_page_of_signed_in_user_redirects_to_safe_next_only(client, auth):
    make_user(email="ravi@example.org")
    auth.login("ravi@example.org")
    assert client.get("/login?next=/account").headers["Location"] == "/account"
    assert client.get("/login?next=//evil.example").headers["Location"] == "/"


def test_logout_by_get_asks_and_signs_nobody_out(client, auth):
    make_user(email="ravi@example.org")
    auth.login("ravi@example.org")
    page = client.get("/logout")
    assert page.status_code == 200
    assert "Sign out?" in page.get_data(as_text=True)
    assert client.get("/account").status_code == 200


def test_logout_without_csrf_token_keeps_the_session(client, auth):
    make_user(email="ravi@example.org")
    auth.login("ravi@example.org")
    response = client.post("/logout")
    assert response.status_code == 400
    assert client.get("/account").status_code == 200


def test_logout_with_token_ends_the_session(client, auth):
    make_user(email="ravi@example.org")
    auth.login("ravi@example.org")
    response = auth.logout()
    assert response.status_code == 302
    assert client.get("/account").status_code == 302


@pytest.fixture
def login_limit_3(app):
    original = app.config["LOGIN_RATE_LIMIT"]
    app.config["LOGIN_RATE_LIMIT"] = "3 per minute"
    yield
    app.config["LOGIN_RATE_LIMIT"] = original


def test_login_rate_limit_per_client_address_answers_429_page(client, login_limit_3):
    make_user(email="ravi@example.org")
    statuses = [_login(client, f"guess{n}@example.org", "wrong password n", ip="10.0.0.1").status_code
                for n in range(3)]
    assert statuses == [401, 401, 401]
    blocked = _login(client, "another@example.org", "wrong password x", ip="10.0.0.1")
    assert blocked.status_code == 429
    body = blocked.get_data(as_text=True)
    assert "Too many sign-in attempts. Wait a minute and try again." in body
    assert 'class="error-code"' in body
    assert blocked.headers["Content-Security-Policy"].startswith("default-src 'self'")
    # Even the right password is refused while the limit holds...
    assert _login(client, "ravi@example.org", ip="10.0.0.1").status_code == 429
    # ...but another client address is not affected.
    assert _login(client, "ravi@example.org", ip="10.0.0.2").status_code == 302


def test_login_rate_limit_per_email_holds_across_client_addresses(client, login_limit_3):
    make_user(email="ravi@example.org")
    statuses = [_login(client, "ravi@example.org", "wrong password n", ip=f"10.0.1.{n}").status_code
                for n in range(3)]
    assert statuses == [401, 401, 401]
    # The same account (written differently) from a fresh address: blocked.
    assert _login(client, " RAVI@example.org", ip="10.0.1.99").status_code == 429
    # Another account from that fresh address: fine.
    make_user(email="rosa@example.org")
    assert _login(client, "rosa@example.org", ip="10.0.1.99").status_code == 302


def test_login_rate_limit_json_client_gets_json_429(client, login_limit_3):
    for n in range(3):
        _login(client, "x@example.org", f"wrong password {n}", ip="10.0.2.1")
    token = csrf_token_from(client.get("/login").get_data(as_text=True))
    response = client.post("/login", data={"email": "x@example.org", "password": "p", "csrf_token": token},
                           headers={"Accept": "application/json"}, environ_base={"REMOTE_ADDR": "10.0.2.1"})
    assert response.status_code == 429
    assert response.get_json() == {"error": "Slow down", "message": "Too many sign-in attempts. Wait a minute and try again.",
                                   "status": 429}


def test_login_get_is_never_rate_limited(client, login_limit_3):
    assert [client.get("/login").status_code for _ in range(6)] == [200] * 6


def test_login_remember_me_sets_httponly_lax_cookie(client, db):
    make_user(email="ravi@example.org")
    token = csrf_token_from(client.get("/login").get_data(as_text=True))
    response = client.post("/login", data={"email": "ravi@example.org", "password": PASSWORD, "remember": "y",
                                           "csrf_token": token})
    cookies = {c.split("=", 1)[0]: c for c in response.headers.getlist("Set-Cookie")}
    assert "HttpOnly" in cookies["remember_token"]
    assert "SameSite=Lax" in cookies["remember_token"]
    assert "HttpOnly" in cookies["session"]
    assert "SameSite=Lax" in cookies["session"]


def test_login_unknown_user_id_in_session_is_anonymous(client, db):
    user = make_user(email="ravi@example.org")
    _login(client, "ravi@example.org")
    db.session.execute(sa.delete(User).where(User.id == user.id))
    db.session.commit()
    assert client.get("/account").status_code == 302


def test_login_session_cookie_expires_with_the_session_lifetime(client, app):
    make_user(email="ravi@example.org")
    response = _login(client, "ravi@example.org")
    (cookie,) = [c for c in response.headers.getlist("Set-Cookie") if c.startswith("session=")]
    assert "Expires=" in cookie
    assert app.config["PERMANENT_SESSION_LIFETIME"].total_seconds() == 12 * 3600


def test_signup_rate_limited_per_client_address(client, db, login_limit_3):
    for n in range(3):
        post_form(client, "/signup", {"name": "", "email": f"s{n}@example.org", "password": "", "confirm": ""})
    response = post_form(client, "/signup", {"name": "Late", "email": "late@example.org",
                                             "password": "analytical engine 1843", "confirm": "analytical engine 1843"})
    assert response.status_code == 429
    assert "Too many attempts from here. Wait a minute and try again." in response.get_data(as_text=True)
    assert db.session.scalar(sa.select(sa.func.count(User.id))) == 0


def test_forgot_password_rate_limited_per_email_across_addresses(client, db, login_limit_3):
    from convention.mail.models import OutboxMessage

    make_user(email="ravi@example.org")
    for n in range(3):
        token = csrf_token_from(client.get("/forgot-password").get_data(as_text=True))
        client.post("/forgot-password", data={"email": "ravi@example.org", "csrf_token": token},
                    environ_base={"REMOTE_ADDR": f"10.0.3.{n}"})
    token = csrf_token_from(client.get("/forgot-password").get_data(as_text=True))
    response = client.post("/forgot-password", data={"email": "ravi@example.org", "csrf_token": token},
                           environ_base={"REMOTE_ADDR": "10.0.3.99"})
    assert response.status_code == 429
    assert db.session.scalar(sa.select(sa.func.count(OutboxMessage.id))) == 3
