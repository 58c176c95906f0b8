"""The ranking: weighted scores, spread, reviews count and decision, computed in SQL."""

from __future__ import annotations

import pytest

from convention.cfp.states import ProposalState
from convention.review import decisions, ranking
from convention.review.models import Outcome
from convention.review.ranking import RankingFilter
from tests.cfp.helpers import make_proposal
from tests.factories import make_edition
from tests.review.decisions.helpers import add_review, make_criteria, make_reviewer

S = ProposalState


@pytest.fixture
def scored(db, edition, organizer, speaker):
    """Relevance (weight 2) and Clarity (weight 1), both 1-5; three reviewers."""
    criteria = make_criteria(edition)
    ann, bob, cid = (make_reviewer(edition, name) for name in ("Ann Reviewer", "Bob Reviewer", "Cid Reviewer"))
    strong = make_proposal(edition, speaker, state=S.SUBMITTED, title="Strong")
    split = make_proposal(edition, speaker, state=S.SUBMITTED, title="Split",
                          theme_id=edition.themes[1].id, format_id=edition.formats[-1].id)
    unreviewed = make_proposal(edition, speaker, state=S.SUBMITTED, title="Unreviewed")
    make_proposal(edition, speaker, state=S.DRAFT, title="Draft")
    make_proposal(edition, speaker, state=S.WITHDRAWN, title="Withdrawn")
    add_review(strong, ann, criteria, [5, 2])  # (10 + 2) / 3 = 4
    add_review(strong, bob, criteria, [4, 4])  # (8 + 4) / 3 = 4
    add_review(split, ann, criteria, [5, 5])  # 5
    add_review(split, bob, criteria, [1, 1])  # 1
    add_review(split, cid, criteria, [3, 3], submitted=False)  # a draft review does not count
    return {"strong": strong, "split": split, "unreviewed": unreviewed}


def test_scores_are_weighted_means_averaged_over_submitted_reviews(edition, scored):
    page = ranking.ranking_page(edition, RankingFilter())
    rows = {row.title: row for row in page.items}
    assert [row.title for row in page.items] == ["Strong", "Split", "Unreviewed"]  # drafts, withdrawn: not ranked
    assert page.total == 3
    assert rows["Strong"].score == pytest.approx(4.0) and rows["Strong"].spread == pytest.approx(0.0)
    assert rows["Strong"].reviews == 2 and not rows["Strong"].disagreement
    assert rows["Split"].score == pytest.approx(3.0) and rows["Split"].spread == pytest.approx(4.0)
    assert rows["Split"].reviews == 2 and rows["Split"].disagreement  # 4 >= a quarter of the 1-5 scale
    assert rows["Unreviewed"].score is None and rows["Unreviewed"].reviews == 0


def test_filters_and_sorts(db, edition, organizer, scored):
    by_theme = ranking.ranking_page(edition, RankingFilter(theme_id=edition.themes[1].id))
    assert [row.title for row in by_theme.items] == ["Split"]
    by_format = ranking.ranking_page(edition, RankingFilter(format_id=edition.formats[-1].id))
    assert [row.title for row in by_format.items] == ["Split"]
    by_spread = ranking.ranking_page(edition, RankingFilter(sort="spread"))
    assert [row.title for row in by_spread.items] == ["Split", "Strong", "Unreviewed"]
    by_reviews = ranking.ranking_page(edition, RankingFilter(sort="reviews"))
    assert by_reviews.items[0].title == "Unreviewed"
    decisions.decide(scored["strong"], Outcome.ACCEPT, actor=organizer)
    decisions.decide(scored["split"], Outcome.REJECT, actor=organizer)
    db.session.commit()
    assert [r.title for r in ranking.ranking_page(edition, RankingFilter(decision="accept")).items] == ["Strong"]
    assert [r.title for r in ranking.ranking_page(edition, RankingFilter(decision="none")).items] == ["Unreviewed"]
    assert len(ranking.ranking_page(edition, RankingFilter(decision="untold")).items) == 2
    row = ranking.ranking_page(edition, RankingFilter(decision="reject")).items[0]
    assert row.outcome is Outcome.REJECT and not row.notified
    assert ranking.ranking_page(edition, RankingFilter(state=S.DRAFT)).items == []


def test_pages_of_the_ranking(edition, scored):
    first = ranking.ranking_page(edition, RankingFilter(), page=1, per_page=2)
    second = ranking.ranking_page(edition, RankingFilter(), page=2, per_page=2)
    assert first.total == second.total == 3 and first.pages == 2
    assert [r.title for r in first.items + second.items] == ["Strong", "Split", "Unreviewed"]


def test_another_editions_reviews_do_not_count(db, edition, organizer, speaker, scored):
    other = make_edition(organizer=organizer)
    criteria = make_criteria(other, (("Depth", 1, 5, 1),))
    stranger = make_proposal(other, speaker, state=S.SUBMITTED, title="Elsewhere")
    add_review(stranger, make_reviewer(other, "Zed Reviewer"), criteria, [1])
    titles = [row.title for row in ranking.ranking_page(edition, RankingFilter()).items]
    assert "Elsewhere" not in titles
