"""RQ jobs for the outbox (used only when REDIS_URL is set).

A job carries the message id and the attempt count it was created for. It makes one
attempt; when that fails and retries remain, it schedules its successor with
``enqueue_in`` (the worker's scheduler moves it to the queue when due). A duplicated or
stale job finds the attempt count changed and does nothing, so chains never multiply.
"""

from __future__ import annotations

from datetime import timedelta

from flask import current_app
from redis import Redis
from rq import Queue

from convention.core.timeutil import utcnow

QUEUE_NAME = "convention"
JOB_TIMEOUT = 120  # seconds; one SMTP conversation is bounded by MAIL_TIMEOUT
# Jobs run through convention.worker.run_job (which supplies the app context); named
# by string so that mail does not import the app factory.
RUN_JOB = "convention.worker.run_job"
DELIVER_JOB = "convention.mail.jobs.deliver_job"


def get_queue() -> Queue:
    url = current_app.config["REDIS_URL"]
    connections = current_app.extensions.setdefault("convention.redis", {})
    if url not in connections:
        connections[url] = Redis.from_url(url)
    return Queue(QUEUE_NAME, connection=connections[url])


def enqueue_delivery(message_id: int, attempts: int, *, delay: timedelta | None = None) -> None:
    queue = get_queue()
    if delay is not None and delay > timedelta(0):
        queue.enqueue_in(delay, RUN_JOB, DELIVER_JOB, message_id, attempts, job_timeout=JOB_TIMEOUT)
    else:
        queue.enqueue(RUN_JOB, DELIVER_JOB, message_id, attempts, job_timeout=JOB_TIMEOUT)


def deliver_job(message_id: int, attempts: int) -> str | None:
    """The job body (in an app context): one attempt, then schedule the next one if the
    message is still queued."""
    from convention.mail.models import MessageStatus
    from convention.mail.services import deliver_message

    delivery = deliver_message(message_id, expected_attempts=attempts)
    if delivery is None:
        return None
    if delivery.status is MessageStatus.QUEUED:
        enqueue_delivery(message_id, delivery.attempts, delay=delivery.next_attempt_at - utcnow())
    return delivery.status.value


def schedule_queued_messages() -> int:
    """Give every queued message a job at its next attempt (run when a worker starts).

    Recovers messages whose job was lost: Redis was down when they were committed, or
    restarted without persistence, or a worker died mid-send. Duplicates are harmless.
    """
    import sqlalchemy as sa
    from sqlalchemy.orm import Session

    from convention.extensions import db
    from convention.mail.models import MessageStatus, OutboxMessage

    with Session(db.engine) as session:
        rows = session.execute(
            sa.select(OutboxMessage.id, OutboxMessage.attempts, OutboxMessage.next_attempt_at).where(
                OutboxMessage.status == MessageStatus.QUEUED
            )
        ).all()
    now = utcnow()
    for row in rows:
        delay = (row.next_attempt_at - now) if row.next_attempt_at else None
        enqueue_delivery(row.id, row.attempts, delay=delay)
    return len(rows)
