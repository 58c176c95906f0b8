"""Benchmark: order creation with several gunicorn workers on PostgreSQL, and a sale-opening burst.

What it does, all on 127.0.0.1:
1. creates a scratch PostgreSQL database next to --database-url and migrates it
   (``flask db upgrade``), then creates an edition with two ticket types;
2. starts gunicorn (--workers, default 4) on a free port;
3. (a) throughput: --clients concurrent buyers, each a cookie session that loads the
   checkout page once (for its CSRF token) and then places orders one after the other,
   --orders in total; reports orders per second and the POST latency (p50, p99);
4. (b) burst: --burst buyers (default 1,000) each load the page, wait at a barrier and
   post one order at the same moment for a ticket type with --capacity seats; counts
   the orders placed and the "sold out" answers, and checks the database for oversold seats;
5. stops gunicorn and drops the scratch database (unless --keep).

The last line printed is one JSON object with orders_per_second, p50_ms, p99_ms, sold,
capacity and oversold (which must be 0), plus details.

    python bench/orders.py --database-url postgresql://postgres@127.0.0.1:5432/postgres
"""

from __future__ import annotations

import argparse
import http.client
import json
import os
import re
import secrets
import shlex
import signal
import socket
import statistics
import subprocess
import sys
import threading
import time
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

ROOT = Path(__file__).resolve().parents[1]
CSRF = re.compile(r'name="csrf_token" type="hidden" value="([^"]+)"')
REQUEST_TIMEOUT = 300  # a burst of 1,000 on a few workers queues for a while; still bounded


def add_server_arguments(parser: argparse.ArgumentParser) -> None:
    """The options every gunicorn-on-PostgreSQL benchmark shares (orders, webhooks)."""
    parser.add_argument("--database-url", default=os.environ.get("BENCH_DATABASE_URL",
                                                                 "postgresql://postgres@127.0.0.1:5432/postgres"),
                        help="a PostgreSQL server URL; a scratch database is created next to it")
    parser.add_argument("--workers", type=int, default=4, help="gunicorn workers")
    parser.add_argument("--keep", action="store_true", help="keep the scratch database afterwards")


def check_local_database(parser: argparse.ArgumentParser, args) -> None:
    if urlsplit(args.database_url).hostname not in ("127.0.0.1", "localhost", "::1"):
        parser.error("the benchmark only talks to a database on this machine")


