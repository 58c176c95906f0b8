"""Moving a proposal through its states: ``set_proposal_state`` is the one function that
changes a state. It applies the transition table of ``states.py``, checks who asks, writes
the audit entry, queues the emails and sends the ``talk_confirmed`` / ``talk_cancelled``
signals. Submitting also asks the deadline (``call.ensure_call_open``) at that moment.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime

import sqlalchemy as sa
from flask_babel import gettext, lazy_gettext

from convention.accounts.models import User
from convention.audit.services import record_audit
from convention.cfp.answers import missing_required_answers
from convention.cfp.call import call_is_open_for, ensure_call_open
from convention.cfp.models import Proposal
from convention.cfp.permissions import is_proposal_speaker
from convention.cfp.states import DECIDED_IN_REVIEW, JOINABLE_STATES, MOVE_WORDS, TRANSITIONS, Mover, ProposalState
from convention.core.errors import DomainError, Forbidden, InvalidTransition
from convention.core.signals import TalkCancelled, TalkConfirmed, talk_cancelled, talk_confirmed
from convention.core.timeutil import utcnow
from convention.core.urls import external_url
from convention.editions.models import Edition, EditionRole, Role
from convention.editions.permissions import can_manage_edition
from convention.extensions import db
from convention.mail.services import queue_email

UNCONFIRMED_SUBMIT = lazy_gettext(
    "Please confirm your email address before submitting a proposal: follow the link in the email we sent you "
    "(your account page sends a new one). You can save a draft meanwhile."
)


def ensure_confirmed_to_submit(actor: User) -> None:
    """Submitting (not saving a draft) needs a confirmed address: the call's emails go there."""
    if not actor.email_confirmed:
        raise DomainError(str(UNCONFIRMED_SUBMIT))


def _may_move(actor: User, proposal: Proposal, mover: Mover) -> bool:
    if mover is Mover.SPEAKER:
        return is_proposal_speaker(actor, proposal)
    return can_manage_edition(actor, proposal.edition)


def allowed_moves(proposal: Proposal, actor: User | None, mover: Mover) -> list[ProposalState]:
    """The states ``actor`` may move the proposal to, acting as ``mover`` (for the buttons)."""
    if actor is None or not _may_move(actor, proposal, mover):
        return []
    return [to for (frm, to), who in TRANSITIONS.items() if frm is proposal.state and who is mover]


def move_buttons(proposal: Proposal, actor: User | None, mover: Mover, *, now: datetime | None = None):
    """(state, URL word) for each move the page offers ``actor``; a speaker is not offered
    to submit once the call is closed for them (the move would be refused)."""
    moves = allowed_moves(proposal, actor, mover)
    if ProposalState.SUBMITTED in moves and not call_is_open_for(proposal.edition, actor, now=now):
        moves.remove(ProposalState.SUBMITTED)
    return [(state, MOVE_WORDS[state]) for state in moves if state in MOVE_WORDS]


def offers_review_decision(proposal: Proposal, actor: User | None) -> bool:
    """Whether the organizer's page links to the committee's decision (accept or reject)."""
    return any(state in DECIDED_IN_REVIEW for state in allowed_moves(proposal, actor, Mover.ORGANIZER))


@dataclass(frozen=True)
class Notification:
    """The committee's own words for one speaker, replacing the default accept/reject email
    (the review's decision notifications); plain text, already rendered."""

    subject: str
    body: str


# A decision's email may be written by the committee: one Notification per speaker.
NOTIFIABLE_STATES = frozenset({ProposalState.ACCEPTED, ProposalState.REJECTED})


