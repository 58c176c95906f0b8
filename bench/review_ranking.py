"""How fast is the committee's ranking (scores, spread, dashboard) for a big call?

Builds a throw-away SQLite database (or uses DATABASE_URL) with one edition, N submitted
proposals, 4 weighted criteria and R submitted reviews per proposal spread over 60
reviewers (with their assignments), signs in as the organizer, then renders
/<slug>/manage/review/ranking (first page, sorted by score; then by disagreement on the
last page). The last line printed is one JSON object with the figures.

    python bench/review_ranking.py --proposals 5000 --reviews 3 --repeat 5
"""

from __future__ import annotations

import argparse
import json
import os
import random
import statistics
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
BENCH_PASSWORD = "bench passphrase 2026"  # noqa: S105 - a throw-away database
REVIEWERS = 60


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--proposals", type=int, default=5000, help="number of proposals (default 5000)")
    parser.add_argument("--reviews", type=int, default=3, help="submitted reviews per proposal (default 3)")
    parser.add_argument("--repeat", type=int, default=5, help="timed renders of each page (default 5)")
    args = parser.parse_args()
    print(f"reproduce: python bench/review_ranking.py --proposals {args.proposals} --reviews {args.reviews} "
          f"--repeat {args.repeat}")

    from sqlalchemy import event

    from convention import create_app
    from convention.extensions import db

    tmp = tempfile.mkdtemp(prefix="review-bench-")
    url = os.environ.get("DATABASE_URL", f"sqlite:///{tmp}/bench.sqlite3").replace("postgresql://", "postgresql+psycopg://", 1)
    app = create_app({"SQLALCHEMY_DATABASE_URI": url, "WTF_CSRF_ENABLED": False, "UPLOAD_FOLDER": f"{tmp}/uploads",
                      "RATELIMIT_ENABLED": False, "SECRET_KEY": "bench-secret-key-long-enough-0123456789",
                      # cheap hashing: 61 accounts with the real cost would dominate the seeding
                      "ARGON2_PARAMETERS": {"time_cost": 1, "memory_cost": 1024, "parallelism": 1}})
    with app.app_context():
        db.drop_all()
        db.create_all()
        started = time.perf_counter()
        slug = _seed(args.proposals, args.reviews)
        seed_seconds = round(time.perf_counter() - started, 1)
        if db.engine.dialect.name == "postgresql":
            # Fresh bulk-loaded tables have no statistics yet (autovacuum analyzes a live
            # database within a minute); without them the planner nests the score
            # aggregate inside a loop over the proposals (tens of seconds at 5,000).
            with db.engine.begin() as conn:
                conn.exec_driver_sql("ANALYZE")
        client = app.test_client()
        client.post("/login", data={"email": "bench-organizer@example.org", "password": BENCH_PASSWORD})
        counter = {"n": 0, "sql": 0.0, "started": 0.0}

        def before(*_args):
            counter["n"] += 1
            counter["started"] = time.perf_counter()

        def after(*_args):
            counter["sql"] += time.perf_counter() - counter["started"]

        event.listen(db.engine, "before_cursor_execute", before)
        event.listen(db.engine, "after_cursor_execute", after)
        figures = {"proposals": args.proposals, "assignments": args.proposals * args.reviews,
                   "backend": db.engine.dialect.name, "seed_seconds": seed_seconds}
        last = -(-args.proposals // 50)
        pages = (("ranking", f"/{slug}/manage/review/ranking"),
                 ("disagreement_last_page", f"/{slug}/manage/review/ranking?sort=spread&page={last}"))
        for name, path in pages:
            timings, cpu, sql = [], [], []
            for _ in range(args.repeat):
                db.session.remove()
                counter["n"], counter["sql"] = 0, 0.0
                started, cpu_started = time.perf_counter(), time.process_time()
                response = client.get(path)
                timings.append((time.perf_counter() - started) * 1000)
                cpu.append((time.process_time() - cpu_started) * 1000)
                sql.append(counter["sql"] * 1000)
                assert response.status_code == 200, response.status_code
            figures[f"{name}_ms_median"] = round(statistics.median(timings), 1)
            figures[f"{name}_ms_min"] = round(min(timings), 1)  # the least disturbed run, on a busy machine
            # this process's CPU: the whole page on SQLite, all but the server's work on PostgreSQL
            # (steadier than wall time on a busy machine)
            figures[f"{name}_cpu_ms_median"] = round(statistics.median(cpu), 1)
            figures[f"{name}_sql_ms_median"] = round(statistics.median(sql), 1)  # waiting on the statements
            figures[f"{name}_sql_ms_min"] = round(min(sql), 1)
            figures[f"{name}_queries"] = counter["n"]
            figures[f"{name}_kb"] = round(len(response.data) / 1024, 1)
        db.session.remove()
        db.drop_all()
    print(json.dumps(figures))


def _seed(count: int, reviews_each: int) -> str:
    from datetime import date, timedelta

    import sqlalchemy as sa

    from convention.accounts.services import register_user
    from convention.cfp.models import AudienceLevel, Language, Proposal
    from convention.cfp.states import ProposalState
    from convention.core.timeutil import utcnow
    from convention.editions.models import EditionRole, Role
    from convention.editions.services import EditionData, create_edition
    from convention.extensions import db
    from convention.review import totals
    from convention.review.models import Assignment, Criterion, Review, Score

    rng = random.Random(7)
    organizer = register_user(name="Bench Organizer", email="bench-organizer@example.org",
                              password=BENCH_PASSWORD, confirmed=True)
    starts = date.today() + timedelta(days=90)
    edition = create_edition(EditionData(slug="bench", name="Bench Convention", starts_on=starts, ends_on=starts,
                                         cfp_opens_at=utcnow() - timedelta(days=1),
                                         cfp_closes_at=utcnow() + timedelta(days=30)), actor=organizer)
    criteria = [Criterion(edition_id=edition.id, name=f"Criterion {n}", scale_min=1, scale_max=5, weight=n + 1,
                          position=n) for n in range(4)]
    db.session.add_all(criteria)
    db.session.flush()
    reviewer_ids = [register_user(name=f"Reviewer {n}", email=f"r{n}@example.org", password=BENCH_PASSWORD,
                                  confirmed=True).id for n in range(REVIEWERS)]
    db.session.add_all(EditionRole(edition_id=edition.id, user_id=uid, role=Role.REVIEWER) for uid in reviewer_ids)
    now = utcnow()
    proposals = [Proposal(edition_id=edition.id, title=f"Proposal {n:05d}", theme_id=edition.themes[n % 6].id,
                          format_id=edition.formats[n % 5].id, level=list(AudienceLevel)[n % 3],
                          language=list(Language)[n % 4], abstract="An abstract.", state=ProposalState.SUBMITTED)
                 for n in range(count)]
    db.session.add_all(proposals)
    db.session.flush()
    review_rows, assignment_rows = [], []
    for index, proposal in enumerate(proposals):
        for k in range(reviews_each):
            uid = reviewer_ids[(index * reviews_each + k) % REVIEWERS]
            assignment_rows.append({"edition_id": edition.id, "proposal_id": proposal.id, "user_id": uid,
                                    "source": "automatic", "created_at": now})
            if (index + k) % 10:  # nine reviews in ten are done
                review_rows.append({"edition_id": edition.id, "proposal_id": proposal.id, "user_id": uid,
                                    "comment": "", "feedback": "", "submitted_at": now, "updated_at": now})
    db.session.execute(sa.insert(Assignment), assignment_rows)
    db.session.execute(sa.insert(Review), review_rows)
    review_ids = db.session.scalars(sa.select(Review.id).where(Review.edition_id == edition.id)).all()
    db.session.execute(sa.insert(Score), [{"review_id": rid, "criterion_id": c.id, "value": rng.randint(1, 5)}
                                          for rid in review_ids for c in criteria])
    totals.recompute_edition(edition.id)  # rows inserted in bulk, past the scoring service
    db.session.commit()
    return edition.slug


if __name__ == "__main__":
    main()
