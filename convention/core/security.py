"""Security headers on every response, and the safe ``next`` redirect check."""

from __future__ import annotations

import hashlib
from urllib.parse import urljoin, urlsplit

from flask import Flask, abort, current_app, request
from flask_babel import gettext

BASE_POLICY = {
    "default-src": ["'self'"],
    "script-src": ["'self'"],
    "style-src": ["'self'"],
    "img-src": ["'self'", "data:"],
    "font-src": ["'self'"],
    "connect-src": ["'self'"],
    "object-src": ["'none'"],
    "base-uri": ["'self'"],
    "form-action": ["'self'"],
    "frame-ancestors": ["'none'"],
}


def build_csp(*extras: dict[str, list[str]] | None) -> str:
    """The policy string; each of ``extras`` adds sources per directive (e.g. a payment page
    for form-action)."""
    policy = {directive: list(sources) for directive, sources in BASE_POLICY.items()}
    for extra in extras:
        for directive, sources in (extra or {}).items():
            policy.setdefault(directive, []).extend(s for s in sources if s not in policy[directive])
    return "; ".join(f"{directive} {' '.join(sources)}" for directive, sources in policy.items())


# 'wasm-unsafe-eval' lets a page compile WebAssembly (not run JavaScript from strings: that
# would be 'unsafe-eval'); only the pages that need it send it (the door's QR reader).
WEBASSEMBLY_SOURCES = {"script-src": ["'wasm-unsafe-eval'"]}


def allowing_webassembly(response):
    """``response`` with the policy that also lets the page compile its vendored WebAssembly."""
    response.headers["Content-Security-Policy"] = current_app.extensions["csp_header_webassembly"]
    return response


def add_security_headers(response):
    headers = response.headers
    headers.setdefault("Content-Security-Policy", current_app.extensions["csp_header"])
    headers.setdefault("X-Content-Type-Options", "nosniff")
    headers.setdefault("X-Frame-Options", "DENY")
    headers.setdefault("Referrer-Policy", "strict-origin-when-cross-origin")
    headers.setdefault("Cross-Origin-Opener-Policy", "same-origin")
    headers.setdefault("Permissions-Policy", "camera=(self), microphone=(), geolocation=()")
    if current_app.config["BASE_URL"].startswith("https://"):  # the public scheme, not this hop's
        headers.setdefault("Strict-Transport-Security", "max-age=31536000; includeSubDomains")
    return response


def is_safe_next(target: str | None) -> bool:
    """Only relative paths on this site; no scheme, host, or protocol-relative tricks."""
    if not target or not target.startswith("/") or target.startswith("//"):
        return False
    if "\\" in target or any(ord(ch) < 32 for ch in target):
        return False
    base = urlsplit(request.host_url)
    joined = urlsplit(urljoin(request.host_url, target))
    return joined.scheme == base.scheme and joined.netloc == base.netloc


FORM_MIMETYPES = {"application/x-www-form-urlencoded", "multipart/form-data"}


def _has_nul(document) -> bool:
    """Whether a parsed JSON document holds a NUL character in any key or text (a loop, not
    recursion: a deeply nested document cannot exhaust the stack)."""
    pending = [document]
    while pending:
        value = pending.pop()
        if isinstance(value, str):
            if "\x00" in value:
                return True
        elif isinstance(value, dict):
            pending.extend(value.keys())
            pending.extend(value.values())
        elif isinstance(value, list):
            pending.extend(value)
    return False


def refuse_nul_characters():
    """A NUL character has no business in an address, a form, a query or a JSON body, and
    PostgreSQL cannot compare or store it: answer 404 (no page has such an address) or 400
    (for a query, form or JSON body) instead of failing later with a 500."""
    if "\x00" in request.path:
        abort(404)
    pairs = list(request.args.items(multi=True))  # every value, not only each key's first
    if request.mimetype in FORM_MIMETYPES:
        pairs += request.form.items(multi=True)
    nul = any("\x00" in key or "\x00" in value for key, value in pairs)
    if not nul and request.is_json:  # parsed once: the view's get_json reads the same cache
        try:
            document = request.get_json(silent=True)
        except RecursionError:  # Python's parser gives up on arrays nested a thousand deep
            abort(400, description=gettext("The JSON document is nested too deeply."))
        nul = _has_nul(document)
    if nul:
        abort(400, description=gettext("The request contained a character that is not allowed (NUL)."))


def init_security(app: Flask) -> None:
    """Send the headers on every response. ``CSP_EXTRA_SOURCES`` (a dict of directive ->
    sources) widens the policy, e.g. payments adds its checkout host to form-action."""
    extra = app.config.get("CSP_EXTRA_SOURCES")
    app.extensions["csp_header"] = build_csp(extra)
    app.extensions["csp_header_webassembly"] = build_csp(extra, WEBASSEMBLY_SOURCES)
    app.before_request(refuse_nul_characters)
    app.after_request(add_security_headers)


def session_identifier() -> str:
    """What Flask-Login's "strong" session protection binds a session to: the browser (its
    User-Agent), not its address. Flask-Login's own identifier hashes the client address
    too, so a phone at the door that moves from the venue's Wi-Fi to mobile data (a new
    address) was signed out mid-scan; a cookie copied into another browser is still refused."""
    agent = request.headers.get("User-Agent", "")
    return hashlib.sha512(agent.encode("utf-8", "replace")).hexdigest()
