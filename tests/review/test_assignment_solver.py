"""The pure assignment solver: balance, conflicts, preferences, re-runs, what cannot be met."""

from __future__ import annotations

import random
from collections import Counter

import pytest

from convention.review.assignment_solver import (
    UNMET_CAPACITY,
    UNMET_TOO_FEW_ELIGIBLE,
    ProposalIn,
    ReviewerIn,
    Unmet,
    solve_assignment,
)


def _proposals(n, themes=(None,)):
    return [ProposalIn(id=100 + i, theme_id=themes[i % len(themes)]) for i in range(n)]


def _reviewers(n, **kwargs):
    return [ReviewerIn(id=1 + i, **kwargs) for i in range(n)]


def _per_proposal(pairs):
    return Counter(p for p, _ in pairs)


def test_every_proposal_gets_its_reviews_and_loads_are_balanced():
    result = solve_assignment(_proposals(10), _reviewers(7), reviews_per_proposal=3)

    assert _per_proposal(result.pairs) == {100 + i: 3 for i in range(10)}
    assert len(set(result.pairs)) == 30  # nobody twice on one proposal
    assert sorted(result.loads.values()) == [4, 4, 4, 4, 4, 5, 5]  # 30 reviews over 7 people
    assert result.load_spread == 1
    assert result.unmet == []


def test_conflicts_and_conflict_bids_are_never_assigned():
    proposals = _proposals(12)
    conflicts = {(100, 1), (100, 2), (101, 3), (105, 1), (111, 4)}
    bids = {(102, 1): "conflict", (103, 2): "conflict"}

    result = solve_assignment(proposals, _reviewers(5), reviews_per_proposal=3, conflicts=conflicts, bids=bids)

    assert set(result.pairs).isdisjoint(conflicts | set(bids))
    assert _per_proposal(result.pairs) == {p.id: 3 for p in proposals}
    assert result.load_spread <= 1


def test_a_proposal_everybody_conflicts_with_is_reported_not_dropped_silently():
    proposals = _proposals(4)
    conflicts = {(101, r) for r in (1, 2, 3)} | {(102, 1), (102, 2)}

    result = solve_assignment(proposals, _reviewers(4), reviews_per_proposal=3, conflicts=conflicts)

    assert _per_proposal(result.pairs)[101] == 1  # only reviewer 4 may review it
    assert _per_proposal(result.pairs)[102] == 2
    assert result.unmet == [
        Unmet(proposal_id=101, missing=2, eligible=1, reason=UNMET_TOO_FEW_ELIGIBLE),
        Unmet(proposal_id=102, missing=1, eligible=2, reason=UNMET_TOO_FEW_ELIGIBLE),
    ]


def test_a_maximum_load_is_respected_and_what_it_leaves_is_reported_as_capacity():
    result = solve_assignment(_proposals(4), _reviewers(3, max_load=3), reviews_per_proposal=3)

    assert max(result.loads.values()) == 3
    assert len(result.pairs) == 9
    assert sum(u.missing for u in result.unmet) == 3
    assert {u.reason for u in result.unmet} == {UNMET_CAPACITY}


def test_bids_come_first_eager_before_willing_before_no_bid_before_not_willing():
    proposals = _proposals(2)
    reviewers = _reviewers(2)
    # One review each; both reviewers must get one proposal (balance). Reviewer 1 is eager on 101.
    bids = {(101, 1): "eager", (100, 1): "not_willing", (100, 2): "willing"}

    result = solve_assignment(proposals, reviewers, reviews_per_proposal=1, bids=bids)

    assert result.pairs == [(100, 2), (101, 1)]
    assert result.eager_or_willing == 2


