"""One id per request: in ``g.request_id``, in the ``X-Request-ID`` response header, in
the logs and in every audit entry the request writes.

The id comes from the incoming ``X-Request-ID`` header only when ``TRUST_REQUEST_ID`` is
on (a load balancer that sets it, so its logs and ours share one id); otherwise, and
when the header is missing or malformed, a new random one is made.
"""

from __future__ import annotations

import re
import secrets

from flask import Flask, current_app, g, has_request_context, request

HEADER = "X-Request-ID"
# Printable, short, no separators a log or CSV reader would trip on.
_WELL_FORMED = re.compile(r"[A-Za-z0-9._:-]{1,64}")


def new_request_id() -> str:
    return secrets.token_hex(16)


def _assign_request_id() -> None:
    incoming = request.headers.get(HEADER, "") if current_app.config.get("TRUST_REQUEST_ID") else ""
    g.request_id = incoming if _WELL_FORMED.fullmatch(incoming) else new_request_id()


def _send_request_id(response):
    request_id = g.get("request_id")
    if request_id:
        response.headers[HEADER] = request_id
    return response


def current_request_context() -> dict:
    """The request id and client address of the request being served, or empties outside one
    (a CLI command, a job): what the audit log records next to each entry."""
    if not has_request_context():
        return {"request_id": None, "client_address": None}
    return {"request_id": g.get("request_id"), "client_address": request.remote_addr}


def init_request_ids(app: Flask) -> None:
    """First of the before_request hooks, so even a refused request has its id."""
    app.before_request_funcs.setdefault(None, []).insert(0, _assign_request_id)
    app.after_request(_send_request_id)
