"""The payment-provider registry: a strategy per way of paying, chosen by key.

Each provider registers itself by its key: registration's own bank transfer here, as the
fallback, and the payments domain its providers when the app starts. Registration names
no provider of another domain: an order's ``payment_method`` is a key looked up here,
and a new paid order goes to the first available provider that is not a fallback.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Protocol, runtime_checkable

from flask_babel import gettext, lazy_gettext

from convention.audit.services import record_audit
from convention.registration.errors import UnknownPaymentProvider
from convention.registration.models import PaymentMethod

if TYPE_CHECKING:
    from flask import Flask

    from convention.registration.models import Order


@runtime_checkable
class PaymentProvider(Protocol):
    key: str
    label: str
    # Whether start_payment sends the buyer to the provider's page; without one, the
    # order page tells how to pay and start_payment has nothing to do.
    has_payment_page: bool

    def is_available(self, app: Flask) -> bool:
        """Whether this provider can take payments with the app's configuration."""

    def start_payment(self, order: Order) -> str | None:
        """A URL to send the buyer to, or None to show the order page with instructions."""

    def refund(self, order: Order, *, amount_cents: int, reason: str) -> str:
        """Refund ``amount_cents`` of a paid order; returns a reference for the records."""


_providers: dict[str, PaymentProvider] = {}
_fallbacks: set[str] = set()


def register_provider(provider: PaymentProvider, *, fallback: bool = False) -> None:
    """Offer ``provider`` under its key (again: replaced in place). A ``fallback`` is chosen
    for new orders only when no other available provider is."""
    _providers[provider.key] = provider
    if fallback:
        _fallbacks.add(provider.key)
    else:
        _fallbacks.discard(provider.key)


def get_provider(key: str) -> PaymentProvider:
    try:
        return _providers[key]
    except KeyError:
        raise UnknownPaymentProvider(gettext("No payment provider %(key)r.", key=key)) from None


def available_providers(app: Flask) -> list[PaymentProvider]:
    return [provider for provider in _providers.values() if provider.is_available(app)]


def payment_methods() -> list[str]:
    """Every value an order's ``payment_method`` can take: free, each registered provider's
    key (in the order they registered), complimentary."""
    return [PaymentMethod.FREE.value, *(key for key in _providers if key != PaymentMethod.FREE),
            PaymentMethod.COMPLIMENTARY.value]


def choose_provider(app: Flask) -> PaymentProvider:
    """The provider a new paid order goes to: the first available one that is not a
    fallback (in registration order), else the first fallback (available ones first)."""
    available = available_providers(app)
    for provider in available:
        if provider.key not in _fallbacks:
            return provider
    fallbacks = sorted((p for key, p in _providers.items() if key in _fallbacks), key=lambda p: p not in available)
    if not fallbacks:
        raise UnknownPaymentProvider(gettext("No payment provider is available."))
    return fallbacks[0]


class BankTransferProvider:
    """Pay by bank transfer: the order page shows the reference (the order code) and the
    order stays reserved, for days, until an organizer marks it paid."""

    key = "bank_transfer"
    label = lazy_gettext("Bank transfer")
    has_payment_page = False

    def is_available(self, app: Flask) -> bool:
        return bool(app.config.get("BANK_TRANSFER_ENABLED", True))

    def start_payment(self, order: Order) -> str | None:
        return None

    def refund(self, order: Order, *, amount_cents: int, reason: str) -> str:
        """No money moves here: record a note so an organizer transfers it back by hand."""
        reference = f"manual-refund-{order.code}"
        record_audit(
            "order.manual_refund_note",
            edition_id=order.edition_id,
            target=order,
            data={"amount_cents": amount_cents, "currency": order.currency, "reason": reason, "reference": reference},
        )
        return reference


register_provider(BankTransferProvider(), fallback=True)
