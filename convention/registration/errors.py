"""Errors the registration services raise (views turn them into form messages or 4xx)."""

from __future__ import annotations

from flask_babel import gettext

from convention.core.errors import Conflict, DomainError


class SoldOut(Conflict):
    """No seat left for one of the chosen ticket types (or a quota over them)."""

    def __init__(self, message: str | None = None, *, ticket_type_ids=()):
        super().__init__(message or gettext("Sorry, these tickets are sold out."))
        self.ticket_type_ids = tuple(ticket_type_ids)


class SeatsUnavailable(Conflict):
    """A late payment for a released order found no free seat: it must be refunded."""


class PaymentMismatch(DomainError):
    """The amount or currency paid differs from the order's."""

    status_code = 409


class VoucherRefused(DomainError):
    """Unknown, expired, used-up or inapplicable voucher code."""

    status_code = 422

    def __init__(self, message: str):
        super().__init__(message, field="voucher")


class PriceChanged(Conflict):
    """The total the buyer saw is not the server's total (changed meanwhile, or tampered with)."""


class UnknownPaymentProvider(DomainError):
    status_code = 404
