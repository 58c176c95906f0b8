"""Benchmark: the public schedule page and each export for a real imported schedule.

What it does:
1. creates a scratch PostgreSQL database next to --database-url (dropped at the end
   unless --keep) and the schema in it;
2. imports --file (default: FOSDEM 2025 from ../shared/data, 943 events in 40 rooms) with
   the importer, which publishes version 1;
3. for the grid page (/<slug>/schedule/) and the exports (schedule.xml, .json, .ics):
   the first request after a publication (the export rebuilt from the snapshot, with
   every in-process cache cold, as in a worker that has not served it yet), then
   --repeat requests: median and minimum time, SQL statements per request, size;
4. publishes a second version and checks that each export's first request serves it.

The requests go through Flask's test client in this process (no network), each with a
fresh database session, as a worker handles it. The last line printed is one JSON object
with ``<page>_median_ms`` and ``<page>_queries`` for grid, xml, json and ics, and
``<export>_rebuild_ms``.

    python bench/schedule_pages.py --database-url postgresql://postgres@127.0.0.1:5432/postgres
"""

from __future__ import annotations

import argparse
import json
import os
import shlex
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
from orders import check_local_database, create_scratch_database, drop_scratch_database  # noqa: E402

DEFAULT_FILE = ROOT / ".." / "shared" / "data" / "schedules" / "fosdem-2025.schedule.xml"
EXPORTS = ("xml", "json", "ics")


def parse_args(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--database-url", default=os.environ.get("BENCH_DATABASE_URL",
                                                                 "postgresql://postgres@127.0.0.1:5432/postgres"),
                        help="a PostgreSQL server URL; a scratch database is created next to it")
    parser.add_argument("--file", type=Path, default=DEFAULT_FILE, help="a frab XML or C3VOC JSON schedule")
    parser.add_argument("--slug", default="fosdem-2025", help="the imported edition's slug")
    parser.add_argument("--repeat", type=int, default=30, help="timed requests per page after the first")
    parser.add_argument("--keep", action="store_true", help="keep the scratch database afterwards")
    args = parser.parse_args(argv)
    check_local_database(parser, args)
    if not args.file.is_file():
        parser.error(f"{args.file} is missing (the real schedules live in ../shared/data beside the checkout)")
    if not 1 <= args.repeat <= 1000:
        parser.error("--repeat: 1 to 1000")
    return args


class Counter:
    def __init__(self):
        self.count = 0

    def __call__(self, *_args):
        self.count += 1


def measure(app, engine, counter: Counter, path: str, repeat: int) -> dict:
    """The first request, then ``repeat`` more: times in ms, statements of the last one."""
    from convention.extensions import db

    timings, queries, size = [], [], 0
    for _ in range(repeat + 1):
        with app.app_context():
            db.session.remove()
        counter.count = 0
        client = app.test_client()
        started = time.perf_counter()
        response = client.get(path)
        timings.append((time.perf_counter() - started) * 1000)
        queries.append(counter.count)
        if response.status_code != 200:
            raise RuntimeError(f"{path}: {response.status_code}")
        size = len(response.data)
    rest = timings[1:]
    return {"first_ms": round(timings[0], 1), "median_ms": round(statistics.median(rest), 2),
            "min_ms": round(min(rest), 2), "queries": max(queries[1:]), "first_queries": queries[0], "bytes": size}


def main(argv=None) -> int:
    args = parse_args(argv)
    print("reproduce: python bench/schedule_pages.py " + " ".join([
        f"--database-url {shlex.quote(args.database_url)}", f"--file {shlex.quote(str(args.file))}",
        f"--slug {args.slug}", f"--repeat {args.repeat}"]))
    name, url = create_scratch_database(args.database_url)
    try:
        figures = run(args, url)
    finally:
        if not args.keep:
            drop_scratch_database(args.database_url, name)
    print(json.dumps(figures))
    return 0


def run(args, url: str) -> dict:
    import sqlalchemy as sa

    from convention import create_app
    from convention.extensions import db
    from convention.schedule import exports, public_page, versions
    from convention.schedule.import_parse import parse_schedule
    from convention.schedule.importer import import_schedule

    app = create_app({"SQLALCHEMY_DATABASE_URI": url.replace("postgresql://", "postgresql+psycopg://", 1),
                      "SECRET_KEY": "bench-secret-key-long-enough-0123456789", "RATELIMIT_ENABLED": False,
                      "BASE_URL": "http://127.0.0.1:5000", "TRUSTED_HOSTS": ["localhost", "127.0.0.1"],
                      "MAIL_SERVER": None, "REDIS_URL": None})
    figures: dict = {"file": args.file.name}
    with app.app_context():
        db.create_all()
        started = time.perf_counter()
        result = import_schedule(parse_schedule(args.file.read_bytes()), args.slug)
        db.session.commit()
        figures["import_seconds"] = round(time.perf_counter() - started, 2)
        snapshot = result.version.snapshot
        figures.update(events=len(snapshot["talks"]), rooms=len(snapshot["rooms"]), backend=db.engine.dialect.name)
        engine = db.engine
    counter = Counter()
    sa.event.listen(engine, "before_cursor_execute", counter)
    pages = {"grid": f"/{args.slug}/schedule/", **{fmt: f"/{args.slug}/schedule.{fmt}" for fmt in EXPORTS}}
    days = sorted(day["day"] for day in snapshot["days"])
    if len(days) > 1:  # the grid shows one day per page: the other days cost the same
        pages["grid_last_day"] = f"/{args.slug}/schedule/?day={days[-1]}"
    if "schedule.programme" not in app.view_functions:
        figures["grid_note"] = "the public schedule page is not in this build: skipped"
        pages.pop("grid")
    for page, path in pages.items():
        exports.clear_cache()  # a worker's first request after the publication: rebuilt
        public_page.clear_cache()
        found = measure(app, engine, counter, path, args.repeat)
        print(f"{page:5} {path}: first {found['first_ms']} ms ({found['first_queries']} queries), "
              f"then median {found['median_ms']} ms, min {found['min_ms']} ms, {found['queries']} queries, "
              f"{found['bytes']:,} bytes")
        figures[f"{page}_median_ms"] = found["median_ms"]
        figures[f"{page}_queries"] = found["queries"]
        figures[f"{page}_rebuild_ms"] = found["first_ms"]
    # A second publication: the next request of each export serves it, rebuilt once.
    with app.app_context():
        edition = result.edition = db.session.merge(result.edition)
        number = versions.publish_version(edition, "Second", actor=None).number
        db.session.commit()
        etag = exports.etag_of(exports.latest_info(edition), "xml")
    response = app.test_client().get(pages["xml"])
    grid = app.test_client().get(pages["grid"]).get_data(as_text=True) if "grid" in pages else "Version 2,"
    figures["second_version_served"] = (response.headers.get("ETag") == f'"{etag}"' and number == 2
                                        and "Version 2," in grid)
    return figures


if __name__ == "__main__":
    sys.exit(main())
