"""Released reservations: their open Checkout Sessions are ended at Stripe, after the commit."""

from __future__ import annotations

import logging

from flask import current_app

from convention.extensions import db
from convention.payments.checkout import checkouts_of
from convention.payments.states import CheckoutStatus
from convention.payments.stripe_gateway import GatewayError, gateway_for, is_configured
from convention.registration.models import Order

log = logging.getLogger(__name__)


_PENDING_EXPIRY = "payments.sessions_to_expire"


def on_order_released(order: Order, **_kwargs) -> None:
    """Registration released an unpaid order: its open Checkout Sessions must end too.

    Stripe is called once the release is committed (``expire_after_commit``), so a
    release that is rolled back keeps its session; the ``checkout.session.expired``
    event that follows marks our record expired.
    """
    if not is_configured(current_app.config):
        return
    session_ids = [c.session_id for c in checkouts_of(order) if c.status is CheckoutStatus.OPEN]
    pending = db.session().info.setdefault(_PENDING_EXPIRY, [])
    pending.extend(sid for sid in session_ids if sid not in pending)


def expire_after_commit(session) -> None:
    """Session ``after_commit`` hook: expire the sessions of the reservations just released."""
    session_ids = session.info.pop(_PENDING_EXPIRY, None)
    if session_ids:
        expire_checkout_sessions(session_ids)


def forget_pending_expiry(session) -> None:
    """Session ``after_rollback`` hook: the releases did not happen, their sessions stay open."""
    session.info.pop(_PENDING_EXPIRY, None)


def expire_checkout_sessions(session_ids: list[str]) -> list[str]:
    """Ask Stripe to expire each session; returns those it expired. A failure is logged, not
    raised: the reservation is released already, and a payment that still lands is handled
    like any late payment (a free seat, or an automatic refund)."""
    if not session_ids:
        return []
    gateway = gateway_for()
    expired = []
    for session_id in session_ids:
        try:
            gateway.expire_session(session_id)
        except GatewayError as error:
            log.warning("Could not expire Stripe session %s of a released order: %s", session_id, error)
        else:
            expired.append(session_id)
    return expired
