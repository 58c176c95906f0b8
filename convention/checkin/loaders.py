"""Loaders for the door's views: URL arguments in, objects out, or a 404."""

from __future__ import annotations

from convention.badges.models import TicketKey
from convention.checkin.models import CheckinList
from convention.editions.loaders import get_edition_or_404, get_owned_or_404


def load_checkin_list(slug: str, list_id: int) -> dict:
    """The edition and one of its check-in lists."""
    edition = get_edition_or_404(slug)
    return {"edition": edition, "checkin_list": get_owned_or_404(edition, CheckinList, list_id)}


def load_ticket_key(slug: str, key_id: int) -> dict:
    """The edition and one of its ticket signing keys."""
    edition = get_edition_or_404(slug)
    return {"edition": edition, "key": get_owned_or_404(edition, TicketKey, key_id)}
