"""Fixtures for the review tests: an edition, its organizer, speakers and reviewers."""

from __future__ import annotations

import pytest
from argon2 import PasswordHasher

from tests.factories import make_edition, make_user

_cheap = PasswordHasher(time_cost=1, memory_cost=8, parallelism=1)


@pytest.fixture(autouse=True)
def _fast_password_hashing(monkeypatch):
    monkeypatch.setattr("convention.accounts.services.hash_password", _cheap.hash)


@pytest.fixture
def organizer(db):
    return make_user(name="Olivia Organizer", email="olivia@example.org")


@pytest.fixture
def edition(organizer):
    return make_edition(organizer=organizer, slug="rev-test", name="Security Convention 2027")


@pytest.fixture
def speaker(db):
    return make_user(name="Sofia Speaker", email="sofia@example.org")


@pytest.fixture
def co_speaker(db):
    return make_user(name="Carl Cospeaker", email="carl@example.org")
