"""Settings read from the environment, with safe embedded defaults.

Nothing here runs at import time: ``load_config`` is called by ``create_app``.
"""

from __future__ import annotations

import math
import os
import secrets
from collections import Counter
from datetime import timedelta
from pathlib import Path
from urllib.parse import urlsplit


class ConfigError(RuntimeError):
    """The configuration is unsafe or incomplete; the app must not start."""


def _env_bool(name: str, default: bool = False) -> bool:
    value = os.environ.get(name)
    if value is None:
        return default
    return value.strip().lower() in {"1", "true", "yes", "on"}


def _env_int(name: str, default: int, *, minimum: int = 0) -> int:
    raw = os.environ.get(name)
    if raw is None or not raw.strip():
        return default
    try:
        value = int(raw.strip())
    except ValueError:
        raise ConfigError(f"{name} must be a whole number, not {raw!r}.") from None
    if value < minimum:
        raise ConfigError(f"{name} must be at least {minimum}.")
    return value


def _env_float(name: str, default: float) -> float:
    raw = os.environ.get(name)
    if raw is None or not raw.strip():
        return default
    try:
        return float(raw.strip())
    except ValueError:
        raise ConfigError(f"{name} must be a number, not {raw!r}.") from None


def _read_or_create_secret(instance_path: Path) -> str:
    """A random key kept in instance/, so restarts and several workers share it."""
    key_file = instance_path / "secret_key"
    if key_file.exists():
        return key_file.read_text().strip()
    instance_path.mkdir(parents=True, exist_ok=True)
    key = secrets.token_urlsafe(48)
    # O_EXCL: when two workers start together, one writes and the other reads.
    try:
        fd = os.open(key_file, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    except FileExistsError:
        return key_file.read_text().strip()
    with os.fdopen(fd, "w") as handle:
        handle.write(key)
    return key


def _database_url(instance_path: Path) -> str:
    url = os.environ.get("DATABASE_URL")
    if not url:
        instance_path.mkdir(parents=True, exist_ok=True)
        return f"sqlite:///{instance_path / 'convention.sqlite3'}"
    # psycopg 3 is the driver; accept the common postgres:// spellings.
    for prefix in ("postgres://", "postgresql://"):
        if url.startswith(prefix):
            return "postgresql+psycopg://" + url[len(prefix):]
    return url


def _env_list(name: str) -> list[str]:
    """A comma-separated list, e.g. ``TRUSTED_HOSTS=convention.example.org,www.example.org``."""
    return [item.strip().lower() for item in os.environ.get(name, "").split(",") if item.strip()]


def _env_list_raw(name: str) -> list[str]:
    """A comma-separated list kept as typed (addresses, URLs)."""
    return [item.strip() for item in os.environ.get(name, "").split(",") if item.strip()]


def cookie_names(over_https: bool) -> dict:
    """Over HTTPS every cookie the app sets gets the ``__Host-`` prefix: the browser then
    keeps it only if it is Secure, for Path=/ and without a Domain, so no sibling host or
    plain-HTTP page can plant or overwrite it. Over plain HTTP (a laptop) the browser
    would refuse such cookies, so they keep plain names."""
    prefix = "__Host-" if over_https else ""
    return {
        "SESSION_COOKIE_NAME": prefix + "session",
        "SESSION_COOKIE_PATH": "/",
        "SESSION_COOKIE_DOMAIN": None,
        "REMEMBER_COOKIE_NAME": prefix + "remember_token",
        "REMEMBER_COOKIE_PATH": "/",
        "REMEMBER_COOKIE_DOMAIN": None,
        "LANGUAGE_COOKIE_NAME": prefix + "language",
    }


def _base_url() -> str:
    """``BASE_URL``, or this machine on ``PORT`` (the port the Quickstart serves on)."""
    configured = (os.environ.get("BASE_URL") or "").strip()
    if configured:
        return configured.rstrip("/")
    return f"http://127.0.0.1:{_env_int('PORT', 5000, minimum=1)}"


def _log_format(env: str) -> str:
    value = (os.environ.get("LOG_FORMAT") or ("json" if env == "production" else "text")).strip().lower()
    if value not in ("json", "text"):
        raise ConfigError(f"LOG_FORMAT must be json or text, not {value!r}.")
    return value


LOOPBACK_NAMES = ("127.0.0.1", "localhost")


def trusted_hosts(base_url: str, extra: list[str]) -> list[str]:
    """The host names a request may name in its Host header: BASE_URL's, then ``extra``.

    On a laptop (BASE_URL on 127.0.0.1 or localhost) both loopback names are accepted.
    """
    host = (urlsplit(base_url).hostname or "").lower()
    names = [host, *(LOOPBACK_NAMES if host in LOOPBACK_NAMES else ()), *extra]
    return list(dict.fromkeys(name for name in names if name))


def load_config(instance_path: str) -> dict:
    """Build the configuration mapping from the environment."""
    instance = Path(instance_path)
    env = os.environ.get("APP_ENV", "development").strip().lower()
    base_url = _base_url()
    over_https = base_url.startswith("https://")
    secret_from_env = os.environ.get("SECRET_KEY") or None
    redis_url = os.environ.get("REDIS_URL") or None
    if secret_from_env:
        secret_key = secret_from_env
    elif env == "production":
        secret_key = None  # never generated in production: check_production_safety refuses
    else:
        secret_key = _read_or_create_secret(instance)

    config = {
        "APP_ENV": env,
        "DEBUG": _env_bool("DEBUG") or _env_bool("FLASK_DEBUG"),
        "SECRET_KEY": secret_key,
        "SECRET_KEY_FROM_ENV": bool(secret_from_env),
        "SQLALCHEMY_DATABASE_URI": _database_url(instance),
        "SQLALCHEMY_ENGINE_OPTIONS": {"pool_pre_ping": True},
        "BASE_URL": base_url,
        "PREFERRED_URL_SCHEME": "https" if over_https else "http",
        "REDIS_URL": redis_url,
        # Logs: one JSON object a line (production default) or Python's plain text lines.
        "LOG_FORMAT": _log_format(env),
        "LOG_LEVEL": (os.environ.get("LOG_LEVEL") or "INFO").strip().upper(),
        # Behind a load balancer or reverse proxy: how many proxies set X-Forwarded-*
        # headers (0 = none; the client address and scheme are taken as they come).
        "TRUST_PROXY_HOPS": _env_int("TRUST_PROXY_HOPS", 0),
        # X-Forwarded-Host (and -Port) are believed only when this is on as well: a proxy
        # that passes the client's Host header on needs neither.
        "TRUST_FORWARDED_HOST": _env_bool("TRUST_FORWARDED_HOST"),
        # Take the request id from the incoming X-Request-ID header (set by the load
        # balancer) instead of making one; only when that proxy always sets or strips it.
        "TRUST_REQUEST_ID": _env_bool("TRUST_REQUEST_ID"),
        # Any other Host header answers 400, so no link or redirect is built on a forged one.
        "TRUSTED_HOSTS": trusted_hosts(base_url, _env_list("TRUSTED_HOSTS")),
        # Sessions and cookies (over HTTPS named "__Host-...": see cookie_names)
        **cookie_names(over_https),
        "SESSION_COOKIE_HTTPONLY": True,
        "SESSION_COOKIE_SAMESITE": "Lax",
        "SESSION_COOKIE_SECURE": over_https,
        "REMEMBER_COOKIE_HTTPONLY": True,
        "REMEMBER_COOKIE_SAMESITE": "Lax",
        "REMEMBER_COOKIE_SECURE": over_https,
        "REMEMBER_COOKIE_DURATION": timedelta(days=14),
        "PERMANENT_SESSION_LIFETIME": timedelta(hours=12),
        "MAX_CONTENT_LENGTH": _env_int("MAX_CONTENT_LENGTH", 16 * 1024 * 1024, minimum=1024),
        "WTF_CSRF_TIME_LIMIT": 12 * 3600,
        # Rate limits (Flask-Limiter); counters in Redis when there is one.
        "RATELIMIT_STORAGE_URI": redis_url or "memory://",
        # If Redis goes away, count in this process instead of failing every sign-in.
        "RATELIMIT_IN_MEMORY_FALLBACK_ENABLED": True,
        "RATELIMIT_HEADERS_ENABLED": True,
        "LOGIN_RATE_LIMIT": os.environ.get("LOGIN_RATE_LIMIT", "10 per minute"),
        "INVITE_RATE_LIMIT": os.environ.get("INVITE_RATE_LIMIT", "20 per hour"),
        # Ticket shop: placing orders, joining waiting lists (per client and per email) and
        # looking up voucher codes (per client).
        "CHECKOUT_RATE_LIMIT": os.environ.get("CHECKOUT_RATE_LIMIT", "10 per minute;30 per hour"),
        "WAITING_LIST_RATE_LIMIT": os.environ.get("WAITING_LIST_RATE_LIMIT", "5 per hour"),
        "VOUCHER_RATE_LIMIT": os.environ.get("VOUCHER_RATE_LIMIT", "20 per minute;100 per hour"),
        # Orders awaiting payment one email address may hold per edition (0: no cap).
        "MAX_OPEN_ORDERS_PER_EMAIL": _env_int("MAX_OPEN_ORDERS_PER_EMAIL", 3),
        # Bootstrap served from the package, never from a CDN.
        "BOOTSTRAP_SERVE_LOCAL": True,
        # Mail
        "MAIL_SERVER": os.environ.get("MAIL_SERVER") or None,
        "MAIL_PORT": _env_int("MAIL_PORT", 25, minimum=1),
        "MAIL_USERNAME": os.environ.get("MAIL_USERNAME") or None,
        "MAIL_PASSWORD": os.environ.get("MAIL_PASSWORD") or None,
        "MAIL_USE_TLS": _env_bool("MAIL_USE_TLS"),
        "MAIL_USE_SSL": _env_bool("MAIL_USE_SSL"),
        "MAIL_TIMEOUT": _env_float("MAIL_TIMEOUT", 10.0),
        "MAIL_DEFAULT_SENDER": os.environ.get("MAIL_DEFAULT_SENDER", "convention@localhost"),
        # Stripe (only payments/ reads these)
        "STRIPE_SECRET_KEY": os.environ.get("STRIPE_SECRET_KEY") or None,
        "STRIPE_PUBLISHABLE_KEY": os.environ.get("STRIPE_PUBLISHABLE_KEY") or None,
        "STRIPE_WEBHOOK_SECRET": os.environ.get("STRIPE_WEBHOOK_SECRET") or None,
        # Another address for Stripe's API (a local stand-in in tests); empty: Stripe's own.
        "STRIPE_API_BASE": os.environ.get("STRIPE_API_BASE") or None,
        # Uploaded files live outside static/.
        "UPLOAD_FOLDER": os.environ.get("UPLOAD_FOLDER", str(instance / "uploads")),
        # Two-factor sign-in: organizers and site admins must turn it on before their pages
        # (off: optional for everyone); how long the code page waits after the password.
        "REQUIRE_ORGANIZER_2FA": _env_bool("REQUIRE_ORGANIZER_2FA", True),
        "TWO_FACTOR_PENDING_SECONDS": 300,
        "TOTP_ISSUER": os.environ.get("TOTP_ISSUER") or urlsplit(base_url).hostname or "Convention",
        # /.well-known/security.txt (RFC 9116)
        "SECURITY_CONTACT": _env_list_raw("SECURITY_CONTACT"),
        "SECURITY_POLICY": os.environ.get("SECURITY_POLICY") or None,
        "SECURITY_TXT_EXPIRES": os.environ.get("SECURITY_TXT_EXPIRES") or None,
        "SECURITY_PREFERRED_LANGUAGES": os.environ.get("SECURITY_PREFERRED_LANGUAGES", "en, nl, fr"),
        # Signed links
        "EMAIL_CONFIRM_MAX_AGE": 7 * 24 * 3600,
        "PASSWORD_RESET_MAX_AGE": 3600,
    }
    if config["STRIPE_SECRET_KEY"]:  # forms that redirect to Stripe Checkout after the POST
        config["CSP_EXTRA_SOURCES"] = {"form-action": ["https://checkout.stripe.com"]}
    return config


SECRET_KEY_MIN = 32
SECRET_KEY_MIN_BITS = 80


def estimated_secret_bits(secret: str) -> float:
    """A rough, pessimistic estimate of a secret's entropy in bits.

    Each character is worth the Shannon entropy of the secret's own character
    distribution, and only characters that start a three-character sequence not seen
    before count: ``"password" * 8`` is worth as little as ``"password"``. A random
    32-character hex or base64 key scores well above the minimum.
    """
    if not secret:
        return 0.0
    counts = Counter(secret)
    per_char = -sum(n / len(secret) * math.log2(n / len(secret)) for n in counts.values())
    per_char += (len(counts) - 1) / (2 * len(secret) * math.log(2))  # Miller-Madow: short samples read low
    fresh = len({secret[i:i + 3] for i in range(max(len(secret) - 2, 1))}) + min(len(secret) - 1, 2)
    return per_char * fresh


def check_production_safety(config: dict) -> None:
    """Refuse to run in production with a generated secret or with DEBUG on."""
    if config.get("APP_ENV") != "production":
        return
    problems = []
    secret = config.get("SECRET_KEY") or ""
    if not config.get("SECRET_KEY_FROM_ENV") or not secret:
        problems.append(
            "SECRET_KEY must be set in the environment (a long random value, e.g. "
            "`python -c 'import secrets; print(secrets.token_urlsafe(48))'`)"
        )
    elif len(secret) < SECRET_KEY_MIN or estimated_secret_bits(secret) < SECRET_KEY_MIN_BITS:
        problems.append(f"SECRET_KEY is too weak (use at least {SECRET_KEY_MIN} random characters)")
    if config.get("DEBUG"):
        problems.append("DEBUG (or FLASK_DEBUG) must be off")
    if problems:
        raise ConfigError("Refusing to start in production: " + "; ".join(problems) + ".")


def production_warnings(config: dict) -> list[str]:
    """Settings that work but are probably a mistake in production (logged at start)."""
    if config.get("APP_ENV") != "production":
        return []
    warnings = []
    if not str(config.get("BASE_URL", "")).startswith("https://"):
        warnings.append("BASE_URL is not https://: cookies are sent without the Secure flag")
    if str(config.get("SQLALCHEMY_DATABASE_URI", "")).startswith("sqlite"):
        warnings.append("DATABASE_URL is not set: running on SQLite, which serves one host only")
    if not config.get("REDIS_URL"):
        warnings.append("REDIS_URL is not set: rate limits are counted per process and mail is sent inline")
    if config.get("STRIPE_API_BASE"):
        warnings.append("STRIPE_API_BASE is set: payments go to that address, not to Stripe")
    return warnings
