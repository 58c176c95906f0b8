"""The committee's ranking: every proposal with its weighted score, the reviewers'
disagreement and its decision, computed by the database.

A review's total is the weighted mean of its scores (each criterion's weight), over the
criteria it scored; a proposal's score is the mean of its submitted reviews' totals, and
its spread is the highest total minus the lowest. Both are kept, as the reviews are
saved, by ``review.totals`` (``reviews.total`` and one ``review_proposal_totals`` row per
reviewed proposal), so a page of the ranking joins the proposals to their summary row
instead of aggregating every score: one page and its count are one statement
(``core.pagination.fetch_page``), whatever the number of proposals or reviews. Drafts and
withdrawn proposals are not ranked.
"""

from __future__ import annotations

from dataclasses import dataclass

import sqlalchemy as sa
from sqlalchemy.orm import joinedload, selectinload

from convention.cfp.models import Proposal
from convention.cfp.states import ProposalState
from convention.core.pagination import Page, fetch_page
from convention.editions.models import Edition, SessionFormat, Theme
from convention.extensions import db
from convention.review.models import Criterion, Decision, Outcome, ProposalTotals, Review

PER_PAGE = 50
# Ranked: everything a speaker has submitted and not taken back.
RANKED_STATES = tuple(s for s in ProposalState if s not in (ProposalState.DRAFT, ProposalState.WITHDRAWN))
# Reviewers disagree when their totals differ by this share of the scale or more.
DISAGREEMENT_SHARE = 0.25
SORTS = ("score", "spread", "reviews", "code")
DECISION_FILTERS = ("none", "accept", "reject", "untold")


@dataclass(frozen=True)
class RankingFilter:
    theme_id: int | None = None
    format_id: int | None = None
    state: ProposalState | None = None
    decision: str | None = None  # one of DECISION_FILTERS, None: all
    sort: str = "score"


@dataclass(frozen=True)
class RankedProposal:
    id: int
    code: str
    title: str
    state: ProposalState
    theme_name: str | None
    format_name: str | None
    score: float | None
    spread: float | None
    reviews: int
    outcome: Outcome | None
    notified: bool
    disagreement: bool


def scale_span(edition: Edition) -> float:
    """The weighted mean width of the criteria's scales (0 without criteria)."""
    row = db.session.execute(
        sa.select(
            sa.func.sum((Criterion.scale_max - Criterion.scale_min) * Criterion.weight),
            sa.func.sum(Criterion.weight),
        ).where(Criterion.edition_id == edition.id)
    ).one()
    return float(row[0]) / float(row[1]) if row[1] else 0.0


def disagreement_threshold(edition: Edition) -> float:
    """A spread at or above this is shown as a disagreement between reviewers."""
    return DISAGREEMENT_SHARE * scale_span(edition) or 1.0


def _ranking_query(edition: Edition, flt: RankingFilter) -> sa.Select:
    scores = ProposalTotals
    query = (
        sa.select(
            Proposal.id, Proposal.code, Proposal.title, Proposal.state, Theme.name, SessionFormat.name,
            scores.score, scores.spread, sa.func.coalesce(scores.reviews, 0),
            Decision.outcome, Decision.notified_at,
        )
        .outerjoin(scores, scores.proposal_id == Proposal.id)
        .outerjoin(Decision, Decision.proposal_id == Proposal.id)
        .outerjoin(Theme, Theme.id == Proposal.theme_id)
        .outerjoin(SessionFormat, SessionFormat.id == Proposal.format_id)
        .where(Proposal.edition_id == edition.id, Proposal.state.in_(RANKED_STATES))
    )
    if flt.theme_id:
        query = query.where(Proposal.theme_id == flt.theme_id)
    if flt.format_id:
        query = query.where(Proposal.format_id == flt.format_id)
    if flt.state:
        query = query.where(Proposal.state == flt.state)
    if flt.decision == "none":
        query = query.where(Decision.id.is_(None))
    elif flt.decision in ("accept", "reject"):
        query = query.where(Decision.outcome == Outcome(flt.decision))
    elif flt.decision == "untold":
        query = query.where(Decision.id.is_not(None), Decision.notified_at.is_(None))
    order = {
        "score": [sa.nulls_last(scores.score.desc())],
        "spread": [sa.nulls_last(scores.spread.desc())],
        "reviews": [sa.func.coalesce(scores.reviews, 0).asc()],
        "code": [Proposal.code.asc()],
    }[flt.sort if flt.sort in SORTS else "score"]
    return query.order_by(*order, Proposal.id)


def ranking_page(edition: Edition, flt: RankingFilter, *, page: int = 1, per_page: int = PER_PAGE) -> Page:
    """One page of the ranking (and its total), in one statement."""
    threshold = disagreement_threshold(edition)
    result = fetch_page(_ranking_query(edition, flt), page, per_page)
    items = [
        RankedProposal(
            id=row[0], code=row[1], title=row[2], state=row[3], theme_name=row[4], format_name=row[5],
            score=None if row[6] is None else float(row[6]),
            spread=None if row[7] is None else float(row[7]),
            reviews=int(row[8]), outcome=row[9], notified=row[10] is not None,
            disagreement=row[7] is not None and int(row[8]) > 1 and float(row[7]) >= threshold,
        )
        for row in result.items
    ]
    return Page(items, result.total, result.page, result.per_page)


@dataclass(frozen=True)
class ReviewLine:
    reviewer: str
    submitted: bool
    total: float | None
    scores: list[tuple[str, int | None]]  # (criterion, value) in the criteria's order
    comment: str
    feedback: str


def proposal_reviews(proposal: Proposal) -> list[ReviewLine]:
    """Every review of ``proposal`` for the organizers: scores per criterion, total, texts (two queries)."""
    criteria = db.session.scalars(
        sa.select(Criterion).where(Criterion.edition_id == proposal.edition_id).order_by(Criterion.position, Criterion.id)
    ).all()
    reviews = db.session.scalars(
        sa.select(Review).where(Review.proposal_id == proposal.id)
        .options(selectinload(Review.scores), joinedload(Review.user))
        .order_by(Review.submitted_at.is_(None), Review.id)
    ).all()
    lines = []
    for review in reviews:
        values = {score.criterion_id: score.value for score in review.scores}
        lines.append(ReviewLine(
            reviewer=review.user.name, submitted=review.submitted_at is not None, total=review.total,
            scores=[(c.name, values.get(c.id)) for c in criteria], comment=review.comment, feedback=review.feedback,
        ))
    return lines


def decision_of(proposal: Proposal) -> Decision | None:
    return db.session.scalar(sa.select(Decision).where(Decision.proposal_id == proposal.id))
