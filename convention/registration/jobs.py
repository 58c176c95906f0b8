"""The background job that releases overdue reservations (scheduled by ``deadlines.py``)."""

from __future__ import annotations

from convention.extensions import db
from convention.registration.deadlines import schedule_next_expiry
from convention.registration.services import expire_due_reservations

__all__ = ["expire_job", "schedule_next_expiry"]


def expire_job() -> int:
    """The job body (in an app context): release what is due, commit, schedule the next deadline."""
    try:
        count = expire_due_reservations()
        db.session.commit()
    except Exception:
        db.session.rollback()
        raise
    schedule_next_expiry()
    return count
