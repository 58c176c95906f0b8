"""Two organizers dropping two talks into one room at one time: one wins, the other is refused.

Only meaningful on PostgreSQL (SQLite lets one writer in at a time): each placement is a
thread with its own test client (sharing the organizer's session), released together by
a barrier so that their transactions overlap; the settings row lock makes them take turns.
"""

from __future__ import annotations

import threading

import pytest
import sqlalchemy as sa

from convention.extensions import db
from convention.schedule import setup
from convention.schedule.models import ScheduleSettings, Slot
from tests.conftest import Auth, csrf_token_from

pytestmark = pytest.mark.postgres


@pytest.fixture(autouse=True)
def _needs_postgresql(app):
    if db.engine.dialect.name != "postgresql":
        pytest.skip("needs DATABASE_URL pointing to PostgreSQL: SQLite serialises writers and would hide the race")


@pytest.mark.parametrize("settings_exist", [True, False], ids=["settings-exist", "first-placement"])
def test_parallel_drops_into_one_room_place_one_talk(app, client, sched, settings_exist):
    Auth(client).login(sched.organizer.email)
    token = csrf_token_from(client.get(f"/{sched.edition.slug}/manage/schedule/setup").get_data(as_text=True))
    db.session.rollback()
    if settings_exist:
        setup.get_settings(sched.edition, lock=True)
        db.session.commit()
    assert db.session.scalar(sa.select(sa.func.count(ScheduleSettings.id))) == int(settings_exist)
    url = f"/{sched.edition.slug}/manage/schedule/slots"
    bodies = [{"proposal_id": talk.id, "room_id": sched.big.id, "start": sched.at(10).isoformat()}
              for talk in (sched.first, sched.third)]
    clients = []
    for _ in bodies:
        twin = app.test_client()
        twin.set_cookie("session", client.get_cookie("session").value)
        clients.append(twin)
    barrier = threading.Barrier(len(bodies), timeout=20)
    outcomes: list = [None] * len(bodies)

    def drop(i):
        try:
            barrier.wait()
            outcomes[i] = clients[i].post(url, json=bodies[i], headers={"X-CSRFToken": token}).status_code
        except Exception as exc:  # noqa: BLE001 - reported by the assertions
            outcomes[i] = repr(exc)

    threads = [threading.Thread(target=drop, args=(i,)) for i in range(len(bodies))]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)
    db.session.expire_all()
    assert sorted(outcomes) == [200, 409]
    assert db.session.scalar(sa.select(sa.func.count(Slot.id))) == 1
    assert db.session.scalar(sa.select(sa.func.count(ScheduleSettings.id))) == 1
