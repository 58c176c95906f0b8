"""Scheduling the release of overdue reservations (the job itself is in ``jobs.py``).

With ``REDIS_URL``, every commit that creates a reservation schedules an RQ job at its
deadline (``enqueue_at``; the worker's scheduler runs it when due). The job releases
every reservation then due and schedules itself at the next deadline, so a deadline
moved later (or a job lost with Redis) is still met. Job ids are made from the
deadline, so the many jobs that land on one second are one job. Without Redis, run
``flask registration expire`` from cron; either way the POST that needs the seats
releases what is due first, and pages only show overdue reservations as expired.
"""

from __future__ import annotations

import logging
from datetime import datetime, timedelta

import sqlalchemy as sa
from flask import current_app
from sqlalchemy import event
from sqlalchemy.orm import Session

from convention.core.timeutil import utcnow
from convention.extensions import db
from convention.registration.models import Order, OrderState

log = logging.getLogger(__name__)

PENDING_KEY = "registration.expiry_deadlines"
SLACK = timedelta(seconds=1)  # run just after the deadline, never just before it
JOB_TIMEOUT = 300
# Run through convention.worker.run_job, which supplies the app context.
RUN_JOB = "convention.worker.run_job"
EXPIRE_JOB = "convention.registration.jobs.expire_job"


def remember_deadline(session: Session, deadline: datetime | None) -> None:
    """Schedule a release at ``deadline`` once the caller's transaction commits."""
    if deadline is not None:
        session.info.setdefault(PENDING_KEY, set()).add(deadline)


def job_id(deadline: datetime) -> str:
    return f"registration-expire-{int(deadline.timestamp())}"


def schedule_expiry(deadline: datetime) -> None:
    # Lazy: Redis and RQ are loaded only when a deadline is really scheduled (REDIS_URL set).
    from convention.mail.jobs import get_queue

    get_queue().enqueue_at(deadline + SLACK, RUN_JOB, EXPIRE_JOB, job_id=job_id(deadline), job_timeout=JOB_TIMEOUT)


def schedule_next_expiry(now: datetime | None = None) -> datetime | None:
    """Schedule a job at the earliest deadline of the open reservations (None: there are none).

    Also run when a worker starts, to pick up what was missed while Redis was away."""
    deadline = db.session.scalar(sa.select(sa.func.min(Order.expires_at)).where(Order.state == OrderState.RESERVED))
    if deadline is None:
        return None
    schedule_expiry(max(deadline, now or utcnow()))
    return deadline


# -- scheduling after commit ------------------------------------------------------------


def _after_commit(session: Session) -> None:
    if session.in_nested_transaction():
        return  # a SAVEPOINT released: the outer transaction is still open
    deadlines = session.info.pop(PENDING_KEY, None)
    if not deadlines or not current_app.config.get("REDIS_URL"):
        return
    # The commit has succeeded: nothing raised here may reach it. A lost job is made up
    # by the next job's own rescheduling, the next worker start, or cron.
    try:
        for deadline in sorted(deadlines):
            schedule_expiry(deadline)
    except Exception:
        log.exception("Could not schedule the release of %s reservation deadline(s)", len(deadlines))


def _after_soft_rollback(session: Session, previous_transaction) -> None:
    if previous_transaction.parent is None:
        session.info.pop(PENDING_KEY, None)


def init_expiry_scheduling() -> None:
    """Listen on the Flask-SQLAlchemy session, once per process (idempotent)."""
    target = db.session
    if not event.contains(target, "after_commit", _after_commit):
        event.listen(target, "after_commit", _after_commit)
        event.listen(target, "after_soft_rollback", _after_soft_rollback)
