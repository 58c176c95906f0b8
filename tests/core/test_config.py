"""Settings from the environment; production refuses to start unsafely."""

from __future__ import annotations

import os
import subprocess
import sys
from datetime import timedelta
from pathlib import Path

import pytest

from convention.config import (
    SECRET_KEY_MIN,
    SECRET_KEY_MIN_BITS,
    ConfigError,
    check_production_safety,
    estimated_secret_bits,
    load_config,
)

REPO = Path(__file__).resolve().parents[2]
GOOD_SECRET = "k3N9-vQ2xL7pR4tY8wZ1aB5cD6eF0gH2jM4nP7sU"


def _run_import(tmp_path, **env):
    """``python -c "import app"`` in the repository with a clean, controlled environment."""
    clean = {key: value for key, value in os.environ.items()
             if key not in {"SECRET_KEY", "DEBUG", "FLASK_DEBUG", "APP_ENV", "DATABASE_URL", "REDIS_URL", "BASE_URL",
                            "TRUST_PROXY_HOPS", "TRUST_FORWARDED_HOST", "TRUSTED_HOSTS", "PORT"}}
    clean["DATABASE_URL"] = f"sqlite:///{tmp_path}/start.sqlite3"
    clean.update(env)
    code = "import app; print(app.app.test_client().get('/healthz').status_code)"
    return subprocess.run([sys.executable, "-c", code], cwd=REPO, env=clean, capture_output=True, text=True,
                          timeout=60)


def test_production_without_secret_key_refuses_to_start(tmp_path):
    result = _run_import(tmp_path, APP_ENV="production")
    assert result.returncode == 2
    assert result.stderr.startswith("error: Refusing to start in production: SECRET_KEY must be set in the environment")
    assert "Traceback" not in result.stderr
    assert result.stdout == ""


def test_production_with_short_secret_key_refuses_to_start(tmp_path):
    result = _run_import(tmp_path, APP_ENV="production", SECRET_KEY="changeme")
    assert result.returncode == 2
    assert "SECRET_KEY is too weak (use at least 32 random characters)" in result.stderr


def test_production_with_a_long_repeated_word_as_secret_refuses_to_start(tmp_path):
    result = _run_import(tmp_path, APP_ENV="production", SECRET_KEY="password" * 8)
    assert result.returncode == 2
    assert result.stderr.strip() == (
        "error: Refusing to start in production: SECRET_KEY is too weak (use at least 32 random characters).")


@pytest.mark.parametrize("weak", ["password" * 8, "changeme-" * 6, "ab" * 40, "Summer2026!" * 4,
                                  "a" * 64])
def test_weak_long_secrets_score_below_the_minimum(weak):
    assert len(weak) >= SECRET_KEY_MIN
    assert estimated_secret_bits(weak) < SECRET_KEY_MIN_BITS
    with pytest.raises(ConfigError, match="SECRET_KEY is too weak"):
        check_production_safety({"APP_ENV": "production", "SECRET_KEY": weak, "SECRET_KEY_FROM_ENV": True})


def test_random_secrets_of_the_minimum_length_pass():
    import secrets

    for _ in range(500):
        for key in (secrets.token_hex(16), secrets.token_urlsafe(24), secrets.token_urlsafe(48)):
            assert estimated_secret_bits(key) >= SECRET_KEY_MIN_BITS, key
    check_production_safety({"APP_ENV": "production", "SECRET_KEY": GOOD_SECRET, "SECRET_KEY_FROM_ENV": True})


@pytest.mark.parametrize("flag", ["DEBUG", "FLASK_DEBUG"])
def test_production_with_debug_refuses_to_start(tmp_path, flag):
    result = _run_import(tmp_path, APP_ENV="production", SECRET_KEY=GOOD_SECRET, **{flag: "1"})
    assert result.returncode == 2
    assert result.stderr.strip() == "error: Refusing to start in production: DEBUG (or FLASK_DEBUG) must be off."


def test_production_with_good_secret_starts_and_answers(tmp_path):
    result = _run_import(tmp_path, APP_ENV="production", SECRET_KEY=GOOD_SECRET)
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == "200"


def test_bad_number_in_environment_is_a_clear_error(tmp_path):
    result = _run_import(tmp_path, MAIL_PORT="smtp")
    assert result.returncode == 2
    assert result.stderr.strip() == "error: MAIL_PORT must be a whole number, not 'smtp'."


def test_development_secret_is_generated_once_and_reused(tmp_path, monkeypatch):
    monkeypatch.delenv("SECRET_KEY", raising=False)
    monkeypatch.delenv("APP_ENV", raising=False)
    first = load_config(str(tmp_path))["SECRET_KEY"]
    second = load_config(str(tmp_path))["SECRET_KEY"]
    assert first == second
    assert len(first) >= 60
    assert (tmp_path / "secret_key").stat().st_mode & 0o777 == 0o600


def test_production_never_writes_a_secret_file(tmp_path, monkeypatch):
    monkeypatch.delenv("SECRET_KEY", raising=False)
    monkeypatch.setenv("APP_ENV", "production")
    config = load_config(str(tmp_path))
    assert config["SECRET_KEY"] is None
    assert not (tmp_path / "secret_key").exists()
    with pytest.raises(ConfigError):
        check_production_safety(config)


