"""Settings read from the environment, with safe embedded defaults.

Nothing here runs at import time: ``load_config`` is called by ``create_app``.
"""

from __future__ import annotations

import os
import secrets
from datetime import timedelta
from pathlib import Path


class ConfigError(RuntimeError):
    """The configuration is unsafe or incomplete; the app must not start."""


def _env_bool(name: str, default: bool = False) -> bool:
    value = os.environ.get(name)
    if value is None:
        return default
    return value.strip().lower() in {"1", "true", "yes", "on"}


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


def load_config(instance_path: str) -> dict:
    """Build the configuration mapping from the environment."""
    instance = Path(instance_path)
    env = os.environ.get("APP_ENV", "development").strip().lower()
    base_url = os.environ.get("BASE_URL", "http://127.0.0.1:5000").rstrip("/")
    over_https = base_url.startswith("https://")
    secret_from_env = os.environ.get("SECRET_KEY")
    redis_url = os.environ.get("REDIS_URL") or None

    config = {
        "APP_ENV": env,
        "DEBUG": _env_bool("DEBUG"),
        "SECRET_KEY": secret_from_env or _read_or_create_secret(instance),
        "SECRET_KEY_FROM_ENV": bool(secret_from_env),
        "SQLALCHEMY_DATABASE_URI": _database_url(instance),
        "SQLALCHEMY_ENGINE_OPTIONS": {"pool_pre_ping": True},
        "BASE_URL": base_url,
        "PREFERRED_URL_SCHEME": "https" if over_https else "http",
        "REDIS_URL": redis_url,
        # Sessions and cookies
        "SESSION_COOKIE_HTTPONLY": True,
        "SESSION_COOKIE_SAMESITE": "Lax",
        "SESSION_COOKIE_SECURE": over_https,
        "REMEMBER_COOKIE_HTTPONLY": True,
        "REMEMBER_COOKIE_SAMESITE": "Lax",
        "REMEMBER_COOKIE_SECURE": over_https,
        "REMEMBER_COOKIE_DURATION": timedelta(days=14),
        "PERMANENT_SESSION_LIFETIME": timedelta(hours=12),
        "MAX_CONTENT_LENGTH": int(os.environ.get("MAX_CONTENT_LENGTH", 16 * 1024 * 1024)),
        "WTF_CSRF_TIME_LIMIT": 12 * 3600,
        # Rate limits (Flask-Limiter); counters in Redis when there is one.
        "RATELIMIT_STORAGE_URI": redis_url or "memory://",
        "RATELIMIT_HEADERS_ENABLED": True,
        "LOGIN_RATE_LIMIT": os.environ.get("LOGIN_RATE_LIMIT", "10 per minute"),
        # Bootstrap served from the package, never from a CDN.
        "BOOTSTRAP_SERVE_LOCAL": True,
        # Mail
        "MAIL_SERVER": os.environ.get("MAIL_SERVER") or None,
        "MAIL_PORT": int(os.environ.get("MAIL_PORT", 25)),
        "MAIL_USERNAME": os.environ.get("MAIL_USERNAME") or None,
        "MAIL_PASSWORD": os.environ.get("MAIL_PASSWORD") or None,
        "MAIL_USE_TLS": _env_bool("MAIL_USE_TLS"),
        "MAIL_USE_SSL": _env_bool("MAIL_USE_SSL"),
        "MAIL_TIMEOUT": float(os.environ.get("MAIL_TIMEOUT", 10)),
        "MAIL_DEFAULT_SENDER": os.environ.get("MAIL_DEFAULT_SENDER", "convention@localhost"),
        # Stripe (only payments/ reads these)
        "STRIPE_SECRET_KEY": os.environ.get("STRIPE_SECRET_KEY") or None,
        "STRIPE_PUBLISHABLE_KEY": os.environ.get("STRIPE_PUBLISHABLE_KEY") or None,
        "STRIPE_WEBHOOK_SECRET": os.environ.get("STRIPE_WEBHOOK_SECRET") or None,
        # Uploaded files live outside static/.
        "UPLOAD_FOLDER": os.environ.get("UPLOAD_FOLDER", str(instance / "uploads")),
        # Signed links
        "EMAIL_CONFIRM_MAX_AGE": 7 * 24 * 3600,
        "PASSWORD_RESET_MAX_AGE": 3600,
    }
    if config["STRIPE_SECRET_KEY"]:  # forms that redirect to Stripe Checkout after the POST
        config["CSP_EXTRA_SOURCES"] = {"form-action": ["https://checkout.stripe.com"]}
    return config


def check_production_safety(config: dict) -> None:
    """Refuse to run in production with a generated secret or with DEBUG on."""
    if config.get("APP_ENV") != "production":
        return
    problems = []
    if not config.get("SECRET_KEY_FROM_ENV"):
        problems.append("SECRET_KEY must be set in the environment (a long random value)")
    elif len(config["SECRET_KEY"]) < 32 or config["SECRET_KEY"] in {"dev", "changeme", "secret"}:
        problems.append("SECRET_KEY is too short or a well-known default")
    if config.get("DEBUG"):
        problems.append("DEBUG must be off")
    if problems:
        raise ConfigError("Refusing to start in production: " + "; ".join(problems) + ".")
