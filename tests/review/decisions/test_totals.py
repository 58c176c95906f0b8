"""The kept totals (review.totals) stay equal to the sums computed from the scores, through
every change: a score changed, a weight changed, a review gone, a reviewer revoked."""

from __future__ import annotations

import pytest
import sqlalchemy as sa

from convention.cfp.states import ProposalState
from convention.editions.models import EditionRole, Role
from convention.editions.services import revoke_role
from convention.extensions import db
from convention.review import dashboard, ranking, totals
from convention.review import settings as review_settings
from convention.review.models import Criterion, ProposalTotals, Review, Score
from convention.review.ranking import RankingFilter
from tests.cfp.helpers import make_proposal
from tests.queries import count_queries
from tests.review.decisions.helpers import add_review, edition_organizer, make_criteria, make_reviewer

S = ProposalState


def from_scratch(edition_id: int) -> dict[int, tuple[int, float, float]]:
    """proposal id -> (reviews, score, spread), aggregated from every score (the ranking's
    former query: two nested GROUP BYs), to hold the kept totals against."""
    weighted = sa.cast(sa.func.sum(Score.value * Criterion.weight), sa.Float) / sa.func.sum(Criterion.weight)
    per_review = (
        sa.select(Review.proposal_id.label("proposal_id"), weighted.label("total"))
        .join(Score, Score.review_id == Review.id).join(Criterion, Criterion.id == Score.criterion_id)
        .where(Review.edition_id == edition_id, Review.submitted_at.is_not(None))
        .group_by(Review.id, Review.proposal_id).subquery()
    )
    rows = db.session.execute(
        sa.select(per_review.c.proposal_id, sa.func.count(), sa.func.avg(per_review.c.total),
                  sa.func.max(per_review.c.total) - sa.func.min(per_review.c.total))
        .group_by(per_review.c.proposal_id)
    ).all()
    return {pid: (int(n), float(score), float(spread)) for pid, n, score, spread in rows}


def kept(edition_id: int) -> dict[int, tuple[int, float, float]]:
    rows = db.session.execute(sa.select(ProposalTotals.proposal_id, ProposalTotals.reviews, ProposalTotals.score,
                                        ProposalTotals.spread).where(ProposalTotals.edition_id == edition_id)).all()
    return {pid: (n, score, spread) for pid, n, score, spread in rows}


def assert_kept_right(edition_id: int) -> dict[int, tuple[int, float, float]]:
    expected, actual = from_scratch(edition_id), kept(edition_id)
    assert actual.keys() == expected.keys()
    for pid, (n, score, spread) in expected.items():
        assert actual[pid][0] == n
        assert actual[pid][1] == pytest.approx(score) and actual[pid][2] == pytest.approx(spread)
    return actual


@pytest.fixture
def reviewed(db, edition, speaker):
    """Relevance (weight 2) and Clarity (weight 1); Ann and Bob review two proposals."""
    criteria = make_criteria(edition)
    ann, bob = make_reviewer(edition, "Ann Reviewer"), make_reviewer(edition, "Bob Reviewer")
    first = make_proposal(edition, speaker, state=S.SUBMITTED, title="First")
    second = make_proposal(edition, speaker, state=S.SUBMITTED, title="Second")
    add_review(first, ann, criteria, [5, 2])  # (10 + 2) / 3 = 4
    add_review(first, bob, criteria, [2, 5])  # (4 + 5) / 3 = 3
    add_review(second, ann, criteria, [3, 3])  # 3
    return {"criteria": criteria, "ann": ann, "bob": bob, "first": first, "second": second}


def _score(edition, title):
    return {row.title: row for row in ranking.ranking_page(edition, RankingFilter()).items}[title]


def test_a_saved_review_carries_its_weighted_total(edition, reviewed):
    review = db.session.scalar(sa.select(Review).where(Review.proposal_id == reviewed["first"].id,
                                                       Review.user_id == reviewed["ann"].id))
    assert review.total == pytest.approx(4.0)
    assert kept(edition.id)[reviewed["first"].id] == (2, pytest.approx(3.5), pytest.approx(1.0))
    assert_kept_right(edition.id)


def test_a_changed_score_changes_the_totals_in_the_same_transaction(edition, reviewed):
    add_review(reviewed["first"], reviewed["bob"], reviewed["criteria"], [5, 5])  # 3 -> 5
    row = _score(edition, "First")
    assert row.score == pytest.approx(4.5) and row.spread == pytest.approx(1.0) and row.reviews == 2
    assert_kept_right(edition.id)