def parse_args(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    add_server_arguments(parser)
    parser.add_argument("--clients", type=int, default=16, help="concurrent buyers in the throughput phase")
    parser.add_argument("--orders", type=int, default=800, help="orders placed in the throughput phase")
    parser.add_argument("--burst", type=int, default=1000, help="buyers released together at sale opening")
    parser.add_argument("--capacity", type=int, default=300, help="seats on sale in the burst")
    args = parser.parse_args(argv)
    if not (1 <= args.clients <= 200 and 1 <= args.orders <= 20000 and 1 <= args.burst <= 3000):
        parser.error("sizes out of bounds: clients 1-200, orders 1-20000, burst 1-3000")
    check_local_database(parser, args)
    return args


def reproduce_command(args) -> str:
    return " ".join([
        "python bench/orders.py", f"--database-url {shlex.quote(args.database_url)}", f"--workers {args.workers}",
        f"--clients {args.clients}", f"--orders {args.orders}", f"--burst {args.burst}", f"--capacity {args.capacity}",
    ])


# -- the scratch database -------------------------------------------------------------------


def _with_database(url: str, name: str) -> str:
    parts = urlsplit(url)
    return urlunsplit((parts.scheme, parts.netloc, "/" + name, parts.query, parts.fragment))


def _admin_execute(url: str, sql: str) -> None:
    import psycopg

    plain = url.replace("postgresql+psycopg://", "postgresql://", 1)
    with psycopg.connect(plain, autocommit=True) as conn:
        conn.execute(sql)


def create_scratch_database(url: str) -> tuple[str, str]:
    name = f"convention_bench_{secrets.token_hex(4)}"
    _admin_execute(url, f'CREATE DATABASE "{name}"')
    return name, _with_database(url, name)


def drop_scratch_database(url: str, name: str) -> None:
    _admin_execute(url, f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def app_environment(database_url: str) -> dict:
    env = {k: v for k, v in os.environ.items() if k not in ("REDIS_URL", "MAIL_SERVER", "STRIPE_SECRET_KEY",
                                                            "STRIPE_WEBHOOK_SECRET")}
    env.update(DATABASE_URL=database_url, SECRET_KEY=secrets.token_urlsafe(48), APP_ENV="development",
               FLASK_APP="app", PYTHONPATH=str(ROOT), TRUSTED_HOSTS="127.0.0.1")  # requests go to loopback
    # Every simulated buyer comes from 127.0.0.1: the per-client limits that stop one
    # abuser would stop the whole benchmark. (The per-email limits still apply: each
    # buyer has their own address.)
    env.update(CHECKOUT_RATE_LIMIT="1000000 per minute", VOUCHER_RATE_LIMIT="1000000 per minute",
               WAITING_LIST_RATE_LIMIT="1000000 per minute")
    return env


def migrate(env: dict) -> None:
    done = subprocess.run([sys.executable, "-m", "flask", "db", "upgrade"], cwd=ROOT, env=env,
                          capture_output=True, text=True)
    if done.returncode:
        raise RuntimeError(f"migration failed:\n{done.stderr[-3000:]}")


SEED = """
import json
from datetime import date, timedelta
from app import app
from convention.accounts.services import register_user
from convention.editions.services import EditionData, create_edition, set_edition_published
from convention.extensions import db
from convention.registration.models import TicketType
with app.app_context():
    organizer = register_user(name="Bench Organizer", email="bench@example.org",
                              password="plum tractor velvet 8841", confirmed=True)
    starts = date.today() + timedelta(days=60)
    edition = create_edition(EditionData(slug="bench", name="Benchmark Convention", starts_on=starts,
                                         ends_on=starts + timedelta(days=1)), actor=organizer)
    set_edition_published(edition, True, actor=organizer)  # new editions start as drafts
    steady = TicketType(edition_id=edition.id, name="Conference pass", price_cents=29500, capacity=None,
                        max_per_order=10)
    rush = TicketType(edition_id=edition.id, name="Opening rush", price_cents=9900, capacity=%(capacity)d,
                      max_per_order=10)
    db.session.add_all([steady, rush])
    db.session.commit()
    print(json.dumps({"slug": edition.slug, "steady": steady.id, "rush": rush.id}))
"""


def seed(env: dict, capacity: int) -> dict:
    done = subprocess.run([sys.executable, "-c", SEED % {"capacity": capacity}], cwd=ROOT, env=env,
                          capture_output=True, text=True)
    if done.returncode:
        raise RuntimeError(f"seeding failed:\n{done.stderr[-3000:]}")
    return json.loads(done.stdout.strip().splitlines()[-1])


def held_seats(database_url: str, ticket_type_id: int) -> tuple[int, int]:
    """(seats held by orders, the counter on the ticket type) straight from the database."""
    import psycopg

    with psycopg.connect(database_url) as conn:
        held = conn.execute(
            "SELECT count(*) FROM attendees a JOIN orders o ON o.id = a.order_id "
            "WHERE a.ticket_type_id = %s AND o.state IN ('reserved', 'paid')", (ticket_type_id,)
        ).fetchone()[0]
        counter = conn.execute("SELECT used FROM ticket_types WHERE id = %s", (ticket_type_id,)).fetchone()[0]
    return held, counter


# -- the server -------------------------------------------------------------------------


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def start_gunicorn(env: dict, port: int, workers: int) -> subprocess.Popen:
    command = [sys.executable, "-m", "gunicorn", "--workers", str(workers), "--bind", f"127.0.0.1:{port}",
               "--backlog", "4096", "--timeout", "120", "--log-level", "warning", "app:app"]
    server = subprocess.Popen(command, cwd=ROOT, env=env, start_new_session=True)
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        try:
            conn = http.client.HTTPConnection("127.0.0.1", port, timeout=2)
            conn.request("GET", "/healthz")
            if conn.getresponse().status == 200:
                return server
        except OSError:
            time.sleep(0.2)
        if server.poll() is not None:
            raise RuntimeError("gunicorn exited before answering")
    stop_gunicorn(server)
    raise RuntimeError("gunicorn did not answer /healthz within 60 s")


def stop_gunicorn(server: subprocess.Popen) -> None:
    if server.poll() is None:
        os.killpg(server.pid, signal.SIGTERM)
        try:
            server.wait(timeout=30)
        except subprocess.TimeoutExpired:
            os.killpg(server.pid, signal.SIGKILL)


# -- buyers -------------------------------------------------------------------------------


class Buyer:
    """One browser: a keep-alive connection to 127.0.0.1 and its session cookie."""

    def __init__(self, port: int, slug: str, ticket_type_id: int, price_cents: int, number: int):
        self.port, self.slug, self.ticket_type_id, self.price = port, slug, ticket_type_id, price_cents
        self.number = number
        self.cookie = ""
        self.conn = http.client.HTTPConnection("127.0.0.1", port, timeout=REQUEST_TIMEOUT)

    def _request(self, method: str, path: str, body: str | None = None):
        headers = {"Cookie": self.cookie} if self.cookie else {}
        if body is not None:
            headers["Content-Type"] = "application/x-www-form-urlencoded"
        for attempt in range(2):
            try:
                self.conn.request(method, path, body=body, headers=headers)
                response = self.conn.getresponse()
                data = response.read().decode()
                break
            except (http.client.RemoteDisconnected, ConnectionResetError, BrokenPipeError):
                self.conn.close()
                self.conn = http.client.HTTPConnection("127.0.0.1", self.port, timeout=REQUEST_TIMEOUT)
                if attempt:
                    raise
        set_cookie = response.getheader("Set-Cookie")
        if set_cookie and set_cookie.startswith("session="):
            self.cookie = set_cookie.split(";", 1)[0]
        return response.status, data

    def load_form(self) -> None:
        status, html = self._request("GET", f"/{self.slug}/tickets/checkout?q-{self.ticket_type_id}=1")
        if status != 200:
            raise RuntimeError(f"checkout page answered {status}")
        self.token = CSRF.search(html).group(1)

    def place_order(self, serial: int) -> tuple[str, float]:
        from urllib.parse import urlencode

        body = urlencode({
            "csrf_token": self.token, "selection": f"{self.ticket_type_id}:1", "voucher": "",
            "total_cents": str(self.price), "privacy_version": "2026-01", "buyer_name": f"Bench Buyer {self.number}",
            "email": f"buyer{self.number}-{serial}@example.org", "consent": "y",
            "attendees-0-name": f"Bench Attendee {self.number}-{serial}",
        })
        started = time.perf_counter()
        status, html = self._request("POST", f"/{self.slug}/tickets/checkout", body)
        elapsed = (time.perf_counter() - started) * 1000
        if status == 303:
            return "ordered", elapsed
        if status == 409 and "sold out" in html:
            return "sold_out", elapsed
        return f"http_{status}", elapsed


def percentile(values: list[float], fraction: float) -> float:
    if not values:
        return 0.0
    ordered = sorted(values)
    index = min(len(ordered) - 1, max(0, round(fraction * (len(ordered) - 1))))
    return ordered[index]


def run_threads(threads: list[threading.Thread]) -> float:
    """Start the threads (they wait at their barrier), wait for all; returns the seconds taken."""
    started = time.perf_counter()
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return time.perf_counter() - started


def throughput_phase(port: int, slug: str, ticket_type_id: int, *, clients: int, orders: int) -> dict:
    per_client = [orders // clients + (1 if i < orders % clients else 0) for i in range(clients)]
    latencies: list[float] = []
    outcomes: list[str] = []
    lock = threading.Lock()
    buyers = [Buyer(port, slug, ticket_type_id, 29500, i) for i in range(clients)]
    for buyer in buyers:
        buyer.load_form()
    barrier = threading.Barrier(clients)

    def run(buyer: Buyer, count: int) -> None:
        barrier.wait()
        for serial in range(count):
            try:
                outcome, ms = buyer.place_order(serial)
            except OSError as exc:
                outcome, ms = f"error_{type(exc).__name__}", 0.0
            with lock:
                outcomes.append(outcome)
                if outcome == "ordered":
                    latencies.append(ms)

    seconds = run_threads([threading.Thread(target=run, args=(b, n)) for b, n in zip(buyers, per_client, strict=True)])
    ordered = outcomes.count("ordered")
    return {
        "orders_per_second": round(ordered / seconds, 1),
        "p50_ms": round(statistics.median(latencies), 1) if latencies else 0.0,
        "p99_ms": round(percentile(latencies, 0.99), 1),
        "throughput_orders": ordered,
        "throughput_seconds": round(seconds, 2),
        "throughput_failures": len(outcomes) - ordered,
    }


def burst_phase(port: int, slug: str, ticket_type_id: int, *, buyers_count: int) -> dict:
    buyers = [Buyer(port, slug, ticket_type_id, 9900, 100000 + i) for i in range(buyers_count)]
    for buyer in buyers:
        buyer.load_form()
    barrier = threading.Barrier(buyers_count, timeout=120)
    results: list[tuple[str, float] | None] = [None] * buyers_count

    def run(i: int) -> None:
        barrier.wait()
        try:
            results[i] = buyers[i].place_order(0)
        except OSError as exc:
            results[i] = (f"error_{type(exc).__name__}", 0.0)

    seconds = run_threads([threading.Thread(target=run, args=(i,)) for i in range(buyers_count)])
    kinds = [kind for kind, _ in results]
    latencies = [ms for kind, ms in results if kind in ("ordered", "sold_out")]
    return {
        "burst_buyers": buyers_count,
        "burst_ordered": kinds.count("ordered"),
        "burst_sold_out_answers": kinds.count("sold_out"),
        "burst_other_answers": {k: kinds.count(k) for k in set(kinds) - {"ordered", "sold_out"}},
        "burst_seconds": round(seconds, 2),
        "burst_p50_ms": round(statistics.median(latencies), 1) if latencies else 0.0,
        "burst_p99_ms": round(percentile(latencies, 0.99), 1),
    }


def main(argv=None) -> int:
    args = parse_args(argv)
    print("Reproduce with:", reproduce_command(args), flush=True)
    name, database_url = create_scratch_database(args.database_url)
    server = None
    try:
        env = app_environment(database_url)
        print(f"Scratch database {name}: migrating and seeding...", flush=True)
        migrate(env)
        ids = seed(env, args.capacity)
        port = free_port()
        server = start_gunicorn(env, port, args.workers)
        print(f"gunicorn: {args.workers} workers on 127.0.0.1:{port}", flush=True)
        print(f"(a) {args.orders} orders from {args.clients} concurrent buyers...", flush=True)
        steady = throughput_phase(port, ids["slug"], ids["steady"], clients=args.clients, orders=args.orders)
        print(f"(b) {args.burst} buyers at once for {args.capacity} seats...", flush=True)
        burst = burst_phase(port, ids["slug"], ids["rush"], buyers_count=args.burst)
        held, counter = held_seats(database_url, ids["rush"])
        figures = {
            **steady,
            "sold": held,
            "capacity": args.capacity,
            "oversold": max(0, held - args.capacity),
            "seat_counter": counter,
            **burst,
            "workers": args.workers,
            "clients": args.clients,
            "cpus": os.cpu_count(),
        }
    finally:
        if server is not None:
            stop_gunicorn(server)
        if args.keep:
            print(f"Kept database {name}.", flush=True)
        else:
            drop_scratch_database(args.database_url, name)
    print(json.dumps(figures))
    return 0 if figures["oversold"] == 0 else 1


if __name__ == "__main__":
    sys.exit(main())
