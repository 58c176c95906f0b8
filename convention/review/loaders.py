"""Loaders for ``guarded``: URL arguments in, review objects out, or a 404."""

from __future__ import annotations

from flask import abort

from convention.cfp.services import get_proposal
from convention.editions.loaders import get_edition_or_404, get_owned_or_404
from convention.review.models import Assignment, Conflict, Criterion, ReviewTeam


def load_review_proposal(slug: str, code: str, **_ignored) -> dict:
    edition = get_edition_or_404(slug)
    proposal = get_proposal(edition, code)
    if proposal is None:
        abort(404)
    return {"edition": edition, "proposal": proposal}


def load_criterion(slug: str, criterion_id: int) -> dict:
    edition = get_edition_or_404(slug)
    return {"edition": edition, "criterion": get_owned_or_404(edition, Criterion, criterion_id)}


def load_team(slug: str, team_id: int) -> dict:
    edition = get_edition_or_404(slug)
    return {"edition": edition, "team": get_owned_or_404(edition, ReviewTeam, team_id)}


def load_assignment(slug: str, assignment_id: int) -> dict:
    edition = get_edition_or_404(slug)
    return {"edition": edition, "assignment": get_owned_or_404(edition, Assignment, assignment_id)}


def load_conflict(slug: str, conflict_id: int) -> dict:
    edition = get_edition_or_404(slug)
    return {"edition": edition, "conflict": get_owned_or_404(edition, Conflict, conflict_id)}
