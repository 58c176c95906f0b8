"""Shared fixtures: the app, a client, the CLI runner, factories and a login helper.

The suite runs on SQLite by default and on PostgreSQL when DATABASE_URL is set. The
schema is created once per run; after each test every table is emptied, so tests can
commit for real (as the app does) and still leave the database as they found it.
"""

from __future__ import annotations

import os
import re
import tempfile
from pathlib import Path

import pytest
import sqlalchemy as sa
from flask import g, request_started

from convention import create_app
from convention.extensions import db as _db
from convention.extensions import limiter

SHARED_DATA = Path(__file__).resolve().parents[2] / "shared" / "data"


def _test_database_url(tmp_dir: str) -> str:
    url = os.environ.get("DATABASE_URL")
    if url:
        return url
    return f"sqlite:///{tmp_dir}/test.sqlite3"


@pytest.fixture(scope="session")
def app():
    tmp_dir = tempfile.mkdtemp(prefix="convention-tests-")
    os.environ.pop("REDIS_URL", None)
    os.environ.pop("MAIL_SERVER", None)
    application = create_app(
        {
            "TESTING": True,
            "SECRET_KEY": "test-secret-key-that-is-long-enough-0123456789",
            "SQLALCHEMY_DATABASE_URI": _test_database_url(tmp_dir).replace("postgresql://", "postgresql+psycopg://", 1),
            "SERVER_NAME": None,
            # Pinned, whatever BASE_URL or PORT the shell has: tests read these links.
            "BASE_URL": "http://127.0.0.1:5000",
            "TRUSTED_HOSTS": ["127.0.0.1", "localhost"],
            "MAIL_SERVER": None,
            "REDIS_URL": None,
            "RATELIMIT_STORAGE_URI": "memory://",
            "UPLOAD_FOLDER": f"{tmp_dir}/uploads",
            # Cheap argon2id: the library's defaults take ~0.5 s per hash, and most tests hash.
            "ARGON2_PARAMETERS": {"time_cost": 1, "memory_cost": 1024, "parallelism": 1},
            # Organizers in most tests sign in with a password only; the two-factor
            # requirement is tested with it on (tests/accounts/test_two_factor_required.py).
            "REQUIRE_ORGANIZER_2FA": False,
        }
    )
    request_started.connect(_fresh_request_globals, application)
    with application.app_context():
        backend = _db.engine.dialect.name
        print(f"\n[tests] database backend: {backend} ({_db.engine.url.render_as_string(hide_password=True)})")
        _db.drop_all()
        _drop_alembic_version()
        _db.create_all()
    yield application
    with application.app_context():
        _db.session.remove()
        _db.drop_all()
        _db.engine.dispose()


def _fresh_request_globals(sender, **_extra):
    """Give every test request an empty ``g``, as a real server does.

    The autouse fixture below keeps one app context pushed for the whole test, and a
    request made by the test client reuses it; without this, ``g`` (Flask-Login's cached
    user, cached edition roles) would leak from one request, or one client, to the next.
    """
    g.__dict__.clear()


def _drop_alembic_version():
    with _db.engine.begin() as conn:
        conn.execute(sa.text("DROP TABLE IF EXISTS alembic_version"))


@pytest.fixture(autouse=True)
def _clean_database(app):
    """Each test runs in an app context and leaves every table empty behind it."""
    ctx = app.app_context()
    ctx.push()
    limiter.reset()
    yield
    _db.session.rollback()
    _db.session.remove()
    empty_every_table()
    ctx.pop()


def empty_every_table() -> None:
    """Delete every row of every table (children first), inside the current app context."""
    with _db.engine.begin() as conn:
        for table in reversed(_db.metadata.sorted_tables):
            if table.name == "audit_entries" and conn.dialect.name == "postgresql":
                # Its trigger refuses DELETE (append-only); TRUNCATE fires no row trigger.
                conn.execute(sa.text("TRUNCATE audit_entries"))
            else:
                conn.execute(table.delete())


@pytest.fixture
def db(app):
    return _db


@pytest.fixture
def client(app):
    return app.test_client()


@pytest.fixture
def runner(app):
    return app.test_cli_runner()


CSRF_PATTERN = re.compile(r'name="csrf_token" type="hidden" value="([^"]+)"')


def csrf_token_from(html: str) -> str:
    match = CSRF_PATTERN.search(html)
    assert match, "no CSRF token in the page"
    return match.group(1)


class Auth:
    """Sign in and out through the real forms, CSRF token included."""

    def __init__(self, client):
        self.client = client

    def login(self, email: str, password: str = "correct horse battery"):
        token = csrf_token_from(self.client.get("/login").get_data(as_text=True))
        return self.client.post("/login", data={"email": email, "password": password, "csrf_token": token})

    def logout(self):
        token = csrf_token_from(self.client.get("/account").get_data(as_text=True))
        return self.client.post("/logout", data={"csrf_token": token})


@pytest.fixture
def auth(client):
    return Auth(client)


def post_form(client, url: str, data: dict, *, page: str | None = None, **kwargs):
    """GET ``page`` (default ``url``) for a CSRF token, then POST ``data`` to ``url``."""
    token = csrf_token_from(client.get(page or url).get_data(as_text=True))
    return client.post(url, data={**data, "csrf_token": token}, **kwargs)


def pytest_report_header(config):
    """Say which database backend this run uses, in the header of every test run (CI greps it)."""
    url = sa.engine.make_url(_test_database_url("tmp"))
    where = "a new temporary file" if url.get_backend_name() == "sqlite" else url.render_as_string(hide_password=True)
    return f"database backend: {url.get_backend_name()} ({where})"
