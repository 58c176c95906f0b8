"""With REDIS_URL a print sheet is made by an RQ job; the page polls its progress and
offers the PDF when done (skipped without a Redis server, as the other RQ tests)."""

from __future__ import annotations

import pytest
import sqlalchemy as sa
from rq import SimpleWorker

from convention.badges import jobs
from convention.badges.models import Badge, BadgeSheet
from convention.extensions import db
from tests.badges.helpers import decoded_codes
from tests.checkin.helpers import registration
from tests.conftest import csrf_token_from
from tests.factories import make_edition, make_user
from tests.rq_queue import rq_queue

REDIS_URL = "redis://127.0.0.1:6379/6"  # not the registration (2), mail (3) or schedule (4) tests' database


@pytest.fixture
def redis_queue(app):
    with rq_queue(app, REDIS_URL) as queue:
        yield queue


def test_a_sheet_is_made_in_the_background_with_its_progress(client, auth, redis_queue, monkeypatch):
    monkeypatch.setattr(jobs, "PROGRESS_EVERY", 0.0)
    edition = make_edition(organizer=make_user(email="org@example.org"))
    for n in range(3):
        registration(edition, name=f"Person {n}", type_name=f"Pass {n}")
    auth.login("org@example.org")
    url = f"/{edition.slug}/manage/badges/"
    token = csrf_token_from(client.get(url).get_data(as_text=True))
    answer = client.post(f"{url}sheets", data={"csrf_token": token, "ticket_type": "0"})
    sheet = db.session.scalar(sa.select(BadgeSheet))
    assert answer.status_code == 302 and answer.headers["Location"] == f"{url}?sheet={sheet.token}"
    assert sheet.state == "queued" and sheet.pdf is None  # nothing made in the request
    page = client.get(answer.headers["Location"]).get_data(as_text=True)
    assert f'data-status-url="{url}sheets/{sheet.token}"' in page
    assert client.get(f"{url}sheets/{sheet.token}").get_json() == {"state": "queued", "done": 0, "total": 0}
    assert client.get(f"{url}sheets/{sheet.token}.pdf").status_code == 404

    SimpleWorker([redis_queue], connection=redis_queue.connection).work(burst=True)

    db.session.expire_all()
    job = redis_queue.fetch_job(jobs.job_id_of(sheet))
    assert job.get_meta(refresh=True) == {"done": 4, "total": 4}  # the last progress the job wrote
    status = client.get(f"{url}sheets/{sheet.token}").get_json()
    assert status == {"state": "finished", "done": 4, "total": 4, "url": f"{url}sheets/{sheet.token}.pdf"}
    pdf = client.get(status["url"]).data
    assert sorted(code for page in decoded_codes(pdf) for code in page) == sorted(
        db.session.scalars(sa.select(Badge.code)))
    assert db.session.scalar(sa.select(sa.func.count()).where(Badge.printed_at.is_(None))) == 0


def test_a_failed_job_is_recorded_on_the_sheet(app, redis_queue, monkeypatch):
    edition = make_edition(organizer=make_user())
    sheet = BadgeSheet(edition_id=edition.id, token="f" * 32, state="queued")
    db.session.add(sheet)
    db.session.commit()

    def broken(*_args, **_kwargs):
        raise RuntimeError("printer on fire")

    monkeypatch.setattr(jobs.sheets, "build_sheet", broken)
    assert jobs.sheet_job(sheet.id, None, "en") == "failed"
    db.session.expire_all()
    assert (sheet.state, sheet.error) == ("failed", "RuntimeError: printer on fire")
    assert jobs.sheet_job(sheet.id, None, "en") == "skipped"  # a duplicated job does nothing
