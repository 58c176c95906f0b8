"""Links come from BASE_URL, never from the request's Host or X-Forwarded-Host (issue 7, item 1)."""

from __future__ import annotations

import sqlalchemy as sa

from convention.config import load_config
from convention.extensions import db
from convention.payments.provider import payment_url
from convention.registration.models import Order, OrderState
from convention.registration.services import release_order
from convention.registration.waiting_list import confirm_waiting_entry, join_waiting_list
from tests.factories import make_edition, make_user
from tests.registration.helpers import buy, checkout_form, make_ticket_type, outbox, past

BASE = "http://127.0.0.1:5000"  # BASE_URL of the test app; the test client's host is "localhost"


def _whoami(extra_app):
    seen = {}

    @extra_app.get("/test-whoami")
    def whoami():
        from flask import request

        seen.update(host=request.host)
        return "ok"

    whoami.access_rule = "public"
    return seen


def test_forged_host_header_answers_400_before_any_view_runs(client):
    edition = make_edition()
    pass_ = make_ticket_type(edition, capacity=5)
    order = buy(edition, {pass_: 1})
    order.expires_at = past(5)  # overdue: a view that ran would release it and email the buyer
    db.session.commit()
    sent = len(outbox())
    for path in ("/", f"/{edition.slug}/tickets/", f"/{edition.slug}/orders/{order.secret}/", "/login"):
        response = client.get(path, headers={"Host": "evil.example"})
        assert response.status_code == 400, path
        assert response.get_data(as_text=True) == (
            "Bad request\n\nThis site is not served under that host name.\n")
    db.session.expire_all()
    assert (len(outbox()), db.session.get(Order, order.id).state) == (sent, OrderState.RESERVED)


def test_forged_host_with_a_trusted_name_as_suffix_is_refused(client):
    assert client.get("/", headers={"Host": "127.0.0.1.evil.example"}).status_code == 400
    assert client.get("/", headers={"Host": "localhost:8080"}).status_code == 200  # the port is not the host


def test_forwarded_host_is_ignored_behind_a_proxy_by_default(make_app):
    extra = make_app(TRUST_PROXY_HOPS=1)
    seen = _whoami(extra)
    response = extra.test_client().get("/test-whoami", headers={"X-Forwarded-Host": "evil.example",
                                                                "X-Forwarded-Proto": "https"})
    assert response.status_code == 200
    assert seen == {"host": "localhost"}


def test_forwarded_host_is_believed_only_when_configured_and_is_still_checked(make_app):
    extra = make_app(TRUST_PROXY_HOPS=1, TRUST_FORWARDED_HOST=True,
                     TRUSTED_HOSTS=["127.0.0.1", "localhost", "convention.example"])
    seen = _whoami(extra)
    client = extra.test_client()
    assert client.get("/test-whoami", headers={"X-Forwarded-Host": "convention.example"}).status_code == 200
    assert seen == {"host": "convention.example"}
    assert client.get("/test-whoami", headers={"X-Forwarded-Host": "evil.example"}).status_code == 400


def test_order_email_links_use_base_url_not_the_request_host(client):
    edition = make_edition()
    pass_ = make_ticket_type(edition, price_cents=12100, capacity=10)
    _, data = checkout_form(client, edition, {pass_: 1})
    assert client.post(f"/{edition.slug}/tickets/checkout", data=data).status_code == 303
    order = db.session.scalar(sa.select(Order).where(Order.payment_method != "complimentary"))
    [mail] = outbox("registration_order_reserved")
    assert f"{BASE}/{edition.slug}/orders/{order.secret}/" in mail.body_text
    assert "localhost" not in mail.body_text


def test_waiting_list_offer_made_during_a_request_links_to_base_url(app):
    edition = make_edition()
    pass_ = make_ticket_type(edition, capacity=1)
    holder = buy(edition, {pass_: 1}, email="holder@example.org")
    entry = join_waiting_list(edition, pass_, name="Ann", email="ann@example.org", quantity=1, consent_version="2026-01")
    confirm_waiting_entry(entry)
    db.session.commit()
    with app.test_request_context(f"/{edition.slug}/tickets/", headers={"Host": "localhost"}):
        release_order(holder, reason="cancelled")
        db.session.commit()
    [offer] = outbox("registration_waiting_offer")
    assert f"{BASE}/{edition.slug}/orders/{entry.order.secret}/" in offer.body_text
    assert "localhost" not in offer.body_text


def test_stripe_return_urls_use_base_url_inside_a_request(app):
    edition = make_edition()
    pass_ = make_ticket_type(edition, capacity=1)
    order = buy(edition, {pass_: 1})
    with app.test_request_context("/", headers={"Host": "localhost"}):
        url = payment_url("payments.payment_done", order)
    assert url.startswith(f"{BASE}/{edition.slug}/orders/{order.secret}/")


def test_payments_tab_shows_the_webhook_address_on_base_url(app, client, auth, monkeypatch):
    monkeypatch.setitem(app.config, "STRIPE_SECRET_KEY", "sk_test_x")
    monkeypatch.setitem(app.config, "STRIPE_WEBHOOK_SECRET", "whsec_x")
    organizer = make_user(email="org@example.org")
    edition = make_edition(organizer=organizer)
    auth.login("org@example.org")
    page = client.get(f"/{edition.slug}/manage/payments/").get_data(as_text=True)
    assert f"<code>{BASE}/payments/stripe/webhook</code>" in page
    assert "http://localhost/" not in page


# -- settings --------------------------------------------------------------------------


def test_trusted_hosts_are_base_url_host_plus_the_configured_list(tmp_path, monkeypatch):
    monkeypatch.setenv("BASE_URL", "https://Convention.Example.org/")
    monkeypatch.setenv("TRUSTED_HOSTS", " www.example.org, ,internal.lan ")
    config = load_config(str(tmp_path))
    assert config["TRUSTED_HOSTS"] == ["convention.example.org", "www.example.org", "internal.lan"]
    assert config["TRUST_FORWARDED_HOST"] is False


def test_trusted_hosts_on_a_laptop_accept_both_loopback_names(tmp_path, monkeypatch):
    monkeypatch.delenv("BASE_URL", raising=False)
    monkeypatch.delenv("TRUSTED_HOSTS", raising=False)
    assert load_config(str(tmp_path))["TRUSTED_HOSTS"] == ["127.0.0.1", "localhost"]


def test_default_base_url_follows_port(tmp_path, monkeypatch):
    monkeypatch.delenv("BASE_URL", raising=False)
    monkeypatch.setenv("PORT", "5101")
    assert load_config(str(tmp_path))["BASE_URL"] == "http://127.0.0.1:5101"
    monkeypatch.delenv("PORT")
    assert load_config(str(tmp_path))["BASE_URL"] == "http://127.0.0.1:5000"


def test_explicit_base_url_wins_over_port(tmp_path, monkeypatch):
    monkeypatch.setenv("BASE_URL", "https://convention.example.org")
    monkeypatch.setenv("PORT", "5101")
    assert load_config(str(tmp_path))["BASE_URL"] == "https://convention.example.org"
