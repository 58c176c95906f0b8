"""How fast is the organizer's proposal table (and its CSV export) for a big call?

Builds a throw-away SQLite database (or uses DATABASE_URL) with one edition and N
proposals, signs in as its organizer, then renders /<slug>/manage/proposals/ and the
CSV export several times. The last line printed is one JSON object with the figures.

    python bench/cfp_proposal_list.py --proposals 500 --repeat 5
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
BENCH_PASSWORD = "bench passphrase 2026"  # noqa: S105 - a throw-away database


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--proposals", type=int, default=500, help="number of proposals (default 500)")
    parser.add_argument("--repeat", type=int, default=5, help="timed renders of each page (default 5)")
    args = parser.parse_args()
    print(f"reproduce: python bench/cfp_proposal_list.py --proposals {args.proposals} --repeat {args.repeat}")

    from sqlalchemy import event

    from convention import create_app
    from convention.extensions import db

    tmp = tempfile.mkdtemp(prefix="cfp-bench-")
    url = os.environ.get("DATABASE_URL", f"sqlite:///{tmp}/bench.sqlite3").replace("postgresql://", "postgresql+psycopg://", 1)
    app = create_app({"SQLALCHEMY_DATABASE_URI": url, "WTF_CSRF_ENABLED": False, "UPLOAD_FOLDER": f"{tmp}/uploads",
                      "RATELIMIT_ENABLED": False, "SECRET_KEY": "bench-secret-key-long-enough-0123456789"})
    with app.app_context():
        db.drop_all()
        db.create_all()
        slug = _seed(args.proposals)
        client = app.test_client()
        client.post("/login", data={"email": "bench-organizer@example.org", "password": BENCH_PASSWORD})
        counter = {"n": 0}
        event.listen(db.engine, "before_cursor_execute", lambda *a: counter.__setitem__("n", counter["n"] + 1))
        figures = {"proposals": args.proposals, "backend": db.engine.dialect.name}
        for name, path in (("table", f"/{slug}/manage/proposals/"), ("csv", f"/{slug}/manage/proposals/export.csv")):
            timings = []
            for _ in range(args.repeat):
                db.session.remove()
                counter["n"] = 0
                started = time.perf_counter()
                response = client.get(path)
                timings.append((time.perf_counter() - started) * 1000)
                assert response.status_code == 200, response.status_code
            figures[f"{name}_ms_median"] = round(statistics.median(timings), 1)
            figures[f"{name}_ms_min"] = round(min(timings), 1)
            figures[f"{name}_queries"] = counter["n"]
            figures[f"{name}_bytes"] = len(response.data)
        db.session.remove()
        db.drop_all()
    print(json.dumps(figures))


def _seed(count: int) -> str:
    from datetime import date, timedelta

    from convention.accounts.services import register_user
    from convention.cfp.models import AudienceLevel, Language, Proposal, ProposalSpeaker
    from convention.cfp.speaker_services import get_or_create_profile
    from convention.cfp.states import ProposalState
    from convention.core.timeutil import utcnow
    from convention.editions.services import EditionData, create_edition
    from convention.extensions import db

    organizer = register_user(name="Bench Organizer", email="bench-organizer@example.org",
                              password=BENCH_PASSWORD, confirmed=True)
    starts = date.today() + timedelta(days=90)
    edition = create_edition(EditionData(slug="bench", name="Bench Convention", starts_on=starts, ends_on=starts,
                                         cfp_opens_at=utcnow() - timedelta(days=1),
                                         cfp_closes_at=utcnow() + timedelta(days=30)), actor=organizer)
    speakers = [get_or_create_profile(edition, register_user(name=f"Speaker {n}", email=f"s{n}@example.org",
                                                             password=BENCH_PASSWORD, confirmed=True))
                for n in range(5)]
    states = list(ProposalState)
    for n in range(count):
        proposal = Proposal(edition_id=edition.id, title=f"Proposal {n:05d}", theme_id=edition.themes[n % 6].id,
                            format_id=edition.formats[n % 5].id, level=list(AudienceLevel)[n % 3],
                            language=list(Language)[n % 4], abstract="An abstract. " * 10, state=states[n % 8])
        proposal.speakers.append(ProposalSpeaker(profile=speakers[n % 5], is_submitter=True))
        if n % 3 == 0:
            proposal.speakers.append(ProposalSpeaker(profile=speakers[(n + 1) % 5]))
        db.session.add(proposal)
    db.session.commit()
    return edition.slug


if __name__ == "__main__":
    main()
