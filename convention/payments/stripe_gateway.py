"""The Stripe adapter: the only module in the application that imports ``stripe``.

It turns our orders into Stripe requests and Stripe objects into small frozen
dataclasses, so nothing outside this module touches a Stripe type. Every request that
creates something carries a deterministic idempotency key, so a retried request (a
webhook delivered again, a worker that crashed after calling Stripe) never creates a
second session or a second refund.

``STRIPE_HTTP_CLIENT`` in the app config may hold a ``stripe`` HTTP client instance
(a subclass of ``stripe.HTTPClient``); the tests put a recording fake there, so they
replace the transport under the library and never this adapter. ``STRIPE_API_BASE``
points the library at another address than Stripe's (a Stripe stand-in for a test that
runs the app in its own processes, where no Python object can be handed over).
"""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

from flask import current_app

from convention.core.timeutil import utcnow

# Stripe accepts a session expiry between 30 minutes and 24 hours after creation. The
# margin covers the time between our clock reading and Stripe's.
SESSION_MIN_LIFETIME = timedelta(minutes=30)
SESSION_MAX_LIFETIME = timedelta(hours=24)
SESSION_EXPIRY_MARGIN = timedelta(minutes=2)
REFUND_REASON = "requested_by_customer"
# How far a webhook's signature timestamp may lie in the past (Stripe's check) and, here
# too, in the future: an event dated later than that was not sent by Stripe just now.
WEBHOOK_TOLERANCE_SECONDS = 300  # stripe.Webhook.DEFAULT_TOLERANCE (a test keeps them equal)


def _stripe():
    """The ``stripe`` package, imported on first use: it is large, and a worker that never
    talks to Stripe (no key, or a request that does not pay) need not load it."""
    import stripe

    return stripe


class GatewayError(Exception):
    """Stripe refused a request or could not be reached; the message is for logs, not people."""

    def __init__(self, message: str, *, retryable: bool = False):
        super().__init__(message)
        self.retryable = retryable


class IdempotencyConflict(GatewayError):
    """An idempotency key was reused with different parameters."""


class InvalidWebhook(GatewayError):
    """A webhook whose signature, timestamp or body does not check out."""


@dataclass(frozen=True)
class LineItem:
    name: str
    unit_amount_cents: int
    quantity: int = 1


@dataclass(frozen=True)
class CheckoutSession:
    id: str
    url: str | None
    status: str | None  # "open", "complete", "expired"
    payment_status: str | None  # "paid", "unpaid", "no_payment_required"
    amount_total: int | None
    currency: str | None  # upper case, as we store it
    payment_intent: str | None
    client_reference_id: str | None
    order_code: str | None  # from metadata
    expires_at: datetime | None

    @classmethod
    def from_stripe(cls, data: Mapping[str, Any]) -> CheckoutSession:
        metadata = data.get("metadata") or {}
        payment_intent = data.get("payment_intent")
        if isinstance(payment_intent, Mapping):  # expanded
            payment_intent = payment_intent.get("id")
        currency = data.get("currency")
        expires = data.get("expires_at")
        return cls(
            id=data["id"],
            url=data.get("url"),
            status=data.get("status"),
            payment_status=data.get("payment_status"),
            amount_total=data.get("amount_total"),
            currency=currency.upper() if currency else None,
            payment_intent=payment_intent,
            client_reference_id=data.get("client_reference_id"),
            order_code=metadata.get("order_code"),
            expires_at=datetime.fromtimestamp(expires, UTC) if expires else None,
        )

    @property
    def reference(self) -> str | None:
        """The order code this session pays for."""
        return self.client_reference_id or self.order_code


@dataclass(frozen=True)
class Charge:
    id: str
    amount: int
    amount_refunded: int
    currency: str
    payment_intent: str | None
    refunded: bool
    order_code: str | None
    last_refund_id: str | None

    @classmethod
    def from_stripe(cls, data: Mapping[str, Any]) -> Charge:
        refunds = (data.get("refunds") or {}).get("data") or []
        payment_intent = data.get("payment_intent")
        if isinstance(payment_intent, Mapping):
            payment_intent = payment_intent.get("id")
        return cls(
            id=data["id"],
            amount=int(data.get("amount") or 0),
            amount_refunded=int(data.get("amount_refunded") or 0),
            currency=(data.get("currency") or "").upper(),
            payment_intent=payment_intent,
            refunded=bool(data.get("refunded")),
            order_code=(data.get("metadata") or {}).get("order_code"),
            last_refund_id=refunds[0].get("id") if refunds else None,
        )


