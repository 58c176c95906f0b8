"""The committee's decisions: accept or reject, one by one or many at once, changeable
until the speakers are told; then "send notifications" tells them all.

A decision is a ``Decision`` row; the proposal itself stays submitted, and the speakers
see nothing, until ``send_notifications``: for each decided, untold proposal it calls
the call for papers' ``set_proposal_state`` with the committee's message (rendered from
the edition's ``NotificationTemplate``), so that the state change, its audit entry, the
emails (outbox) and the signals stay in one place, and stamps ``notified_at``. A told
decision is final here: the proposal's life goes on in the call for papers.

Rows are locked (``FOR UPDATE`` on PostgreSQL) before they are checked, so that a
decision changed while notifications are sent, or two organizers sending at once, cannot
tell a speaker twice or tell them an outcome that was changed meanwhile.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

import sqlalchemy as sa
from flask_babel import gettext
from sqlalchemy.orm import selectinload

from convention.accounts.models import User
from convention.audit.services import record_audit
from convention.cfp.models import Proposal, ProposalSpeaker, SpeakerProfile
from convention.cfp.states import ProposalState
from convention.cfp.submission import set_proposal_state
from convention.core.errors import Conflict, DomainError, Forbidden
from convention.core.timeutil import utcnow
from convention.editions.models import Edition
from convention.extensions import db
from convention.review.models import Decision, Outcome
from convention.review.notifications import feedback_by_proposal, get_template, renderer
from convention.review.permissions import can_decide

# Only a submitted proposal waits for the committee.
DECIDABLE_STATE = ProposalState.SUBMITTED
OUTCOME_STATES = {Outcome.ACCEPT: ProposalState.ACCEPTED, Outcome.REJECT: ProposalState.REJECTED}
BULK_MAX = 500  # proposals in one bulk decision (a page of the ranking is far fewer)


def _ensure_organizer(actor: User, edition: Edition) -> None:
    if not can_decide(actor, edition):
        raise Forbidden(gettext("Only the organizers can decide on proposals."))


def _locked_decision(proposal: Proposal) -> Decision | None:
    return db.session.scalar(
        sa.select(Decision).where(Decision.proposal_id == proposal.id).with_for_update()
    )


def _ensure_decidable(proposal: Proposal, decision: Decision | None) -> None:
    if decision is not None and decision.notified_at is not None:
        raise Conflict(gettext("The speakers of “%(title)s” were already told; the decision cannot change.",
                               title=proposal.title))
    if proposal.state is not DECIDABLE_STATE:
        raise Conflict(gettext("“%(title)s” is %(state)s: only submitted proposals are decided.",
                               title=proposal.title, state=proposal.state.label.lower()))


def decide(proposal: Proposal, outcome: Outcome, *, actor: User, now: datetime | None = None) -> Decision:
    """Record (or change) the committee's outcome for ``proposal``; nobody is told yet."""
    _ensure_organizer(actor, proposal.edition)
    decision = _locked_decision(proposal)
    _ensure_decidable(proposal, decision)
    previous = decision.outcome.value if decision is not None else None
    if decision is None:
        decision = Decision(edition_id=proposal.edition_id, proposal_id=proposal.id, outcome=outcome)
        db.session.add(decision)
    elif decision.outcome is outcome:
        return decision
    decision.outcome = outcome
    decision.decided_by_id = actor.id
    decision.decided_at = now or utcnow()
    db.session.flush()
    record_audit("review.decide", actor=actor, edition_id=proposal.edition_id, target=proposal,
                 data={"outcome": outcome.value, "previous": previous},
                 before={"outcome": previous}, after={"outcome": outcome.value})
    return decision


def clear_decision(proposal: Proposal, *, actor: User) -> None:
    """Take back an untold decision: the proposal waits for the committee again."""
    _ensure_organizer(actor, proposal.edition)
    decision = _locked_decision(proposal)
    if decision is None:
        return
    _ensure_decidable(proposal, decision)
    previous = decision.outcome.value
    db.session.delete(decision)
    db.session.flush()
    record_audit("review.undecide", actor=actor, edition_id=proposal.edition_id, target=proposal,
                 data={"previous": previous}, before={"outcome": previous}, after={"outcome": None})


