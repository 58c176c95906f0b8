"""The committee's dashboard beside the ranking: counts per theme and format (with the
accepted so far), reviews still missing per reviewer, and how the scores spread. Each is
one grouped query, whatever the number of proposals."""

from __future__ import annotations

from dataclasses import dataclass

import sqlalchemy as sa

from convention.accounts.models import User
from convention.cfp.models import Proposal
from convention.cfp.states import ProposalState
from convention.editions.models import Edition
from convention.extensions import db
from convention.review.models import Assignment, Decision, Outcome, ProposalTotals, Review
from convention.review.ranking import RANKED_STATES

ACCEPTED_STATES = (ProposalState.ACCEPTED, ProposalState.CONFIRMED)


@dataclass(frozen=True)
class GroupCount:
    id: int
    name: str
    ranked: int  # submitted and not withdrawn
    accepted: int  # decided accept (told or not) or already accepted
    quota: int | None = None

    @property
    def over_quota(self) -> bool:
        return self.quota is not None and self.accepted > self.quota


def _accepted_expr():
    accepted = sa.or_(Decision.outcome == Outcome.ACCEPT, Proposal.state.in_(ACCEPTED_STATES))
    return sa.func.sum(sa.case((accepted, 1), else_=0))


def _counts_by(edition: Edition, column) -> dict[int, tuple[int, int]]:
    rows = db.session.execute(
        sa.select(column, sa.func.count(Proposal.id), _accepted_expr())
        .outerjoin(Decision, Decision.proposal_id == Proposal.id)
        .where(Proposal.edition_id == edition.id, Proposal.state.in_(RANKED_STATES))
        .group_by(column)
    ).all()
    return {key: (int(ranked), int(accepted or 0)) for key, ranked, accepted in rows}


def theme_counts(edition: Edition, quotas: dict[int, int] | None = None) -> list[GroupCount]:
    counts = _counts_by(edition, Proposal.theme_id)
    quotas = quotas or {}
    return [GroupCount(t.id, t.name, *counts.get(t.id, (0, 0)), quota=quotas.get(t.id)) for t in edition.themes]


def format_counts(edition: Edition) -> list[GroupCount]:
    counts = _counts_by(edition, Proposal.format_id)
    return [GroupCount(f.id, f.name, *counts.get(f.id, (0, 0))) for f in edition.formats]


@dataclass(frozen=True)
class ReviewerProgress:
    name: str
    assigned: int
    done: int

    @property
    def missing(self) -> int:
        return self.assigned - self.done


def reviewer_progress(edition: Edition) -> list[ReviewerProgress]:
    """Per reviewer with assignments: how many, how many reviewed (submitted); most missing first."""
    done = sa.func.count(Review.id)
    rows = db.session.execute(
        sa.select(User.name, sa.func.count(Assignment.id), done)
        .join(User, User.id == Assignment.user_id)
        .outerjoin(Review, sa.and_(Review.proposal_id == Assignment.proposal_id, Review.user_id == Assignment.user_id,
                                   Review.edition_id == edition.id, Review.submitted_at.is_not(None)))
        .join(Proposal, Proposal.id == Assignment.proposal_id)
        .where(Assignment.edition_id == edition.id, Proposal.state.in_(RANKED_STATES))
        .group_by(User.id, User.name)
        .order_by((sa.func.count(Assignment.id) - done).desc(), User.name)
    ).all()
    return [ReviewerProgress(name, int(assigned), int(reviewed)) for name, assigned, reviewed in rows]


@dataclass(frozen=True)
class Bar:
    label: str
    count: int
    x: int = 0  # position and height in the chart's own units (SVG attributes, no inline style)
    height: int = 0


CHART_HEIGHT = 100
BAR_WIDTH = 28


def score_histogram(edition: Edition) -> list[Bar]:
    """Reviewed proposals per score, rounded to the unit (one grouped query on the kept
    totals, see review.totals)."""
    bucket = sa.func.round(ProposalTotals.score)
    rows = db.session.execute(
        sa.select(bucket, sa.func.count())
        .select_from(ProposalTotals)
        .join(Proposal, Proposal.id == ProposalTotals.proposal_id)
        .where(ProposalTotals.edition_id == edition.id, Proposal.state.in_(RANKED_STATES))
        .group_by(bucket)
        .order_by(bucket)
    ).all()
    if not rows:
        return []
    counts = {int(round(float(value))): int(n) for value, n in rows}
    low, high = min(counts), max(counts)
    peak = max(counts.values())
    return [
        Bar(str(value), counts.get(value, 0), x=index * (BAR_WIDTH + 4),
            height=round(CHART_HEIGHT * counts.get(value, 0) / peak))
        for index, value in enumerate(range(low, high + 1))
    ]
