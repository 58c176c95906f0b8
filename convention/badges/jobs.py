"""A print sheet as a background job when ``REDIS_URL`` is set (RQ); without Redis the
organizers' page makes it in the request.

The job's id carries the sheet's random token (``badge-sheet-<token>``). While it runs,
its progress (badges done of the total) is written to the job's meta at most every half
second, which the page's status endpoint reads; the sheet row records the outcome and
the PDF, so any web process can serve it.
"""

from __future__ import annotations

import logging

from flask import current_app
from flask_babel import force_locale, get_locale
from rq.exceptions import NoSuchJobError
from rq.job import Job

from convention.accounts.models import User
from convention.badges import sheets
from convention.badges.models import BadgeSheet
from convention.extensions import db
from convention.mail.jobs import RUN_JOB, get_queue

SHEET_JOB = "convention.badges.jobs.sheet_job"
JOB_TIMEOUT = 1800  # seconds: a sheet of 5,000 badges takes well under a minute
RESULT_TTL = 3600
PROGRESS_EVERY = 0.5

log = logging.getLogger(__name__)


def background_enabled() -> bool:
    return bool(current_app.config.get("REDIS_URL"))


def job_id_of(sheet: BadgeSheet) -> str:
    return f"badge-sheet-{sheet.token}"


def enqueue_sheet(sheet: BadgeSheet, *, actor) -> str:
    """Queue the making of ``sheet`` (committed by the caller first: the worker reads it)."""
    job_id = job_id_of(sheet)
    get_queue().enqueue(RUN_JOB, SHEET_JOB, sheet.id, getattr(actor, "id", None), str(get_locale() or "en"),
                        job_id=job_id, job_timeout=JOB_TIMEOUT, result_ttl=RESULT_TTL, failure_ttl=RESULT_TTL,
                        meta={"done": 0, "total": 0})
    return job_id


def sheet_job(sheet_id: int, actor_id: int | None, locale: str) -> str:
    """The job body (in an app context): make the sheet, commit, report."""
    from rq import get_current_job

    job = get_current_job()
    sheet = db.session.get(BadgeSheet, sheet_id)
    if sheet is None or sheet.state not in (sheets.QUEUED, sheets.RUNNING):
        return "skipped"
    sheet.state = sheets.RUNNING
    db.session.commit()

    def write(done: int, total: int) -> None:
        if job is not None:
            job.meta.update(done=done, total=total)
            job.save_meta()

    actor = db.session.get(User, actor_id) if actor_id else None
    with force_locale(locale):
        try:
            sheets.build_sheet(sheet, actor=actor, on_progress=sheets.throttled(write, PROGRESS_EVERY))
            db.session.commit()
        except Exception as error:
            db.session.rollback()
            log.exception("Badge sheet %s failed", sheet_id)
            sheet = db.session.get(BadgeSheet, sheet_id)
            sheet.state, sheet.error = sheets.FAILED, f"{type(error).__name__}: {error}"[:2000]
            db.session.commit()
            return sheets.FAILED
    return sheets.FINISHED


def job_progress(sheet: BadgeSheet) -> tuple[int, int]:
    """(done, total) the running job last reported; (0, 0) when unknown."""
    if not background_enabled():
        return 0, 0
    try:
        job = Job.fetch(job_id_of(sheet), connection=get_queue().connection)
    except NoSuchJobError:
        return 0, 0
    meta = job.get_meta(refresh=True)
    return int(meta.get("done") or 0), int(meta.get("total") or 0)
