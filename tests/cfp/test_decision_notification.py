"""A decision told in the committee's words: set_proposal_state's optional notification
replaces the default accept/reject email, and the organizer's proposal page sends the
decision to the review instead of deciding on the spot."""

from __future__ import annotations

import pytest
import sqlalchemy as sa

from convention.audit.models import AuditEntry
from convention.cfp import submission
from convention.cfp.models import Proposal
from convention.cfp.states import ProposalState
from convention.core.signals import TalkCancelled, talk_cancelled
from convention.extensions import db as _db
from tests.cfp.helpers import emails_to, make_proposal
from tests.conftest import csrf_token_from

S = ProposalState


def _words(user):
    return submission.Notification(subject=f"Decision for {user.name}", body=f"Dear {user.name},\nwelcome aboard.")


@pytest.mark.parametrize("state", [S.ACCEPTED, S.REJECTED])
def test_a_notification_replaces_the_default_email_for_each_speaker(db, edition, organizer, speaker, co_speaker, state):
    proposal = make_proposal(edition, speaker, state=S.SUBMITTED, co_speakers=[co_speaker])
    submission.set_proposal_state(proposal, state, actor=organizer, notification=_words)
    for user in (speaker, co_speaker):
        (message,) = emails_to(user.email, "cfp_decision")
        assert message.subject == f"Decision for {user.name}"
        assert message.body_text == f"Dear {user.name},\nwelcome aboard.\n"
    assert emails_to(speaker.email, "cfp_accepted") == [] and emails_to(speaker.email, "cfp_rejected") == []
    assert proposal.state is state
    entry = db.session.scalars(sa.select(AuditEntry).where(AuditEntry.action == f"proposal.{state.value}")).one()
    assert entry.data["notification"] == "committee"


def test_without_a_notification_the_default_email_is_sent(db, edition, organizer, speaker):
    proposal = make_proposal(edition, speaker, state=S.SUBMITTED)
    submission.set_proposal_state(proposal, S.ACCEPTED, actor=organizer)
    assert [m.subject for m in emails_to(speaker.email, "cfp_accepted")] == [f"Accepted: {proposal.title}"]
    assert emails_to(speaker.email, "cfp_decision") == []


def test_a_notification_is_refused_for_other_moves(db, edition, organizer, speaker):
    proposal = make_proposal(edition, speaker, state=S.CONFIRMED, organizer=organizer)
    received = []
    record = received.append
    talk_cancelled.connect(record)
    try:
        with pytest.raises(ValueError):
            submission.set_proposal_state(proposal, S.CANCELLED, actor=organizer, notification=_words)
    finally:
        talk_cancelled.disconnect(record)
    assert proposal.state is S.CONFIRMED and received == []
    assert not [r for r in received if isinstance(r, TalkCancelled)]


def test_the_rules_still_apply_with_a_notification(db, edition, organizer, speaker):
    proposal = make_proposal(edition, speaker, state=S.DRAFT)
    with pytest.raises(Exception, match="cannot become"):
        submission.set_proposal_state(proposal, S.ACCEPTED, actor=organizer, notification=_words)
    assert emails_to(speaker.email, "cfp_decision") == []


def test_organizer_page_links_to_the_review_decision(client, auth, edition, organizer, speaker):
    proposal = make_proposal(edition, speaker, state=S.SUBMITTED)
    auth.login(organizer.email)
    page = client.get(f"/cfp-test/manage/proposals/{proposal.code}").get_data(as_text=True)
    assert f'href="/cfp-test/manage/review/decisions/{proposal.code}"' in page
    assert "/state/accept" not in page and "/state/reject" not in page
    # The old immediate move is gone: the committee decides, and tells the speakers later.
    for word in ("accept", "reject"):
        response = client.post(f"/cfp-test/manage/proposals/{proposal.code}/state/{word}",
                               data={"csrf_token": csrf_token_from(page)})
        assert response.status_code == 404
    _db.session.expire_all()
    assert _db.session.get(Proposal, proposal.id).state is S.SUBMITTED
    assert emails_to(speaker.email, "cfp_accepted") == []


def test_no_decision_link_once_decided_but_cancel_stays(client, auth, edition, organizer, speaker):
    proposal = make_proposal(edition, speaker, state=S.CONFIRMED, organizer=organizer)
    auth.login(organizer.email)
    page = client.get(f"/cfp-test/manage/proposals/{proposal.code}").get_data(as_text=True)
    assert "/manage/review/decisions/" not in page
    assert f"/cfp-test/manage/proposals/{proposal.code}/state/cancel" in page
