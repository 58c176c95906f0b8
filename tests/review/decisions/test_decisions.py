"""Decisions: recorded silently, changeable until told, then told in the committee's words
through the call for papers' state change."""

from __future__ import annotations

import pytest
import sqlalchemy as sa

from convention.audit.models import AuditEntry
from convention.cfp.states import ProposalState
from convention.cfp.submission import set_proposal_state
from convention.core.errors import Conflict, DomainError, Forbidden
from convention.editions.models import Role
from convention.review import decisions, notifications
from convention.review.models import Decision, Outcome
from tests.cfp.helpers import emails_to, make_proposal
from tests.factories import give_role, make_edition, make_user
from tests.review.decisions.helpers import add_review, make_criteria, make_reviewer

S = ProposalState


def _decision(db, proposal):
    return db.session.scalar(sa.select(Decision).where(Decision.proposal_id == proposal.id))


def test_a_decision_is_recorded_and_nobody_is_told(db, edition, organizer, speaker):
    proposal = make_proposal(edition, speaker, state=S.SUBMITTED)
    decisions.decide(proposal, Outcome.ACCEPT, actor=organizer)
    db.session.commit()
    decision = _decision(db, proposal)
    assert decision.outcome is Outcome.ACCEPT and decision.decided_by_id == organizer.id
    assert decision.notified_at is None
    assert proposal.state is S.SUBMITTED
    assert emails_to(speaker.email, "cfp_decision") == [] and emails_to(speaker.email, "cfp_accepted") == []


def test_a_decision_changes_and_clears_until_told(db, edition, organizer, speaker):
    proposal = make_proposal(edition, speaker, state=S.SUBMITTED)
    decisions.decide(proposal, Outcome.ACCEPT, actor=organizer)
    decisions.decide(proposal, Outcome.REJECT, actor=organizer)
    assert _decision(db, proposal).outcome is Outcome.REJECT
    decisions.clear_decision(proposal, actor=organizer)
    assert _decision(db, proposal) is None
    actions = db.session.scalars(sa.select(AuditEntry.action).where(AuditEntry.action.like("review.%"))
                                 .order_by(AuditEntry.id)).all()
    assert actions == ["review.decide", "review.decide", "review.undecide"]


def test_only_organizers_decide(db, edition, speaker):
    reviewer = make_reviewer(edition, "Rita Reviewer")
    proposal = make_proposal(edition, speaker, state=S.SUBMITTED)
    with pytest.raises(Forbidden):
        decisions.decide(proposal, Outcome.ACCEPT, actor=reviewer)
    with pytest.raises(Forbidden):
        decisions.send_notifications(edition, actor=reviewer)
    assert _decision(db, proposal) is None


@pytest.mark.parametrize("state", [S.DRAFT, S.WITHDRAWN, S.ACCEPTED])
def test_only_submitted_proposals_are_decided(db, edition, organizer, speaker, state):
    proposal = make_proposal(edition, speaker, state=state, organizer=organizer)
    with pytest.raises(Conflict, match="only submitted proposals"):
        decisions.decide(proposal, Outcome.REJECT, actor=organizer)


def test_send_tells_every_speaker_once_in_the_committee_words(db, edition, organizer, speaker, co_speaker):
    criteria = make_criteria(edition)
    reviewer = make_reviewer(edition, "Rita Reviewer")
    accepted = make_proposal(edition, speaker, state=S.SUBMITTED, title="Fuzzing parsers", co_speakers=[co_speaker])
    rejected = make_proposal(edition, co_speaker, state=S.SUBMITTED, title="Blockchain for everything")
    waiting = make_proposal(edition, speaker, state=S.SUBMITTED, title="Undecided talk")
    add_review(rejected, reviewer, criteria, [1, 2], feedback="Too broad for a 30-minute slot.")
    notifications.save_template(edition, Outcome.ACCEPT, "Welcome aboard: {title}",
                                "Dear {speaker_name}, {edition} wants “{title}”. Confirm: {confirmation_link}",
                                actor=organizer)
    decisions.decide(accepted, Outcome.ACCEPT, actor=organizer)
    decisions.decide(rejected, Outcome.REJECT, actor=organizer)
    db.session.commit()

    report = decisions.send_notifications(edition, actor=organizer)
    db.session.commit()

    assert report == decisions.SendReport(accepted=1, rejected=1, skipped=0)
    assert (accepted.state, rejected.state, waiting.state) == (S.ACCEPTED, S.REJECTED, S.SUBMITTED)
    (to_speaker,) = [m for m in emails_to(speaker.email, "cfp_decision")]
    assert to_speaker.subject == "Welcome aboard: Fuzzing parsers"
    assert to_speaker.body_text.startswith("Dear Sofia Speaker, Security Convention 2027 wants “Fuzzing parsers”.")
    assert f"/rev-test/cfp/proposals/{accepted.code}" in to_speaker.body_text
    to_co = emails_to(co_speaker.email, "cfp_decision")
    assert sorted(m.subject for m in to_co) == ["About your proposal: Blockchain for everything",
                                                 "Welcome aboard: Fuzzing parsers"]
    rejection = next(m for m in to_co if m.subject.startswith("About"))
    assert "Too broad for a 30-minute slot." in rejection.body_text
    assert "Hello Carl Cospeaker," in rejection.body_text
    # Nothing else was sent: the default cfp emails are replaced, not added to.
    assert emails_to(speaker.email, "cfp_accepted") == [] and emails_to(co_speaker.email, "cfp_rejected") == []
    assert _decision(db, accepted).notified_at is not None
    entry = db.session.scalars(sa.select(AuditEntry).where(AuditEntry.action == "review.notify")).one()
    assert entry.data == {"accepted": 1, "rejected": 1, "skipped": 0}


