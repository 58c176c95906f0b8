"""The text of ``/.well-known/security.txt`` (RFC 9116), from the configuration.

Contact (required, one line each), Expires (required; RFC 3339, at most a year ahead is
advised), Policy, Preferred-Languages and Canonical (the file's own address on BASE_URL).
"""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta
from email.utils import parseaddr

DEFAULT_VALIDITY = timedelta(days=180)


class SecurityTxtError(ValueError):
    """SECURITY_TXT_EXPIRES is not a date."""


def expires_at(configured: str | None, *, now: datetime) -> datetime:
    """SECURITY_TXT_EXPIRES (``2027-06-30`` or ``2027-06-30T12:00:00Z``), else 180 days
    from today, at midnight UTC (so the file reads the same all day)."""
    if not configured:
        return datetime.combine((now + DEFAULT_VALIDITY).date(), time(), tzinfo=UTC)
    text = configured.strip()
    try:
        if len(text) == 10:
            return datetime.combine(date.fromisoformat(text), time(), tzinfo=UTC)
        moment = datetime.fromisoformat(text.replace("Z", "+00:00"))
    except ValueError as exc:
        raise SecurityTxtError(f"SECURITY_TXT_EXPIRES is not a date: {configured!r}") from exc
    return moment.astimezone(UTC) if moment.tzinfo else moment.replace(tzinfo=UTC)


def contacts(configured: list[str], mail_sender: str | None) -> list[str]:
    """SECURITY_CONTACT as given (``mailto:``, ``https:`` or ``tel:``; a bare address gets
    ``mailto:``), else the address mail is sent from."""
    if not configured:
        address = parseaddr(mail_sender or "")[1]
        configured = [address] if address else []
    return [item if ":" in item else "mailto:" + item for item in configured]


def security_txt(config: dict, *, canonical: str, now: datetime) -> str:
    lines = [
        f"Contact: {contact}"
        for contact in contacts(config.get("SECURITY_CONTACT") or [], config.get("MAIL_DEFAULT_SENDER"))
    ]
    expires = expires_at(config.get("SECURITY_TXT_EXPIRES"), now=now)
    lines.append("Expires: " + expires.strftime("%Y-%m-%dT%H:%M:%SZ"))
    if config.get("SECURITY_POLICY"):
        lines.append(f"Policy: {config['SECURITY_POLICY']}")
    if config.get("SECURITY_PREFERRED_LANGUAGES"):
        lines.append(f"Preferred-Languages: {config['SECURITY_PREFERRED_LANGUAGES']}")
    lines.append(f"Canonical: {canonical}")
    return "\n".join(lines) + "\n"
