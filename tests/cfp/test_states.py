"""The proposal state machine: every move, legal or not, and who may make it."""

from __future__ import annotations

import itertools

import pytest
import sqlalchemy as sa

from convention.audit.models import AuditEntry
from convention.cfp import services, submission
from convention.cfp.states import Mover, ProposalState
from convention.core.errors import Forbidden, InvalidTransition
from convention.core.signals import TalkCancelled, TalkConfirmed, talk_cancelled, talk_confirmed
from convention.editions.models import Role
from tests.cfp.helpers import emails_to, make_proposal
from tests.factories import give_role

S = ProposalState

# The specification, stated once here in the words of the call for papers, and NOT read
# from states.TRANSITIONS: a test that parametrises over the table it tests proves only
# that the table equals itself. Every test below drives set_proposal_state (and
# allowed_moves) from this text, so a change of the rules has to be made twice, on
# purpose: in the table, and here. The properties further down (final states are final,
# every live proposal can be withdrawn, organizers only decide) hold whatever the list.
SPEC = """
    speaker    submits     a draft                       draft     -> submitted
    organizer  accepts     a submitted proposal          submitted -> accepted
    organizer  rejects     a submitted proposal          submitted -> rejected
    speaker    confirms    an accepted talk              accepted  -> confirmed
    speaker    declines    an accepted talk              accepted  -> declined
    organizer  cancels     a confirmed talk              confirmed -> cancelled
    speaker    withdraws   a draft                       draft     -> withdrawn
    speaker    withdraws   a submitted proposal          submitted -> withdrawn
    speaker    withdraws   an accepted talk              accepted  -> withdrawn
    speaker    withdraws   a confirmed talk              confirmed -> withdrawn
"""


def _read_spec() -> dict[tuple[ProposalState, ProposalState], Mover]:
    moves = {}
    for line in filter(None, (line.split() for line in SPEC.splitlines())):
        moves[(ProposalState(line[-3]), ProposalState(line[-1]))] = Mover(line[0])
    return moves


ALLOWED = _read_spec()
ALL_PAIRS = list(itertools.product(ProposalState, ProposalState))
ILLEGAL = [pair for pair in ALL_PAIRS if pair not in ALLOWED]
FINAL = {S.REJECTED, S.DECLINED, S.WITHDRAWN, S.CANCELLED}


def _ids(pairs):
    return [f"{a.value}-to-{b.value}" for a, b in pairs]


def test_the_specification_reads_as_ten_moves():
    assert len(ALLOWED) == 10 and len(ILLEGAL) == 64 - 10


@pytest.mark.parametrize(("old", "new"), ILLEGAL, ids=_ids(ILLEGAL))
def test_illegal_transition_is_refused_and_changes_nothing(db, edition, organizer, old, new):
    # The organizer is also the speaker, so only the transition table can refuse.
    proposal = make_proposal(edition, organizer, state=old, organizer=organizer)
    audit_before = db.session.scalar(sa.select(sa.func.count(AuditEntry.id)))
    with pytest.raises(InvalidTransition):
        submission.set_proposal_state(proposal, new, actor=organizer)
    db.session.rollback()
    db.session.refresh(proposal)
    assert proposal.state is old
    assert db.session.scalar(sa.select(sa.func.count(AuditEntry.id))) == audit_before


@pytest.mark.parametrize(("old", "new"), list(ALLOWED), ids=_ids(ALLOWED))
def test_legal_transition_by_the_right_person_is_audited(db, edition, organizer, speaker, old, new):
    proposal = make_proposal(edition, speaker, state=old, organizer=organizer)
    actor = speaker if ALLOWED[(old, new)] is Mover.SPEAKER else organizer
    submission.set_proposal_state(proposal, new, actor=actor)
    db.session.commit()
    assert proposal.state is new
    # Other domains may log their reactions (a free speaker ticket); read the proposal's own entry.
    entry = db.session.scalars(
        sa.select(AuditEntry).where(AuditEntry.action.like("proposal.%")).order_by(AuditEntry.id.desc())
    ).first()
    assert (entry.action, entry.actor_id, entry.object_id) == (f"proposal.{new.value}", actor.id, str(proposal.id))
    assert entry.data == {"from": old.value, "to": new.value}


