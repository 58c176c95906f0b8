"""Loaders for the token pages: URL arguments in, objects out, or a 404."""

from __future__ import annotations

from convention.editions.loaders import get_edition_or_404, get_owned_or_404
from convention.tokens.models import ApiToken


def load_token(slug: str, token_id: int) -> dict:
    edition = get_edition_or_404(slug)
    return {"edition": edition, "token": get_owned_or_404(edition, ApiToken, token_id)}
