"""The door's search: find a registration by name or order code, for someone without a badge."""

from __future__ import annotations

from dataclasses import dataclass

import sqlalchemy as sa

from convention.core.search import contains, contains_pattern
from convention.extensions import db
from convention.registration.models import Attendee, Order, OrderState, TicketType

LIMIT = 25


@dataclass(frozen=True)
class Found:
    code: str  # the attendee's public identifier
    name: str
    organisation: str
    ticket_type: str
    order_code: str
    is_paid: bool


def search_registrations(edition, text: str) -> list[Found]:
    """At most LIMIT registrations of ``edition`` whose name contains ``text`` or whose order
    code is ``text``; the paid ones first, then by name."""
    text = (text or "").strip()[:120]
    if len(text) < 2:
        return []
    query = (
        sa.select(Attendee.code, Attendee.name, Attendee.organisation, TicketType.name, Order.code, Order.state)
        .join(Order, Order.id == Attendee.order_id)
        .join(TicketType, TicketType.id == Attendee.ticket_type_id)
        .where(Attendee.edition_id == edition.id,
               sa.or_(contains(Attendee.name, contains_pattern(text)), Order.code == text.upper()))
        .order_by((Order.state == OrderState.PAID).desc(), Attendee.name, Attendee.id)
        .limit(LIMIT)
    )
    return [Found(code, name, organisation, type_name, order_code, state == OrderState.PAID)
            for code, name, organisation, type_name, order_code, state in db.session.execute(query)]