@dataclass(frozen=True)
class Refund:
    id: str
    amount: int
    status: str | None


@dataclass(frozen=True)
class WebhookEvent:
    id: str
    type: str
    created: datetime
    livemode: bool
    object: dict  # ``data.object`` as plain data

    def session(self) -> CheckoutSession:
        return CheckoutSession.from_stripe(self.object)

    def charge(self) -> Charge:
        return Charge.from_stripe(self.object)


def is_configured(config: Mapping[str, Any]) -> bool:
    """Stripe is in use when both the API key and the webhook secret are set."""
    return bool(config.get("STRIPE_SECRET_KEY") and config.get("STRIPE_WEBHOOK_SECRET"))


def session_expiry(reservation_deadline: datetime, *, now: datetime | None = None) -> datetime:
    """The session ends with the reservation, within the window Stripe accepts.

    A reservation that ends in less than 30 minutes gets a session that outlives it by
    a little; a payment in that gap arrives for a released reservation and is handled
    like any late payment (a seat if one is free, otherwise an automatic refund).
    """
    now = now or utcnow()
    earliest = now + SESSION_MIN_LIFETIME + SESSION_EXPIRY_MARGIN
    latest = now + SESSION_MAX_LIFETIME - SESSION_EXPIRY_MARGIN
    return min(max(reservation_deadline, earliest), latest)


def checkout_idempotency_key(order_code: str, attempt: int) -> str:
    return f"checkout-{order_code}-{attempt}"


def refund_idempotency_key(order_code: str, amount_cents: int, refunded_before_cents: int = 0) -> str:
    """One key per refund the order intends to make: the amount and what was refunded before it.

    A retry (nothing recorded since) reuses the key and gets the same refund back; a
    second partial refund of the same amount comes after the first was recorded, so it
    gets its own key instead of Stripe's replay of the first one.
    """
    if refunded_before_cents:
        return f"refund-{order_code}-{amount_cents}-after-{refunded_before_cents}"
    return f"refund-{order_code}-{amount_cents}"


def session_expiry_idempotency_key(session_id: str) -> str:
    return f"expire-{session_id}"