def set_proposal_state(
    proposal: Proposal,
    new_state: ProposalState,
    *,
    actor: User,
    now: datetime | None = None,
    reason: str = "",
    notification: Callable[[User], Notification] | None = None,
) -> Proposal:
    """Move ``proposal`` to ``new_state``: check, change, audit, email, signal.

    ``notification`` (accept and reject only) gives each speaker's email instead of the
    default template: the review's decisions are told in the committee's words."""
    if notification is not None and new_state not in NOTIFIABLE_STATES:
        raise ValueError(f"A notification replaces only the accept/reject email, not {new_state.value}.")
    now = now or utcnow()
    old_state = proposal.state
    mover = TRANSITIONS.get((old_state, new_state))
    if mover is None:
        raise InvalidTransition(gettext(
            "A proposal that is %(old)s cannot become %(new)s.", old=old_state.label.lower(), new=new_state.label.lower()
        ))
    if not _may_move(actor, proposal, mover):
        if mover is Mover.SPEAKER:
            raise Forbidden(gettext("Only its speakers can make this proposal %(state)s.", state=new_state.label.lower()))
        raise Forbidden(gettext("Only the organizers can make this proposal %(state)s.", state=new_state.label.lower()))
    if new_state is ProposalState.SUBMITTED:
        ensure_call_open(proposal.edition, actor, now=now)
        ensure_confirmed_to_submit(actor)
        _ensure_complete(proposal)
        missing = missing_required_answers(proposal)
        if missing:
            raise DomainError(
                gettext("Answer the required question “%(question)s” before submitting.", question=missing[0].label),
                field=f"q_{missing[0].id}",
            )
        proposal.submitted_at = now
    proposal.state = new_state
    proposal.state_changed_at = now
    proposal.updated_at = now
    if new_state not in JOINABLE_STATES:
        _revoke_pending_invitations(proposal, now)
    db.session.flush()
    audit_data = {"from": old_state.value, "to": new_state.value}
    if reason:
        audit_data["reason"] = reason[:500]
    if notification is not None:
        audit_data["notification"] = "committee"
    record_audit(f"proposal.{new_state.value}", actor=actor, edition_id=proposal.edition_id, target=proposal, data=audit_data)
    _notify(proposal, old_state, new_state, actor=actor, notification=notification)
    speaker_ids = tuple(user.id for user in proposal.speaker_users)
    if new_state is ProposalState.CONFIRMED:
        talk_confirmed.send(TalkConfirmed(proposal.edition_id, proposal.id, speaker_ids, actor_id=actor.id))
    elif old_state is ProposalState.CONFIRMED:  # cancelled or withdrawn
        talk_cancelled.send(TalkCancelled(proposal.edition_id, proposal.id, speaker_ids, actor_id=actor.id))
    return proposal


def _ensure_complete(proposal: Proposal) -> None:
    """A draft may leave its theme and format open; a submitted proposal has both."""
    if proposal.theme_id is None:
        raise DomainError(gettext("Choose a theme before submitting."), field="theme_id")
    if proposal.format_id is None:
        raise DomainError(gettext("Choose a format before submitting."), field="format_id")


def _revoke_pending_invitations(proposal: Proposal, now: datetime) -> None:
    """A proposal nobody can join any more (withdrawn, rejected...) keeps no open invitation."""
    for invitation in proposal.invitations:
        if invitation.is_pending(now):
            invitation.revoked_at = now


# -- who hears about a move --------------------------------------------------------------------


def committee_members(edition: Edition) -> list[User]:
    """Organizers and reviewers of the edition, each once."""
    return list(
        db.session.scalars(
            sa.select(User)
            .join(EditionRole, EditionRole.user_id == User.id)
            .where(EditionRole.edition_id == edition.id, EditionRole.role.in_([Role.ORGANIZER, Role.REVIEWER]))
            .distinct()
            .order_by(User.id)
        )
    )


def organizers(edition: Edition) -> list[User]:
    return list(
        db.session.scalars(
            sa.select(User)
            .join(EditionRole, EditionRole.user_id == User.id)
            .where(EditionRole.edition_id == edition.id, EditionRole.role == Role.ORGANIZER)
            .order_by(User.id)
        )
    )


# Which email goes to whom after each move.
SPEAKER_MAILS = {
    ProposalState.SUBMITTED: "cfp_submitted",
    ProposalState.ACCEPTED: "cfp_accepted",
    ProposalState.REJECTED: "cfp_rejected",
    ProposalState.CONFIRMED: "cfp_confirmed",
    ProposalState.CANCELLED: "cfp_cancelled",
    ProposalState.WITHDRAWN: "cfp_withdrawn_speaker",
}


def _notify(
    proposal: Proposal,
    old_state: ProposalState,
    new_state: ProposalState,
    *,
    actor: User,
    notification: Callable[[User], Notification] | None = None,
) -> None:
    edition = proposal.edition
    if notification is not None:
        for user in proposal.speaker_users:
            message = notification(user)
            queue_email(
                "cfp_decision", to=user.email, context={"subject": message.subject, "body": message.body},
                edition_id=edition.id,
            )
        return
    context = {
        "proposal": proposal,
        "edition": edition,
        "actor": actor,
        "old_state": old_state,
        "link": external_url("cfp.proposal", slug=edition.slug, code=proposal.code),
        "deadline": edition.cfp_closes_at,  # written in the recipient's language by the template
    }
    template = SPEAKER_MAILS.get(new_state)
    if template:
        for user in proposal.speaker_users:
            queue_email(template, to=user.email, context={**context, "user": user}, edition_id=edition.id)
    if new_state in (ProposalState.WITHDRAWN, ProposalState.DECLINED):
        manage_link = external_url("cfp_manage.proposal", slug=edition.slug, code=proposal.code)
        recipients = committee_members(edition) if new_state is ProposalState.WITHDRAWN else organizers(edition)
        for user in recipients:
            queue_email(
                "cfp_committee_notice",
                to=user.email,
                context={**context, "user": user, "link": manage_link},
                edition_id=edition.id,
            )
