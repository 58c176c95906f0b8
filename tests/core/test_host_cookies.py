"""Over HTTPS (an https:// BASE_URL) every cookie is named ``__Host-...``: Secure, Path=/,
no Domain, so no other host of the domain and no plain-HTTP page can set or replace it."""

from __future__ import annotations

import pytest

from convention.config import cookie_names, load_config
from tests.conftest import csrf_token_from
from tests.factories import PASSWORD, make_user

BASE = "https://conv.example.org"


def _set_cookies(response) -> dict[str, str]:
    """Each Set-Cookie header by cookie name, lower-cased attributes."""
    found = {}
    for header in response.headers.getlist("Set-Cookie"):
        name = header.split("=", 1)[0]
        found[name] = header
    return found


def _host_rules_hold(header: str) -> None:
    attributes = [part.strip().lower() for part in header.split(";")[1:]]
    assert "secure" in attributes
    assert "path=/" in attributes
    assert not any(part.startswith("domain=") for part in attributes)


@pytest.fixture
def https_app(app, monkeypatch):
    from convention import create_app

    monkeypatch.setenv("BASE_URL", BASE)
    monkeypatch.delenv("TRUSTED_HOSTS", raising=False)
    overrides = {
        key: app.config[key]
        for key in (
            "TESTING",
            "SECRET_KEY",
            "SQLALCHEMY_DATABASE_URI",
            "UPLOAD_FOLDER",
            "RATELIMIT_STORAGE_URI",
            "ARGON2_PARAMETERS",
            "MAIL_SERVER",
            "REDIS_URL",
            "REQUIRE_ORGANIZER_2FA",
        )
    }
    return create_app(overrides)


def test_cookie_names_follow_the_scheme(tmp_path, monkeypatch):
    assert cookie_names(False)["SESSION_COOKIE_NAME"] == "session"
    monkeypatch.setenv("BASE_URL", BASE)
    config = load_config(str(tmp_path))
    assert config["SESSION_COOKIE_NAME"] == "__Host-session"
    assert config["REMEMBER_COOKIE_NAME"] == "__Host-remember_token"
    assert config["LANGUAGE_COOKIE_NAME"] == "__Host-language"
    assert config["SESSION_COOKIE_SECURE"] and config["REMEMBER_COOKIE_SECURE"]
    assert config["SESSION_COOKIE_DOMAIN"] is None and config["SESSION_COOKIE_PATH"] == "/"


def test_session_and_remember_cookies_are_host_cookies_over_https(https_app):
    make_user(email="ravi@example.org")
    client = https_app.test_client()
    page = client.get("/login", base_url=BASE)
    cookies = _set_cookies(page)
    assert set(cookies) == {"__Host-session"}
    _host_rules_hold(cookies["__Host-session"])
    token = csrf_token_from(page.get_data(as_text=True))
    response = client.post(
        "/login",
        base_url=BASE,
        data={"email": "ravi@example.org", "password": PASSWORD, "remember": "y", "csrf_token": token},
        headers={"Referer": BASE + "/login"},
    )  # Flask-WTF checks it over HTTPS
    assert response.status_code == 302
    cookies = _set_cookies(response)
    assert set(cookies) == {"__Host-session", "__Host-remember_token"}
    for header in cookies.values():
        _host_rules_hold(header)
    assert client.get("/account", base_url=BASE).status_code == 200


def test_the_language_cookie_is_a_host_cookie_over_https(https_app):
    client = https_app.test_client()
    response = client.get("/language/nl?next=/", base_url=BASE)
    cookies = _set_cookies(response)
    assert set(cookies) == {"__Host-language"}
    _host_rules_hold(cookies["__Host-language"])
    assert 'lang="nl"' in client.get("/", base_url=BASE).get_data(as_text=True)


def test_plain_http_keeps_plain_names(client):
    response = client.get("/language/fr?next=/")
    assert list(_set_cookies(response)) == ["language"]
    assert "__Host-" not in client.get("/login").headers.get("Set-Cookie", "")
