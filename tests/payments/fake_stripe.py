"""A stand-in for Stripe's HTTP API, plugged in UNDER the stripe library.

``FakeStripeAPI`` subclasses ``stripe.HTTPClient`` (the transport interface the library
calls), records every request with its headers and form body, and answers the way
Stripe does for the few endpoints we use: creating and retrieving Checkout Sessions
(replaying the saved response when an ``Idempotency-Key`` is reused, refusing the same
key with different parameters), expiring open sessions and creating refunds. The adapter
(``convention.payments.stripe_gateway``) runs unchanged on top of it.

``signed_webhook`` builds an event and signs it with
``stripe.WebhookSignature.generate_signature_header``, exactly as Stripe signs deliveries.
"""

from __future__ import annotations

import itertools
import json
import time
from dataclasses import dataclass
from urllib.parse import parse_qsl, urlsplit

import stripe

WEBHOOK_SECRET = "whsec_test_secret_for_the_suite"
API_KEY = "sk_test_suite_key"


@dataclass
class RecordedRequest:
    method: str
    path: str
    headers: dict
    params: dict  # the form body (or query string), flat: "line_items[0][quantity]" -> "1"

    @property
    def idempotency_key(self) -> str | None:
        return self.headers.get("Idempotency-Key")


class FakeStripeAPI(stripe.HTTPClient):
    name = "fake-stripe"

    def __init__(self):
        super().__init__()
        self.requests: list[RecordedRequest] = []
        self.sessions: dict[str, dict] = {}
        self.refunds: dict[str, dict] = {}
        self.failures: list[tuple[str, int, dict]] = []  # (path prefix, status, error body), used once each
        self._replays: dict[str, tuple[dict, str]] = {}
        self._ids = itertools.count(1)

    # -- the transport interface -------------------------------------------------

    def request(self, method, url, headers, post_data=None, *, _usage=None):
        parts = urlsplit(url)
        body = post_data if method.lower() == "post" else parts.query
        params = dict(parse_qsl(body or "", keep_blank_values=True))
        recorded = RecordedRequest(method.upper(), parts.path, dict(headers or {}), params)
        self.requests.append(recorded)
        status, payload = self._answer(recorded)
        return json.dumps(payload), status, {"Request-Id": f"req_{next(self._ids)}"}

    def request_stream(self, method, url, headers, post_data=None, *, _usage=None):
        raise NotImplementedError("no streaming endpoints are used")

    def close(self):
        pass

    # -- what Stripe would answer ----------------------------------------------------

    def _answer(self, req: RecordedRequest) -> tuple[int, dict]:
        for prefix, status, error in self.failures:
            if req.path.startswith(prefix):
                self.failures.remove((prefix, status, error))
                return status, {"error": error}
        key = req.idempotency_key
        if req.method == "POST" and key and key in self._replays:
            saved, fingerprint = self._replays[key]
            if fingerprint != json.dumps(req.params, sort_keys=True) or saved.get("_path") != req.path:
                return 400, {"error": {"type": "idempotency_error", "message": f"Keys for idempotent requests can only be used with the same parameters ({key})."}}
            return 200, {k: v for k, v in saved.items() if k != "_path"}
        if req.method == "POST" and req.path == "/v1/checkout/sessions":
            status, payload = 200, self._create_session(req.params)
        elif req.method == "GET" and req.path.startswith("/v1/checkout/sessions/"):
            session = self.sessions.get(req.path.rsplit("/", 1)[1])
            if session is None:
                return 404, {"error": {"type": "invalid_request_error", "code": "resource_missing", "message": "No such checkout.session"}}
            status, payload = 200, session
        elif req.method == "POST" and req.path.startswith("/v1/checkout/sessions/") and req.path.endswith("/expire"):
            session = self.sessions.get(req.path.split("/")[-2])
            if session is None:
                return 404, {"error": {"type": "invalid_request_error", "code": "resource_missing", "message": "No such checkout.session"}}
            if session["status"] != "open":
                return 400, {"error": {"type": "invalid_request_error",
                                       "message": f"Only Checkout Sessions with a status in [\"open\"] can be expired. This Checkout Session has a status of \"{session['status']}\"."}}
            status, payload = 200, self.expire_session(session["id"])
        elif req.method == "POST" and req.path == "/v1/refunds":
            status, payload = 200, self._create_refund(req.params)
        else:
            return 404, {"error": {"type": "invalid_request_error", "message": f"Unrecognized request URL ({req.method} {req.path})"}}
        if req.method == "POST" and key:
            self._replays[key] = ({**payload, "_path": req.path}, json.dumps(req.params, sort_keys=True))
        return status, payload

    def _create_session(self, params: dict) -> dict:
        n = next(self._ids)
        session_id = f"cs_test_{n:04d}"
        total, index = 0, 0
        while f"line_items[{index}][quantity]" in params:
            total += int(params[f"line_items[{index}][quantity]"]) * int(params[f"line_items[{index}][price_data][unit_amount]"])
            index += 1
        session = {
            "id": session_id,
            "object": "checkout.session",
            "url": f"https://checkout.stripe.com/c/pay/{session_id}",
            "status": "open",
            "payment_status": "unpaid",
            "mode": params.get("mode"),
            "amount_total": total,
            "currency": params.get("line_items[0][price_data][currency]"),
            "client_reference_id": params.get("client_reference_id"),
            "customer_email": params.get("customer_email"),
            "metadata": {"order_code": params.get("metadata[order_code]")},
            "payment_intent": None,
            "expires_at": int(params["expires_at"]) if "expires_at" in params else None,
            "success_url": params.get("success_url"),
            "cancel_url": params.get("cancel_url"),
            "line_item_count": index,
        }
        self.sessions[session_id] = session
        return session

    def _create_refund(self, params: dict) -> dict:
        refund_id = f"re_test_{next(self._ids):04d}"
        refund = {
            "id": refund_id,
            "object": "refund",
            "amount": int(params["amount"]),
            "payment_intent": params.get("payment_intent"),
            "status": "succeeded",
            "metadata": {"order_code": params.get("metadata[order_code]")},
        }
        self.refunds[refund_id] = refund
        return refund

    # -- moving a session along, as a buyer on Stripe's page would ----------------------

    def pay_session(self, session_id: str, *, amount_total: int | None = None, currency: str | None = None,
                    payment_status: str = "paid") -> dict:
        session = self.sessions[session_id]
        session.update(
            status="complete",
            payment_status=payment_status,
            payment_intent=session["payment_intent"] or f"pi_test_{next(self._ids):04d}",
        )
        if amount_total is not None:
            session["amount_total"] = amount_total
        if currency is not None:
            session["currency"] = currency
        return dict(session)

    def expire_session(self, session_id: str) -> dict:
        self.sessions[session_id].update(status="expired", url=None)
        return dict(self.sessions[session_id])

    # -- reading what was sent ---------------------------------------------------------

    def sent(self, method: str, path: str) -> list[RecordedRequest]:
        return [r for r in self.requests if r.method == method and r.path == path]


