"""Card payments as a registration payment provider (the strategy registration looks up by key)."""

from __future__ import annotations

from datetime import timedelta

import sqlalchemy as sa
from flask import Flask
from flask_babel import lazy_gettext
from sqlalchemy.orm import Session

from convention.core.signals import OrderReleased, order_released
from convention.core.timeutil import utcnow
from convention.core.urls import external_url
from convention.editions.models import Edition
from convention.extensions import db
from convention.payments import session_expiry
from convention.payments.checkout import STRIPE, refund_stripe_payment, start_checkout
from convention.payments.stripe_gateway import is_configured
from convention.registration.models import Order
from convention.registration.payment_providers import register_provider


class StripeProvider:
    """Paid orders go to Stripe Checkout; the webhook, never the return, makes them paid."""

    key = STRIPE
    label = lazy_gettext("Card (Stripe)")
    has_payment_page = True

    def is_available(self, app: Flask) -> bool:
        return is_configured(app.config)

    def start_payment(self, order: Order) -> str | None:
        """The Checkout page to send the buyer to (an open session is reused)."""
        if order.expires_at is None:  # defensive: a reservation always has a deadline
            order.expires_at = utcnow() + timedelta(minutes=30)
        checkout = start_checkout(
            order,
            success_url=payment_url("payments.payment_done", order),
            cancel_url=payment_url("payments.payment_cancelled", order),
        )
        return checkout.url

    def refund(self, order: Order, *, amount_cents: int, reason: str) -> str:
        return refund_stripe_payment(order, amount_cents=amount_cents, reason=reason)


def payment_url(endpoint: str, order: Order) -> str:
    edition = db.session.get(Edition, order.edition_id)
    return external_url(endpoint, slug=edition.slug, secret=order.secret)


def _on_order_released(event: OrderReleased) -> None:
    session_expiry.on_order_released(db.session.get(Order, event.order_id))


def connect_receivers() -> None:
    """Called by the app factory: end the Checkout Session of every reservation registration
    releases (connecting twice changes nothing)."""
    order_released.connect(_on_order_released)


def init_payments(app: Flask) -> None:
    """Offer card payments to registration (the provider is available only with both Stripe
    keys); expire released reservations' sessions once their release is committed."""
    register_provider(StripeProvider())
    for name, hook in (("after_commit", session_expiry.expire_after_commit),
                       ("after_rollback", session_expiry.forget_pending_expiry)):
        if not sa.event.contains(Session, name, hook):
            sa.event.listen(Session, name, hook)
