"""Benchmark: the Stripe webhook under load, every event delivered twice, on PostgreSQL with gunicorn.

What it does, all on 127.0.0.1 (no request leaves the machine; Stripe is not called):
1. creates a scratch PostgreSQL database next to --database-url, migrates it, and creates
   --orders reserved card orders through registration's ``create_order``, each with its
   Checkout Session row (as ``start_checkout`` would have stored it);
2. starts gunicorn (--workers) with dummy Stripe keys;
3. --senders threads post signed ``checkout.session.completed`` events, signed the way
   Stripe signs them (``stripe.WebhookSignature.generate_signature_header``); every event
   is posted twice, the copy by another sender at about the same time, as Stripe's
   retries can; reports deliveries per second and latency (p50, p99);
4. checks the database: every order paid exactly once (one event row, one "paid"
   email), no delivery answered with an error;
5. stops gunicorn and drops the scratch database (unless --keep).

The last line printed is one JSON object with deliveries_per_second, p50_ms, p99_ms,
orders, orders_paid, events_stored, paid_emails, duplicates_acknowledged and errors.

    python bench/webhooks.py --database-url postgresql://postgres@127.0.0.1:5432/postgres
"""

from __future__ import annotations

import argparse
import http.client
import json
import secrets
import shlex
import subprocess
import sys
import threading
import time
from pathlib import Path

import stripe

sys.path.insert(0, str(Path(__file__).resolve().parent))
import orders as harness  # noqa: E402  (bench/orders.py: scratch database and gunicorn helpers)

ROOT = harness.ROOT
WEBHOOK_SECRET = "whsec_" + secrets.token_urlsafe(24)  # made up per run; nothing is sent to Stripe