_event_ids = itertools.count(1)


def make_event(event_type: str, obj: dict, *, event_id: str | None = None, created: int | None = None) -> dict:
    return {
        "id": event_id or f"evt_test_{next(_event_ids):05d}",
        "object": "event",
        "api_version": "2026-10-28.endive",
        "created": created or int(time.time()),
        "livemode": False,
        "type": event_type,
        "data": {"object": obj},
    }


def signed_webhook(event: dict, *, secret: str = WEBHOOK_SECRET, timestamp: int | None = None) -> tuple[bytes, dict]:
    """The body and headers of a delivery, signed the way Stripe signs them."""
    payload = json.dumps(event, separators=(",", ":"))
    header = stripe.WebhookSignature.generate_signature_header(payload, secret, timestamp=timestamp)
    return payload.encode(), {"Stripe-Signature": header, "Content-Type": "application/json"}


def charge_for(session: dict, *, amount_refunded: int, refund_id: str = "re_test_manual") -> dict:
    """The charge object of a ``charge.refunded`` event for a paid session."""
    return {
        "id": f"ch_test_{session['id'][-4:]}",
        "object": "charge",
        "amount": session["amount_total"],
        "amount_refunded": amount_refunded,
        "currency": session["currency"],
        "payment_intent": session["payment_intent"],
        "refunded": amount_refunded >= session["amount_total"],
        "metadata": {},
        "refunds": {"object": "list", "data": [{"id": refund_id, "object": "refund", "amount": amount_refunded}]},
    }
