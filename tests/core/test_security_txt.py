"""/.well-known/security.txt (RFC 9116) from the SECURITY_* settings."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from convention.site.security_txt import SecurityTxtError, contacts, expires_at, security_txt


def _fields(text: str) -> list[tuple[str, str]]:
    return [tuple(line.split(": ", 1)) for line in text.splitlines()]


def test_served_as_plain_text_from_the_configuration(app, client, monkeypatch):
    monkeypatch.setitem(app.config, "SECURITY_CONTACT", ["mailto:security@example.org", "https://example.org/report"])
    monkeypatch.setitem(app.config, "SECURITY_POLICY", "https://example.org/disclosure")
    monkeypatch.setitem(app.config, "SECURITY_TXT_EXPIRES", "2027-06-30")
    response = client.get("/.well-known/security.txt")
    assert response.status_code == 200
    assert response.headers["Content-Type"] == "text/plain; charset=utf-8"
    assert _fields(response.get_data(as_text=True)) == [
        ("Contact", "mailto:security@example.org"),
        ("Contact", "https://example.org/report"),
        ("Expires", "2027-06-30T00:00:00Z"),
        ("Policy", "https://example.org/disclosure"),
        ("Preferred-Languages", "en, nl, fr"),
        ("Canonical", "http://127.0.0.1:5000/.well-known/security.txt"),
    ]


def test_without_settings_the_mail_sender_is_the_contact_and_it_expires_in_180_days():
    config = {"MAIL_DEFAULT_SENDER": "Convention <cfp@example.org>", "SECURITY_PREFERRED_LANGUAGES": "en"}
    now = datetime(2026, 11, 30, 22, 15, tzinfo=UTC)
    text = security_txt(config, canonical="https://conv.example.org/.well-known/security.txt", now=now)
    assert text == (
        "Contact: mailto:cfp@example.org\n"
        "Expires: 2027-05-29T00:00:00Z\n"
        "Preferred-Languages: en\n"
        "Canonical: https://conv.example.org/.well-known/security.txt\n"
    )


def test_a_bare_address_becomes_a_mailto_link():
    assert contacts(["security@example.org", "tel:+32-2-000"], None) == ["mailto:security@example.org", "tel:+32-2-000"]


@pytest.mark.parametrize(
    ("configured", "expected"),
    [
        ("2027-01-31T12:30:00Z", datetime(2027, 1, 31, 12, 30, tzinfo=UTC)),
        ("2027-01-31T13:30:00+01:00", datetime(2027, 1, 31, 12, 30, tzinfo=UTC)),
        ("2027-01-31", datetime(2027, 1, 31, tzinfo=UTC)),
    ],
)
def test_expiry_formats(configured, expected):
    assert expires_at(configured, now=datetime(2026, 1, 1, tzinfo=UTC)) == expected


def test_a_bad_expiry_is_a_clear_error():
    with pytest.raises(SecurityTxtError):
        expires_at("next year", now=datetime(2026, 1, 1, tzinfo=UTC))
