"""With REDIS_URL the outbox hands messages to RQ; a burst SimpleWorker delivers them."""

from __future__ import annotations

import threading
from datetime import timedelta

import pytest
from flask import has_app_context
from rq import Queue, SimpleWorker

from convention.mail.jobs import DELIVER_JOB, schedule_queued_messages
from convention.mail.models import MessageStatus, OutboxMessage
from convention.mail.services import queue_email
from convention.worker import run_job
from tests.rq_queue import rq_queue

REDIS_URL = "redis://127.0.0.1:6379/2"


@pytest.fixture
def redis_queue(app):
    with rq_queue(app, REDIS_URL) as queue:
        yield queue


def run_worker(queue: Queue) -> None:
    SimpleWorker([queue], connection=queue.connection).work(burst=True)


def queue_and_commit(db) -> OutboxMessage:
    message = queue_email("test_message", to="rq@example.org", context={"base_url": "rq"})
    db.session.commit()
    return message


def fresh(db, message_id) -> OutboxMessage:
    db.session.expire_all()
    return db.session.get(OutboxMessage, message_id)


def test_commit_enqueues_a_job_and_the_worker_delivers_it(db, smtp, redis_queue):
    message = queue_and_commit(db)
    assert redis_queue.count == 1
    job = redis_queue.jobs[0]
    assert (job.func_name, job.args) == ("convention.worker.run_job", ("convention.mail.jobs.deliver_job", message.id, 0))
    assert smtp.received == []  # nothing is sent in the request: the worker does it
    assert fresh(db, message.id).status is MessageStatus.QUEUED

    run_worker(redis_queue)

    assert [mail["rcpt_tos"] for mail in smtp.received] == [["rq@example.org"]]
    assert smtp.received[0]["message"]["Subject"] == "Test message from the convention system"
    assert fresh(db, message.id).status is MessageStatus.SENT
    assert redis_queue.count == 0


def test_failed_job_schedules_its_retry_at_the_next_attempt(db, smtp, redis_queue):
    smtp.refuse("451 4.3.0 Try again later")
    message = queue_and_commit(db)
    run_worker(redis_queue)

    stored = fresh(db, message.id)
    assert (stored.status, stored.attempts) == (MessageStatus.QUEUED, 1)
    registry = redis_queue.scheduled_job_registry
    assert len(registry.get_job_ids()) == 1
    retry = redis_queue.fetch_job(registry.get_job_ids()[0])
    assert retry.args == ("convention.mail.jobs.deliver_job", message.id, 1)
    scheduled_at = registry.get_scheduled_time(retry)
    assert stored.next_attempt_at.replace(microsecond=0) <= scheduled_at < stored.next_attempt_at + timedelta(minutes=1)

    # Time passes: move the scheduled job to the queue as the worker's scheduler would.
    smtp.accept()
    registry.remove(retry)
    redis_queue.enqueue_job(retry)
    run_worker(redis_queue)

    assert fresh(db, message.id).status is MessageStatus.SENT
    assert len(smtp.received) == 1
    assert registry.get_job_ids() == []


def test_duplicate_jobs_for_one_attempt_send_once(db, smtp, redis_queue):
    message = queue_and_commit(db)
    redis_queue.enqueue(run_job, DELIVER_JOB, message.id, 0)  # e.g. a worker restart sweep
    run_worker(redis_queue)
    assert len(smtp.received) == 1
    assert fresh(db, message.id).attempts == 1


def test_worker_start_reschedules_queued_messages(db, smtp, redis_queue):
    message = queue_and_commit(db)
    redis_queue.empty()  # the job was lost (Redis restarted without persistence)
    assert schedule_queued_messages() == 1
    run_worker(redis_queue)
    assert fresh(db, message.id).status is MessageStatus.SENT
    assert len(smtp.received) == 1


def test_run_job_outside_an_app_context_uses_the_worker_app(app, db, smtp, redis_queue, monkeypatch):
    import convention.worker as worker

    message_id = queue_and_commit(db).id
    monkeypatch.setattr(worker, "_worker_app", app)  # what `rq worker` would build with create_app()
    results = []
    # A new thread starts without the test's app context, like a plain `rq worker` process.
    thread = threading.Thread(
        target=lambda: results.append((has_app_context(), run_job(DELIVER_JOB, message_id, 0)))
    )
    thread.start()
    thread.join()
    assert results == [(False, "sent")]
    assert len(smtp.received) == 1


def test_flask_worker_command_in_burst_mode_delivers(db, runner, smtp, redis_queue):
    message_id = queue_and_commit(db).id
    result = runner.invoke(args=["worker", "--burst"])
    assert result.exit_code == 0, result.output
    assert "Outbox: 1 queued message(s) scheduled." in result.output
    assert fresh(db, message_id).status is MessageStatus.SENT
    assert len(smtp.received) == 1  # the commit's job and the start-up sweep's job: one send