def test_a_changed_weight_recomputes_the_edition(edition, organizer, reviewed):
    relevance = reviewed["criteria"][0]
    review_settings.save_criterion(edition, review_settings.CriterionData(
        name=relevance.name, scale_min=1, scale_max=5, weight=1), actor=organizer, criterion=relevance)  # 2 -> 1
    db.session.commit()
    # Ann on First: (5 + 2) / 2 = 3.5, Bob: (2 + 5) / 2 = 3.5: no more disagreement
    row = _score(edition, "First")
    assert row.score == pytest.approx(3.5) and row.spread == pytest.approx(0.0)
    assert_kept_right(edition.id)


def test_another_criterion_only_renamed_leaves_the_totals_alone(edition, organizer, reviewed):
    clarity = reviewed["criteria"][1]
    before = kept(edition.id)
    statements = []
    sa.event.listen(db.engine, "before_cursor_execute", lambda *args: statements.append(args[2]))
    review_settings.save_criterion(edition, review_settings.CriterionData(
        name="Clarity of the abstract", scale_min=1, scale_max=5, weight=clarity.weight), actor=organizer,
        criterion=clarity)
    db.session.commit()
    assert statements and not any("review_proposal_totals" in s or "UPDATE reviews" in s for s in statements)
    assert kept(edition.id) == before


def test_a_weight_change_costs_the_same_statements_whatever_the_size(edition, organizer, speaker, reviewed):
    edition_id = edition.id

    def recompute():
        with count_queries() as statements:
            totals.recompute_edition(edition_id)
        db.session.commit()
        return len(statements)

    few = recompute()
    edition, ann, speaker = (db.session.merge(o) for o in (edition, reviewed["ann"], speaker))
    criteria = [db.session.merge(c) for c in reviewed["criteria"]]
    for n in range(6):
        add_review(make_proposal(edition, speaker, state=S.SUBMITTED, title=f"More {n}"), ann, criteria,
                   [1 + n % 5, 4])
    assert recompute() == few == 4  # lock, reviews' totals, proposals' totals: delete and insert
    assert_kept_right(edition_id)


def test_a_deleted_review_leaves_the_totals_once_refreshed(edition, reviewed):
    """Reviews are never deleted by the review's own services (a revoked reviewer's written
    reviews stay); whatever removes one (an account or proposal going: the database's
    cascade) must refresh its proposals, as here."""
    first, second = reviewed["first"], reviewed["second"]
    db.session.execute(sa.delete(Review).where(Review.proposal_id.in_([first.id, second.id]),
                                               Review.user_id == reviewed["ann"].id))
    totals.refresh_proposals(edition.id, [first.id, second.id])
    db.session.commit()
    assert kept(edition.id) == {first.id: (1, pytest.approx(3.0), pytest.approx(0.0))}
    assert _score(edition, "Second").score is None and _score(edition, "Second").reviews == 0
    assert_kept_right(edition.id)


def test_a_revoked_reviewer_keeps_their_written_reviews_counted(edition, organizer, reviewed):
    before = kept(edition.id)
    grant = db.session.scalar(sa.select(EditionRole).where(
        EditionRole.edition_id == edition.id, EditionRole.user_id == reviewed["bob"].id,
        EditionRole.role == Role.REVIEWER))
    revoke_role(edition, grant, actor=edition_organizer(edition))
    db.session.commit()
    assert kept(edition.id) == before
    assert _score(edition, "First").reviews == 2
    assert_kept_right(edition.id)


def test_a_proposal_that_goes_is_neither_ranked_nor_charted(edition, reviewed):
    db.session.delete(reviewed["second"])  # its totals go with it (a cascade on PostgreSQL)
    db.session.commit()
    assert [row.title for row in ranking.ranking_page(edition, RankingFilter()).items] == ["First"]
    assert {bar.label: bar.count for bar in dashboard.score_histogram(edition)} == {"4": 1}


def test_the_score_chart_reads_the_kept_totals(edition, reviewed):
    bars = {bar.label: bar.count for bar in dashboard.score_histogram(edition)}
    assert bars == {"3": 1, "4": 1}  # First 3.5 -> 4, Second 3
