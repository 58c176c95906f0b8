"""Fixtures for the call-for-papers tests: an edition with its organizer, and speakers."""

from __future__ import annotations

import pytest

from convention.editions.models import Role
from tests.factories import give_role, make_edition, make_user
from tests.fast_hashing import fast_password_hashing  # noqa: F401 (autouse)


@pytest.fixture
def organizer(db):
    return make_user(name="Olivia Organizer", email="olivia@example.org")


@pytest.fixture
def edition(organizer):
    return make_edition(organizer=organizer, slug="cfp-test", name="Security Convention 2027")


@pytest.fixture
def speaker(db):
    return make_user(name="Sofia Speaker", email="sofia@example.org")


@pytest.fixture
def co_speaker(db):
    return make_user(name="Carl Cospeaker", email="carl@example.org")


@pytest.fixture
def other_speaker(db):
    return make_user(name="Otto Other", email="otto@example.org")


@pytest.fixture
def reviewer(edition):
    user = make_user(name="Rita Reviewer", email="rita@example.org")
    give_role(edition, user, Role.REVIEWER)
    return user


@pytest.fixture
def admin(db):
    return make_user(name="Ada Admin", email="ada@example.org", is_admin=True)


@pytest.fixture(autouse=True)
def _own_upload_folder(app, tmp_path, monkeypatch):
    """Each test stores its uploads in a fresh folder, so it can count exactly what was kept."""
    monkeypatch.setitem(app.config, "UPLOAD_FOLDER", str(tmp_path / "uploads"))
