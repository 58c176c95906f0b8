"""50 scans of one code at the same instant record exactly one check-in, on PostgreSQL.

SQLite lets one writer in at a time, which would hide a check-then-insert race, so this
only means something on PostgreSQL (DATABASE_URL). Each scanner is a thread with its own
app context, session and connection; a barrier releases them together.
"""

from __future__ import annotations

import threading
from collections import Counter

import pytest
import sqlalchemy as sa

from convention.checkin.models import Checkin, CheckinList
from convention.checkin.scanning import ScanRequest, scan
from convention.editions.models import Edition
from convention.extensions import db
from tests.checkin.helpers import registration
from tests.factories import make_edition

pytestmark = pytest.mark.postgres

SCANNERS = 50


@pytest.fixture(autouse=True)
def _needs_postgresql(app):
    if db.engine.dialect.name != "postgresql":
        pytest.skip("needs DATABASE_URL pointing to PostgreSQL: SQLite serialises writers and would hide the race")


def _together(count, act):
    barrier = threading.Barrier(count, timeout=120)
    outcomes = [None] * count

    def worker(i):
        try:
            barrier.wait()
            outcomes[i] = act(i)
        except Exception as exc:  # noqa: BLE001 - reported by the test
            outcomes[i] = f"error: {exc!r}"

    threads = [threading.Thread(target=worker, args=(i,)) for i in range(count)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=300)
    return outcomes


@pytest.mark.parametrize("with_nonce", [False, True])
def test_50_simultaneous_scans_of_one_code_check_in_once(app, with_nonce):
    edition = make_edition()
    attendee, code = registration(edition)
    edition_id, attendee_id = edition.id, attendee.id

    def act(i):
        with app.app_context():
            answer = scan(db.session.get(Edition, edition_id),
                          ScanRequest(code=code, gate=f"G{i}", nonce=f"same-{i % 5}" if with_nonce else None))
            db.session.commit()
            return answer["status"]

    outcomes = _together(SCANNERS, act)
    counts = Counter(outcomes)
    db.session.expire_all()
    entries = db.session.scalar(sa.select(sa.func.count(Checkin.id)).where(
        Checkin.attendee_id == attendee_id, Checkin.status == "checked_in"))
    assert entries == 1
    assert db.session.scalar(sa.select(sa.func.count(CheckinList.id))) == 1
    logged = db.session.scalar(sa.select(sa.func.count(Checkin.id)))
    if with_nonce:
        # five distinct requests, each sent ten times: five scans logged, one of them the
        # entry, and every copy of a request answers what its first copy answered
        assert logged == 5
        assert counts == {"checked_in": 10, "already_checked_in": 40}, counts
    else:
        assert counts == {"checked_in": 1, "already_checked_in": SCANNERS - 1}, counts
        assert logged == SCANNERS


def test_concurrent_offline_uploads_of_one_code_keep_the_earliest_scan(app):
    """Twenty devices upload at once, each its own offline scan of the same ticket made at a
    different time: every scan is logged, exactly one counts, and it is the earliest."""
    from datetime import timedelta

    from convention.checkin.offline import upload_scans
    from convention.core.timeutil import utcnow

    edition = make_edition()
    attendee, code = registration(edition)
    edition_id, attendee_id = edition.id, attendee.id
    start = utcnow() - timedelta(hours=1)
    devices = 20

    def act(i):
        with app.app_context():
            minutes = (i * 7) % devices  # arrival order unrelated to scan time
            answer = upload_scans(db.session.get(Edition, edition_id), [{
                "code": code, "nonce": f"dev{i}", "gate": f"G{minutes}",
                "scanned_at": (start + timedelta(minutes=minutes)).isoformat()}], device=f"Phone {i}")
            db.session.commit()
            return answer[0]["status"]

    outcomes = _together(devices, act)
    assert all(outcome in ("checked_in", "already_checked_in") for outcome in outcomes), outcomes
    db.session.expire_all()
    rows = db.session.scalars(sa.select(Checkin).where(Checkin.attendee_id == attendee_id)).all()
    assert len(rows) == devices
    counted = [row for row in rows if row.admitted_attendee_id is not None]
    assert [row.gate for row in counted] == ["G0"]
    assert counted[0].at == min(row.at for row in rows)
