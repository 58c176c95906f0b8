"""RQ jobs for the outbox (used only when REDIS_URL is set)."""

from __future__ import annotations

from flask import current_app
from redis import Redis
from rq import Queue

QUEUE_NAME = "convention"


def get_queue() -> Queue:
    return Queue(QUEUE_NAME, connection=Redis.from_url(current_app.config["REDIS_URL"]))


def enqueue_delivery(message_id: int) -> None:
    get_queue().enqueue(deliver_job, message_id, job_timeout=60)


def deliver_job(message_id: int) -> None:
    """Runs in the worker: build the app, send, and schedule a retry if it failed."""
    from convention import create_app
    from convention.extensions import db
    from convention.mail.models import MessageStatus, OutboxMessage
    from convention.mail.services import backoff_delay, deliver_message

    app = create_app()
    with app.app_context():
        status = deliver_message(message_id)
        if status is MessageStatus.QUEUED:
            attempts = db.session.get(OutboxMessage, message_id).attempts
            get_queue().enqueue_in(backoff_delay(attempts), deliver_job, message_id)
