"""Fixtures of the schedule tests: an edition with two rooms, one day (09:00-18:00 local),
a lunch break, and confirmed talks by two speakers."""

from __future__ import annotations

from datetime import datetime, time
from types import SimpleNamespace

import pytest

from convention.cfp.states import ProposalState
from convention.core.timeutil import to_utc
from convention.editions.models import Room
from convention.extensions import db as _db
from convention.schedule import setup
from tests.cfp.helpers import make_proposal
from tests.factories import make_edition, make_user
from tests.fast_hashing import fast_password_hashing  # noqa: F401 (autouse)


def local(edition, day, hour, minute=0):
    """A UTC time from the edition's local clock."""
    return to_utc(datetime.combine(day, time(hour, minute)), edition.timezone)


@pytest.fixture
def sched(db):
    organizer = make_user(name="Olivia Organizer", email="olivia@example.org")
    speaker = make_user(name="Sofia Speaker", email="sofia@example.org")
    other = make_user(name="Omar Other", email="omar@example.org")
    edition = make_edition(organizer=organizer, slug="sched", name="Schedule Convention")
    big = Room(edition_id=edition.id, name="Auditorium", capacity=300, position=0)
    small = Room(edition_id=edition.id, name="Lab", capacity=20, position=1)
    _db.session.add_all([big, small])
    _db.session.flush()
    day = edition.starts_on
    setup.save_day(edition, day, time(9), time(18), actor=organizer)
    lunch = setup.save_block(edition, setup.BlockData("break", "Lunch", day, time(12), time(13), None, True),
                             actor=organizer)
    _db.session.commit()
    talk30 = edition.formats[0]  # Talk (30 min)
    first = make_proposal(edition, speaker, state=ProposalState.CONFIRMED, organizer=organizer,
                          title="First talk", format_id=talk30.id)
    second = make_proposal(edition, speaker, state=ProposalState.CONFIRMED, organizer=organizer,
                           title="Second talk", format_id=talk30.id, theme_id=edition.themes[1].id)
    third = make_proposal(edition, other, state=ProposalState.CONFIRMED, organizer=organizer,
                          title="Third talk", format_id=talk30.id, theme_id=edition.themes[2].id)
    return SimpleNamespace(edition=edition, organizer=organizer, speaker=speaker, other=other, big=big,
                           small=small, day=day, lunch=lunch, first=first, second=second, third=third,
                           at=lambda hour, minute=0: local(edition, day, hour, minute))


@pytest.fixture(autouse=True)
def _cold_public_caches():
    """Each test starts as a fresh worker: no rendered grid or export kept from another."""
    from convention.schedule import exports, public_page

    exports.clear_cache()
    public_page.clear_cache()
    yield
    exports.clear_cache()
    public_page.clear_cache()