def test_https_base_url_turns_on_secure_cookies(tmp_path, monkeypatch):
    monkeypatch.setenv("BASE_URL", "https://convention.example/")
    config = load_config(str(tmp_path))
    assert config["BASE_URL"] == "https://convention.example"
    assert config["PREFERRED_URL_SCHEME"] == "https"
    assert config["SESSION_COOKIE_SECURE"] is True
    assert config["REMEMBER_COOKIE_SECURE"] is True
    assert config["SESSION_COOKIE_HTTPONLY"] is True
    assert config["SESSION_COOKIE_SAMESITE"] == "Lax"
    assert config["PERMANENT_SESSION_LIFETIME"] == timedelta(hours=12)


def test_http_base_url_keeps_cookies_usable_locally(tmp_path, monkeypatch):
    monkeypatch.setenv("BASE_URL", "http://127.0.0.1:5000")
    config = load_config(str(tmp_path))
    assert config["SESSION_COOKIE_SECURE"] is False
    assert config["REMEMBER_COOKIE_SECURE"] is False


def test_postgres_urls_use_psycopg3(tmp_path, monkeypatch):
    monkeypatch.setenv("DATABASE_URL", "postgres://u:p@db.internal:5432/conv")
    assert load_config(str(tmp_path))["SQLALCHEMY_DATABASE_URI"] == "postgresql+psycopg://u:p@db.internal:5432/conv"


def test_secure_cookie_set_over_https_app(make_app):
    from tests.conftest import csrf_token_from

    extra = make_app(BASE_URL="https://localhost", SESSION_COOKIE_SECURE=True, REMEMBER_COOKIE_SECURE=True)
    client = extra.test_client()
    csrf_token_from(client.get("/login", base_url="https://localhost").get_data(as_text=True))
    response = client.get("/login", base_url="https://localhost")
    cookie = client.get_cookie("session", domain="localhost")
    assert cookie is not None and cookie.secure and cookie.http_only
    assert cookie.same_site == "Lax"
    assert response.headers["Strict-Transport-Security"].startswith("max-age=")


def test_trust_proxy_hops_reads_forwarded_headers(make_app):
    extra = make_app(TRUST_PROXY_HOPS=1)
    seen = {}

    @extra.get("/test-whoami")
    def whoami():
        from flask import request

        seen.update(addr=request.remote_addr, secure=request.is_secure, host=request.host)
        return "ok"

    whoami.access_rule = "public"
    response = extra.test_client().get("/test-whoami", headers={
        "X-Forwarded-For": "203.0.113.9, 198.51.100.7", "X-Forwarded-Proto": "https",
        "X-Forwarded-Host": "convention.example"})
    assert response.status_code == 200
    # One trusted hop: only the address the load balancer added is believed; the host
    # comes from the Host header (X-Forwarded-Host needs TRUST_FORWARDED_HOST).
    assert seen == {"addr": "198.51.100.7", "secure": True, "host": "localhost"}


def test_without_trust_proxy_hops_forwarded_headers_are_ignored(make_app):
    extra = make_app()
    seen = {}

    @extra.get("/test-whoami")
    def whoami():
        from flask import request

        seen.update(addr=request.remote_addr, secure=request.is_secure)
        return "ok"

    whoami.access_rule = "public"
    extra.test_client().get("/test-whoami", headers={"X-Forwarded-For": "203.0.113.9", "X-Forwarded-Proto": "https"})
    assert seen == {"addr": "127.0.0.1", "secure": False}


def test_login_still_answers_when_rate_limit_storage_is_down(tmp_path):
    # A separate process: the limiter is one object per process and must not be rebound here.
    code = f"""
from convention import create_app
from convention.extensions import db
app = create_app({{"TESTING": True, "SECRET_KEY": "{GOOD_SECRET}", "WTF_CSRF_ENABLED": False,
                   "SQLALCHEMY_DATABASE_URI": "sqlite:///{tmp_path}/rl.sqlite3",
                   "RATELIMIT_STORAGE_URI": "redis+unix:///nonexistent/convention-test.sock"}})
with app.app_context():
    db.create_all()
client = app.test_client()
print([client.post("/login", data={{"email": "a@example.org", "password": "wrong password"}}).status_code
       for _ in range(2)])
"""
    result = subprocess.run([sys.executable, "-c", code], cwd=REPO, capture_output=True, text=True, timeout=60,
                            env={k: v for k, v in os.environ.items() if k not in {"DATABASE_URL", "REDIS_URL"}})
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == "[401, 401]"


def test_production_warnings_name_risky_but_working_settings():
    from convention.config import production_warnings

    risky = {"APP_ENV": "production", "BASE_URL": "http://convention.example",
             "SQLALCHEMY_DATABASE_URI": "sqlite:////srv/instance/convention.sqlite3", "REDIS_URL": None}
    assert production_warnings(risky) == [
        "BASE_URL is not https://: cookies are sent without the Secure flag",
        "DATABASE_URL is not set: running on SQLite, which serves one host only",
        "REDIS_URL is not set: rate limits are counted per process and mail is sent inline",
    ]
    good = {"APP_ENV": "production", "BASE_URL": "https://convention.example",
            "SQLALCHEMY_DATABASE_URI": "postgresql+psycopg://db/conv", "REDIS_URL": "redis://cache:6379/0"}
    assert production_warnings(good) == []
    assert production_warnings({**risky, "APP_ENV": "development"}) == []


def test_production_start_logs_the_warnings(tmp_path):
    result = _run_import(tmp_path, APP_ENV="production", SECRET_KEY=GOOD_SECRET, BASE_URL="http://convention.example")
    assert result.returncode == 0
    assert "Production setting: BASE_URL is not https://: cookies are sent without the Secure flag." in result.stderr
