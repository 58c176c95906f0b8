"""The editor and the public schedule run as many queries for many talks as for few."""

from __future__ import annotations

from flask import g

from convention.accounts.models import User
from convention.cfp.states import ProposalState
from convention.editions.models import Edition, Room
from convention.extensions import db
from convention.schedule import versions
from convention.schedule.placement import place_talk
from tests.cfp.helpers import make_proposal
from tests.conftest import Auth
from tests.factories import make_user
from tests.queries import count_queries
from tests.schedule.conftest import local


def _count(client, url):
    g.pop("_schedule_versions", None)
    g.pop("_schedule_infos", None)
    with count_queries() as statements:
        assert client.get(url).status_code == 200
    return len(statements)


def _more_talks(ids, n, hour):
    edition, organizer = db.session.get(Edition, ids["edition"]), db.session.get(User, ids["organizer"])
    rooms = [db.session.get(Room, ids["big"]), db.session.get(Room, ids["small"])]
    for i in range(n):
        speaker = make_user(name=f"Extra {hour} {i}")
        talk = make_proposal(edition, speaker, state=ProposalState.CONFIRMED, organizer=organizer,
                             title=f"Extra {hour}-{i}", format_id=edition.formats[0].id)
        place_talk(edition, talk, rooms[i % 2], local(edition, ids["day"], hour + i // 2), actor=organizer)
    versions.publish_version(edition, f"Version {hour}", actor=organizer)
    db.session.commit()


def test_page_queries_do_not_grow_with_the_talks(client, sched):
    Auth(client).login(sched.organizer.email)
    slug = sched.edition.slug
    ids = {"edition": sched.edition.id, "organizer": sched.organizer.id, "big": sched.big.id,
           "small": sched.small.id, "day": sched.day}
    _more_talks(ids, 2, 9)
    few = {url: _count(client, url) for url in (f"/{slug}/manage/schedule/", f"/{slug}/schedule/")}
    _more_talks(ids, 6, 14)
    many = {url: _count(client, url) for url in few}
    assert many == few
