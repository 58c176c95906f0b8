"""The payment-provider registry: a strategy per way of paying, chosen by key.

Registration knows bank transfers; the payments domain registers "stripe" at import.
Registration never imports payments: it only looks providers up here.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Protocol, runtime_checkable

from convention.registration.errors import UnknownPaymentProvider

if TYPE_CHECKING:
    from flask import Flask

    from convention.registration.models import Order


@runtime_checkable
class PaymentProvider(Protocol):
    key: str
    label: str

    def is_available(self, app: Flask) -> bool:
        """Whether this provider can take payments with the app's configuration."""

    def start_payment(self, order: Order) -> str | None:
        """A URL to send the buyer to, or None to show the order page with instructions."""

    def refund(self, order: Order, *, amount_cents: int, reason: str) -> str:
        """Refund ``amount_cents`` of a paid order; returns a reference for the records."""


_providers: dict[str, PaymentProvider] = {}


def register_provider(provider: PaymentProvider) -> None:
    _providers[provider.key] = provider


def get_provider(key: str) -> PaymentProvider:
    try:
        return _providers[key]
    except KeyError:
        raise UnknownPaymentProvider(f"No payment provider {key!r}.") from None


def available_providers(app: Flask) -> list[PaymentProvider]:
    return [provider for provider in _providers.values() if provider.is_available(app)]


def choose_provider(app: Flask) -> PaymentProvider:
    """Paid orders go to Stripe when it is configured, else to bank transfer."""
    stripe = _providers.get("stripe")
    if stripe is not None and stripe.is_available(app):
        return stripe
    return get_provider("bank_transfer")


class BankTransferProvider:
    """Pay by bank transfer: the order page shows the reference (the order code) and the
    order stays reserved, for days, until an organizer marks it paid."""

    key = "bank_transfer"
    label = "Bank transfer"

    def is_available(self, app: Flask) -> bool:
        return bool(app.config.get("BANK_TRANSFER_ENABLED", True))

    def start_payment(self, order: Order) -> str | None:
        return None

    def refund(self, order: Order, *, amount_cents: int, reason: str) -> str:
        """No money moves here: record a note so an organizer transfers it back by hand."""
        from convention.audit.services import record_audit

        reference = f"manual-refund-{order.code}"
        record_audit(
            "order.manual_refund_note",
            edition_id=order.edition_id,
            target=order,
            data={"amount_cents": amount_cents, "currency": order.currency, "reason": reason, "reference": reference},
        )
        return reference


register_provider(BankTransferProvider())
