"""Loaders for ``guarded``: turn URL arguments into objects, or answer 404.

The only place of the call for papers that turns "missing" into a 404 for its views.
"""

from __future__ import annotations

import sqlalchemy as sa
from flask import abort

from convention.cfp.cospeakers import find_invitation
from convention.cfp.late_grants import find_late_grant
from convention.cfp.models import Attachment, LateSubmissionGrant, Question, SpeakerProfile
from convention.cfp.services import get_proposal
from convention.cfp.states import ORGANIZER_MOVES, SPEAKER_MOVES
from convention.editions.loaders import get_edition_or_404, get_owned_or_404
from convention.extensions import db


def load_proposal(slug: str, code: str, **_ignored) -> dict:
    edition = get_edition_or_404(slug)
    proposal = get_proposal(edition, code)
    if proposal is None:
        abort(404)
    return {"edition": edition, "proposal": proposal}


def load_attachment(slug: str, code: str, attachment_code: str) -> dict:
    objects = load_proposal(slug, code)
    attachment = db.session.scalar(
        sa.select(Attachment).where(Attachment.code == attachment_code, Attachment.proposal_id == objects["proposal"].id)
    )
    if attachment is None:
        abort(404)
    return {**objects, "attachment": attachment}


def load_invitation(slug: str, code: str, invitation_id: int) -> dict:
    objects = load_proposal(slug, code)
    invitation = next((inv for inv in objects["proposal"].invitations if inv.id == invitation_id), None)
    if invitation is None:
        abort(404)
    return {**objects, "invitation": invitation}


def load_speaker_link(slug: str, code: str, profile_code: str) -> dict:
    objects = load_proposal(slug, code)
    link = next((s for s in objects["proposal"].speakers if s.profile.code == profile_code), None)
    if link is None:
        abort(404)
    return {**objects, "link": link}


def load_profile(slug: str, profile_code: str) -> dict:
    edition = get_edition_or_404(slug)
    profile = db.session.scalar(
        sa.select(SpeakerProfile).where(SpeakerProfile.code == profile_code, SpeakerProfile.edition_id == edition.id)
    )
    if profile is None:
        abort(404)
    return {"edition": edition, "profile": profile}


def _edition_item(slug: str, model, item_id: int, key: str) -> dict:
    edition = get_edition_or_404(slug)
    return {"edition": edition, key: get_owned_or_404(edition, model, item_id)}


def load_question(slug: str, question_id: int) -> dict:
    return _edition_item(slug, Question, question_id, "question")


def load_late_grant(slug: str, grant_id: int) -> dict:
    return _edition_item(slug, LateSubmissionGrant, grant_id, "grant")


def load_edition_and_token(slug: str, token: str) -> dict:
    return {"edition": get_edition_or_404(slug), "token": token}


def load_invitation_by_token(slug: str, token: str) -> dict:
    """The invitation a secret link points to (whether or not it still works), or 404."""
    edition = get_edition_or_404(slug)
    invitation = find_invitation(edition, token)
    if invitation is None:
        abort(404)
    return {"edition": edition, "invitation": invitation, "token": token}


def load_late_grant_by_token(slug: str, token: str) -> dict:
    edition = get_edition_or_404(slug)
    grant = find_late_grant(edition, token)
    if grant is None:
        abort(404)
    return {"edition": edition, "grant": grant}


def _move_loader(moves: dict):
    def load_move(slug: str, code: str, move: str) -> dict:
        if move not in moves:
            abort(404)
        return {**load_proposal(slug, code), "move": move}

    return load_move


# /state/<move>: a word of the mover's moves, on a proposal of the edition.
load_speaker_move = _move_loader(SPEAKER_MOVES)
load_organizer_move = _move_loader(ORGANIZER_MOVES)
