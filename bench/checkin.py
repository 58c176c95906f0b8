"""Benchmark: the door's scan API with device tokens, several gunicorn workers, PostgreSQL.

What it does, all on 127.0.0.1:
1. creates a scratch PostgreSQL database next to --database-url, migrates it, and seeds a
   published edition with --attendees paid registrations, their signed ticket codes and
   one ``checkin`` API token per client (bench/orders.py's harness);
2. starts gunicorn (--workers, default 4) on a free port;
3. warm-up: 2 s of health checks and 2 s of scans (of registrations seeded for it) at 50/s;
   baseline: GET /healthz (a trivial endpoint of the same app: one ``SELECT 1``) sent at
   --rate requests per second for --seconds by --clients keep-alive connections;
4. scans: POST /<slug>/checkin/scan with ``Authorization: Bearer`` at the same rate and
   for as long: each a fresh nonce, about a third of them a badge scanned again (answered
   ``already_checked_in``); every answer is checked;
5. stops gunicorn and drops the scratch database (unless --keep).

Latency is measured from the moment each request was due (open loop), so a server that
falls behind shows it in the p99 instead of slowing the clients down. Two figures tell a
slow run's cause: ``scan_sent_late_p99_ms``, how late the load generator itself sent
(it shares the machine), and ``cpu_during_scans``, the machine's CPU time by kind
(/proc/stat: user, system, idle, iowait, steal by the host) while the scans ran. ``--rate 0`` runs
both phases closed loop instead (the server's capacity with --clients in flight). The last line is
one JSON object: scans_per_second, p50_ms, p99_ms, baseline_per_second, baseline_p99_ms
(target: p99 under 50 ms at 200 scans per second), plus details.

    python bench/checkin.py --database-url postgresql://postgres@127.0.0.1:5432/postgres
"""

from __future__ import annotations

import argparse
import http.client
import json
import queue
import shlex
import statistics
import subprocess
import sys
import threading
import time
import uuid
from collections import Counter
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
import orders as harness  # noqa: E402  (bench/orders.py: scratch database and gunicorn helpers)

ROOT = harness.ROOT


