"""How fast and how good is the automatic reviewer assignment (the min-cost flow solver)?

Builds a random call (seeded): N proposals over T themes, R reviewers who each know 2-3
themes, a share of conflicting (proposal, reviewer) pairs, and some bids; then runs
convention.review.assignment_solver.solve_assignment and checks its answer. Prints the
figures, and its last line is one JSON object with ``seconds``, ``load_spread``,
``conflicts_assigned`` (must be 0), ``preferred_share`` (new assignments on a theme the
reviewer knows), and more.

    python bench/review_assignment.py --proposals 1000 --reviewers 60 --reviews 3 --conflicts 0.05
"""

from __future__ import annotations

import argparse
import json
import random
import sys
import time
from collections import Counter
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--proposals", type=int, default=1000, help="number of proposals (default 1000)")
    parser.add_argument("--reviewers", type=int, default=60, help="number of reviewers (default 60)")
    parser.add_argument("--reviews", type=int, default=3, help="reviews per proposal (default 3)")
    parser.add_argument("--conflicts", type=float, default=0.05, help="share of conflicting pairs (default 0.05)")
    parser.add_argument("--themes", type=int, default=8, help="number of themes (default 8)")
    parser.add_argument("--bids", type=float, default=0.02, help="share of pairs with a bid (default 0.02)")
    parser.add_argument("--seed", type=int, default=2026, help="random seed (default 2026)")
    args = parser.parse_args()
    print("reproduce: python bench/review_assignment.py "
          f"--proposals {args.proposals} --reviewers {args.reviewers} --reviews {args.reviews} "
          f"--conflicts {args.conflicts} --themes {args.themes} --bids {args.bids} --seed {args.seed}")

    started = time.perf_counter()
    import ortools.graph.python.min_cost_flow  # noqa: F401 - timed apart from the solve

    from convention.review import assignment_solver as solver

    import_seconds = time.perf_counter() - started

    proposals, reviewers, conflicts, bids = _instance(args)
    started = time.perf_counter()
    result = solver.solve_assignment(proposals, reviewers, reviews_per_proposal=args.reviews,
                                     conflicts=conflicts, bids=bids)
    seconds = time.perf_counter() - started

    forbidden = conflicts | {pair for pair, level in bids.items() if level == "conflict"}
    per_proposal = Counter(p for p, _ in result.pairs)
    figures = {
        "proposals": args.proposals,
        "reviewers": args.reviewers,
        "reviews_per_proposal": args.reviews,
        "conflict_pairs": len(conflicts),
        "bids": len(bids),
        "seconds": round(seconds, 3),
        "import_seconds": round(import_seconds, 3),
        "assigned": len(result.pairs),
        "load_min": min(result.loads.values()),
        "load_max": max(result.loads.values()),
        "load_spread": result.load_spread,
        "conflicts_assigned": len(set(result.pairs) & forbidden),
        "duplicates": len(result.pairs) - len(set(result.pairs)),
        "preferred_share": round(result.preferred_share, 4),
        "bid_eager_or_willing_honoured": result.eager_or_willing,
        "bid_eager_or_willing_given": sum(1 for level in bids.values() if level in ("eager", "willing")),
        "proposals_short": sum(1 for p in proposals if per_proposal[p.id] < args.reviews),
        "unmet_reported": len(result.unmet),
    }
    for key, value in figures.items():
        print(f"{key:>32}: {value}")
    print(json.dumps(figures))


def _instance(args):
    from convention.review.assignment_solver import ProposalIn, ReviewerIn

    rng = random.Random(args.seed)
    themes = list(range(1, args.themes + 1))
    # Themes are not equally popular: the first ones get more proposals.
    weights = [args.themes - i for i in range(args.themes)]
    proposals = [ProposalIn(id=10_000 + i, theme_id=rng.choices(themes, weights)[0]) for i in range(args.proposals)]
    reviewers = [ReviewerIn(id=1 + i, themes=frozenset(rng.sample(themes, rng.randint(2, 3))))
                 for i in range(args.reviewers)]
    conflicts = {(p.id, r.id) for p in proposals for r in reviewers if rng.random() < args.conflicts}
    levels = ["eager", "willing", "not_willing", "conflict"]
    bids = {(p.id, r.id): rng.choices(levels, [3, 4, 2, 1])[0]
            for p in proposals for r in reviewers if rng.random() < args.bids and (p.id, r.id) not in conflicts}
    return proposals, reviewers, conflicts, bids


if __name__ == "__main__":
    main()
