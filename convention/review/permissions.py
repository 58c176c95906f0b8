"""Who may see and score what in the review, as yes/no predicates for ``guarded`` and as
where-clauses for lists (a list never shows a proposal its page would refuse).

A reviewer sees the edition's proposals that are under review or decided
(``REVIEWABLE_STATES``), except those they are in conflict with (conflicts.py) and, for a
member of teams limited to themes, those outside the teams' themes. They score the ones
assigned to them. A speaker never sees reviews: the reviewer area refuses who is not on
the committee, and a committee member who speaks on a proposal is in conflict with it.
"""

from __future__ import annotations

import sqlalchemy as sa

from convention.cfp.models import Proposal
from convention.cfp.states import ProposalState
from convention.editions.models import Edition
from convention.editions.permissions import can_manage_edition, can_review_edition
from convention.extensions import db
from convention.review.conflicts import conflicted_proposal_ids
from convention.review.models import Assignment, ReviewTeam, ReviewTeamMember, ReviewTeamTheme

S = ProposalState
REVIEWABLE_STATES = frozenset({S.SUBMITTED, S.ACCEPTED, S.REJECTED, S.CONFIRMED, S.DECLINED})


def _signed_in(user) -> bool:
    return user is not None and getattr(user, "is_authenticated", False)


def team_theme_limit(user, edition: Edition) -> set[int] | None:
    """The themes a team member may review (the union of their teams' themes), or None
    when nothing limits them (in no team, or in a team without themes)."""
    rows = db.session.execute(
        sa.select(ReviewTeam.id, ReviewTeamTheme.theme_id)
        .join(ReviewTeamMember, ReviewTeamMember.team_id == ReviewTeam.id)
        .outerjoin(ReviewTeamTheme, ReviewTeamTheme.team_id == ReviewTeam.id)
        .where(ReviewTeam.edition_id == edition.id, ReviewTeamMember.user_id == user.id)
    ).all()
    if not rows:
        return None
    themes_by_team: dict[int, set[int]] = {}
    for team_id, theme_id in rows:
        themes_by_team.setdefault(team_id, set())
        if theme_id is not None:
            themes_by_team[team_id].add(theme_id)
    if any(not themes for themes in themes_by_team.values()):
        return None
    return set().union(*themes_by_team.values())


def proposals_reviewable_by(user, edition: Edition):
    """Where-clause: the proposals of ``edition`` that ``user`` may open in the review."""
    if not _signed_in(user) or not can_review_edition(user, edition):
        return sa.false()
    clauses = [
        Proposal.edition_id == edition.id,
        Proposal.state.in_(REVIEWABLE_STATES),
        Proposal.id.not_in(conflicted_proposal_ids(user, edition)),
    ]
    limit = team_theme_limit(user, edition)
    if limit is not None:
        clauses.append(Proposal.theme_id.in_(limit))
    return sa.and_(*clauses)


def assigned_to(user):
    """Where-clause: proposals in ``user``'s queue."""
    return Proposal.id.in_(sa.select(Assignment.proposal_id).where(Assignment.user_id == user.id))


def can_open_review_proposal(user, edition: Edition, proposal: Proposal, **_objects) -> bool:
    """The proposal's review page: a committee member (or organizer) without conflict."""
    if not _signed_in(user) or proposal.edition_id != edition.id:
        return False
    found = db.session.scalar(
        sa.select(Proposal.id).where(Proposal.id == proposal.id, proposals_reviewable_by(user, edition)))
    return found is not None


def can_score_proposal(user, edition: Edition, proposal: Proposal, **_objects) -> bool:
    """Scoring: the proposal is in the person's queue, and they may open it."""
    if not can_open_review_proposal(user, edition, proposal):
        return False
    return db.session.scalar(sa.select(Assignment.id).where(
        Assignment.proposal_id == proposal.id, Assignment.user_id == user.id)) is not None


def can_review(user, edition: Edition, **_objects) -> bool:
    """The reviewer pages (the area guard says the same; views name it for the matrix)."""
    return can_review_edition(user, edition)


def can_manage_review(user, edition: Edition, **_objects) -> bool:
    return can_manage_edition(user, edition)


def can_decide(user, edition: Edition, **_objects) -> bool:
    """The committee's decisions and the speakers' notifications are the organizers'."""
    return can_manage_edition(user, edition)