@pytest.mark.parametrize(("old", "new"), list(ALLOWED), ids=_ids(ALLOWED))
def test_legal_transition_by_the_wrong_person_is_forbidden(db, edition, organizer, speaker, old, new):
    proposal = make_proposal(edition, speaker, state=old, organizer=organizer)
    wrong = organizer if ALLOWED[(old, new)] is Mover.SPEAKER else speaker
    with pytest.raises(Forbidden):
        submission.set_proposal_state(proposal, new, actor=wrong)
    db.session.rollback()
    db.session.refresh(proposal)
    assert proposal.state is old


@pytest.mark.parametrize("state", list(ProposalState), ids=[s.value for s in ProposalState])
def test_buttons_offer_exactly_the_specified_moves(db, edition, organizer, speaker, state):
    proposal = make_proposal(edition, speaker, state=state, organizer=organizer)
    for mover, actor in ((Mover.SPEAKER, speaker), (Mover.ORGANIZER, organizer)):
        expected = {new for (old, new), who in ALLOWED.items() if old is state and who is mover}
        assert set(submission.allowed_moves(proposal, actor, mover)) == expected


# -- properties of the rules, whatever the list says ---------------------------------------------


@pytest.mark.parametrize("state", sorted(FINAL), ids=[s.value for s in sorted(FINAL)])
def test_a_final_state_has_no_way_out(db, edition, organizer, state):
    proposal = make_proposal(edition, organizer, state=state, organizer=organizer)
    for mover in Mover:
        assert submission.allowed_moves(proposal, organizer, mover) == []


@pytest.mark.parametrize("state", sorted(set(ProposalState) - FINAL), ids=[s.value for s in sorted(set(ProposalState) - FINAL)])
def test_every_live_proposal_can_be_withdrawn_by_its_speaker(db, edition, organizer, speaker, state):
    proposal = make_proposal(edition, speaker, state=state, organizer=organizer)
    submission.set_proposal_state(proposal, S.WITHDRAWN, actor=speaker)
    assert proposal.state is S.WITHDRAWN


def test_reviewer_cannot_accept(db, edition, organizer, speaker, reviewer):
    proposal = make_proposal(edition, speaker, state=S.SUBMITTED)
    with pytest.raises(Forbidden):
        submission.set_proposal_state(proposal, S.ACCEPTED, actor=reviewer)


def test_site_admin_can_decide_as_organizer(db, edition, speaker, admin):
    proposal = make_proposal(edition, speaker, state=S.SUBMITTED)
    submission.set_proposal_state(proposal, S.ACCEPTED, actor=admin)
    assert proposal.state is S.ACCEPTED


def test_co_speaker_can_confirm(db, edition, organizer, speaker, co_speaker):
    proposal = make_proposal(edition, speaker, state=S.ACCEPTED, organizer=organizer, co_speakers=[co_speaker])
    submission.set_proposal_state(proposal, S.CONFIRMED, actor=co_speaker)
    assert proposal.state is S.CONFIRMED


def test_submitting_emails_every_speaker(db, edition, speaker, co_speaker):
    proposal = make_proposal(edition, speaker, co_speakers=[co_speaker])
    submission.set_proposal_state(proposal, S.SUBMITTED, actor=speaker)
    db.session.commit()
    for user in (speaker, co_speaker):
        (mail,) = emails_to(user.email, "cfp_submitted")
        assert mail.subject == f"Proposal received: {proposal.title}"
        assert f"/cfp-test/cfp/proposals/{proposal.code}" in mail.body_text
    assert proposal.submitted_at is not None


