"""With REDIS_URL the automatic scheduler runs as an RQ job; the editor follows its
progress through a JSON status endpoint (skipped without a Redis server, as the other RQ tests)."""

from __future__ import annotations

import pytest
import sqlalchemy as sa
from rq import SimpleWorker

from convention.extensions import db
from convention.schedule import jobs
from convention.schedule.models import Slot
from tests.conftest import Auth, csrf_token_from
from tests.factories import make_edition
from tests.rq_queue import rq_queue

REDIS_URL = "redis://127.0.0.1:6379/4"  # not the mail (3) or registration (2) tests' database


@pytest.fixture
def redis_queue(app):
    with rq_queue(app, REDIS_URL) as queue:
        yield queue


def test_the_scheduler_runs_in_the_background_and_reports_its_progress(client, sched, redis_queue, monkeypatch):
    monkeypatch.setattr(jobs, "PROGRESS_EVERY", 0.0)
    Auth(client).login(sched.organizer.email)
    slug = sched.edition.slug
    url = f"/{slug}/manage/schedule/"
    token = csrf_token_from(client.get(url).get_data(as_text=True))
    answer = client.post(f"{url}run", data={"csrf_token": token})
    assert answer.status_code == 302 and "?job=schedule-run-" in answer.headers["Location"]
    job_id = answer.headers["Location"].split("job=")[1]
    assert db.session.scalars(sa.select(Slot)).all() == []  # nothing placed in the request
    page = client.get(answer.headers["Location"]).get_data(as_text=True)
    assert f'data-status-url="/{slug}/manage/schedule/run/{job_id}"' in page
    assert "js/schedule-run.js" in page
    waiting = client.get(f"/{slug}/manage/schedule/run/{job_id}").get_json()
    assert waiting["state"] == "queued" and waiting["solutions"] == 0

    SimpleWorker([redis_queue], connection=redis_queue.connection).work(burst=True)

    db.session.expire_all()
    assert len(db.session.scalars(sa.select(Slot)).all()) == 3
    done = client.get(f"/{slug}/manage/schedule/run/{job_id}").get_json()
    assert done["state"] == "finished" and done["solutions"] >= 1 and done["objective"] is not None
    assert done["summary"].startswith("The scheduler placed 3 of 3 talks")


def test_the_status_of_another_editions_run_or_an_unknown_one_is_not_found(client, sched, redis_queue):
    other = make_edition(organizer=sched.organizer, slug="other-edition")
    db.session.commit()
    job_id = jobs.enqueue_scheduler(other, actor=sched.organizer)
    Auth(client).login(sched.organizer.email)
    assert client.get(f"/{sched.edition.slug}/manage/schedule/run/{job_id}").status_code == 404
    assert client.get(f"/{sched.edition.slug}/manage/schedule/run/schedule-run-{sched.edition.id}-x").status_code == 404
    assert client.get(f"/other-edition/manage/schedule/run/{job_id}").get_json()["state"] == "queued"


def test_without_redis_the_status_endpoint_knows_no_run(client, sched):
    Auth(client).login(sched.organizer.email)
    answer = client.get(f"/{sched.edition.slug}/manage/schedule/run/schedule-run-{sched.edition.id}-abc")
    assert answer.status_code == 404 and answer.get_json()["error"] == "No such scheduler run."
