"""Stripe switches on with its two keys; the CSP then lets forms redirect to Checkout."""

from __future__ import annotations

import pytest

from convention.config import load_config
from convention.registration.payment_providers import available_providers, choose_provider


def test_stripe_key_adds_the_checkout_host_to_form_action(app, monkeypatch):
    monkeypatch.setenv("STRIPE_SECRET_KEY", "sk_test_x")
    assert load_config(app.instance_path)["CSP_EXTRA_SOURCES"] == {"form-action": ["https://checkout.stripe.com"]}
    monkeypatch.delenv("STRIPE_SECRET_KEY")
    assert "CSP_EXTRA_SOURCES" not in load_config(app.instance_path)


def test_app_with_stripe_sends_the_widened_policy(monkeypatch, tmp_path):
    from convention import create_app

    monkeypatch.setenv("STRIPE_SECRET_KEY", "sk_test_x")
    monkeypatch.setenv("SECRET_KEY", "a-secret-for-this-second-app-only-0123456789")
    stripe_app = create_app({"TESTING": True, "SQLALCHEMY_DATABASE_URI": f"sqlite:///{tmp_path}/csp.sqlite3"})
    response = stripe_app.test_client().get("/healthz")
    assert "form-action 'self' https://checkout.stripe.com;" in response.headers["Content-Security-Policy"]


@pytest.mark.parametrize(
    ("secret_key", "webhook_secret", "chosen"),
    [("sk_test_x", "whsec_x", "stripe"), ("sk_test_x", None, "bank_transfer"), (None, "whsec_x", "bank_transfer")],
)
def test_card_payments_need_both_stripe_keys(app, monkeypatch, secret_key, webhook_secret, chosen):
    monkeypatch.setitem(app.config, "STRIPE_SECRET_KEY", secret_key)
    monkeypatch.setitem(app.config, "STRIPE_WEBHOOK_SECRET", webhook_secret)
    assert choose_provider(app).key == chosen
    assert ("stripe" in [p.key for p in available_providers(app)]) is (chosen == "stripe")