def test_withdrawal_tells_organizers_and_reviewers_once_each(db, edition, organizer, speaker, reviewer):
    second = give_role(edition, reviewer, Role.ORGANIZER).user  # organizer and reviewer: one email
    proposal = make_proposal(edition, speaker, state=S.SUBMITTED)
    submission.set_proposal_state(proposal, S.WITHDRAWN, actor=speaker)
    db.session.commit()
    assert len(emails_to(organizer.email, "cfp_committee_notice")) == 1
    assert len(emails_to(second.email, "cfp_committee_notice")) == 1
    (notice,) = emails_to(organizer.email, "cfp_committee_notice")
    assert notice.subject == f"Withdrawn: {proposal.title} ({proposal.code})"
    assert f"/cfp-test/manage/proposals/{proposal.code}" in notice.body_text
    assert len(emails_to(speaker.email, "cfp_withdrawn_speaker")) == 1


def test_withdrawal_keeps_the_record(db, edition, speaker):
    proposal = make_proposal(edition, speaker, state=S.WITHDRAWN)
    db.session.expire_all()
    assert services.get_proposal(edition, proposal.code).state is S.WITHDRAWN


def test_accept_and_reject_email_the_speakers(db, edition, organizer, speaker, other_speaker):
    accepted = make_proposal(edition, speaker, state=S.ACCEPTED, organizer=organizer)
    rejected = make_proposal(edition, other_speaker, state=S.REJECTED, organizer=organizer)
    assert [m.subject for m in emails_to(speaker.email, "cfp_accepted")] == [f"Accepted: {accepted.title}"]
    assert [m.subject for m in emails_to(other_speaker.email, "cfp_rejected")] == [f"About your proposal: {rejected.title}"]


def test_talk_confirmed_signal_once_for_all_speakers_with_the_actor(db, edition, organizer, speaker, co_speaker):
    proposal = make_proposal(edition, speaker, state=S.ACCEPTED, organizer=organizer, co_speakers=[co_speaker])
    received = []
    record = received.append  # one object: disconnect must get the same one
    talk_confirmed.connect(record)
    try:
        submission.set_proposal_state(proposal, S.CONFIRMED, actor=speaker)
    finally:
        talk_confirmed.disconnect(record)
    assert received == [TalkConfirmed(edition.id, proposal.id, (speaker.id, co_speaker.id), actor_id=speaker.id)]


@pytest.mark.parametrize(("new", "actor_key"), [(S.CANCELLED, "organizer"), (S.WITHDRAWN, "speaker")])
def test_talk_cancelled_signal_when_a_confirmed_talk_ends(db, edition, organizer, speaker, co_speaker, new, actor_key):
    proposal = make_proposal(edition, speaker, state=S.CONFIRMED, organizer=organizer, co_speakers=[co_speaker])
    received = []
    actor = {"organizer": organizer, "speaker": speaker}[actor_key]
    record = received.append  # one object: disconnect must get the same one
    talk_cancelled.connect(record)
    try:
        submission.set_proposal_state(proposal, new, actor=actor)
    finally:
        talk_cancelled.disconnect(record)
    assert received == [TalkCancelled(edition.id, proposal.id, (speaker.id, co_speaker.id), actor_id=actor.id)]


def test_withdrawing_a_submitted_proposal_sends_no_cancel_signal(db, edition, speaker):
    proposal = make_proposal(edition, speaker, state=S.SUBMITTED)
    received = []
    record = received.append  # one object: disconnect must get the same one
    talk_cancelled.connect(record)
    try:
        submission.set_proposal_state(proposal, S.WITHDRAWN, actor=speaker)
    finally:
        talk_cancelled.disconnect(record)
    assert received == []


def test_signal_names_are_the_contract():
    assert talk_confirmed.name == "cfp.talk-confirmed"
    assert talk_cancelled.name == "cfp.talk-cancelled"
