"""With REDIS_URL the retention run is a nightly RQ job that schedules the next night's."""

from __future__ import annotations

from datetime import timedelta

import pytest
import sqlalchemy as sa
from rq import SimpleWorker

from convention.core.timeutil import utcnow
from convention.privacy.jobs import next_run, schedule_next_anonymisation
from convention.privacy.models import PrivacySettings
from convention.registration.models import Order
from tests.factories import make_edition
from tests.registration.helpers import buy, make_ticket_type
from tests.rq_queue import rq_queue

REDIS_URL = "redis://127.0.0.1:6379/5"  # not the mail (2), registration (3) or schedule (4) tests' database


@pytest.fixture
def redis_queue(app):
    with rq_queue(app, REDIS_URL) as queue:
        yield queue


def test_the_nightly_job_anonymises_and_schedules_the_next_night(db, redis_queue):
    edition = make_edition()
    order = buy(edition, {make_ticket_type(edition, price_cents=0): 1}, email="buyer@example.org")
    db.session.add(PrivacySettings(edition_id=edition.id, retention_until=utcnow().date() - timedelta(days=2)))
    db.session.commit()
    order_id = order.id
    registry = redis_queue.scheduled_job_registry
    when = schedule_next_anonymisation()
    assert registry.get_job_ids() == [f"privacy-anonymise-{when:%Y%m%d}"]
    job = redis_queue.fetch_job(registry.get_job_ids()[0])
    registry.remove(job)
    redis_queue.enqueue_job(job)  # as the scheduler does when it is due
    SimpleWorker([redis_queue], connection=redis_queue.connection).work(burst=True)
    db.session.expire_all()
    assert db.session.get(Order, order_id).email == ""
    assert registry.get_job_ids() == [f"privacy-anonymise-{next_run():%Y%m%d}"]  # and again tomorrow
    assert db.session.scalar(sa.select(PrivacySettings.anonymised_at)) is not None