def parse_args(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    harness.add_server_arguments(parser)
    parser.add_argument("--senders", type=int, default=16, help="concurrent delivering threads")
    parser.add_argument("--orders", type=int, default=500, help="orders, each paid by one event delivered twice")
    args = parser.parse_args(argv)
    if not (1 <= args.senders <= 200 and 1 <= args.orders <= 20000 and 1 <= args.workers <= 32):
        parser.error("sizes out of bounds: senders 1-200, orders 1-20000, workers 1-32")
    harness.check_local_database(parser, args)
    return args


def reproduce_command(args) -> str:
    return (f"python bench/webhooks.py --database-url {shlex.quote(args.database_url)} --workers {args.workers} "
            f"--senders {args.senders} --orders {args.orders}")


SEED = """
import json
from datetime import date, timedelta
from app import app
from convention.accounts.services import register_user
from convention.editions.services import EditionData, create_edition, set_edition_published
from convention.extensions import db
from convention.payments.models import StripeCheckout
from convention.registration.models import TicketType
from convention.registration.ordering import AttendeeData, create_order
from convention.registration.settings import get_settings
with app.app_context():
    organizer = register_user(name="Bench Organizer", email="bench@example.org",
                              password="plum tractor velvet 8841", confirmed=True)
    starts = date.today() + timedelta(days=60)
    edition = create_edition(EditionData(slug="bench", name="Benchmark Convention", starts_on=starts,
                                         ends_on=starts + timedelta(days=1)), actor=organizer)
    set_edition_published(edition, True, actor=organizer)  # new editions start as drafts
    ticket = TicketType(edition_id=edition.id, name="Conference pass", price_cents=29500, capacity=None)
    db.session.add(ticket)
    db.session.commit()
    version = get_settings(edition).privacy_version
    made = []
    for i in range(%(orders)d):
        order = create_order(edition, selection={ticket.id: 1}, email=f"buyer{i}@example.org",
                             attendees=[AttendeeData(f"Buyer {i}", f"buyer{i}@example.org", "")],
                             consent_version=version, expected_total_cents=29500)
        assert order.payment_method == "stripe", order.payment_method
        db.session.add(StripeCheckout(order_id=order.id, attempt=1, session_id=f"cs_bench_{i:06d}", url=None,
                                      amount_cents=order.total_cents, currency=order.currency,
                                      expires_at=order.expires_at))
        db.session.commit()
        made.append([order.code, f"cs_bench_{i:06d}", order.total_cents])
    print(json.dumps(made))
"""


def seed_orders(env: dict, count: int) -> list[list]:
    done = subprocess.run([sys.executable, "-c", SEED % {"orders": count}], cwd=ROOT, env=env,
                          capture_output=True, text=True)
    if done.returncode:
        raise RuntimeError(f"seeding failed:\n{done.stderr[-3000:]}")
    return json.loads(done.stdout.strip().splitlines()[-1])


def completed_event(number: int, code: str, session_id: str, total: int) -> bytes:
    event = {
        "id": f"evt_bench_{number:06d}", "object": "event", "type": "checkout.session.completed",
        "created": int(time.time()), "livemode": False,
        "data": {"object": {
            "id": session_id, "object": "checkout.session", "status": "complete", "payment_status": "paid",
            "amount_total": total, "currency": "eur", "client_reference_id": code, "metadata": {"order_code": code},
            "payment_intent": f"pi_bench_{number:06d}",
        }},
    }
    return json.dumps(event, separators=(",", ":")).encode()


def deliver_all(port: int, bodies: list[bytes], senders: int) -> tuple[list[float], list[dict], float]:
    """Every body twice: sender k takes deliveries k, k+senders, ...; copies sit next to each other."""
    deliveries = [body for body in bodies for _copy in range(2)]
    latencies: list[float] = []
    answers: list[dict] = []
    lock = threading.Lock()

    def sender(k: int) -> None:
        conn = http.client.HTTPConnection("127.0.0.1", port, timeout=120)
        mine_latency, mine_answers = [], []
        for body in deliveries[k::senders]:
            header = stripe.WebhookSignature.generate_signature_header(body.decode(), WEBHOOK_SECRET)
            started = time.perf_counter()
            try:
                conn.request("POST", "/payments/stripe/webhook", body=body,
                             headers={"Content-Type": "application/json", "Stripe-Signature": header})
                response = conn.getresponse()
                payload = response.read()
                mine_latency.append((time.perf_counter() - started) * 1000)
                mine_answers.append({"status": response.status, **json.loads(payload or b"{}")})
            except OSError as error:
                mine_answers.append({"status": 0, "error": str(error)})
                conn = http.client.HTTPConnection("127.0.0.1", port, timeout=120)
        with lock:
            latencies.extend(mine_latency)
            answers.extend(mine_answers)

    threads = [threading.Thread(target=sender, args=(k,)) for k in range(senders)]
    elapsed = harness.run_threads(threads)
    return latencies, answers, elapsed


def database_figures(database_url: str) -> dict:
    import psycopg

    with psycopg.connect(database_url) as conn:
        def one(sql):
            return conn.execute(sql).fetchone()[0]

        return {
            "orders_paid": one("SELECT count(*) FROM orders WHERE state = 'paid' AND payment_method = 'stripe'"),
            "events_stored": one("SELECT count(*) FROM stripe_events"),
            "paid_emails": one("SELECT count(*) FROM outbox_messages WHERE template = 'registration_order_paid'"),
        }


def main(argv=None) -> int:
    args = parse_args(argv)
    print(f"Reproduce with: {reproduce_command(args)}", flush=True)
    name, database_url = harness.create_scratch_database(args.database_url)
    server = None
    try:
        env = harness.app_environment(database_url)
        env.update(STRIPE_SECRET_KEY="sk_test_" + secrets.token_urlsafe(24), STRIPE_WEBHOOK_SECRET=WEBHOOK_SECRET)
        harness.migrate(env)
        print(f"Creating {args.orders} reserved card orders ...", flush=True)
        made = seed_orders(env, args.orders)
        bodies = [completed_event(i, code, session, total) for i, (code, session, total) in enumerate(made)]
        port = harness.free_port()
        server = harness.start_gunicorn(env, port, args.workers)
        print(f"Delivering {2 * len(bodies)} events with {args.senders} senders to {args.workers} workers ...", flush=True)
        latencies, answers, elapsed = deliver_all(port, bodies, args.senders)
    finally:
        if server is not None:
            harness.stop_gunicorn(server)
    figures = database_figures(database_url)
    if not args.keep:
        harness.drop_scratch_database(args.database_url, name)
    result = {
        "deliveries_per_second": round(len(latencies) / elapsed, 1) if elapsed else 0.0,
        "p50_ms": round(harness.percentile(latencies, 0.50), 1),
        "p99_ms": round(harness.percentile(latencies, 0.99), 1),
        "orders": len(made),
        **figures,
        "applied": sum(1 for a in answers if a.get("outcome") == "applied"),
        "duplicates_acknowledged": sum(1 for a in answers if a.get("duplicate")),
        "errors": sum(1 for a in answers if a["status"] != 200),
        "workers": args.workers,
        "senders": args.senders,
        "scratch_database": name if args.keep else None,
    }
    print(json.dumps(result))
    ok = (figures["orders_paid"] == figures["events_stored"] == figures["paid_emails"] == len(made)
          and result["errors"] == 0)
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