def parse_args(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    harness.add_server_arguments(parser)
    parser.add_argument(
        "--rate",
        type=float,
        default=200,
        help="requests per second sent (both phases); 0: closed loop, each client sends its next "
        "request when the previous one is answered (the server's capacity)",
    )
    parser.add_argument("--seconds", type=float, default=20, help="length of each phase")
    parser.add_argument("--clients", type=int, default=32, help="concurrent keep-alive connections (scanners)")
    parser.add_argument("--attendees", type=int, default=3000, help="paid registrations seeded")
    args = parser.parse_args(argv)
    if not (
        0 <= args.rate <= 5000
        and 1 <= args.seconds <= 600
        and 1 <= args.clients <= 256
        and 10 <= args.attendees <= 100_000
    ):
        parser.error("sizes out of bounds: rate 0-5000, seconds 1-600, clients 1-256, attendees 10-100000")
    harness.check_local_database(parser, args)
    return args


def reproduce_command(args) -> str:
    return " ".join(
        [
            "python bench/checkin.py",
            f"--database-url {shlex.quote(args.database_url)}",
            f"--workers {args.workers}",
            f"--rate {args.rate:g}",
            f"--seconds {args.seconds:g}",
            f"--clients {args.clients}",
            f"--attendees {args.attendees}",
        ]
    )


SEED = """
import json
from datetime import date, timedelta
from app import app
from convention.accounts.services import register_user
from convention.badges.keys import signing_key, ticket_code
from convention.core.timeutil import utcnow
from convention.editions.services import EditionData, create_edition, set_edition_published
from convention.extensions import db
from convention.registration.models import Attendee, Order, OrderState, TicketType
from convention.tokens.services import create_token
with app.app_context():
    organizer = register_user(name="Bench Organizer", email="bench@example.org",
                              password="plum tractor velvet 8841", confirmed=True)
    today = date.today()
    edition = create_edition(EditionData(slug="door", name="Door Benchmark", starts_on=today,
                                         ends_on=today + timedelta(days=1)), actor=organizer)
    set_edition_published(edition, True, actor=organizer)
    ticket = TicketType(edition_id=edition.id, name="Conference pass", price_cents=10000, capacity=None)
    db.session.add(ticket)
    db.session.flush()
    now = utcnow()
    people = []
    for n in range(%(attendees)d):
        order = Order(edition_id=edition.id, state=OrderState.PAID, email=f"p{n}@example.org", buyer_name=f"P {n}",
                      total_cents=10000, payment_method="bank_transfer", paid_at=now)
        attendee = Attendee(edition_id=edition.id, ticket_type_id=ticket.id, name=f"Person {n}",
                            organisation="Bench", price_cents=10000)
        order.attendees.append(attendee)
        people.append(attendee)
        db.session.add(order)
    db.session.flush()
    key = signing_key(edition.id)
    codes = [ticket_code(edition.id, attendee.code) for attendee in people]
    tokens = [create_token(edition, scope="checkin", name=f"Scanner {n}").secret for n in range(%(clients)d)]
    db.session.commit()
    # Statistics, as autovacuum would gather within a minute: freshly bulk-loaded tables
    # without them get plans for empty tables (a scan of the edition's registrations).
    db.session.execute(db.text("ANALYZE"))
    db.session.commit()
    print(json.dumps({"slug": edition.slug, "codes": codes, "tokens": tokens}))
"""


WARMUP_CODES = 100  # registrations seeded for the warm-up scans only


def seed(env: dict, attendees: int, clients: int) -> dict:
    done = subprocess.run(
        [sys.executable, "-c", SEED % {"attendees": attendees, "clients": clients}],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
    )
    if done.returncode:
        raise RuntimeError(f"seeding failed:\n{done.stderr[-3000:]}")
    return json.loads(done.stdout.strip().splitlines()[-1])


def run_phase(port: int, rate: float, seconds: float, clients: int, make_request) -> dict:
    """Send ``rate`` requests per second for ``seconds`` over ``clients`` connections; each
    job is ``make_request(index) -> (method, path, body, headers, check)``."""
    if not rate:
        return closed_loop(port, seconds, clients, make_request)
    total = int(rate * seconds)
    jobs: queue.Queue = queue.Queue()
    latencies: list[float] = []
    lateness: list[float] = []  # how late each request left the load generator (its own delay)
    outcomes: Counter = Counter()
    lock = threading.Lock()

    def client(number: int):
        conn = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
        while True:
            job = jobs.get()
            if job is None:
                return
            index, due = job
            method, path, body, headers, check = make_request(index, number)
            delay = due - time.perf_counter()
            if delay > 0:
                time.sleep(delay)
            late = (time.perf_counter() - due) * 1000
            try:
                conn.request(method, path, body=body, headers=headers)
                response = conn.getresponse()
                data = response.read()
                outcome = check(response.status, data)
            except (OSError, http.client.HTTPException) as error:
                conn.close()
                conn = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
                outcome = f"error {type(error).__name__}"
            elapsed = (time.perf_counter() - due) * 1000
            with lock:
                latencies.append(elapsed)
                lateness.append(late)
                outcomes[outcome] += 1

    threads = [threading.Thread(target=client, args=(n,), daemon=True) for n in range(clients)]
    for thread in threads:
        thread.start()
    cpu_before = cpu_times()
    start = time.perf_counter() + 0.2
    for index in range(total):
        jobs.put((index, start + index / rate))
    for _ in threads:
        jobs.put(None)
    for thread in threads:
        thread.join()
    wall = time.perf_counter() - start
    ordered = sorted(latencies)
    return {
        "requests": total,
        "per_second": round(total / wall, 1),
        "p50_ms": round(statistics.median(ordered), 2),
        "p99_ms": p99(ordered),
        "max_ms": round(ordered[-1], 2),
        "sent_late_p99_ms": p99(sorted(lateness)),
        "cpu": cpu_share(cpu_before, cpu_times()),
        "outcomes": dict(outcomes),
    }


def p99(ordered: list[float]) -> float:
    """The 99th percentile of sorted values (the one at 99 % of the way), in ms, rounded."""
    return round(ordered[min(len(ordered) - 1, int(len(ordered) * 0.99))], 2)


CPU_FIELDS = ("user", "nice", "system", "idle", "iowait", "irq", "softirq", "steal")


def cpu_times() -> list[int] | None:
    """The machine's CPU time so far by kind (/proc/stat), or None where there is none."""
    try:
        return [int(value) for value in Path("/proc/stat").read_text().split("\n", 1)[0].split()[1:9]]
    except (OSError, ValueError):
        return None


def cpu_share(before, after) -> dict | None:
    """Percent of the machine's CPU time by kind between two readings: a slow run says
    whether the cores were busy (user/system), waiting on the disk (iowait) or taken by the
    host (steal)."""
    if not before or not after:
        return None
    spent = [later - earlier for earlier, later in zip(before, after, strict=True)]
    total = sum(spent) or 1
    return {name: round(100 * value / total, 1) for name, value in zip(CPU_FIELDS, spent, strict=True) if name != "nice"}


def closed_loop(port: int, seconds: float, clients: int, make_request) -> dict:
    """Each client sends its next request as soon as the previous one is answered."""
    latencies: list[float] = []
    outcomes: Counter = Counter()
    lock = threading.Lock()
    counter = iter(range(10**9))
    stop_at = time.perf_counter() + seconds

    def client(number: int):
        conn = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
        while time.perf_counter() < stop_at:
            with lock:
                index = next(counter)
            method, path, body, headers, check = make_request(index, number)
            started = time.perf_counter()
            conn.request(method, path, body=body, headers=headers)
            response = conn.getresponse()
            outcome = check(response.status, response.read())
            with lock:
                latencies.append((time.perf_counter() - started) * 1000)
                outcomes[outcome] += 1

    start = time.perf_counter()
    threads = [threading.Thread(target=client, args=(n,), daemon=True) for n in range(clients)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    wall = time.perf_counter() - start
    ordered = sorted(latencies)
    return {
        "requests": len(ordered),
        "per_second": round(len(ordered) / wall, 1),
        "p50_ms": round(statistics.median(ordered), 2),
        "p99_ms": p99(ordered),
        "max_ms": round(ordered[-1], 2),
        "outcomes": dict(outcomes),
    }


def main(argv=None) -> dict:
    args = parse_args(argv)
    print(reproduce_command(args), flush=True)
    name, database_url = harness.create_scratch_database(args.database_url)
    server = None
    try:
        env = harness.app_environment(database_url)
        harness.migrate(env)
        world = seed(env, args.attendees + WARMUP_CODES, args.clients)
        port = harness.free_port()
        server = harness.start_gunicorn(env, port, args.workers)

        def health(_index, _client):
            return "GET", "/healthz", None, {}, lambda status, data: "ok" if status == 200 else f"http {status}"

        tokens, slug = world["tokens"], world["slug"]
        codes, warmup_codes = world["codes"][: args.attendees], world["codes"][args.attendees :]

        def scan(index, client, codes=codes):
            # two thirds first scans, one third a badge scanned again a little later
            code = (
                codes[(index // 3 * 2 + index % 3) % len(codes)]
                if index % 3 < 2
                else codes[(index // 3 * 2) % len(codes)]
            )
            body = json.dumps({"code": code, "nonce": uuid.uuid4().hex, "gate": "A"})
            headers = {"Authorization": f"Bearer {tokens[client % len(tokens)]}", "Content-Type": "application/json"}

            def check(status, data):
                return json.loads(data).get("status", "no status") if status == 200 else f"http {status}"

            return "POST", f"/{slug}/checkin/scan", body, headers, check

        # Both endpoints warm before measuring: a worker's first scan compiles the door's
        # statements and imports the signature library (about 0.15 s, once per worker),
        # which is start-up, not the steady state a door lives in. The warm-up scans use
        # registrations of their own, so the measured phase meets the same mix.
        harness_warmup = run_phase(port, min(args.rate, 50) or 50, 2, args.clients, health)
        scan_warmup = run_phase(port, min(args.rate, 50) or 50, 2, args.clients,
                                lambda index, client: scan(index, client, codes=warmup_codes))
        baseline = run_phase(port, args.rate, args.seconds, args.clients, health)
        scans = run_phase(port, args.rate, args.seconds, args.clients, scan)
    finally:
        if server is not None:
            harness.stop_gunicorn(server)
        if not args.keep:
            harness.drop_scratch_database(args.database_url, name)
    load = Path("/proc/loadavg").read_text().split()[0] if Path("/proc/loadavg").exists() else None
    figures = {
        "scans_per_second": scans["per_second"],
        "p50_ms": scans["p50_ms"],
        "p99_ms": scans["p99_ms"],
        "baseline_per_second": baseline["per_second"],
        "baseline_p99_ms": baseline["p99_ms"],
        "baseline_p50_ms": baseline["p50_ms"],
        "scan_max_ms": scans["max_ms"],
        "scan_sent_late_p99_ms": scans["sent_late_p99_ms"],
        "cpu_during_scans": scans["cpu"],
        "scan_outcomes": scans["outcomes"],
        "baseline_outcomes": baseline["outcomes"],
        "rate": args.rate,
        "seconds": args.seconds,
        "workers": args.workers,
        "clients": args.clients,
        "attendees": args.attendees,
        "load_average": load,
        "warmup_requests": harness_warmup["requests"] + scan_warmup["requests"],
        "command": reproduce_command(args),
    }
    print(json.dumps(figures), flush=True)
    return figures


if __name__ == "__main__":
    main()
