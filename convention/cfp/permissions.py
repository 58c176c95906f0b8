"""Named predicates of the call for papers, used by ``guarded`` and by the services."""

from __future__ import annotations

import sqlalchemy as sa

from convention.cfp.models import Proposal, ProposalSpeaker, SpeakerProfile
from convention.cfp.states import ACCEPTED_STATES
from convention.editions.permissions import can_manage_edition
from convention.extensions import db


def _signed_in(user) -> bool:
    return user is not None and getattr(user, "is_authenticated", False)


def is_proposal_speaker(user, proposal: Proposal, **_objects) -> bool:
    """One of the proposal's speakers (submitter or co-speaker)."""
    return _signed_in(user) and any(link.profile.user_id == user.id for link in proposal.speakers)


def can_view_proposal(user, edition, proposal: Proposal, **_objects) -> bool:
    """Speakers see their proposal, organizers see every proposal (reviewers get theirs in review/)."""
    return is_proposal_speaker(user, proposal) or can_manage_edition(user, edition)


def can_manage_proposals(user, edition, **_objects) -> bool:
    return can_manage_edition(user, edition)


def has_accepted_proposal(user, edition, **_objects) -> bool:
    """Speakers of an accepted or confirmed proposal give their availability."""
    if not _signed_in(user):
        return False
    found = db.session.scalar(
        sa.select(Proposal.id)
        .join(ProposalSpeaker, ProposalSpeaker.proposal_id == Proposal.id)
        .join(SpeakerProfile, SpeakerProfile.id == ProposalSpeaker.profile_id)
        .where(
            Proposal.edition_id == edition.id,
            Proposal.state.in_(ACCEPTED_STATES),
            SpeakerProfile.user_id == user.id,
        )
        .limit(1)
    )
    return found is not None


def can_view_speaker_photo(user, edition, profile: SpeakerProfile, **_objects) -> bool:
    """The speaker, the people they present with, and the organizers."""
    if not _signed_in(user):
        return False
    if profile.user_id == user.id or can_manage_edition(user, edition):
        return True
    mine = sa.select(ProposalSpeaker.proposal_id).join(SpeakerProfile).where(SpeakerProfile.user_id == user.id)
    shared = db.session.scalar(
        sa.select(ProposalSpeaker.id)
        .where(ProposalSpeaker.profile_id == profile.id, ProposalSpeaker.proposal_id.in_(mine))
        .limit(1)
    )
    return shared is not None


# -- list filters: "which proposals may this user see", as a where-clause -------------------
# A page that lists proposals selects through one of these, so that a list can never show
# what the yes/no predicates above would refuse to open (blind review adds its own here).


def spoken_by(user):
    """Proposals in which ``user`` is a speaker (submitter or co-speaker)."""
    mine = (
        sa.select(ProposalSpeaker.proposal_id)
        .join(SpeakerProfile, SpeakerProfile.id == ProposalSpeaker.profile_id)
        .where(SpeakerProfile.user_id == user.id)
    )
    return Proposal.id.in_(mine)


def proposals_visible_to(user, edition):
    """The proposals of ``edition`` that ``user`` may see (the list form of ``can_view_proposal``):
    organizers every one, speakers their own, anyone else none."""
    if not _signed_in(user):
        return sa.false()
    in_edition = Proposal.edition_id == edition.id
    if can_manage_edition(user, edition):
        return in_edition
    return sa.and_(in_edition, spoken_by(user))
