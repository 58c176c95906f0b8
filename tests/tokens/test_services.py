"""API tokens: issued once, stored hashed, refused when revoked, of another edition or scope."""

from __future__ import annotations

import hashlib
from datetime import timedelta
from types import SimpleNamespace

import pytest
import sqlalchemy as sa

from convention.audit.models import AuditEntry
from convention.core.errors import DomainError, NotFound, Unauthorized
from convention.extensions import db
from convention.tokens.models import ApiToken
from convention.tokens.services import (
    LAST_USED_RESOLUTION,
    TOKEN_PREFIX,
    authenticate,
    bearer_of,
    create_token,
    list_tokens,
    revoke_token,
)
from tests.factories import make_edition, make_user
from tests.queries import count_queries


def _issue(edition, scope="checkin", name="Gate A phone"):
    issued = create_token(edition, scope=scope, name=name, actor=None)
    db.session.commit()
    return issued


def test_a_token_is_shown_once_and_stored_as_its_sha256(db):
    edition = make_edition()
    issued = _issue(edition)
    assert issued.secret.startswith(TOKEN_PREFIX) and len(issued.secret) == len(TOKEN_PREFIX) + 43
    row = db.session.get(ApiToken, issued.token.id)
    assert row.token_hash == hashlib.sha256(issued.secret.encode()).hexdigest()
    assert issued.secret not in {row.token_hash, row.prefix, row.name}
    assert issued.secret.startswith(row.prefix) and len(row.prefix) == len(TOKEN_PREFIX) + 8
    assert (row.scope, row.name, row.revoked_at, row.last_used_at) == ("checkin", "Gate A phone", None, None)
    entry = db.session.scalar(sa.select(AuditEntry).where(AuditEntry.action == "api_token.created"))
    assert entry.data == {"name": "Gate A phone", "scope": "checkin", "prefix": row.prefix}
    assert _issue(edition).secret != issued.secret


def test_authenticate_returns_the_token_and_notes_its_use(db):
    edition = make_edition()
    issued = _issue(edition)
    token = authenticate(issued.secret, "checkin", edition)
    assert token.id == issued.token.id
    db.session.commit()
    db.session.expire_all()
    first_use = db.session.get(ApiToken, token.id).last_used_at
    assert first_use is not None


def test_last_use_is_written_at_most_once_a_minute(db):
    edition = make_edition()
    issued = _issue(edition)
    token_id = issued.token.id
    authenticate(issued.secret, "checkin", edition)
    db.session.commit()
    same_edition = SimpleNamespace(id=edition.id)  # count_queries starts a new session
    with count_queries() as queries:
        authenticate(issued.secret, "checkin", same_edition)
    assert len(queries) == 1  # the select; no update within the minute
    token = db.session.get(ApiToken, token_id)
    token.last_used_at -= LAST_USED_RESOLUTION + timedelta(seconds=1)
    stale = token.last_used_at
    db.session.commit()
    authenticate(issued.secret, "checkin", same_edition)
    db.session.commit()
    db.session.expire_all()
    assert db.session.get(ApiToken, token_id).last_used_at > stale


@pytest.mark.parametrize("bearer", [None, "", "nonsense", TOKEN_PREFIX, TOKEN_PREFIX + "x" * 43, "cvt_" + "y" * 500])
def test_unknown_or_malformed_tokens_are_refused(db, bearer):
    edition = make_edition()
    _issue(edition)
    with pytest.raises(Unauthorized) as refused:
        authenticate(bearer, "checkin", edition)
    assert refused.value.status_code == 401


def test_a_revoked_token_is_refused_at_once(db):
    edition = make_edition()
    issued = _issue(edition)
    organizer = make_user()
    revoke_token(edition, issued.token.id, actor=organizer)
    db.session.commit()
    with pytest.raises(Unauthorized):
        authenticate(issued.secret, "checkin", edition)
    first = db.session.get(ApiToken, issued.token.id).revoked_at
    revoke_token(edition, issued.token.id, actor=organizer)  # twice: nothing changes
    assert db.session.get(ApiToken, issued.token.id).revoked_at == first
    assert db.session.scalar(sa.select(sa.func.count()).where(AuditEntry.action == "api_token.revoked")) == 1


def test_a_token_works_only_for_its_edition_and_scope(db):
    edition, other = make_edition(), make_edition()
    issued = _issue(edition, scope="schedule:read")
    assert authenticate(issued.secret, "schedule:read", edition).id == issued.token.id
    with pytest.raises(Unauthorized):
        authenticate(issued.secret, "checkin", edition)
    with pytest.raises(Unauthorized):
        authenticate(issued.secret, "schedule:read", other)
    with pytest.raises(NotFound):
        revoke_token(other, issued.token.id)


def test_scope_and_name_are_checked(db):
    edition = make_edition()
    with pytest.raises(DomainError) as bad_scope:
        create_token(edition, scope="admin", name="x")
    assert bad_scope.value.field == "scope"
    with pytest.raises(DomainError) as no_name:
        create_token(edition, scope="orders:read", name="  ")
    assert no_name.value.field == "name"


def test_the_list_shows_active_tokens_first_in_one_query(db):
    edition = make_edition()
    old = _issue(edition, name="Old phone").token.id
    _issue(edition, name="New phone")
    revoke_token(edition, old)
    _issue(edition, name="Newest phone")
    db.session.commit()
    same_edition = SimpleNamespace(id=edition.id)  # count_queries starts a new session
    with count_queries() as queries:
        names = [token.name for token in list_tokens(same_edition)]
    assert names == ["Newest phone", "New phone", "Old phone"]
    assert len(queries) == 1


@pytest.mark.parametrize(
    ("header", "expected"),
    [("Bearer abc", "abc"), ("bearer  abc ", "abc"), ("Basic abc", None), ("Bearer", None), (None, None), ("", None)],
)
def test_bearer_of_reads_the_authorization_header(header, expected):
    assert bearer_of(header) == expected