def decide_many(edition: Edition, proposal_ids: list[int], outcome: Outcome | None, *, actor: User) -> int:
    """The same outcome (None: no decision) for several proposals of ``edition``, all or none:
    one that cannot be decided refuses the whole batch, naming it."""
    _ensure_organizer(actor, edition)
    ids = sorted(set(proposal_ids))
    if not ids:
        raise DomainError(gettext("Tick at least one proposal."))
    if len(ids) > BULK_MAX:
        raise DomainError(gettext("Decide at most %(num)d proposals at once.", num=BULK_MAX))
    proposals = db.session.scalars(
        sa.select(Proposal).where(Proposal.edition_id == edition.id, Proposal.id.in_(ids)).order_by(Proposal.id)
    ).all()
    if len(proposals) != len(ids):
        raise DomainError(gettext("Some of the ticked proposals are not in this edition."))
    for proposal in proposals:
        if outcome is None:
            clear_decision(proposal, actor=actor)
        else:
            decide(proposal, outcome, actor=actor)
    return len(proposals)


@dataclass(frozen=True)
class Untold:
    accept: int
    reject: int
    stale: int  # decided, but the proposal left the submitted state (withdrawn): nobody to tell

    @property
    def total(self) -> int:
        return self.accept + self.reject


def untold_counts(edition: Edition) -> Untold:
    rows = db.session.execute(
        sa.select(Decision.outcome, Proposal.state, sa.func.count())
        .join(Proposal, Proposal.id == Decision.proposal_id)
        .where(Decision.edition_id == edition.id, Decision.notified_at.is_(None))
        .group_by(Decision.outcome, Proposal.state)
    ).all()
    counts = {Outcome.ACCEPT: 0, Outcome.REJECT: 0}
    stale = 0
    for outcome, state, n in rows:
        if state is DECIDABLE_STATE:
            counts[outcome] += n
        else:
            stale += n
    return Untold(counts[Outcome.ACCEPT], counts[Outcome.REJECT], stale)


def _load_proposals_with_speakers(proposal_ids: list[int]) -> dict[int, Proposal]:
    """Everything the state change and the emails read, in a few statements instead of
    several per proposal (kept referenced: the session's identity map holds them weakly)."""
    proposals: dict[int, Proposal] = {}
    for start in range(0, len(proposal_ids), 500):
        proposals.update((p.id, p) for p in db.session.scalars(
            sa.select(Proposal).where(Proposal.id.in_(proposal_ids[start:start + 500])).options(
                selectinload(Proposal.speakers).joinedload(ProposalSpeaker.profile).joinedload(SpeakerProfile.user),
                selectinload(Proposal.invitations),
            )
        ))
    return proposals


@dataclass(frozen=True)
class SendReport:
    accepted: int
    rejected: int
    skipped: int  # decisions whose proposal is no longer submitted


def send_notifications(edition: Edition, *, actor: User, now: datetime | None = None) -> SendReport:
    """Tell the speakers of every decided, untold proposal; the proposals become accepted or
    rejected (through the call for papers), each speaker gets the committee's message."""
    _ensure_organizer(actor, edition)
    now = now or utcnow()
    decisions = db.session.scalars(
        sa.select(Decision)
        .where(Decision.edition_id == edition.id, Decision.notified_at.is_(None))
        .order_by(Decision.id)
        .with_for_update()
    ).all()
    proposals = _load_proposals_with_speakers([d.proposal_id for d in decisions])
    if not decisions:
        raise DomainError(gettext("There is no decision to tell: decide on proposals first."))
    templates = {outcome: get_template(edition, outcome) for outcome in Outcome}
    feedback = feedback_by_proposal([d.proposal_id for d in decisions])
    counts = {Outcome.ACCEPT: 0, Outcome.REJECT: 0}
    skipped = 0
    for decision in decisions:
        proposal = proposals[decision.proposal_id]
        if proposal.state is not DECIDABLE_STATE:
            skipped += 1  # withdrawn meanwhile: the decision stays, untold, for the record
            continue
        notification = renderer(templates[decision.outcome], proposal, feedback.get(proposal.id, ""))
        set_proposal_state(proposal, OUTCOME_STATES[decision.outcome], actor=actor, now=now,
                           notification=notification)
        decision.notified_at = now
        counts[decision.outcome] += 1
    db.session.flush()
    report = SendReport(counts[Outcome.ACCEPT], counts[Outcome.REJECT], skipped)
    record_audit("review.notify", actor=actor, edition_id=edition.id, target=edition,
                 data={"accepted": report.accepted, "rejected": report.rejected, "skipped": report.skipped})
    return report