def test_told_decisions_are_final_and_not_told_twice(db, edition, organizer, speaker):
    proposal = make_proposal(edition, speaker, state=S.SUBMITTED)
    decisions.decide(proposal, Outcome.ACCEPT, actor=organizer)
    decisions.send_notifications(edition, actor=organizer)
    db.session.commit()
    with pytest.raises(Conflict, match="already told"):
        decisions.decide(proposal, Outcome.REJECT, actor=organizer)
    with pytest.raises(Conflict, match="already told"):
        decisions.clear_decision(proposal, actor=organizer)
    with pytest.raises(DomainError, match="no decision to tell"):
        decisions.send_notifications(edition, actor=organizer)
    assert len(emails_to(speaker.email, "cfp_decision")) == 1


def test_a_proposal_withdrawn_after_its_decision_is_skipped(db, edition, organizer, speaker, co_speaker):
    gone = make_proposal(edition, speaker, state=S.SUBMITTED)
    kept = make_proposal(edition, co_speaker, state=S.SUBMITTED)
    decisions.decide(gone, Outcome.ACCEPT, actor=organizer)
    decisions.decide(kept, Outcome.ACCEPT, actor=organizer)
    db.session.commit()
    set_proposal_state(gone, S.WITHDRAWN, actor=speaker)
    db.session.commit()
    assert decisions.untold_counts(edition) == decisions.Untold(accept=1, reject=0, stale=1)
    report = decisions.send_notifications(edition, actor=organizer)
    assert report == decisions.SendReport(accepted=1, rejected=0, skipped=1)
    assert gone.state is S.WITHDRAWN and kept.state is S.ACCEPTED
    assert emails_to(speaker.email, "cfp_decision") == []


def test_bulk_decisions_are_all_or_nothing(db, edition, organizer, speaker):
    first = make_proposal(edition, speaker, state=S.SUBMITTED)
    second = make_proposal(edition, speaker, state=S.SUBMITTED)
    draft = make_proposal(edition, speaker, state=S.DRAFT)
    assert decisions.decide_many(edition, [first.id, second.id, first.id], Outcome.ACCEPT, actor=organizer) == 2
    db.session.commit()
    assert {_decision(db, p).outcome for p in (first, second)} == {Outcome.ACCEPT}
    with pytest.raises(Conflict):
        decisions.decide_many(edition, [first.id, draft.id], Outcome.REJECT, actor=organizer)
    db.session.rollback()
    assert _decision(db, first).outcome is Outcome.ACCEPT
    assert decisions.decide_many(edition, [first.id], None, actor=organizer) == 1
    assert _decision(db, first) is None


def test_bulk_refuses_other_editions_and_empty_ticks(db, edition, organizer, speaker):
    other_organizer = make_user(name="Otto Other")
    other = make_edition(organizer=other_organizer)
    stranger = make_proposal(other, speaker, state=S.SUBMITTED)
    with pytest.raises(DomainError, match="not in this edition"):
        decisions.decide_many(edition, [stranger.id], Outcome.ACCEPT, actor=organizer)
    with pytest.raises(DomainError, match="Tick at least one"):
        decisions.decide_many(edition, [], Outcome.ACCEPT, actor=organizer)
    assert _decision(db, stranger) is None


def test_admin_decides_too(db, edition, speaker):
    admin = make_user(name="Ada Admin", is_admin=True)
    proposal = make_proposal(edition, speaker, state=S.SUBMITTED)
    decisions.decide(proposal, Outcome.REJECT, actor=admin)
    assert _decision(db, proposal).outcome is Outcome.REJECT


def test_a_reviewer_role_is_not_enough_even_with_organizer_elsewhere(db, edition, speaker):
    user = make_user(name="Mixed Roles")
    give_role(edition, user, Role.REVIEWER)
    proposal = make_proposal(edition, speaker, state=S.SUBMITTED)
    with pytest.raises(Forbidden):
        decisions.decide_many(edition, [proposal.id], Outcome.ACCEPT, actor=user)
