"""Loaders for the door's views: URL arguments in, objects out, or a 404."""

from __future__ import annotations

import sqlalchemy as sa
from flask import abort

from convention.badges.models import TicketKey
from convention.checkin.models import CheckinList
from convention.editions.loaders import get_edition_or_404, get_owned_or_404
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


def load_checkin_list(slug: str, list_id: int) -> dict:
    """The edition and one of its check-in lists."""
    edition = get_edition_or_404(slug)
    return {"edition": edition, "checkin_list": get_owned_or_404(edition, CheckinList, list_id)}


def load_ticket_key(slug: str, key_id: int) -> dict:
    """The edition and one of its ticket signing keys."""
    edition = get_edition_or_404(slug)
    return {"edition": edition, "key": get_owned_or_404(edition, TicketKey, key_id)}
