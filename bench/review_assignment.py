"""How fast and how good is the automatic reviewer assignment (the min-cost flow solver)?

Builds a random call (seeded): N proposals over T themes, R reviewers who each know 2-3
themes, a share of conflicting (proposal, reviewer) pairs, and some bids; then runs
convention.review.assignment_solver.solve_assignment and checks its answer. Prints the
figures, and its last line is one JSON object with ``seconds``, ``load_spread``,
``conflicts_assigned`` (must be 0), ``preferred_share`` (new assignments on a theme the
reviewer knows), and more.

With ``--through-service`` the same call is written to a throw-away database (SQLite, or
DATABASE_URL) as an edition with its proposals, reviewers, themes, conflicts and bids, and
the figures are those of ``run_automatic_assignment`` (reading the database, refreshing the
automatic conflicts, solving, inserting the rows, committing), checked against the database.

    python bench/review_assignment.py --proposals 1000 --reviewers 60 --reviews 3 --conflicts 0.05
    python bench/review_assignment.py --through-service
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
    parser.add_argument("--through-service", action="store_true",
                        help="run run_automatic_assignment on a throw-away database instead of the bare solver")
    args = parser.parse_args()
    print("reproduce: python bench/review_assignment.py "
          f"--proposals {args.proposals} --reviewers {args.reviewers} --reviews {args.reviews} "
          f"--conflicts {args.conflicts} --themes {args.themes} --bids {args.bids} --seed {args.seed}"
          + (" --through-service" if args.through_service else ""))
    if args.through_service:
        _through_service(args)
        return

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


def _through_service(args) -> None:
    import os
    import tempfile
    from collections import defaultdict

    import sqlalchemy as sa
    from argon2 import PasswordHasher

    from convention import create_app
    from convention.extensions import db

    tmp = tempfile.mkdtemp(prefix="review-assign-bench-")
    url = os.environ.get("DATABASE_URL", f"sqlite:///{tmp}/bench.sqlite3").replace("postgresql://",
                                                                                  "postgresql+psycopg://", 1)
    app = create_app({"SQLALCHEMY_DATABASE_URI": url, "WTF_CSRF_ENABLED": False, "RATELIMIT_ENABLED": False,
                      "SECRET_KEY": "bench-secret-key-long-enough-0123456789", "UPLOAD_FOLDER": f"{tmp}/uploads"})
    import convention.accounts.services as accounts

    accounts.hash_password = PasswordHasher(time_cost=1, memory_cost=8, parallelism=1).hash  # a throw-away database
    with app.app_context():
        db.drop_all()
        db.create_all()
        try:
            edition, organizer, forbidden, known = _seed_database(args)
            from convention.review.auto_assignment import run_automatic_assignment
            from convention.review.models import Assignment

            started = time.perf_counter()
            report = run_automatic_assignment(edition, organizer, reviews_per_proposal=args.reviews)
            db.session.commit()
            seconds = time.perf_counter() - started
            pairs = list(db.session.execute(sa.select(Assignment.proposal_id, Assignment.user_id)))
            loads = defaultdict(int)
            for _, user_id in pairs:
                loads[user_id] += 1
            theme_of = dict(db.session.execute(sa.text("select id, theme_id from cfp_proposals")).all())
            figures = {
                "mode": "service", "backend": db.engine.dialect.name, "proposals": args.proposals,
                "reviewers": args.reviewers, "reviews_per_proposal": args.reviews,
                "seconds": round(seconds, 3), "assigned": len(pairs),
                "load_spread": max(loads.values()) - min(loads.values()),
                "conflicts_assigned": len(set(pairs) & forbidden),
                "preferred_share": round(sum(1 for p, u in pairs if theme_of[p] in known[u]) / len(pairs), 4),
                "unmet_reported": report.unmet_count,
            }
        finally:
            db.session.rollback()
            db.drop_all()
    for key, value in figures.items():
        print(f"{key:>32}: {value}")
    print(json.dumps(figures))


def _seed_database(args):
    """The random call of _instance() as rows: returns the edition, its organizer, the
    forbidden (proposal_id, user_id) pairs and each reviewer's known theme ids."""
    from datetime import date, timedelta

    import sqlalchemy as sa

    from convention.accounts.services import register_user
    from convention.cfp.models import AudienceLevel, Language, Proposal, ProposalSpeaker
    from convention.cfp.speaker_services import get_or_create_profile
    from convention.cfp.states import ProposalState
    from convention.core.timeutil import utcnow
    from convention.editions.models import EditionRole, Role, Theme
    from convention.editions.services import EditionData, create_edition
    from convention.extensions import db
    from convention.review.models import Bid, Conflict, ConflictSource, ReviewerTheme

    proposals, reviewers, conflicts, bids = _instance(args)
    organizer = register_user(name="Bench Organizer", email="bench-organizer@example.org",
                              password="bench passphrase 2026", confirmed=True)  # noqa: S106 - throw-away database
    starts = date.today() + timedelta(days=90)
    edition = create_edition(EditionData(slug="bench", name="Bench Convention", starts_on=starts, ends_on=starts,
                                         cfp_opens_at=utcnow() - timedelta(days=1),
                                         cfp_closes_at=utcnow() + timedelta(days=30)), actor=organizer)
    themes = {}
    for n in sorted({p.theme_id for p in proposals} | {t for r in reviewers for t in r.themes}):
        theme = Theme(edition_id=edition.id, name=f"Bench theme {n}", description="", position=100 + n)
        db.session.add(theme)
        themes[n] = theme
    users = {}
    for r in reviewers:
        users[r.id] = register_user(name=f"Reviewer {r.id}", email=f"r{r.id}@example.org",
                                    password="bench passphrase 2026", confirmed=True)  # noqa: S106
        db.session.add(EditionRole(edition_id=edition.id, user_id=users[r.id].id, role=Role.REVIEWER))  # no signal
    speaker = get_or_create_profile(edition, register_user(name="Speaker", email="speaker@example.org",
                                                           password="bench passphrase 2026", confirmed=True))  # noqa: S106
    db.session.flush()
    rows = {}
    for p in proposals:
        rows[p.id] = Proposal(edition_id=edition.id, title=f"Proposal {p.id}", theme_id=themes[p.theme_id].id,
                              format_id=edition.formats[0].id, level=AudienceLevel("intermediate"),
                              language=Language("en"), abstract="An abstract.", state=ProposalState.SUBMITTED)
        rows[p.id].speakers.append(ProposalSpeaker(profile=speaker, is_submitter=True))
        db.session.add(rows[p.id])
    db.session.flush()
    db.session.execute(sa.insert(ReviewerTheme), [
        {"edition_id": edition.id, "user_id": users[r.id].id, "theme_id": themes[t].id}
        for r in reviewers for t in r.themes])
    db.session.execute(sa.insert(Conflict), [
        {"edition_id": edition.id, "proposal_id": rows[p].id, "user_id": users[u].id, "source": ConflictSource.DECLARED}
        for p, u in conflicts])
    db.session.execute(sa.insert(Bid), [
        {"edition_id": edition.id, "proposal_id": rows[p].id, "user_id": users[u].id, "level": level}
        for (p, u), level in bids.items()])
    db.session.commit()
    forbidden = {(rows[p].id, users[u].id) for p, u in conflicts}
    forbidden |= {(rows[p].id, users[u].id) for (p, u), level in bids.items() if level == "conflict"}
    known = {users[r.id].id: {themes[t].id for t in r.themes} for r in reviewers}
    return edition, organizer, forbidden, known


if __name__ == "__main__":
    main()
