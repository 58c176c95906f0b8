"""The automatic scheduler as a background job when ``REDIS_URL`` is set (RQ), with its
progress readable by the organizer's page; without Redis the view runs it synchronously.

The job's id names its edition (``schedule-run-<edition id>-<random>``), so the status
endpoint answers only for jobs of the edition in its URL. Progress (solutions found, the
objective, seconds) is written to the job's meta at most every half second; the final
report (summary and reasons, in the organizer's language at enqueue time) when done.
"""

from __future__ import annotations

import secrets
import time

from flask import current_app
from flask_babel import force_locale, get_locale
from rq.exceptions import NoSuchJobError
from rq.job import Job, JobStatus

from convention.accounts.models import User
from convention.editions.models import Edition
from convention.extensions import db
from convention.mail.jobs import RUN_JOB, get_queue
from convention.schedule import autoschedule

SCHEDULER_JOB = "convention.schedule.jobs.scheduler_job"
JOB_TIMEOUT = int(autoschedule.TIME_LIMIT_SECONDS) + 120  # the solver's limit plus loading and saving
RESULT_TTL = 3600
PROGRESS_EVERY = 0.5  # seconds between two writes of the progress to Redis


def background_enabled() -> bool:
    return bool(current_app.config.get("REDIS_URL"))


def job_prefix(edition: Edition) -> str:
    return f"schedule-run-{edition.id}-"


def enqueue_scheduler(edition: Edition, *, actor) -> str:
    """Queue a run for ``edition`` by ``actor``; returns the job's id."""
    job_id = job_prefix(edition) + secrets.token_hex(8)
    get_queue().enqueue(RUN_JOB, SCHEDULER_JOB, edition.id, actor.id, str(get_locale() or "en"), job_id=job_id,
                        job_timeout=JOB_TIMEOUT, result_ttl=RESULT_TTL, failure_ttl=RESULT_TTL,
                        meta={"solutions": 0, "objective": None, "seconds": 0.0})
    return job_id


def scheduler_job(edition_id: int, actor_id: int, locale: str) -> dict:
    """The job body (in an app context): run, commit, keep the report in the job's meta."""
    from rq import get_current_job

    job = get_current_job()
    last = [0.0]

    def on_progress(progress) -> None:
        if job is None or time.monotonic() - last[0] < PROGRESS_EVERY:
            return
        last[0] = time.monotonic()
        job.meta.update(solutions=progress.solutions, objective=progress.objective, seconds=round(progress.elapsed, 1))
        job.save_meta()

    edition, actor = db.session.get(Edition, edition_id), db.session.get(User, actor_id)
    with force_locale(locale):
        try:
            report = autoschedule.run_scheduler(edition, actor=actor, on_progress=on_progress)
        except Exception:
            db.session.rollback()
            raise
        db.session.commit()
        outcome = {"summary": report.summary, "reasons": list(report.reasons),
                   "complete": report.placed == report.total}
    if job is not None:
        job.meta.update(outcome)
        job.save_meta()
    return outcome


def job_status(edition: Edition, job_id: str) -> dict | None:
    """What the page shows of a run of ``edition``: None if there is no such job."""
    if not job_id.startswith(job_prefix(edition)):
        return None
    queue = get_queue()
    try:
        job = Job.fetch(job_id, connection=queue.connection)
    except NoSuchJobError:
        return None
    status = job.get_status(refresh=True)
    meta = job.get_meta(refresh=True)
    state = {JobStatus.FINISHED: "finished", JobStatus.FAILED: "failed"}.get(status, "running")
    if status in (JobStatus.QUEUED, JobStatus.SCHEDULED, JobStatus.DEFERRED):
        state = "queued"
    return {"state": state, "solutions": meta.get("solutions", 0), "objective": meta.get("objective"),
            "seconds": meta.get("seconds", 0.0), "summary": meta.get("summary"), "reasons": meta.get("reasons", [])}
