"""The emails about an order, and the secret link they carry.

Below every rule that changes an order (services, waiting list, free registrations), so
that each of them can write to the buyer without importing the others.
"""

from __future__ import annotations

from convention.core import signals
from convention.core.urls import external_url
from convention.editions.models import Edition
from convention.extensions import db
from convention.mail.services import queue_email
from convention.registration.models import Order


def edition_of(order: Order) -> Edition:
    return db.session.get(Edition, order.edition_id)


def order_url(order: Order) -> str:
    """The order page's absolute secret link (for emails and the organizers' page)."""
    return external_url("registration.order_page", slug=edition_of(order).slug, secret=order.secret)


def email_order(order: Order, template: str, *, language: str | None = None, attach: bool = False,
                **context) -> None:
    """Queue ``template`` to the buyer, with the order, its edition and its link; in
    ``language`` when the caller knows the buyer's, else in their account's, else in the
    one they ordered in (``order.language``).
    ``attach``: a confirmation, carrying what other domains attach to it (the badges)."""
    attachments = []
    if attach:
        answers = signals.order_attachments_asked.send(
            signals.OrderAttachmentsAsked(order.edition_id, order.id, language, None))
        attachments = [attachment for answer in answers if answer for attachment in answer]
    queue_email(
        template,
        to=order.email,
        context={"order": order, "edition": edition_of(order), "link": order_url(order), **context},
        edition_id=order.edition_id,
        language=language,
        default_language=order.language,
        attachments=attachments,
    )