def test_bids_outweigh_theme_expertise_and_expertise_breaks_ties():
    proposals = [ProposalIn(id=100, theme_id=7), ProposalIn(id=101, theme_id=8)]
    reviewers = [ReviewerIn(id=1, themes=frozenset({7})), ReviewerIn(id=2, themes=frozenset({8}))]

    by_theme = solve_assignment(proposals, reviewers, reviews_per_proposal=1)
    assert by_theme.pairs == [(100, 1), (101, 2)]
    assert by_theme.preferred == 2 and by_theme.preferred_share == 1.0

    by_bid = solve_assignment(proposals, reviewers, reviews_per_proposal=1, bids={(101, 1): "willing"})
    assert by_bid.pairs == [(100, 2), (101, 1)]


def test_theme_preferences_are_honoured_as_far_as_balance_allows():
    rng = random.Random(7)
    themes = [1, 2, 3, 4]
    proposals = [ProposalIn(id=i, theme_id=rng.choice(themes)) for i in range(200)]
    reviewers = [ReviewerIn(id=1000 + i, themes=frozenset({themes[i % 4], themes[(i + 1) % 4]})) for i in range(20)]

    result = solve_assignment(proposals, reviewers, reviews_per_proposal=3)

    assert result.load_spread == 0  # 600 reviews over 20 people: 30 each
    # Every reviewer knows 2 of 4 themes and 10 reviewers know each theme: all 600 fit.
    assert result.preferred == 600


def test_a_team_limited_to_themes_only_gets_those_themes():
    proposals = [ProposalIn(id=100 + i, theme_id=(1 if i % 2 else 2)) for i in range(10)] + [ProposalIn(id=200)]
    reviewers = [ReviewerIn(id=1, allowed_themes=frozenset({1}))] + _reviewers(4)[1:]

    result = solve_assignment(proposals, reviewers, reviews_per_proposal=2)

    theme_of = {p.id: p.theme_id for p in proposals}
    assert {theme_of[p] for p, r in result.pairs if r == 1} == {1}
    assert result.unmet == []


def test_rerunning_keeps_existing_assignments_and_adds_nothing_when_all_is_met():
    proposals, reviewers = _proposals(9), _reviewers(6)
    first = solve_assignment(proposals, reviewers, reviews_per_proposal=2)

    again = solve_assignment(proposals, reviewers, reviews_per_proposal=2, existing=first.pairs)

    assert again.pairs == []
    assert again.loads == first.loads
    assert again.unmet == []


def test_existing_loads_count_towards_balance_and_raising_n_tops_up():
    proposals, reviewers = _proposals(6), _reviewers(4)
    existing = [(100, 1), (101, 1), (102, 1), (103, 1)]  # reviewer 1 already has four (manual)

    result = solve_assignment(proposals, reviewers, reviews_per_proposal=2, existing=existing)

    assert set(result.pairs).isdisjoint(existing)
    assert _per_proposal(result.pairs + existing) == {p.id: 2 for p in proposals}
    # 12 reviews: reviewer 1 keeps its 4 fixed ones and gets no more (3,3,3,3 is out of reach),
    # the other 8 are spread 3,3,2.
    assert result.loads[1] == 4
    assert sorted(result.loads[r] for r in (2, 3, 4)) == [2, 3, 3]


def test_an_existing_pair_that_now_conflicts_is_kept_and_reported():
    result = solve_assignment(_proposals(1), _reviewers(3), reviews_per_proposal=2,
                              existing=[(100, 1)], conflicts=[(100, 1)])

    assert result.kept_conflicts == [(100, 1)]
    assert len(result.pairs) == 1 and (100, 1) not in result.pairs


def test_nothing_to_do_and_nobody_to_do_it():
    assert solve_assignment([], _reviewers(3), reviews_per_proposal=3).pairs == []
    empty = solve_assignment(_proposals(2), [], reviews_per_proposal=3)
    assert empty.pairs == [] and empty.loads == {} and empty.load_spread == 0
    assert [u.missing for u in empty.unmet] == [3, 3]


def test_bid_levels_may_be_enums_and_unknown_levels_are_refused():
    from enum import StrEnum

    class Level(StrEnum):
        EAGER = "eager"

    result = solve_assignment(_proposals(2), _reviewers(2), reviews_per_proposal=1, bids={(101, 1): Level.EAGER})
    assert (101, 1) in result.pairs
    with pytest.raises(ValueError):
        solve_assignment(_proposals(1), _reviewers(1), reviews_per_proposal=1, bids={(100, 1): "keen"})


