"""Loaders for the door's views: URL arguments in, objects out, or a 404."""

from __future__ import annotations

import sqlalchemy as sa
from flask import abort

from convention.editions.loaders import get_edition_or_404
from convention.extensions import db
from convention.registration.models import Attendee


def load_registration(slug: str, code: str) -> dict:
    """The edition and one of its registrations (an attendee, by its public code)."""
    edition = get_edition_or_404(slug)
    attendee = db.session.scalar(
        sa.select(Attendee).where(Attendee.code == code[:16], Attendee.edition_id == edition.id)
    )
    if attendee is None:
        abort(404)
    return {"edition": edition, "attendee": attendee}
