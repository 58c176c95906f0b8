"""A decision told in the committee's words: set_proposal_state's optional notification
replaces the default accept/reject email, and the organizer's proposal page sends the
decision to the review instead of deciding on the spot."""

from __future__ import annotations

import pytest
import sqlalchemy as sa

from convention.audit.models import AuditEntry
from convention.cfp import submission
from convention.cfp.states import ProposalState
from convention.core.signals import TalkCancelled, talk_cancelled
from tests.cfp.helpers import emails_to, make_proposal

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
