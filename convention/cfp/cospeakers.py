"""Co-speakers: invitations bound to the address they were sent to, joining, leaving,
and removing a co-speaker."""

from __future__ import annotations

from datetime import datetime, timedelta

import sqlalchemy as sa
from flask_babel import gettext

from convention.accounts.models import User
from convention.audit.services import record_audit
from convention.cfp.call import ensure_can_edit
from convention.cfp.models import MAX_SPEAKERS, Invitation, Proposal, ProposalSpeaker, hash_token
from convention.cfp.permissions import is_proposal_speaker
from convention.cfp.speaker_services import get_or_create_profile
from convention.cfp.states import JOINABLE_STATES, ProposalState
from convention.core.codes import new_token
from convention.core.errors import Conflict, DomainError, Forbidden
from convention.core.signals import TalkCancelled, TalkConfirmed, talk_cancelled, talk_confirmed
from convention.core.timeutil import utcnow
from convention.core.urls import external_url
from convention.editions.models import Edition
from convention.extensions import db
from convention.mail.services import queue_email

INVITATION_LIFETIME = timedelta(days=14)


def invite_co_speaker(proposal: Proposal, email: str, *, actor: User, now: datetime | None = None) -> Invitation:
    """Email an invitation link; whoever opens it signed in (once, before it expires) joins."""
    now = now or utcnow()
    ensure_can_edit(proposal, actor, now=now)
    email = (email or "").strip().lower()
    if "@" not in email or len(email) > 254:
        raise DomainError(gettext("Give a valid email address."), field="email")
    if any(user.email == email for user in proposal.speaker_users):
        raise DomainError(gettext("This person is already a speaker of this proposal."), field="email")
    pending = [inv for inv in proposal.invitations if inv.is_pending(now)]
    if any(inv.email == email for inv in pending):
        raise DomainError(gettext("An invitation to this address is already waiting for an answer."), field="email")
    if len(proposal.speakers) + len(pending) >= MAX_SPEAKERS:
        raise DomainError(gettext("A proposal has at most %(max)d speakers.", max=MAX_SPEAKERS), field="email")
    token = new_token()
    invitation = Invitation(
        proposal=proposal, email=email, token_hash=hash_token(token), invited_by_id=actor.id,
        created_at=now, expires_at=now + INVITATION_LIFETIME,
    )
    db.session.add(invitation)
    db.session.flush()
    inviter = next(link.profile for link in proposal.speakers if link.profile.user_id == actor.id)
    queue_email(
        "cfp_invitation",
        to=email,
        context={
            "proposal": proposal,
            "edition": proposal.edition,
            "inviter": inviter,
            "link": external_url("cfp.invitation", slug=proposal.edition.slug, token=token),
            "expires": invitation.expires_at,
        },
        edition_id=proposal.edition_id,
    )
    record_audit("proposal.invite", actor=actor, edition_id=proposal.edition_id, target=proposal, data={"email": email})
    return invitation


def find_invitation(edition: Edition, token: str) -> Invitation | None:
    invitation = db.session.scalar(sa.select(Invitation).where(Invitation.token_hash == hash_token(token or "")))
    if invitation is None or invitation.proposal.edition_id != edition.id:
        return None
    return invitation


def invitation_is_open(invitation: Invitation | None, *, now: datetime | None = None) -> bool:
    """The link still works: nobody used or cancelled it, it has not expired, the proposal takes speakers."""
    return invitation is not None and invitation.is_pending(now) and invitation.proposal.state in JOINABLE_STATES


def invitation_refusal(invitation: Invitation, actor: User | None, *, now: datetime | None = None) -> str | None:
    """Why ``actor`` cannot accept ``invitation`` now, or None. An invitation is bound to
    the address it was sent to: only the account whose confirmed email is that address
    may accept it (a forwarded or leaked link gives nobody else a seat on the proposal)."""
    now = now or utcnow()
    proposal = invitation.proposal
    if invitation.revoked_at is not None:
        return gettext("This invitation was cancelled.")
    if not invitation.is_pending(now):
        return gettext("This invitation has expired or has already been used. Ask for a new one.")
    if proposal.state not in JOINABLE_STATES:
        return gettext("This proposal is %(state)s; nobody can join it any more.", state=proposal.state.label.lower())
    if actor is None or not getattr(actor, "is_authenticated", False):
        return gettext("Sign in to join this proposal.")
    if is_proposal_speaker(actor, proposal):
        return gettext("You are already a speaker of this proposal.")
    if actor.email != invitation.email:
        return gettext("This invitation was sent to another email address. Sign in with the account of that address "
                       "(or create one with it) to join.")
    if actor.email_confirmed_at is None:
        return gettext("Confirm your email address first (follow the link we emailed you), then open this invitation again.")
    return None


