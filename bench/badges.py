"""How long does a print sheet of N badges take, and does its memory stay flat?

Builds a throw-away SQLite database (or uses DATABASE_URL) with one edition and N paid
registrations (bulk-inserted; names in Latin with accents, every 10th Cyrillic, every
25th Arabic, every 50th Chinese, so every fallback font and the Arabic shaping are in
play), then times ``make_sheet`` (issuing the N signed codes, streaming the rows,
drawing the badges 8 to an A4 page in parts of 400 joined into the PDF file as they are
drawn, marking them printed). Each size
runs in a fresh interpreter so its peak RSS is its own; the comparison size (1,000 by
default) shows whether memory grows with the number of badges. The last line printed
is one JSON object: ``badges``, ``seconds``, ``peak_rss_mb`` and the same at the
comparison size.

    python bench/badges.py --badges 5000 --compare 1000
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

NAMES = ("Zoë Ørsted-Müller", "François Lefèvre", "Łukasz Żółkiewski", "Ana María Núñez", "Bjørn Åkesson")
CYRILLIC, ARABIC, CHINESE = "Дмитрий Шостакович", "محمد بن موسى الخوارزمي", "王小明"


def _name(n: int) -> str:
    if n % 50 == 0:
        return CHINESE
    if n % 25 == 0:
        return ARABIC
    if n % 10 == 0:
        return CYRILLIC
    return f"{NAMES[n % len(NAMES)]} {n}"


def _seed(count: int):
    import sqlalchemy as sa

    from convention.core.codes import new_code, new_token
    from convention.core.timeutil import utcnow
    from convention.editions.models import Edition
    from convention.extensions import db
    from convention.registration.models import Attendee, Order, OrderState, TicketType

    now = utcnow()
    edition = Edition(slug="bench", name="Bench Convention 2027", starts_on=now.date(), ends_on=now.date())
    db.session.add(edition)
    db.session.flush()
    ticket_type = TicketType(edition_id=edition.id, name="Conference pass", price_cents=12100)
    db.session.add(ticket_type)
    db.session.flush()
    for start in range(0, count, 1000):
        size = min(1000, count - start)
        orders = [{"edition_id": edition.id, "code": new_code(8), "secret": new_token(), "state": OrderState.PAID,
                   "email": f"b{start + i}@example.org", "total_cents": 12100, "currency": "EUR",
                   "payment_method": "bank_transfer", "paid_at": now, "created_at": now} for i in range(size)]
        ids = db.session.scalars(sa.insert(Order).returning(Order.id, sort_by_parameter_order=True), orders).all()
        db.session.execute(sa.insert(Attendee), [
            {"edition_id": edition.id, "code": new_code(12), "order_id": order_id, "ticket_type_id": ticket_type.id,
             "name": _name(start + i), "organisation": "Bench Organisation", "email": "", "price_cents": 12100,
             "vat_rate_bp": 2100, "created_at": now} for i, order_id in enumerate(ids)
        ])
    db.session.commit()
    return edition


def run_one(count: int) -> dict:
    from convention import create_app
    from convention.badges.sheets import make_sheet
    from convention.extensions import db

    tmp = tempfile.mkdtemp(prefix="badges-bench-")
    url = os.environ.get("DATABASE_URL", f"sqlite:///{tmp}/bench.sqlite3").replace("postgresql://",
                                                                                 "postgresql+psycopg://", 1)
    app = create_app({"SQLALCHEMY_DATABASE_URI": url, "SECRET_KEY": "bench-secret-key-long-enough-0123456789",
                      "MAIL_SERVER": None, "REDIS_URL": None})
    with app.app_context():
        db.drop_all()
        db.create_all()
        edition = _seed(count)
        rss_before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
        out = Path(tmp) / "sheet.pdf"
        started, cpu_started = time.perf_counter(), time.process_time()
        with out.open("wb") as file:  # as `flask badges sheet --out` writes it
            result = make_sheet(edition, file)
        db.session.commit()
        seconds, cpu_seconds = time.perf_counter() - started, time.process_time() - cpu_started
        backend = db.engine.dialect.name
        db.drop_all()
    return {"badges": result.badges, "seconds": round(seconds, 1), "cpu_seconds": round(cpu_seconds, 1),
            "peak_rss_mb": round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, 1),
            "rss_before_sheet_mb": round(rss_before, 1), "pdf_mb": round(out.stat().st_size / 2**20, 1),
            "pages": -(-result.badges // 8), "backend": backend}


def _child(count: int) -> dict:
    done = subprocess.run([sys.executable, __file__, "--child", str(count)], cwd=ROOT, capture_output=True, text=True)
    if done.returncode:
        sys.exit(done.stderr[-4000:])
    return json.loads(done.stdout.strip().splitlines()[-1])


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--badges", type=int, default=5000, help="badges on the measured sheet (default 5000)")
    parser.add_argument("--compare", type=int, default=1000, help="a smaller sheet, for the memory comparison")
    parser.add_argument("--child", type=int, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        print(json.dumps(run_one(args.child)))
        return
    print(f"reproduce: python bench/badges.py --badges {args.badges} --compare {args.compare}", flush=True)
    small = _child(args.compare)
    print(json.dumps(small), flush=True)
    big = _child(args.badges)
    print(json.dumps({**big, f"seconds_at_{args.compare}": small["seconds"], "load_average": os.getloadavg()[0],
                      f"peak_rss_mb_at_{args.compare}": small["peak_rss_mb"]}))


if __name__ == "__main__":
    main()
