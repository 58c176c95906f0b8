"""Fixtures for the review tests: an edition, its organizer, speakers and reviewers."""

from __future__ import annotations

import pytest

from tests.factories import make_edition, make_user
from tests.fast_hashing import fast_password_hashing  # noqa: F401 (autouse)


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
