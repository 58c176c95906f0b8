"""The scheduler's modules are pure: their tests need no app and no database."""

import pytest


@pytest.fixture(autouse=True)
def _clean_database():
    """Overrides the suite's per-test database cleaning: nothing here touches a database."""
    yield
