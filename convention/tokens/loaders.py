"""Loaders for the token pages: URL arguments in, objects out, or a 404."""

from __future__ import annotations

from flask import abort

from convention.editions.loaders import get_edition_or_404
from convention.extensions import db
from convention.tokens.models import ApiToken


def load_token(slug: str, token_id: int) -> dict:
    edition = get_edition_or_404(slug)
    token = db.session.get(ApiToken, token_id)
    if token is None or token.edition_id != edition.id:
        abort(404)
    return {"edition": edition, "token": token}
