"""The retention job: with REDIS_URL, ``anonymise_due`` runs daily as an RQ job that
schedules its next run (``flask worker`` schedules the first); without Redis, cron runs
``flask privacy anonymise-due``."""

from __future__ import annotations

from datetime import datetime, time, timedelta

from convention.core.timeutil import utcnow
from convention.extensions import db
from convention.privacy.retention import anonymise_due

RUN_JOB = "convention.worker.run_job"
ANONYMISE_JOB = "convention.privacy.jobs.anonymise_job"
RUN_AT = time(3, 15)  # UTC, a quiet hour


def next_run(now: datetime | None = None) -> datetime:
    now = now or utcnow()
    today = datetime.combine(now.date(), RUN_AT, tzinfo=now.tzinfo)
    return today if today > now else today + timedelta(days=1)


def schedule_next_anonymisation(now: datetime | None = None) -> datetime:
    """Enqueue the next daily run (one job per day: its id is the day)."""
    # Lazy: Redis and RQ are loaded only when a job is really scheduled (REDIS_URL set).
    from convention.mail.jobs import get_queue

    when = next_run(now)
    get_queue().enqueue_at(when, RUN_JOB, ANONYMISE_JOB, job_id=f"privacy-anonymise-{when:%Y%m%d}")
    return when


def anonymise_job() -> int:
    """The job body (in an app context): anonymise what is due, commit, schedule tomorrow's run."""
    try:
        count = anonymise_due()
        db.session.commit()
    except Exception:
        db.session.rollback()
        raise
    schedule_next_anonymisation()
    return count