class StripeGateway:
    """One Stripe account: its API key, its webhook secret and a transport."""

    def __init__(self, api_key: str, webhook_secret: str | None, *, http_client=None, max_network_retries: int = 2,
                 api_base: str | None = None):
        self._webhook_secret = webhook_secret
        self._client = _stripe().StripeClient(api_key, http_client=http_client, max_network_retries=max_network_retries,
                                              base_addresses={"api": api_base} if api_base else None)

    # -- Checkout ----------------------------------------------------------------

    def create_checkout_session(
        self,
        order,
        *,
        line_items: Sequence[LineItem],
        success_url: str,
        cancel_url: str,
        attempt: int = 1,
        now: datetime | None = None,
    ) -> CheckoutSession:
        """A hosted Checkout page for ``order`` (its code is the reference), expiring with its reservation."""
        currency = order.currency.lower()
        params: dict[str, Any] = {
            "mode": "payment",
            "client_reference_id": order.code,
            "metadata": {"order_code": order.code},
            "payment_intent_data": {"metadata": {"order_code": order.code}},
            "line_items": [
                {
                    "quantity": item.quantity,
                    "price_data": {
                        "currency": currency,
                        "unit_amount": item.unit_amount_cents,
                        "product_data": {"name": item.name},
                    },
                }
                for item in line_items
            ],
            "success_url": success_url,
            "cancel_url": cancel_url,
            "expires_at": int(session_expiry(order.expires_at, now=now).timestamp()),
        }
        if order.email:
            params["customer_email"] = order.email
        key = checkout_idempotency_key(order.code, attempt)
        session = self._call(lambda: self._client.v1.checkout.sessions.create(params, {"idempotency_key": key}))
        return CheckoutSession.from_stripe(session.to_dict())

    def retrieve_session(self, session_id: str) -> CheckoutSession:
        session = self._call(lambda: self._client.v1.checkout.sessions.retrieve(session_id))
        return CheckoutSession.from_stripe(session.to_dict())

    def expire_session(self, session_id: str) -> CheckoutSession:
        """End an open Checkout Session, so nobody can pay a reservation that was released."""
        key = session_expiry_idempotency_key(session_id)
        session = self._call(lambda: self._client.v1.checkout.sessions.expire(session_id, options={"idempotency_key": key}))
        return CheckoutSession.from_stripe(session.to_dict())

    # -- Refunds -----------------------------------------------------------------

    def refund(
        self, *, payment_intent: str, amount_cents: int, order_code: str, reason: str = "", refunded_before_cents: int = 0
    ) -> Refund:
        """Refund ``amount_cents`` of a payment; the key makes a repeated call return the same refund.

        ``refunded_before_cents`` (what the order had refunded before this refund) tells two
        partial refunds of the same amount apart.
        """
        params: dict[str, Any] = {
            "payment_intent": payment_intent,
            "amount": amount_cents,
            "reason": REFUND_REASON,
            "metadata": {"order_code": order_code, "note": reason[:450]},
        }
        key = refund_idempotency_key(order_code, amount_cents, refunded_before_cents)
        data = self._call(lambda: self._client.v1.refunds.create(params, {"idempotency_key": key})).to_dict()
        return Refund(id=data["id"], amount=int(data.get("amount") or amount_cents), status=data.get("status"))

    # -- Webhooks ----------------------------------------------------------------

    def verify_webhook(self, payload: bytes, sig_header: str | None, *, now: datetime | None = None) -> WebhookEvent:
        """Check the ``Stripe-Signature`` header against the raw body; return the event.

        Stripe's library refuses a signature older than the tolerance; a signature or an
        event dated more than the tolerance ahead of our clock is refused here as well.
        """
        if not self._webhook_secret:
            raise InvalidWebhook("STRIPE_WEBHOOK_SECRET is not set")
        try:
            event = self._client.construct_event(
                payload, sig_header, self._webhook_secret, tolerance=WEBHOOK_TOLERANCE_SECONDS
            )
        except _stripe().SignatureVerificationError as error:
            raise InvalidWebhook(f"signature: {error.user_message or error}") from error
        except (ValueError, UnicodeDecodeError) as error:  # a body that is not JSON
            raise InvalidWebhook(f"body: {error}") from error
        data = event.to_dict()
        try:
            verified = WebhookEvent(
                id=str(data["id"]),
                type=str(data["type"]),
                created=datetime.fromtimestamp(int(data.get("created") or 0), UTC),
                livemode=bool(data.get("livemode")),
                object=json.loads(json.dumps((data.get("data") or {}).get("object") or {})),
            )
        except (KeyError, TypeError, ValueError, OverflowError, OSError) as error:
            raise InvalidWebhook(f"event: {error}") from error
        latest = (now or utcnow()) + timedelta(seconds=WEBHOOK_TOLERANCE_SECONDS)
        if _signature_time(sig_header) > latest:
            raise InvalidWebhook("signature: timestamp is in the future")
        if verified.created > latest:
            raise InvalidWebhook(f"event: created {verified.created.isoformat()} is in the future")
        return verified

    # -- Plumbing ----------------------------------------------------------------

    @staticmethod
    def _call(request):
        stripe = _stripe()
        try:
            return request()
        except stripe.IdempotencyError as error:
            raise IdempotencyConflict(str(error)) from error
        except (stripe.APIConnectionError, stripe.RateLimitError) as error:
            raise GatewayError(f"{type(error).__name__}: {error}", retryable=True) from error
        except stripe.StripeError as error:
            status = getattr(error, "http_status", None) or 0
            raise GatewayError(f"{type(error).__name__}: {error}", retryable=status >= 500) from error


def _signature_time(sig_header: str | None) -> datetime:
    """The ``t=`` of a ``Stripe-Signature`` header the library has already verified."""
    for part in (sig_header or "").split(","):
        key, _, value = part.strip().partition("=")
        if key == "t":
            try:
                return datetime.fromtimestamp(int(value), UTC)
            except (ValueError, OverflowError, OSError) as error:
                raise InvalidWebhook(f"signature: {error}") from error
    raise InvalidWebhook("signature: no timestamp")


def gateway_for(app=None) -> StripeGateway:
    """The gateway configured on ``app`` (default: the current app)."""
    config = (app or current_app).config
    if not config.get("STRIPE_SECRET_KEY"):
        raise GatewayError("STRIPE_SECRET_KEY is not set")
    return StripeGateway(
        config["STRIPE_SECRET_KEY"],
        config.get("STRIPE_WEBHOOK_SECRET"),
        http_client=config.get("STRIPE_HTTP_CLIENT"),
        max_network_retries=int(config.get("STRIPE_MAX_NETWORK_RETRIES", 2)),
        api_base=config.get("STRIPE_API_BASE"),
    )
