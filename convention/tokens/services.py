"""Issue, revoke and check API tokens (flush, never commit).

A token is ``cvt_`` followed by 43 characters of ``secrets.token_urlsafe(32)``: 256
random bits. Only its sha256 is stored. A slow password hash (argon2, bcrypt) protects
secrets that people choose and that can be guessed; nobody can guess 256 random bits,
so a fast hash loses nothing, and it lets a request find its token by one indexed
lookup of the hash at a few microseconds instead of ~30 ms of argon2 on every scan.
A leaked database therefore gives no usable token.
"""

from __future__ import annotations

import functools
import hashlib
import secrets
from dataclasses import dataclass
from datetime import timedelta

import sqlalchemy as sa
from flask_babel import gettext
from sqlalchemy.orm.attributes import set_committed_value

from convention.audit.services import record_audit
from convention.core.errors import DomainError, NotFound, Unauthorized
from convention.core.timeutil import utcnow
from convention.editions.models import Edition
from convention.extensions import db
from convention.tokens.models import ApiToken, TokenScope

TOKEN_PREFIX = "cvt_"  # noqa: S105 - a label that makes leaked tokens easy to spot, not a secret
_SHOWN_CHARS = 8  # of the random part, after TOKEN_PREFIX: enough to tell a list's tokens apart
_MAX_BEARER_CHARS = 200
# last_used_at is written at most this often per token: a door scanning twice a second
# would otherwise turn every scan into a write of the same row (lock contention).
LAST_USED_RESOLUTION = timedelta(minutes=1)


@dataclass(frozen=True)
class IssuedToken:
    token: ApiToken
    secret: str  # shown once, never stored


def hash_secret(secret: str) -> str:
    return hashlib.sha256(secret.encode("utf-8")).hexdigest()


def create_token(edition, *, scope: str, name: str, actor=None, secret: str | None = None) -> IssuedToken:
    """A new token for ``edition``; the secret is in the answer and nowhere else.

    ``secret`` is for the demo only (its door device gets a token printed with the demo
    logins, public like them); everything else gets 256 random bits."""
    try:
        scope = TokenScope(scope)
    except ValueError:
        raise DomainError(gettext("Choose one of the scopes offered."), field="scope") from None
    name = (name or "").strip()
    if not name or len(name) > 60:
        raise DomainError(gettext("Give the token a name of 1 to 60 characters (the device or client)."), field="name")
    if secret is not None and (not secret.startswith(TOKEN_PREFIX) or len(secret) < 40):
        raise ValueError("a given secret starts with the token prefix and has at least 40 characters")
    secret = secret or TOKEN_PREFIX + secrets.token_urlsafe(32)
    token = ApiToken(
        edition_id=edition.id,
        name=name,
        scope=scope.value,
        token_hash=hash_secret(secret),
        prefix=secret[: len(TOKEN_PREFIX) + _SHOWN_CHARS],
        created_by_id=getattr(actor, "id", None),
    )
    db.session.add(token)
    db.session.flush()
    record_audit(
        "api_token.created",
        actor=actor,
        target=token,
        edition_id=edition.id,
        data={"name": name, "scope": scope.value, "prefix": token.prefix},
    )
    return IssuedToken(token=token, secret=secret)


def revoke_token(edition, token_id: int, *, actor=None) -> ApiToken:
    """The token stops working at once (safe to run twice)."""
    token = db.session.get(ApiToken, token_id)
    if token is None or token.edition_id != edition.id:
        raise NotFound(gettext("There is no such token."))
    if token.revoked_at is None:
        token.revoked_at = utcnow()
        record_audit(
            "api_token.revoked",
            actor=actor,
            target=token,
            edition_id=edition.id,
            data={"name": token.name, "prefix": token.prefix},
        )
        db.session.flush()
    return token


def list_tokens(edition) -> list[ApiToken]:
    """The edition's tokens, active first, newest first (one query)."""
    return list(
        db.session.scalars(
            sa.select(ApiToken)
            .where(ApiToken.edition_id == edition.id)
            .order_by(ApiToken.revoked_at.is_not(None), ApiToken.created_at.desc(), ApiToken.id.desc())
        )
    )


def bearer_of(authorization: str | None) -> str | None:
    """The token of an ``Authorization: Bearer TOKEN`` header, or None when there is none."""
    if not authorization:
        return None
    kind, _, value = authorization.strip().partition(" ")
    if kind.lower() != "bearer":
        return None
    return value.strip() or None


def _refusal() -> Unauthorized:
    return Unauthorized(
        gettext("This API token is not valid for this edition (unknown, revoked or of another scope).")
    )


def _well_formed(bearer: str | None) -> bool:
    return bool(bearer) and len(bearer) <= _MAX_BEARER_CHARS and bearer.startswith(TOKEN_PREFIX)


def authenticate(bearer: str | None, scope: str, edition) -> ApiToken:
    """The active token ``bearer`` of ``edition`` with ``scope``, or ``Unauthorized``.

    One indexed select; ``last_used_at`` is written only when older than
    ``LAST_USED_RESOLUTION`` (so at most one small update per token per minute)."""
    if not _well_formed(bearer):
        raise _refusal()
    token = db.session.scalar(sa.select(ApiToken).where(ApiToken.token_hash == hash_secret(bearer)))
    return _accepted(token, scope, edition.id)


def authenticate_at(bearer: str | None, scope: str, slug: str) -> tuple[ApiToken, Edition]:
    """``authenticate`` for the edition at ``slug``, token and edition read by one select
    (the door's hot path): ``(token, edition)``, or ``Unauthorized``."""
    if not _well_formed(bearer):
        raise _refusal()
    found = db.session.execute(_token_and_edition(), {"token_hash": hash_secret(bearer), "slug": slug}).first()
    if found is None:
        raise _refusal()
    token, edition = found
    return _accepted(token, scope, edition.id), edition


@functools.cache
def _token_and_edition() -> sa.Select:
    """``authenticate_at``'s query, built once per process (values bound at each execution)."""
    return (
        sa.select(ApiToken, Edition)
        .join(Edition, Edition.id == ApiToken.edition_id)
        .where(ApiToken.token_hash == sa.bindparam("token_hash", type_=sa.String),
               Edition.slug == sa.bindparam("slug", type_=sa.String))
    )


def _accepted(token: ApiToken | None, scope: str, edition_id: int) -> ApiToken:
    if token is None or token.revoked_at is not None or token.edition_id != edition_id or token.scope != scope:
        raise _refusal()
    now = utcnow()
    if token.last_used_at is None or now - token.last_used_at >= LAST_USED_RESOLUTION:
        # A conditional UPDATE: two requests racing here write once, and neither waits on the other.
        db.session.execute(
            sa.update(ApiToken)
            .where(
                ApiToken.id == token.id,
                sa.or_(ApiToken.last_used_at.is_(None), ApiToken.last_used_at < now - LAST_USED_RESOLUTION),
            )
            .values(last_used_at=now)
            .execution_options(synchronize_session=False)
        )
        set_committed_value(token, "last_used_at", now)  # written above: no second UPDATE at flush
    return token
