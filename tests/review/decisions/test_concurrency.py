""""Send the notifications" clicked in several tabs at once tells each speaker once.

Only meaningful on PostgreSQL (SQLite lets one writer in at a time): each click is a
thread with its own test client sharing the organizer's session cookie, released together
by a barrier so that their transactions overlap; the decisions are locked (FOR UPDATE)
and re-read, so only the first send finds them untold.
"""

from __future__ import annotations

import threading

import pytest
import sqlalchemy as sa

from convention.cfp.models import Proposal
from convention.cfp.states import ProposalState
from convention.extensions import db
from convention.review import decisions
from convention.review.models import Decision, Outcome
from tests.cfp.helpers import emails_to, make_proposal
from tests.conftest import csrf_token_from

pytestmark = pytest.mark.postgres

CLICKS = 4


@pytest.fixture(autouse=True)
def _needs_postgresql(app):
    if db.engine.dialect.name != "postgresql":
        pytest.skip("needs DATABASE_URL pointing to PostgreSQL: SQLite serialises writers and would hide the race")


def test_parallel_sends_tell_each_speaker_once(app, client, auth, edition, organizer, speaker, co_speaker):
    accepted = make_proposal(edition, speaker, state=ProposalState.SUBMITTED, co_speakers=[co_speaker])
    rejected = make_proposal(edition, co_speaker, state=ProposalState.SUBMITTED)
    decisions.decide(accepted, Outcome.ACCEPT, actor=organizer)
    decisions.decide(rejected, Outcome.REJECT, actor=organizer)
    db.session.commit()
    assert auth.login(organizer.email).status_code == 302
    page = client.get(f"/{edition.slug}/manage/review/notifications/").get_data(as_text=True)
    token = csrf_token_from(page)
    clients = []
    for _ in range(CLICKS):
        twin = app.test_client()
        twin.set_cookie("session", client.get_cookie("session").value)
        clients.append(twin)
    barrier = threading.Barrier(CLICKS, timeout=60)
    outcomes: list = [None] * CLICKS

    def send(i):
        try:
            barrier.wait()
            response = clients[i].post(f"/{edition.slug}/manage/review/notifications/send", data={"csrf_token": token})
            outcomes[i] = response.status_code
        except Exception as exc:  # noqa: BLE001 - reported by the assertions
            outcomes[i] = repr(exc)

    threads = [threading.Thread(target=send, args=(i,)) for i in range(CLICKS)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)

    assert outcomes == [302] * CLICKS
    db.session.expire_all()
    assert dict(db.session.execute(sa.select(Proposal.id, Proposal.state)).all()) == {
        accepted.id: ProposalState.ACCEPTED, rejected.id: ProposalState.REJECTED}
    assert db.session.scalar(sa.select(sa.func.count()).where(Decision.notified_at.is_(None))) == 0
    assert len(emails_to(speaker.email, "cfp_decision")) == 1
    assert len(emails_to(co_speaker.email, "cfp_decision")) == 2  # one per proposal, each once
