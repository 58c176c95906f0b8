"""Security headers on every kind of response, styled and JSON error pages, rollback on 500."""

from __future__ import annotations

import pytest
import sqlalchemy as sa
from werkzeug.exceptions import Forbidden

from convention.accounts.models import User
from convention.core.security import build_csp
from convention.extensions import db as _db
from tests.factories import make_user

EXPECTED_CSP = (
    "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; font-src 'self'; "
    "connect-src 'self'; object-src 'none'; base-uri 'self'; form-action 'self'; frame-ancestors 'none'"
)


def assert_security_headers(response):
    headers = response.headers
    assert headers["Content-Security-Policy"] == EXPECTED_CSP
    assert "unsafe-inline" not in headers["Content-Security-Policy"]
    assert headers["X-Content-Type-Options"] == "nosniff"
    assert headers["X-Frame-Options"] == "DENY"
    assert headers["Referrer-Policy"] == "strict-origin-when-cross-origin"
    assert headers["Cross-Origin-Opener-Policy"] == "same-origin"


@pytest.fixture
def erroring_app(make_app):
    """An app with two extra routes: one raises after writing a row, one refuses."""
    extra = make_app()

    @extra.get("/test-boom")
    def boom():
        _db.session.add(User(name="Ghost", email="ghost@example.org", password_hash="x"))
        _db.session.flush()
        raise RuntimeError("something broke")

    @extra.get("/test-forbidden")
    def forbidden():
        raise Forbidden()

    boom.access_rule = forbidden.access_rule = "public"  # test-only routes
    return extra


@pytest.mark.parametrize("url", ["/", "/login", "/signup", "/healthz", "/static/css/app.css"])
def test_security_headers_on_pages(client, url):
    response = client.get(url)
    assert response.status_code == 200
    assert_security_headers(response)


def test_security_headers_and_styled_page_on_404(client):
    response = client.get("/no-such-edition/")
    assert response.status_code == 404
    assert_security_headers(response)
    body = response.get_data(as_text=True)
    assert '<div class="error-code" aria-hidden="true">404</div>' in body
    assert "There is nothing at this address." in body
    assert 'href="/static/css/app.css' in body


def test_security_headers_and_styled_page_on_403(client, auth):
    make_user(email="plain@example.org")
    auth.login("plain@example.org")
    response = client.get("/admin/outbox/")
    assert response.status_code == 403
    assert_security_headers(response)
    assert "You do not have access to this page." in response.get_data(as_text=True)


def test_500_page_is_styled_has_headers_and_rolls_back(erroring_app, db):
    response = erroring_app.test_client().get("/test-boom")
    assert response.status_code == 500
    assert_security_headers(response)
    body = response.get_data(as_text=True)
    assert "An error occurred on our side. Nothing was saved; please try again." in body
    assert "RuntimeError" not in body and "Traceback" not in body
    assert db.session.scalar(sa.select(sa.func.count(User.id))) == 0


def test_500_rollback_leaves_the_session_usable(erroring_app):
    client = erroring_app.test_client()
    assert client.get("/test-boom").status_code == 500
    assert client.get("/healthz").status_code == 200


@pytest.mark.parametrize(
    ("url", "status", "error"),
    [("/no-such-edition/", 404, "Not found"), ("/test-forbidden", 403, "Not allowed"), ("/test-boom", 500,
                                                                                        "Something went wrong")],
)
def test_json_clients_get_json_errors_with_headers(erroring_app, url, status, error):
    response = erroring_app.test_client().get(url, headers={"Accept": "application/json"})
    assert response.status_code == status
    assert response.mimetype == "application/json"
    body = response.get_json()
    assert (body["error"], body["status"]) == (error, status)
    assert_security_headers(response)


def test_json_request_body_gets_json_error(client):
    response = client.post("/healthz", json={"x": 1})
    assert response.status_code == 405
    assert response.get_json() == {"error": "Not allowed", "status": 405,
                                   "message": "This address does not accept that kind of request."}


def test_browser_accept_header_gets_html_error(client):
    response = client.get("/nowhere/", headers={"Accept": "text/html,application/xhtml+xml,*/*;q=0.8"})
    assert response.mimetype == "text/html"


def test_oversized_body_gets_413_page(app, client):
    original = app.config["MAX_CONTENT_LENGTH"]
    app.config["MAX_CONTENT_LENGTH"] = 1024
    try:
        response = client.post("/login", data={"email": "x" * 4096})
    finally:
        app.config["MAX_CONTENT_LENGTH"] = original
    assert response.status_code == 413
    assert "What you sent is larger than we accept." in response.get_data(as_text=True)


def test_nul_in_query_string_refused(client):
    response = client.get("/login?next=/acc%00ount")
    assert response.status_code == 400
    assert_security_headers(response)


def test_hsts_follows_the_scheme_of_base_url_not_of_the_request(client, make_app):
    # BASE_URL is http:// in tests: no HSTS, even for a request that arrived over https.
    assert "Strict-Transport-Security" not in client.get("/").headers
    assert "Strict-Transport-Security" not in client.get("/", base_url="https://localhost").headers
    # An https:// BASE_URL behind a proxy that talks plain http to the app: HSTS all the same.
    public = make_app(BASE_URL="https://localhost").test_client()
    assert public.get("/").headers["Strict-Transport-Security"] == "max-age=31536000; includeSubDomains"


def test_build_csp_extra_sources_widen_one_directive_without_duplicates():
    policy = build_csp({"form-action": ["https://checkout.stripe.com", "'self'"], "frame-src": ["https://js.stripe.com"]})
    assert "form-action 'self' https://checkout.stripe.com;" in policy
    assert policy.endswith("frame-src https://js.stripe.com")
    assert "script-src 'self';" in policy


def test_templates_have_no_inline_scripts_or_styles():
    import pathlib
    import re

    root = pathlib.Path(__file__).resolve().parents[2] / "templates"
    offenders = []
    for path in root.rglob("*.html"):
        text = path.read_text()
        if re.search(r"<script(?![^>]*\bsrc=)[^>]*>", text) or re.search(r"<style\b", text) \
                or re.search(r"\sstyle\s*=", text) or re.search(r"\son[a-z]+\s*=", text):
            offenders.append(str(path.relative_to(root)))
    assert offenders == []


def test_error_page_that_cannot_render_falls_back_to_plain_text(erroring_app, monkeypatch):
    def broken(*_args, **_kwargs):
        raise RuntimeError("database is down")

    monkeypatch.setattr("convention.site.errors.render_template", broken)
    response = erroring_app.test_client().get("/test-boom")
    assert response.status_code == 500
    assert response.mimetype == "text/plain"
    assert response.get_data(as_text=True) == (
        "Something went wrong\n\nAn error occurred on our side. Nothing was saved; please try again.\n")
    assert_security_headers(response)
