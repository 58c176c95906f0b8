"""What the holder of an order's secret link may do (cancel, change names), and the
ready answers the order page shows, so that no page re-implements a rule."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from flask_babel import gettext

from convention.audit.services import record_audit
from convention.core.errors import DomainError
from convention.core.timeutil import utcnow
from convention.extensions import db
from convention.registration.models import Order, PaymentMethod, RegistrationSettings
from convention.registration.notices import edition_of
from convention.registration.ordering import AttendeeData, clean_attendees
from convention.registration.services import (
    RELEASE_CANCELLED,
    cancel_paid_order,
    expire_if_due,
    has_receipt,
    release_order,
    shown_state,
)
from convention.registration.settings import get_settings
from convention.registration.states import OrderState


@dataclass(frozen=True)
class OrderPage:
    """What the order page shows and offers, each a ready answer."""

    state: OrderState  # as shown: an overdue reservation is already expired
    awaiting_payment: bool
    is_paid: bool
    is_refunded: bool
    pays_by_transfer: bool  # awaiting a bank transfer: the page shows the transfer details
    can_pay: bool  # awaiting a payment the holder starts from the page
    can_confirm: bool  # a free reserved order (a waiting-list offer) the holder confirms
    has_receipt: bool
    names_editable: bool
    refund_if_cancelled: int | None  # None: the holder cannot cancel online
    fee_if_cancelled: int


def order_page(order: Order, settings: RegistrationSettings, now: datetime | None = None) -> OrderPage:
    """Read only: the order page's answers at ``now``."""
    now = now or utcnow()
    state = shown_state(order, now)
    reserved = state is OrderState.RESERVED
    by_transfer = order.payment_method == PaymentMethod.BANK_TRANSFER
    return OrderPage(
        state=state,
        awaiting_payment=reserved,
        is_paid=state is OrderState.PAID,
        is_refunded=state is OrderState.REFUNDED,
        pays_by_transfer=reserved and by_transfer,
        can_pay=reserved and order.total_cents > 0 and not by_transfer,
        can_confirm=reserved and order.total_cents == 0,
        has_receipt=has_receipt(order),
        names_editable=names_editable(order, settings, now),
        refund_if_cancelled=self_cancel_terms(order, settings, now),
        fee_if_cancelled=self_cancel_fee(order, settings),
    )


def self_cancel_terms(order: Order, settings: RegistrationSettings, now: datetime | None = None) -> int | None:
    """What an attendee would get back cancelling now, or None when they cannot cancel."""
    now = now or utcnow()
    state = shown_state(order, now)
    if order.is_complimentary or state not in (OrderState.PAID, OrderState.RESERVED):
        return None
    if state is OrderState.RESERVED:
        return 0
    if settings.self_cancel_until is None or now >= settings.self_cancel_until:
        return None
    return max(0, order.total_cents - order.refunded_cents - settings.cancellation_fee_cents)


def self_cancel_fee(order: Order, settings: RegistrationSettings) -> int:
    """What the organizers keep of a paid order cancelled by its attendee: never more than was paid."""
    if order.state is not OrderState.PAID:
        return 0
    return min(settings.cancellation_fee_cents, max(0, order.total_cents - order.refunded_cents))


def cancel_own_order(order: Order, *, now: datetime | None = None) -> Order:
    """Attendee (holder of the secret link): cancel within the organizers' policy."""
    if expire_if_due(order, now):
        return order  # its time was up: released as expired, which is what they asked for
    settings = get_settings(edition_of(order))
    refund = self_cancel_terms(order, settings, now)
    if refund is None:
        raise DomainError(gettext("This order can no longer be cancelled online; please contact the organizers."))
    if order.state is OrderState.RESERVED:
        return release_order(order, reason=RELEASE_CANCELLED)
    return cancel_paid_order(order, amount_cents=refund, reason="Cancelled by the attendee", actor=None)


def names_editable(order: Order, settings: RegistrationSettings, now: datetime | None = None) -> bool:
    now = now or utcnow()
    if shown_state(order, now) not in (OrderState.PAID, OrderState.RESERVED) or order.is_complimentary:
        return False
    return settings.name_changes_until is None or now < settings.name_changes_until


def update_attendees(order: Order, changes: dict[int, AttendeeData], *, actor=None, now: datetime | None = None) -> Order:
    """Change attendee names (and email, organisation) until the organizers' cut-off."""
    settings = get_settings(edition_of(order))
    if actor is None and not names_editable(order, settings, now):
        raise DomainError(gettext("Attendee details can no longer be changed."))
    by_id = {attendee.id: attendee for attendee in order.attendees}
    if set(changes) - set(by_id):
        raise DomainError(gettext("Unknown attendee."))
    cleaned = clean_attendees(list(changes.values()), len(changes))
    changed = {}
    for attendee_id, data in zip(changes, cleaned, strict=True):
        attendee = by_id[attendee_id]
        before = (attendee.name, attendee.email, attendee.organisation)
        attendee.name, attendee.email, attendee.organisation = data.name, data.email, data.organisation
        fields = [field for field, old, new in zip(("name", "email", "organisation"), before,
                                                    (data.name, data.email, data.organisation), strict=True) if old != new]
        if fields:  # which fields, never their values: the audit log holds no personal data
            changed[attendee.code] = fields
    db.session.flush()
    if changed:
        record_audit("order.attendees_changed", actor=actor, edition_id=order.edition_id, target=order, data=changed)
    return order
