"""An autouse fixture for test modules that make many accounts: they hash with tiny argon2
parameters (verification reads them from the hash). Import it into a conftest.py or a test
module: ``from tests.fast_hashing import fast_password_hashing  # noqa: F401``."""

from __future__ import annotations

import pytest
from argon2 import PasswordHasher

_cheap = PasswordHasher(time_cost=1, memory_cost=8, parallelism=1)


@pytest.fixture(autouse=True)
def fast_password_hashing(monkeypatch):
    monkeypatch.setattr("convention.accounts.services.hash_password", _cheap.hash)
