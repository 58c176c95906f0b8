"""The organizer's token page, and ``flask tokens create``."""

from __future__ import annotations

import re

import sqlalchemy as sa

from convention.extensions import db
from convention.tokens.models import ApiToken
from convention.tokens.services import TOKEN_PREFIX, authenticate, hash_secret
from tests.conftest import csrf_token_from
from tests.factories import make_edition, make_user
from tests.queries import count_queries

SECRET = re.compile(r'id="issued-secret"[^>]*value="(cvt_[A-Za-z0-9_-]{43})"')


def _organizer_page(client, auth):
    organizer = make_user(email="olivia@example.org")
    edition = make_edition(organizer=organizer)
    auth.login("olivia@example.org")
    page = client.get(f"/{edition.slug}/manage/tokens/")
    assert page.status_code == 200
    return edition, csrf_token_from(page.get_data(as_text=True))


def test_create_shows_the_secret_once_and_revoke_stops_it(client, auth):
    edition, csrf = _organizer_page(client, auth)
    created = client.post(
        f"/{edition.slug}/manage/tokens/", data={"csrf_token": csrf, "name": "Gate B tablet", "scope": "checkin"}
    )
    assert created.status_code == 200
    assert created.headers["Cache-Control"] == "no-store"
    secret = SECRET.search(created.get_data(as_text=True)).group(1)
    token = db.session.scalar(sa.select(ApiToken))
    assert token.token_hash == hash_secret(secret) and token.name == "Gate B tablet"
    listing = client.get(f"/{edition.slug}/manage/tokens/").get_data(as_text=True)
    assert secret not in listing and "Gate B tablet" in listing and token.prefix in listing
    assert "never" in listing
    revoked = client.post(f"/{edition.slug}/manage/tokens/{token.id}/revoke", data={"csrf_token": csrf})
    assert revoked.status_code == 302
    db.session.expire_all()
    assert db.session.get(ApiToken, token.id).revoked_at is not None
    assert "revoked" in client.get(f"/{edition.slug}/manage/tokens/").get_data(as_text=True)


def test_invalid_input_keeps_the_form_and_makes_nothing(client, auth):
    edition, csrf = _organizer_page(client, auth)
    answer = client.post(f"/{edition.slug}/manage/tokens/", data={"csrf_token": csrf, "name": "", "scope": "root"})
    assert answer.status_code == 422
    assert db.session.scalar(sa.select(sa.func.count(ApiToken.id))) == 0
    no_csrf = client.post(f"/{edition.slug}/manage/tokens/", data={"name": "x", "scope": "checkin"})
    assert no_csrf.status_code in (400, 422)
    assert db.session.scalar(sa.select(sa.func.count(ApiToken.id))) == 0


def test_the_page_query_count_does_not_grow_with_tokens(client, auth, runner):
    edition, csrf = _organizer_page(client, auth)
    url = f"/{edition.slug}/manage/tokens/"
    client.post(url, data={"csrf_token": csrf, "name": "One", "scope": "checkin"})
    with count_queries() as one:
        client.get(url)
    for n in range(5):
        client.post(url, data={"csrf_token": csrf, "name": f"Device {n}", "scope": "orders:read"})
    with count_queries() as six:
        client.get(url)
    assert len(six) == len(one)


def test_the_cli_prints_a_working_token_once(runner):
    edition = make_edition(slug="clicon")
    result = runner.invoke(args=["tokens", "create", "--edition", "clicon", "--scope", "checkin", "--name", "Gate C"])
    assert result.exit_code == 0, result.output
    secret = result.stdout.strip().splitlines()[0]
    assert secret.startswith(TOKEN_PREFIX)
    db.session.expire_all()
    assert authenticate(secret, "checkin", edition).name == "Gate C"
    missing = runner.invoke(args=["tokens", "create", "--edition", "nope", "--scope", "checkin"])
    assert missing.exit_code != 0 and "nope" in missing.output
    token_id = db.session.scalar(sa.select(ApiToken.id))
    revoked = runner.invoke(args=["tokens", "revoke", "--edition", "clicon", str(token_id)])
    assert revoked.exit_code == 0
    db.session.expire_all()
    assert db.session.get(ApiToken, token_id).revoked_at is not None
