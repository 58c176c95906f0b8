"""The figures the ranking sorts on, kept up to date instead of recomputed per page.

A review's total is the weighted mean of its scores over the criteria it scored
(``Σ value × weight / Σ weight``); it is stored on the review (``reviews.total``). A
proposal's submitted reviews with a total are summed up in ``review_proposal_totals``:
how many, their mean (the proposal's score), lowest and highest (the spread). Both are
written here only, by SQL statements, in the transaction that changes what they depend on:

- a review saved (``scoring.save_review`` -> ``review_saved``): that review and its proposal;
- a criterion's weight changed (``settings.save_criterion`` -> ``recompute_edition``): the
  edition's reviews and proposals, in four statements whatever the size;
- anything else that adds, removes or un-submits reviews must call
  ``refresh_proposals`` (or ``recompute_edition``) before its transaction ends.

Rows are serialised per proposal: ``lock_proposals`` takes the proposals' rows (``FOR NO
KEY UPDATE`` on PostgreSQL, so that inserts referencing them are not blocked) before the
review is written, so two reviewers saving at once, or a weight changed meanwhile, never
leave a proposal's totals without the other transaction's review.
"""

from __future__ import annotations

from collections.abc import Iterable

import sqlalchemy as sa

from convention.cfp.models import Proposal
from convention.extensions import db
from convention.review.models import Criterion, ProposalTotals, Review, Score

reviews_table = Review.__table__
totals_table = ProposalTotals.__table__


def review_total_expr():
    """The weighted mean of one review's scores, correlated to ``reviews.id`` (SQL)."""
    weighted = sa.cast(sa.func.sum(Score.value * Criterion.weight), sa.Float) / sa.func.sum(Criterion.weight)
    return (
        sa.select(weighted)
        .select_from(Score.__table__.join(Criterion.__table__, Criterion.id == Score.criterion_id))
        .where(Score.review_id == reviews_table.c.id)
        .scalar_subquery()
    )


def lock_proposals(proposal_ids: Iterable[int]) -> None:
    """Hold the proposals' rows until the transaction ends (in id order: no deadlock)."""
    ids = sorted(set(proposal_ids))
    if ids:
        db.session.execute(sa.select(Proposal.id).where(Proposal.id.in_(ids)).order_by(Proposal.id)
                           .with_for_update(key_share=True))


def lock_edition(edition_id: int) -> None:
    db.session.execute(sa.select(Proposal.id).where(Proposal.edition_id == edition_id).order_by(Proposal.id)
                       .with_for_update(key_share=True))


def _forget_loaded_totals() -> None:
    """The statements bypass the ORM: loaded reviews read their new total on next access."""
    for obj in list(db.session.identity_map.values()):
        if isinstance(obj, Review):
            db.session.expire(obj, ["total"])


def _refresh_review_totals(edition_id: int, review_ids: list[int] | None = None) -> None:
    statement = sa.update(reviews_table).where(reviews_table.c.edition_id == edition_id)
    if review_ids is not None:
        statement = statement.where(reviews_table.c.id.in_(review_ids))
    db.session.execute(statement.values(total=review_total_expr()))


def refresh_proposals(edition_id: int, proposal_ids: list[int] | None = None) -> None:
    """Sum the submitted reviews of these proposals (None: all the edition's) up again."""
    delete = sa.delete(totals_table).where(totals_table.c.edition_id == edition_id)
    counted = sa.and_(reviews_table.c.edition_id == edition_id, reviews_table.c.submitted_at.is_not(None),
                      reviews_table.c.total.is_not(None))
    if proposal_ids is not None:
        delete = delete.where(totals_table.c.proposal_id.in_(proposal_ids))
        counted = sa.and_(counted, reviews_table.c.proposal_id.in_(proposal_ids))
    total = reviews_table.c.total
    summary = (
        sa.select(reviews_table.c.proposal_id, reviews_table.c.edition_id, sa.func.count(total), sa.func.avg(total),
                  sa.func.min(total), sa.func.max(total), sa.func.max(total) - sa.func.min(total))
        .where(counted)
        .group_by(reviews_table.c.proposal_id, reviews_table.c.edition_id)
    )
    db.session.execute(delete)
    db.session.execute(sa.insert(totals_table).from_select(
        ["proposal_id", "edition_id", "reviews", "score", "low", "high", "spread"], summary))


def review_saved(review: Review) -> None:
    """``review``'s scores changed (flushed): its total and its proposal's summary."""
    _refresh_review_totals(review.edition_id, [review.id])
    db.session.expire(review, ["total"])
    refresh_proposals(review.edition_id, [review.proposal_id])


def recompute_edition(edition_id: int) -> None:
    """Every total of the edition again (a weight changed): four statements whatever the size
    (lock the proposals, the reviews' totals, the summaries deleted and inserted)."""
    lock_edition(edition_id)
    _refresh_review_totals(edition_id)
    _forget_loaded_totals()
    refresh_proposals(edition_id)
