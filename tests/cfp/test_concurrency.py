"""One proposal form sent several times at once makes one proposal, and every answer shows it.

Only meaningful on PostgreSQL (SQLite lets one writer in at a time): each submission is
a thread with its own test client (sharing the speaker's session cookie, as the tabs of
one browser do), and a barrier releases them together so their transactions overlap.
"""

from __future__ import annotations

import threading

import pytest
import sqlalchemy as sa

from convention.cfp.models import Proposal, SpeakerProfile
from convention.extensions import db
from tests.cfp.helpers import emails_to, form_values
from tests.conftest import csrf_token_from

pytestmark = pytest.mark.postgres

SUBMISSIONS = 6


@pytest.fixture(autouse=True)
def _needs_postgresql(app):
    if db.engine.dialect.name != "postgresql":
        pytest.skip("needs DATABASE_URL pointing to PostgreSQL: SQLite serialises writers and would hide the race")


def _same_browser(app, client):
    twin = app.test_client()
    twin.set_cookie("session", client.get_cookie("session").value)
    return twin


@pytest.mark.parametrize("has_profile", [True, False], ids=["profile-exists", "first-proposal"])
def test_parallel_submissions_of_one_form_make_one_proposal(app, client, auth, edition, speaker, has_profile):
    if has_profile:
        from convention.cfp.speaker_services import get_or_create_profile

        get_or_create_profile(edition, speaker)
        db.session.commit()
    assert auth.login(speaker.email).status_code == 302
    page = client.get(f"/{edition.slug}/cfp/submit").get_data(as_text=True)
    key = page.split('name="submission_key" type="hidden" value="')[1].split('"')[0]
    data = {**form_values(edition), "submit": "Submit proposal", "csrf_token": csrf_token_from(page),
            "submission_key": key}
    clients = [_same_browser(app, client) for _ in range(SUBMISSIONS)]
    barrier = threading.Barrier(SUBMISSIONS, timeout=60)
    outcomes: list = [None] * SUBMISSIONS

    def submit(i):
        try:
            barrier.wait()
            response = clients[i].post(f"/{edition.slug}/cfp/submit", data=data)
            outcomes[i] = (response.status_code, response.headers.get("Location"))
        except Exception as exc:  # noqa: BLE001 - reported by the assertions
            outcomes[i] = ("error", repr(exc))

    threads = [threading.Thread(target=submit, args=(i,)) for i in range(SUBMISSIONS)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)

    db.session.expire_all()
    proposals = list(db.session.scalars(sa.select(Proposal)))
    assert len(proposals) == 1
    assert outcomes == [(302, f"/{edition.slug}/cfp/proposals/{proposals[0].code}")] * SUBMISSIONS
    assert proposals[0].state.value == "submitted"
    assert db.session.scalar(sa.select(sa.func.count(SpeakerProfile.id))) == 1
    assert len(emails_to(speaker.email, "cfp_submitted")) == 1
