"""A signed-in person's own orders and tickets, found by their confirmed email address."""

from __future__ import annotations

from dataclasses import dataclass

import sqlalchemy as sa

from convention.editions.models import Edition
from convention.extensions import db
from convention.registration.models import Attendee, Order


@dataclass(frozen=True)
class PersonOrder:
    order: Order
    edition: Edition
    is_buyer: bool  # bought with this address: the order page (its secret link) is theirs
    tickets: list[Attendee]  # the seats on it: all of them for the buyer, else those in their name


def orders_of_person(user) -> list[PersonOrder]:
    """Orders bought with the user's address or holding a ticket for it, complimentary ones
    included, newest first. Nothing until the address is confirmed: an account made with
    someone else's address must not show that person's orders."""
    if user is None or not getattr(user, "email_confirmed", False):
        return []
    email = user.email.strip().lower()
    as_attendee = sa.select(Attendee.order_id).where(sa.func.lower(Attendee.email) == email)
    rows = db.session.execute(
        sa.select(Order, Edition)
        .join(Edition, Edition.id == Order.edition_id)
        .where(sa.or_(sa.func.lower(Order.email) == email, Order.id.in_(as_attendee)))
        .options(sa.orm.selectinload(Order.attendees).joinedload(Attendee.ticket_type))
        .order_by(Order.created_at.desc(), Order.id.desc())
    ).all()
    result = []
    for order, edition in rows:
        is_buyer = order.email.strip().lower() == email
        tickets = list(order.attendees) if is_buyer else [
            a for a in order.attendees if (a.email or "").strip().lower() == email]
        result.append(PersonOrder(order, edition, is_buyer, tickets))
    return result
