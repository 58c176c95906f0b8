"""The demo edition's review is under way: open, blind, queues half done, conflicts."""

from __future__ import annotations

import sqlalchemy as sa

from convention.accounts.models import User
from convention.cfp.models import Proposal
from convention.cfp.states import ProposalState
from convention.demo import DOMAIN_SEEDERS, seed_demo
from convention.editions.models import Edition
from convention.review.models import Conflict, ConflictSource, Criterion, Decision, Outcome
from convention.review.scoring import queue_of
from convention.review.settings import get_settings
from tests.conftest import Auth


def test_demo_committee_has_queues_to_work_through(db, client):
    assert "convention.review.demo:seed" in DOMAIN_SEEDERS
    _created, logins = seed_demo()
    db.session.commit()
    edition = db.session.scalar(sa.select(Edition).where(Edition.slug == "demo"))
    current = get_settings(edition)
    assert current.is_open() and current.blind
    assert db.session.scalar(sa.select(sa.func.count(Criterion.id))) == 4
    sources = set(db.session.scalars(sa.select(Conflict.source)))
    assert {ConflictSource.DECLARED, ConflictSource.ORGANISATION} <= sources
    passwords = {email: password for _role, email, password in logins}
    for number in (1, 2, 3):
        email = f"reviewer{number}@demo.example"
        user = db.session.scalar(sa.select(User).where(User.email == email))
        queue = queue_of(user, edition)
        assert queue.total >= 10 and 0 < queue.done < queue.total, email
    assert Auth(client).login("reviewer2@demo.example", passwords["reviewer2@demo.example"]).status_code == 302
    landing = client.get("/demo/review/")
    html = landing.get_data(as_text=True)
    assert landing.status_code == 200 and "Review the next proposal" in html
    assert "Sofia Speaker" not in client.get("/demo/review/bids").get_data(as_text=True)


def test_demo_has_decisions_told_and_untold(db, client):
    _created, logins = seed_demo()
    db.session.commit()
    rows = db.session.execute(sa.select(Decision.outcome, Decision.notified_at.is_not(None), Proposal.state)
                              .join(Proposal, Proposal.id == Decision.proposal_id)).all()
    told = sorted((outcome, state) for outcome, was_told, state in rows if was_told)
    untold = sorted((outcome, state) for outcome, was_told, state in rows if not was_told)
    assert told == [(Outcome.ACCEPT, ProposalState.ACCEPTED), (Outcome.REJECT, ProposalState.REJECTED)]
    assert untold == [(Outcome.ACCEPT, ProposalState.SUBMITTED), (Outcome.REJECT, ProposalState.SUBMITTED)]
    passwords = {email: password for _role, email, password in logins}
    assert Auth(client).login("organizer@demo.example", passwords["organizer@demo.example"]).status_code == 302
    page = client.get("/demo/manage/review/notifications/")
    assert page.status_code == 200
