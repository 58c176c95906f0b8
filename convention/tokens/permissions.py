"""Bearer tokens on the routes that accept them, checked once before the view.

A view marked ``@accepts_token(scope)`` answers to a session (the usual guard, CSRF
included) or to ``Authorization: Bearer TOKEN`` of that scope for the URL's edition.
``check_bearer`` runs before the area guards (``create_app`` installs it first): with a
bearer it authenticates the token, keeps it in ``g.api_token`` (``device_token`` reads it
for the permission predicates) and skips CSRF, which protects cookies, not headers a
browser never sends by itself; an unknown or revoked token answers 401 JSON at once.
Without a bearer the request is a session request and CSRF is checked as for any form.
"""

from __future__ import annotations

from flask import Flask, current_app, g, jsonify, request

from convention.core.errors import Unauthorized
from convention.editions.loaders import get_edition_or_404, remember_edition
from convention.extensions import csrf
from convention.tokens.models import ApiToken
from convention.tokens.services import authenticate_at, bearer_of


def accepts_token(scope: str):
    """Mark a view as open to bearer tokens of ``scope`` (its own ``guarded`` still runs)."""

    def decorator(view):
        view.token_scope = scope
        return csrf.exempt(view)

    return decorator


def device_token(edition, scope: str) -> ApiToken | None:
    """The token this request was authenticated with, if it is for ``edition`` and ``scope``."""
    token = g.get("api_token")
    if token is None or token.edition_id != edition.id or token.scope != scope:
        return None
    return token


def check_bearer():
    endpoint = request.endpoint
    view = current_app.view_functions.get(endpoint) if endpoint else None
    scope = getattr(view, "token_scope", None)
    if scope is None:
        return None
    bearer = bearer_of(request.headers.get("Authorization"))
    if bearer is None:
        if request.method in current_app.config["WTF_CSRF_METHODS"]:
            csrf.protect()  # a session request: CSRF as usual
        return None
    slug = (request.view_args or {}).get("slug", "")
    try:
        g.api_token, edition = authenticate_at(bearer, scope, slug)
    except Unauthorized as refused:
        get_edition_or_404(slug)  # an edition that is not there (or not shown) is a 404 first
        return jsonify(error=refused.message), 401, {"WWW-Authenticate": 'Bearer error="invalid_token"'}
    remember_edition(edition)  # the guards and the view load it again: no second query
    get_edition_or_404(slug)  # a draft stays hidden whatever the token
    return None


def init_token_auth(app: Flask) -> None:
    """Install ``check_bearer``; call before ``init_area_guards``."""
    app.before_request(check_bearer)
