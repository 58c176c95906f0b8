"""Loaders for the badges' views: URL arguments in, objects out, or a 404."""

from __future__ import annotations

import sqlalchemy as sa
from flask import abort

from convention.badges.models import BadgeSheet
from convention.editions.loaders import get_edition_or_404
from convention.extensions import db


def load_sheet(slug: str, token: str) -> dict:
    """One of the edition's print sheets, by its random token."""
    edition = get_edition_or_404(slug)
    sheet = db.session.scalar(
        sa.select(BadgeSheet).where(BadgeSheet.token == token[:32], BadgeSheet.edition_id == edition.id)
    )
    if sheet is None:
        abort(404)
    return {"edition": edition, "sheet": sheet}
