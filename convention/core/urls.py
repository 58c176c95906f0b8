"""Absolute URLs for emails, exports and QR codes, always on ``BASE_URL``.

``url_for(..., _external=True)`` takes the host from the request's Host header (which
a client chooses: a forged header would put a stranger's host into a password reset
link) and fails outside a request (CLI commands, RQ jobs). ``external_url`` does
neither: it builds the address on the configured public ``BASE_URL``.
"""

from __future__ import annotations

from urllib.parse import urlsplit

from flask import current_app


def external_url(endpoint: str, **values) -> str:
    base = urlsplit(current_app.config["BASE_URL"])
    adapter = current_app.url_map.bind(
        base.netloc, script_name=base.path or "/", url_scheme=base.scheme or "http"
    )
    return adapter.build(endpoint, values, force_external=True)
