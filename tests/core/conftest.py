from __future__ import annotations

import pytest

from convention import create_app
from convention.extensions import db as _db


@pytest.fixture
def make_app(app):
    """Build another app on the test database (for routes added by a test, other settings)."""
    built = []

    def build(**overrides):
        config = {key: app.config[key] for key in (
            "TESTING", "SECRET_KEY", "SQLALCHEMY_DATABASE_URI", "MAIL_SERVER", "REDIS_URL",
            "RATELIMIT_STORAGE_URI", "UPLOAD_FOLDER", "BASE_URL", "TRUSTED_HOSTS")}
        extra = create_app({**config, **overrides})
        built.append(extra)
        return extra

    yield build
    for extra in built:
        with extra.app_context():
            _db.session.remove()
            _db.engine.dispose()
