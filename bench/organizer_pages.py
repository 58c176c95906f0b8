"""Benchmark: the organizer's pages (and two public ones) as an edition grows to 5,000
proposals and 20,000 orders, on PostgreSQL.

What it does, all on 127.0.0.1:
1. creates a scratch PostgreSQL database next to --database-url and migrates it;
2. for each size (proposals x orders, smallest first: 100x500, 1000x5000, 5000x20000, or
   those given to --sizes), grows one edition to that size through the domain services
   (bench/organizer_seed.py: ~0.6 speakers per proposal, ~1.5 attendees per order, one
   voucher per ten orders, one waiting-list entry per fifty) and, signed in as its
   organizer with Flask's test client, requests every page --repeat times (default 20):
   median time (and the CPU this process spent on it: the machine is shared), SQL
   statements per request, response size, and for the CSV exports the
   time to the first byte;
3. at the largest size, starts gunicorn with one worker on the same database, signs in
   over HTTP, requests every page three times and reads the worker's VmRSS after start and
   after each page (also the CSVs' time to first byte over HTTP);
4. times ``import convention; create_app()`` in fresh interpreters (median of 3);
5. drops the scratch database (unless --keep).

A table is printed per size, with the command that reproduces it; the last line is one
JSON object with, for the largest size, ``<page>_median_ms`` and ``<page>_queries`` for
every page, plus ``worker_rss_mb`` and ``import_seconds``.

    python bench/organizer_pages.py --database-url postgresql://postgres@127.0.0.1:5432/postgres
    python bench/organizer_pages.py --sizes 5000x20000
"""

from __future__ import annotations

import argparse
import http.client
import json
import os
import re
import shlex
import statistics
import sys
import time
from pathlib import Path
from urllib.parse import urlencode

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from bench import organizer_seed as seed  # noqa: E402
from bench.orders import (  # noqa: E402
    CSRF,
    _with_database,
    add_server_arguments,
    app_environment,
    check_local_database,
    create_scratch_database,
    drop_scratch_database,
    free_port,
    migrate,
    start_gunicorn,
    stop_gunicorn,
)
from bench.startup import run_child  # noqa: E402

SIZES = ("100x500", "1000x5000", "5000x20000")
SEARCH = "okafor"  # a surname about one person in thirty carries
CHEAP_ARGON2 = {"time_cost": 1, "memory_cost": 1024, "parallelism": 1}


