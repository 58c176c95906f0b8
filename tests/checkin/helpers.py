"""Builders for check-in tests: a paid registration and its signed code."""

from __future__ import annotations

from convention.badges.keys import ticket_code
from convention.extensions import db
from convention.registration.services import mark_order_paid
from tests.registration.helpers import buy, make_ticket_type


def registration(edition, *, paid=True, name="Ada Lovelace", ticket_type=None, **type_fields):
    """A one-seat order in ``edition`` (paid unless told), committed; returns (attendee, code)."""
    ticket_type = ticket_type or make_ticket_type(edition, name=type_fields.pop("type_name", "Conference pass"),
                                                  **type_fields)
    order = buy(edition, {ticket_type: 1}, names=[name])
    if paid:
        mark_order_paid(order, amount_cents=order.total_cents, currency=order.currency, method="bank_transfer",
                        reference="test")
    db.session.commit()
    attendee = order.attendees[0]
    code = ticket_code(edition.id, attendee.code)
    db.session.commit()
    return attendee, code
