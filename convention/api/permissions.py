"""Bearer-token access for the API, answered in JSON as RFC 6750 says.

``token_required(scope)`` is the API's ``guarded``: it loads the edition named by
``<slug>`` and checks the ``Authorization: Bearer`` token for it with
``tokens.services.authenticate``. A missing, unknown, revoked token, or one of another
edition, answers 401 (``invalid_token``); a valid token of the edition whose scope is not
the one asked answers 403 (``insufficient_scope``). An unknown edition answers like an
unknown token, so the API tells a stranger nothing about which editions exist.
"""

from __future__ import annotations

from functools import wraps

import sqlalchemy as sa
from flask import jsonify, request

from convention.core.errors import Unauthorized
from convention.editions.models import Edition
from convention.extensions import db
from convention.tokens.models import ApiToken
from convention.tokens.services import authenticate, bearer_of, hash_secret

REALM = "convention"


def api_error(status: int, code: str, message: str, *, headers: dict | None = None):
    response = jsonify({"error": code, "message": message})
    response.status_code = status
    response.headers.update(headers or {})
    return response


def _challenge(error: str, message: str, scope: str | None = None) -> str:
    words = [f'realm="{REALM}"', f'error="{error}"', f'error_description="{message}"']
    if scope:
        words.append(f'scope="{scope}"')
    return "Bearer " + ", ".join(words)


def unauthorized(message: str):
    return api_error(401, "invalid_token", message, headers={"WWW-Authenticate": _challenge("invalid_token", message)})


def insufficient_scope(scope: str):
    message = f"This token does not have the scope {scope}."
    return api_error(
        403,
        "insufficient_scope",
        message,
        headers={"WWW-Authenticate": _challenge("insufficient_scope", message, scope)},
    )


def _active_token_of(edition: Edition, bearer: str) -> ApiToken | None:
    """The edition's active token ``bearer``, whatever its scope (asked only after a refusal)."""
    return db.session.scalar(
        sa.select(ApiToken).where(
            ApiToken.token_hash == hash_secret(bearer), ApiToken.edition_id == edition.id, ApiToken.revoked_at.is_(None)
        )
    )


def check_token(slug: str, scope: str):
    """``(edition, None)`` when the request's token opens ``scope`` of the edition at
    ``slug``, else ``(None, the JSON refusal)``."""
    bearer = bearer_of(request.headers.get("Authorization"))
    if bearer is None:
        return None, unauthorized("Send an API token: Authorization: Bearer <token>.")
    edition = db.session.scalar(sa.select(Edition).where(Edition.slug == slug))
    refused = unauthorized("This API token is unknown, revoked, or not for this edition.")
    if edition is None:
        return None, refused
    try:
        authenticate(bearer, scope, edition)
    except Unauthorized:
        return None, insufficient_scope(scope) if _active_token_of(edition, bearer) else refused
    return edition, None


def token_required(scope: str):
    """Guard an API view: the view gets ``edition`` instead of ``slug``."""

    def decorator(view):
        @wraps(view)
        def wrapper(slug: str, **kwargs):
            edition, refusal = check_token(slug, scope)
            if refusal is not None:
                return refusal
            response = view(edition=edition, **kwargs)
            # The one write of an API request: the token's last use (at most once a minute
            # per token, see tokens.services.authenticate). This guard is its outermost caller.
            db.session.commit()
            return response

        wrapper.access_rule = "api_token"
        wrapper.api_scope = scope
        return wrapper

    return decorator
