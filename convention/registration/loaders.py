"""Object loaders for ``guarded(load=...)``: the one place registration turns "missing"
(or "belongs to another edition") into a 404 for its views, and payments' views."""

from __future__ import annotations

import sqlalchemy as sa
from flask import abort

from convention.editions.loaders import get_edition_or_404, get_owned_or_404
from convention.extensions import db
from convention.registration.models import (
    Attendee,
    Order,
    Quota,
    TicketCategory,
    TicketType,
    Voucher,
    WaitingListEntry,
)
from convention.registration.reports import get_order_by_code

# -- public pages -----------------------------------------------------------------------


def load_order(slug: str, secret: str) -> dict:
    """The order behind a secret link."""
    edition = get_edition_or_404(slug)
    order = db.session.scalar(
        sa.select(Order)
        .where(Order.secret == secret, Order.edition_id == edition.id)
        .options(sa.orm.selectinload(Order.attendees))
    )
    if order is None:
        abort(404)
    return {"edition": edition, "order": order}


def load_shop_ticket_type(slug: str, ticket_type_id: int) -> dict:
    """A ticket type sold in the shop (free registrations have no waiting list)."""
    edition = get_edition_or_404(slug)
    ticket_type = get_owned_or_404(edition, TicketType, ticket_type_id)
    if ticket_type.category is not TicketCategory.TICKET:
        abort(404)
    return {"edition": edition, "ticket_type": ticket_type}


def load_attendee(slug: str, code: str) -> dict:
    """The edition and one of its registrations, by its public code (the door's search, a
    badge to print)."""
    edition = get_edition_or_404(slug)
    attendee = db.session.scalar(sa.select(Attendee).where(Attendee.code == code[:16], Attendee.edition_id == edition.id))
    if attendee is None:
        abort(404)
    return {"edition": edition, "attendee": attendee}


def load_waiting_entry(slug: str, secret: str) -> dict:
    edition = get_edition_or_404(slug)
    entry = db.session.scalar(
        sa.select(WaitingListEntry).where(WaitingListEntry.secret == secret, WaitingListEntry.edition_id == edition.id)
    )
    if entry is None:
        abort(404)
    return {"edition": edition, "entry": entry}


# -- organizer pages (a missing id: a new one) ------------------------------------------


def load_ticket_type(slug: str, ticket_type_id: int | None = None) -> dict:
    edition = get_edition_or_404(slug)
    return {"edition": edition,
            "ticket_type": None if ticket_type_id is None else get_owned_or_404(edition, TicketType, ticket_type_id)}


def load_quota(slug: str, quota_id: int | None = None) -> dict:
    edition = get_edition_or_404(slug)
    return {"edition": edition, "quota": None if quota_id is None else get_owned_or_404(edition, Quota, quota_id)}


def load_voucher(slug: str, voucher_id: int) -> dict:
    edition = get_edition_or_404(slug)
    return {"edition": edition, "voucher": get_owned_or_404(edition, Voucher, voucher_id)}


def load_order_by_code(slug: str, code: str) -> dict:
    edition = get_edition_or_404(slug)
    order = get_order_by_code(edition, code)
    if order is None:
        abort(404)
    return {"edition": edition, "order": order}