def test_random_instances_never_assign_a_conflict_and_stay_balanced():
    rng = random.Random(2026)
    for _ in range(20):
        proposals = [ProposalIn(id=i, theme_id=rng.choice([1, 2, 3, None])) for i in range(rng.randint(5, 60))]
        reviewers = [ReviewerIn(id=500 + i, themes=frozenset(rng.sample([1, 2, 3], 1))) for i in range(rng.randint(4, 12))]
        conflicts = {(p.id, r.id) for p in proposals for r in reviewers if rng.random() < 0.05}
        result = solve_assignment(proposals, reviewers, reviews_per_proposal=3, conflicts=conflicts)
        assert set(result.pairs).isdisjoint(conflicts)
        assert len(set(result.pairs)) == len(result.pairs)
        assert result.load_spread <= 1
        got = _per_proposal(result.pairs)
        for p in proposals:
            eligible = len(reviewers) - sum(1 for r in reviewers if (p.id, r.id) in conflicts)
            assert got[p.id] == min(3, eligible)


def test_a_reviewer_forced_far_above_the_average_load_still_gets_everything_they_alone_may_review():
    # Only reviewer 1 may review theme 1; the others are limited to theme 2 (20 proposals of theme 1
    # and 4 of theme 2). Reviewer 1 ends far above the average load (the network is re-solved).
    proposals = [ProposalIn(id=i, theme_id=1) for i in range(20)] + [ProposalIn(id=100 + i, theme_id=2) for i in range(4)]
    reviewers = [ReviewerIn(id=1)] + [ReviewerIn(id=r, allowed_themes=frozenset({2})) for r in (2, 3, 4)]

    result = solve_assignment(proposals, reviewers, reviews_per_proposal=1)

    assert result.loads[1] == 20
    assert sorted(result.loads[r] for r in (2, 3, 4)) == [1, 1, 2]
    assert result.unmet == []


def test_small_instances_match_a_brute_force_search_for_the_best_balance_then_preferences():
    from itertools import combinations, product

    rng = random.Random(11)
    for _ in range(25):
        proposals = [ProposalIn(id=i, theme_id=rng.choice([1, 2])) for i in range(rng.randint(2, 4))]
        reviewers = [ReviewerIn(id=10 + i, themes=frozenset(rng.sample([1, 2], rng.randint(0, 1))))
                     for i in range(rng.randint(2, 4))]
        n = rng.randint(1, 2)
        conflicts = {(p.id, r.id) for p in proposals for r in reviewers if rng.random() < 0.15}
        bids = {(p.id, r.id): rng.choice(["eager", "willing", "not_willing"])
                for p in proposals for r in reviewers if rng.random() < 0.3}

        choices = []
        for p in proposals:
            eligible = [r.id for r in reviewers if (p.id, r.id) not in conflicts]
            choices.append([[(p.id, r) for r in combo] for combo in combinations(eligible, min(n, len(eligible)))])
        best = min(_objective([pair for group in pick for pair in group], proposals, reviewers, bids)
                   for pick in product(*choices))

        result = solve_assignment(proposals, reviewers, reviews_per_proposal=n, conflicts=conflicts, bids=bids)

        assert _objective(result.pairs, proposals, reviewers, bids) == best


def _objective(pairs, proposals, reviewers, bids):
    """What the solver minimises: the sum of squared loads first, then the preference costs."""
    from convention.review.assignment_solver import BID_COSTS, THEME_MISS_COST

    by_id = {r.id: r for r in reviewers}
    theme = {p.id: p.theme_id for p in proposals}
    loads = Counter(r for _, r in pairs)
    preference = sum(BID_COSTS[bids.get((p, r))] + (0 if theme[p] in by_id[r].themes else THEME_MISS_COST)
                     for p, r in pairs)
    return sum(v * v for v in loads.values()), preference