def accept_invitation(invitation: Invitation, *, actor: User, now: datetime | None = None) -> Proposal:
    now = now or utcnow()
    proposal = invitation.proposal
    refusal = invitation_refusal(invitation, actor, now=now)
    if refusal:
        raise DomainError(refusal)
    if len(proposal.speakers) >= MAX_SPEAKERS:
        raise DomainError(gettext("A proposal has at most %(max)d speakers.", max=MAX_SPEAKERS))
    profile = get_or_create_profile(proposal.edition, actor)
    proposal.speakers.append(ProposalSpeaker(profile=profile, joined_at=now))
    invitation.accepted_at = now
    invitation.accepted_by_id = actor.id
    proposal.updated_at = now
    db.session.flush()
    record_audit(
        "proposal.speaker_join", actor=actor, edition_id=proposal.edition_id, target=proposal,
        data={"user_id": actor.id, "invited": invitation.email},
    )
    if proposal.state is ProposalState.CONFIRMED:
        talk_confirmed.send(TalkConfirmed(proposal.edition_id, proposal.id, (actor.id,), actor_id=actor.id))
    return proposal


def cancel_invitation(invitation: Invitation, *, actor: User, now: datetime | None = None) -> Invitation:
    """The submitter (or whoever sent it) takes back an invitation nobody has answered."""
    now = now or utcnow()
    proposal = invitation.proposal
    if not may_cancel_invitation(invitation, actor):
        raise Forbidden(gettext("Only the submitter of this proposal, or the person who sent the invitation, can cancel it."))
    if not invitation.is_pending(now):
        raise Conflict(gettext("This invitation is no longer waiting for an answer."))
    invitation.revoked_at = now
    db.session.flush()
    record_audit("proposal.invitation_cancel", actor=actor, edition_id=proposal.edition_id, target=proposal,
                 data={"email": invitation.email})
    return invitation


def may_cancel_invitation(invitation: Invitation, actor: User | None) -> bool:
    if actor is None:
        return False
    submitter = next((link for link in invitation.proposal.speakers if link.is_submitter), None)
    return actor.id == invitation.invited_by_id or (submitter is not None and submitter.profile.user_id == actor.id)


def pending_invitations(proposal: Proposal, *, now: datetime | None = None) -> list[Invitation]:
    now = now or utcnow()
    return [inv for inv in proposal.invitations if inv.is_pending(now)]


# -- leaving and removing ------------------------------------------------------------------------


def may_remove_speaker(proposal: Proposal, link: ProposalSpeaker, actor: User | None) -> bool:
    """Anyone may leave; the submitter is removed by nobody but themselves."""
    if actor is None or link.proposal_id != proposal.id or len(proposal.speakers) <= 1:
        return False
    return link.profile.user_id == actor.id or not link.is_submitter


def remove_speaker(proposal: Proposal, link: ProposalSpeaker, *, actor: User, now: datetime | None = None) -> None:
    """A speaker leaves, or removes a co-speaker; a proposal keeps at least one speaker,
    and a co-speaker cannot remove the submitter (who would lose their own proposal)."""
    now = now or utcnow()
    ensure_can_edit(proposal, actor, now=now)
    if link.proposal_id != proposal.id:
        raise DomainError(gettext("This person is not a speaker of this proposal."))
    if len(proposal.speakers) <= 1:
        raise DomainError(gettext("A proposal keeps at least one speaker; withdraw it instead."))
    if link.is_submitter and link.profile.user_id != actor.id:
        raise Forbidden(gettext("The person who submitted this proposal can leave it, but nobody else can remove them."))
    user = link.profile.user
    proposal.speakers.remove(link)
    if link.is_submitter:  # the submitter left: the longest-standing co-speaker takes over
        proposal.speakers[0].is_submitter = True
    proposal.updated_at = now
    db.session.flush()
    record_audit("proposal.speaker_remove", actor=actor, edition_id=proposal.edition_id, target=proposal, data={"user_id": user.id})
    if proposal.state is ProposalState.CONFIRMED:
        talk_cancelled.send(TalkCancelled(proposal.edition_id, proposal.id, (user.id,), actor_id=actor.id))
