"""Benchmark: what one order request costs in-process (CPU, SQL, statements), on PostgreSQL.

Less dependent on the machine's load than ``bench/orders.py``: it measures the CPU time
of the checkout POST inside one process (``time.process_time``), the statements it runs
and the time spent in them, with Flask's test client and no HTTP server. It creates a
scratch database next to --database-url like ``bench/orders.py`` (same seed), places
--warmup orders that are not counted, then --orders that are, one after the other.

With --profile FILE it also writes a pyinstrument text profile of the counted orders
(pyinstrument is not a requirement: ``pip install pyinstrument`` to use it).

    python bench/order_profile.py --database-url postgresql://postgres@127.0.0.1:5432/postgres
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import sys
import time
from collections import Counter
from pathlib import Path
from urllib.parse import urlencode

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "bench"))
sys.path.insert(0, str(ROOT))

from orders import (  # noqa: E402
    CSRF,
    app_environment,
    check_local_database,
    create_scratch_database,
    drop_scratch_database,
    migrate,
    seed,
)


def parse_args(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--database-url", default=os.environ.get("BENCH_DATABASE_URL",
                                                                 "postgresql://postgres@127.0.0.1:5432/postgres"))
    parser.add_argument("--orders", type=int, default=300, help="orders measured")
    parser.add_argument("--warmup", type=int, default=30, help="orders placed first and not measured")
    parser.add_argument("--profile", help="write a pyinstrument text profile of the measured orders here")
    parser.add_argument("--show-statements", action="store_true", help="print the last order's statements")
    parser.add_argument("--keep", action="store_true", help="keep the scratch database afterwards")
    args = parser.parse_args(argv)
    if not (1 <= args.orders <= 20000 and 0 <= args.warmup <= 1000):
        parser.error("sizes out of bounds: orders 1-20000, warmup 0-1000")
    check_local_database(parser, args)
    return args


def _statement_kind(statement: str) -> str:
    """'INSERT orders', 'SELECT ticket_types', 'SAVEPOINT': the verb and the first table."""
    words = statement.split()
    verb = words[0].upper() if words else "?"
    table = ""
    if verb in ("INSERT", "DELETE") and len(words) > 2:
        table = words[2]
    elif verb == "UPDATE" and len(words) > 1:
        table = words[1]
    elif verb == "SELECT" and "FROM" in words:
        table = words[words.index("FROM") + 1]
    return " ".join(filter(None, (verb, table)))


def _python_calls(action, *, repeat: int) -> int:
    """Python function calls per ``action()`` (median of ``repeat``): a cost figure that does
    not depend on the machine's load, unlike the CPU time."""
    counts = []
    for _ in range(repeat):
        count = 0

        def tracer(frame, event, arg):
            nonlocal count
            if event == "call":
                count += 1

        sys.setprofile(tracer)
        try:
            action()
        finally:
            sys.setprofile(None)
        counts.append(count)
    return int(statistics.median(counts))


def measure(env: dict, ids: dict, *, orders: int, warmup: int, profile: str | None, show: bool = False) -> dict:
    os.environ.update(env)
    from sqlalchemy import event

    from app import app
    from convention.extensions import db

    app.config["RATELIMIT_ENABLED"] = True
    client = app.test_client()
    page = client.get(f"/{ids['slug']}/tickets/checkout?q-{ids['steady']}=1", base_url="http://127.0.0.1")
    assert page.status_code == 200, page.status_code
    token = CSRF.search(page.get_data(as_text=True)).group(1)

    statements: list[tuple[str, float]] = []
    started_at: list[float] = []

    def before(conn, cursor, statement, parameters, context, executemany):
        started_at.append(time.perf_counter())

    def after(conn, cursor, statement, parameters, context, executemany):
        statements.append((statement, time.perf_counter() - started_at.pop()))

    def post(serial: int):
        body = urlencode({
            "csrf_token": token, "selection": f"{ids['steady']}:1", "voucher": "", "total_cents": "29500",
            "privacy_version": "2026-01", "buyer_name": "Profile Buyer", "email": f"profile-{serial}@example.org",
            "consent": "y", "attendees-0-name": f"Profile Attendee {serial}",
        })
        response = client.post(f"/{ids['slug']}/tickets/checkout", data=body, base_url="http://127.0.0.1",
                               content_type="application/x-www-form-urlencoded")
        assert response.status_code == 303, (response.status_code, response.get_data(as_text=True)[:2000])

    with app.app_context():
        engine = db.engine
    for serial in range(warmup):
        post(serial)
    event.listen(engine, "before_cursor_execute", before)
    event.listen(engine, "after_cursor_execute", after)
    profiler = None
    if profile:
        from pyinstrument import Profiler

        profiler = Profiler(interval=0.0005)
        profiler.start()
    serials = iter(range(10**6, 10**6 + 5))  # each its own buyer: at most 3 open orders per email
    calls = _python_calls(lambda: post(next(serials)), repeat=5)
    cpu, wall, per_request = [], [], []
    for serial in range(warmup, warmup + orders):
        before_count = len(statements)
        c0, w0 = time.process_time(), time.perf_counter()
        post(serial)
        cpu.append(time.process_time() - c0)
        wall.append(time.perf_counter() - w0)
        per_request.append(statements[before_count:])
    if profiler is not None:
        profiler.stop()
        Path(profile).write_text(profiler.output_text(unicode=False, color=False, show_all=False))
    event.remove(engine, "before_cursor_execute", before)
    event.remove(engine, "after_cursor_execute", after)
    if show:
        for statement, seconds in per_request[-1]:
            print(f"{seconds * 1000:7.2f} ms  {' '.join(statement.split())[:300]}")
    counts = [len(batch) for batch in per_request]
    sql_ms = [sum(seconds for _, seconds in batch) * 1000 for batch in per_request]
    kinds = Counter(_statement_kind(statement) for statement, _ in per_request[-1])
    return {
        "orders": orders,
        "python_calls_per_order": calls,
        "cpu_ms_per_order": round(statistics.median(cpu) * 1000, 2),
        "cpu_ms_mean": round(statistics.mean(cpu) * 1000, 2),
        "wall_ms_per_order": round(statistics.median(wall) * 1000, 2),
        "sql_ms_per_order": round(statistics.median(sql_ms), 2),
        "statements_per_order": max(counts),
        "statements": dict(sorted(kinds.items())),
    }


def main(argv=None) -> int:
    args = parse_args(argv)
    print("Reproduce with: python bench/order_profile.py --database-url", args.database_url,
          f"--orders {args.orders} --warmup {args.warmup}", flush=True)
    name, database_url = create_scratch_database(args.database_url)
    try:
        env = app_environment(database_url)
        migrate(env)
        ids = seed(env, 300)
        figures = measure(env, ids, orders=args.orders, warmup=args.warmup, profile=args.profile,
                          show=args.show_statements)
    finally:
        if args.keep:
            print(f"Kept database {name}.", flush=True)
        else:
            if "app" in sys.modules:  # its pool holds connections to the scratch database
                from convention.extensions import db

                with sys.modules["app"].app.app_context():
                    db.engine.dispose()
            drop_scratch_database(args.database_url, name)
    print(json.dumps(figures))
    return 0


if __name__ == "__main__":
    sys.exit(main())