def parse_args(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    add_server_arguments(parser)
    parser.add_argument("--sizes", default=",".join(SIZES), help="proposals x orders, comma separated")
    parser.add_argument("--repeat", type=int, default=20, help="requests per page (the median is reported)")
    parser.add_argument("--reuse", metavar="NAME", help="a database kept by an earlier run (--keep): migrated to "
                        "the newest revision, grown where smaller than --sizes, kept afterwards")
    args = parser.parse_args(argv)
    try:
        args.size_list = sorted({tuple(int(n) for n in size.lower().split("x")) for size in args.sizes.split(",")})
    except ValueError:
        parser.error("--sizes: give sizes as PROPOSALSxORDERS, e.g. 5000x20000")
    if not all(len(s) == 2 and 1 <= s[0] <= 50000 and 1 <= s[1] <= 100000 for s in args.size_list):
        parser.error("--sizes: 1-50000 proposals x 1-100000 orders")
    if args.reuse and not re.fullmatch(r"convention_bench_[0-9a-f]{8}", args.reuse):
        parser.error("--reuse: the name of a database an earlier run kept (convention_bench_...)")
    if not 1 <= args.repeat <= 200:
        parser.error("--repeat: 1-200")
    check_local_database(parser, args)
    return args


def reproduce_command(args) -> str:
    sizes = ",".join(f"{p}x{o}" for p, o in args.size_list)
    reuse = f" --reuse {args.reuse}" if args.reuse else ""
    return (f"python bench/organizer_pages.py --database-url {shlex.quote(args.database_url)} "
            f"--sizes {sizes} --repeat {args.repeat}{reuse}")


def pages(secret: str) -> dict[str, str]:
    """Page name -> path, organizer pages first, then the public ones."""
    slug = seed.SLUG
    return {
        "proposals": f"/{slug}/manage/proposals/",
        "proposals_search": f"/{slug}/manage/proposals/?" + urlencode({"q": "forensics"}),
        "proposals_csv": f"/{slug}/manage/proposals/export.csv",
        "orders": f"/{slug}/manage/orders/",
        "orders_search": f"/{slug}/manage/orders/?" + urlencode({"q": SEARCH}),
        "sales": f"/{slug}/manage/registration/sales",
        "tickets": f"/{slug}/manage/tickets/",
        "vouchers": f"/{slug}/manage/vouchers/",
        "waiting_list": f"/{slug}/manage/registration/waiting-list",
        "attendees_csv": f"/{slug}/manage/attendees.csv",
        "shop": f"/{slug}/tickets/",
        "order": f"/{slug}/orders/{secret}/",
    }


# -- in process: Flask's test client ----------------------------------------------------------


def make_app(database_url: str):
    from convention import create_app

    return create_app({
        "SQLALCHEMY_DATABASE_URI": database_url.replace("postgresql://", "postgresql+psycopg://", 1),
        "SECRET_KEY": "bench-secret-key-long-enough-0123456789abcdef", "APP_ENV": "development",
        "MAIL_SERVER": None, "REDIS_URL": None, "RATELIMIT_ENABLED": False, "RATELIMIT_STORAGE_URI": "memory://",
        "ARGON2_PARAMETERS": CHEAP_ARGON2, "BASE_URL": "http://127.0.0.1:5000",
    })


def an_order_secret() -> str:
    import sqlalchemy as sa

    from convention.extensions import db
    from convention.registration.models import Order, OrderState

    return db.session.scalar(sa.select(Order.secret).where(Order.state == OrderState.PAID).order_by(Order.id.desc()))


def vacuum(database_url: str) -> None:
    """What autovacuum does soon after a bulk of writes: fresh statistics for the planner,
    and the new rows moved out of the GIN indexes' pending lists."""
    import psycopg

    with psycopg.connect(database_url, autocommit=True) as conn:
        conn.execute("VACUUM ANALYZE")


def sign_in(client) -> None:
    token = CSRF.search(client.get("/login").get_data(as_text=True)).group(1)
    answer = client.post("/login", data={"email": seed.ORGANIZER_EMAIL, "password": seed.PASSWORD, "csrf_token": token})
    if answer.status_code != 302:
        raise RuntimeError(f"sign-in answered {answer.status_code}")


def measure_in_process(app, paths: dict[str, str], repeat: int) -> dict[str, dict]:
    import sqlalchemy as sa

    from convention.extensions import db

    with app.app_context():
        engine = db.engine
    statements = [0]

    def count(*_):
        statements[0] += 1

    sa.event.listen(engine, "before_cursor_execute", count)
    client = app.test_client()
    sign_in(client)
    figures = {}
    try:
        for name, path in paths.items():
            timings, cpu, first_bytes, counts, size = [], [], [], [], 0
            for _ in range(repeat + 1):  # the first request warms the caches and is not counted
                statements[0] = 0
                cpu_started = time.process_time()  # this process's CPU: less at the mercy of the machine's load
                started = time.perf_counter()
                response = client.get(path, buffered=False)
                chunks = iter(response.response)
                first = next(chunks, b"")
                first_byte = time.perf_counter() - started
                size = len(first) + sum(len(chunk) for chunk in chunks)
                response.close()
                elapsed = time.perf_counter() - started
                cpu.append((time.process_time() - cpu_started) * 1000)
                if response.status_code != 200:
                    raise RuntimeError(f"{path} answered {response.status_code}")
                timings.append(elapsed * 1000)
                first_bytes.append(first_byte * 1000)
                counts.append(statements[0])
            figures[name] = {"median_ms": round(statistics.median(timings[1:]), 1),
                             "cpu_ms": round(statistics.median(cpu[1:]), 1),
                             "first_byte_ms": round(statistics.median(first_bytes[1:]), 1),
                             "queries": max(counts[1:]), "kb": round(size / 1024, 1)}
    finally:
        sa.event.remove(engine, "before_cursor_execute", count)
    return figures


# -- a real worker: gunicorn over HTTP ------------------------------------------------------


def worker_rss_mb(master_pid: int) -> float:
    children = Path(f"/proc/{master_pid}/task/{master_pid}/children").read_text().split()
    status = Path(f"/proc/{children[0]}/status").read_text()
    line = next(line for line in status.splitlines() if line.startswith("VmRSS:"))
    return int(line.split()[1]) / 1024


class Browser:
    def __init__(self, port: int):
        self.conn = http.client.HTTPConnection("127.0.0.1", port, timeout=300)
        self.cookie = ""

    def request(self, method: str, path: str, body: str | None = None) -> tuple[int, bytes, float]:
        headers = {"Cookie": self.cookie} if self.cookie else {}
        if body is not None:
            headers["Content-Type"] = "application/x-www-form-urlencoded"
        started = time.perf_counter()
        self.conn.request(method, path, body=body, headers=headers)
        response = self.conn.getresponse()
        first = response.read(1)
        first_byte = time.perf_counter() - started
        data = first + response.read()
        for value in response.headers.get_all("Set-Cookie") or []:
            if value.startswith("session="):
                self.cookie = value.split(";", 1)[0]
        return response.status, data, first_byte * 1000


def measure_worker(env: dict, paths: dict[str, str]) -> dict:
    server = start_gunicorn(env, port := free_port(), 1)
    try:
        browser = Browser(port)
        after = {"start": round(worker_rss_mb(server.pid), 1)}
        _, html, _ = browser.request("GET", "/login")
        token = CSRF.search(html.decode()).group(1)
        status, _, _ = browser.request("POST", "/login", urlencode(
            {"email": seed.ORGANIZER_EMAIL, "password": seed.PASSWORD, "csrf_token": token}))
        if status != 302:
            raise RuntimeError(f"sign-in over HTTP answered {status}")
        first_bytes = {}
        for name, path in paths.items():
            for _ in range(3):
                status, _, first_byte = browser.request("GET", path)
                if status != 200:
                    raise RuntimeError(f"{path} over HTTP answered {status}")
            first_bytes[name] = round(first_byte, 1)
            after[name] = round(worker_rss_mb(server.pid), 1)
        return {"rss_after": after, "http_first_byte_ms": first_bytes, "worker_rss_mb": max(after.values())}
    finally:
        stop_gunicorn(server)


def import_seconds(env: dict) -> float:
    run_child(env)  # warms the bytecode and page caches
    return round(statistics.median(r["import_seconds"] + r["create_app_seconds"] for r in
                                   (run_child(env) for _ in range(3))), 3)


# -- report ---------------------------------------------------------------------------------


def print_table(label: str, held: dict, figures: dict[str, dict], command: str) -> None:
    print(f"\n## {label}: {held['proposals']} proposals ({held['speakers']} speakers), {held['orders']} orders, "
          f"{held['vouchers']} vouchers, {held['waiting']} waiting")
    print(f"{'page':18} {'median ms':>10} {'app CPU ms':>11} {'queries':>8} {'KB':>9} {'1st byte ms':>12}")
    for name, row in figures.items():
        first = f"{row['first_byte_ms']:12.1f}" if name.endswith("_csv") else f"{'':12}"
        print(f"{name:18} {row['median_ms']:10.1f} {row['cpu_ms']:11.1f} {row['queries']:8d} {row['kb']:9.1f} {first}")
    print(f"load average (1, 5, 15 min): {', '.join(f'{n:.1f}' for n in os.getloadavg())} on {os.cpu_count()} CPUs; "
          f"reproduce: {command}", flush=True)


def main(argv=None) -> int:
    args = parse_args(argv)
    command = reproduce_command(args)
    print("Reproduce with:", command, flush=True)
    if args.reuse:
        name, database_url = args.reuse, _with_database(args.database_url, args.reuse)
    else:
        name, database_url = create_scratch_database(args.database_url)
    try:
        env = app_environment(database_url)
        print(f"Scratch database {name}: migrating...", flush=True)
        migrate(env)
        app = make_app(database_url)
        for proposals, orders in args.size_list:
            label = f"{proposals}x{orders}"
            print(f"Growing the edition to {label}...", flush=True)
            started = time.perf_counter()
            with app.app_context():
                held = seed.grow(proposals=proposals, orders=orders)
                secret = an_order_secret()
            vacuum(database_url)
            print(f"  built in {time.perf_counter() - started:.0f} s; measuring ({args.repeat} requests a page)...",
                  flush=True)
            paths = pages(secret)
            figures = measure_in_process(app, paths, args.repeat)
            print_table(label, held, figures, command)
        print("gunicorn, one worker: every page three times...", flush=True)
        worker = measure_worker(env, paths)
        print("RSS of the worker (MiB) after:", ", ".join(f"{k} {v}" for k, v in worker["rss_after"].items()))
        print("time to first byte over HTTP (ms):",
              ", ".join(f"{k} {v}" for k, v in worker["http_first_byte_ms"].items() if k.endswith("_csv")))
        seconds = import_seconds(env)
        print(f"import convention + create_app(): {seconds:.3f} s (median of 3)", flush=True)
    finally:
        if args.keep or args.reuse:
            print(f"Kept database {name} (reuse it with --reuse {name})", flush=True)
        else:
            drop_scratch_database(args.database_url, name)
    result = {"size": label, **{f"{page}_{key}": row[key] for page, row in figures.items()
                                for key in ("median_ms", "cpu_ms", "queries", "kb")},
              **{f"{page}_first_byte_ms": row["first_byte_ms"] for page, row in figures.items() if page.endswith("_csv")},
              "worker_rss_mb": worker["worker_rss_mb"], "worker_rss_after_start_mb": worker["rss_after"]["start"],
              "import_seconds": seconds, "load_average": round(os.getloadavg()[0], 1), "cpus": os.cpu_count()}
    print(json.dumps(result))
    return 0


if __name__ == "__main__":
    sys.exit(main())
