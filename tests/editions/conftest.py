from __future__ import annotations

import pytest

from tests.factories import make_edition, make_user


@pytest.fixture
def organizer(db):
    return make_user(name="Olga Organizer", email="olga@example.org")


@pytest.fixture
def edition(organizer):
    return make_edition(organizer=organizer, slug="csc-2027", name="Cyber Security Convention 2027")


@pytest.fixture
def as_organizer(client, auth, organizer, edition):
    auth.login(organizer.email)
    return client
