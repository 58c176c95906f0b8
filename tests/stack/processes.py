"""The production stack in subprocesses, for tests/stack: a fresh PostgreSQL database,
a Redis server, gunicorn with several workers, an RQ worker (``flask worker``), a real
SMTP server (aiosmtpd) and a Stripe stand-in, each on a free loopback port.

Stripe's HTTP layer cannot be swapped inside another process, so the stand-in is the
suite's own ``FakeStripeAPI`` behind a small HTTP server, and the app reaches it through
``STRIPE_API_BASE``: the adapter and the stripe library run unchanged, and an order
becomes paid only from a webhook signed as Stripe signs it.
"""

from __future__ import annotations

import os
import secrets
import shutil
import signal
import subprocess
import sys
import threading
import time
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest
import requests
import sqlalchemy as sa
from sqlalchemy.engine import make_url

from tests.mail.conftest import SMTPServer, free_port
from tests.payments.fake_stripe import API_KEY, WEBHOOK_SECRET, FakeStripeAPI

REPO = Path(__file__).resolve().parents[2]
BIN = Path(sys.executable).parent
SECRET = "stack-" + "k3N9vQ2xL7pR4tY8wZ1aB5cD6eF0gH2jM4nP7sU"
WORKERS = 3
DEFAULT_PG = "postgresql://postgres@127.0.0.1:5432/postgres"


def _unavailable(reason: str):
    if os.environ.get("CI"):
        pytest.fail(f"The production stack test cannot be skipped in CI: {reason}")
    pytest.skip(reason)


def postgres_server() -> str:
    """The PostgreSQL server to make the stack's database on: DATABASE_URL's when it names
    one, else the local default. Skips (fails under CI) when none answers."""
    url = os.environ.get("DATABASE_URL") or ""
    url = url if url.startswith(("postgres://", "postgresql")) else DEFAULT_PG
    url = url.replace("postgres://", "postgresql://", 1).replace("postgresql://", "postgresql+psycopg://", 1)
    engine = sa.create_engine(url, poolclass=sa.pool.NullPool)
    try:
        with engine.connect():
            pass
    except sa.exc.OperationalError:
        _unavailable(f"PostgreSQL does not answer at {make_url(url).render_as_string()}: start it to run this test")
    finally:
        engine.dispose()
    return url


def redis_binary() -> str:
    path = shutil.which("redis-server")
    if not path:
        _unavailable("redis-server is not installed (apt-get install redis-server)")
    return path


class FakeStripeServer:
    """``FakeStripeAPI`` answering over HTTP, as Stripe's API would."""

    def __init__(self):
        self.api = FakeStripeAPI()
        api = self.api

        class Handler(BaseHTTPRequestHandler):
            def _answer(self):
                length = int(self.headers.get("Content-Length") or 0)
                body = self.rfile.read(length).decode() if length else None
                payload, status, headers = api.request(
                    self.command.lower(), f"http://stripe{self.path}", dict(self.headers), body
                )
                data = payload.encode()
                self.send_response(status)
                for name, value in {**headers, "Content-Type": "application/json"}.items():
                    self.send_header(name, value)
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                self.wfile.write(data)

            do_GET = do_POST = do_DELETE = _answer

            def log_message(self, *args):
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}"
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)

    def start(self):
        self.thread.start()

    def stop(self):
        self.server.shutdown()
        self.server.server_close()


@dataclass
class Stack:
    base_url: str
    database_url: str
    redis_url: str
    smtp: SMTPServer
    stripe: FakeStripeServer
    logs: Path
    processes: dict = field(default_factory=dict)

    def log(self, name: str) -> str:
        return (self.logs / f"{name}.log").read_text(errors="replace")

    def get(self, session: requests.Session, path: str, **kwargs) -> requests.Response:
        return session.get(self.base_url + path, timeout=30, allow_redirects=False, **kwargs)

    def post(self, session: requests.Session, path: str, **kwargs) -> requests.Response:
        return session.post(self.base_url + path, timeout=30, allow_redirects=False, **kwargs)

    def mail_to(self, address: str, *, subject_has: str = "", timeout: float = 30):
        """The first message delivered to ``address`` (waiting for the worker to send it)."""
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            for item in list(self.smtp.received):
                message = item["message"]
                if address in item["rcpt_tos"] and subject_has.lower() in str(message["Subject"]).lower():
                    return message
            time.sleep(0.2)
        seen = [(i["rcpt_tos"], str(i["message"]["Subject"])) for i in self.smtp.received]
        raise AssertionError(
            f"no mail to {address} with {subject_has!r} in {timeout} s; delivered: {seen}\n"
            f"worker log:\n{self.log('worker')[-3000:]}"
        )


def _env(**settings) -> dict:
    keep = {
        k: v
        for k, v in os.environ.items()
        if not k.startswith(("DATABASE_", "REDIS_", "MAIL_", "STRIPE_", "GUNICORN_"))
        and k
        not in {
            "SECRET_KEY",
            "APP_ENV",
            "BASE_URL",
            "DEBUG",
            "FLASK_DEBUG",
            "TRUSTED_HOSTS",
            "TRUST_PROXY_HOPS",
            "TRUST_FORWARDED_HOST",
            "PORT",
            "LOG_FORMAT",
            "WEB_CONCURRENCY",
            "UPLOAD_FOLDER",
        }
    }
    return {**keep, **settings}


def _wait_for(url: str, process: subprocess.Popen, log: Path, timeout: float = 60) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise AssertionError(f"{url}: the server exited ({process.returncode}):\n{log.read_text()[-3000:]}")
        try:
            if requests.get(url, timeout=2).status_code == 200:
                return
        except requests.RequestException:
            pass
        time.sleep(0.2)
    raise AssertionError(f"{url} did not answer in {timeout} s:\n{log.read_text()[-3000:]}")


def _wait_for_redis(url: str, process: subprocess.Popen, timeout: float = 20) -> None:
    from redis import Redis
    from redis.exceptions import ConnectionError as RedisConnectionError

    client = Redis.from_url(url)
    deadline = time.monotonic() + timeout
    try:
        while True:
            try:
                client.ping()
                return
            except RedisConnectionError:
                if process.poll() is not None or time.monotonic() > deadline:
                    raise
                time.sleep(0.1)
    finally:
        client.close()


def _start(name: str, command: list[str], env: dict, logs: Path) -> subprocess.Popen:
    handle = (logs / f"{name}.log").open("w")
    return subprocess.Popen(command, cwd=REPO, env=env, stdout=handle, stderr=subprocess.STDOUT, start_new_session=True)


def _stop(process: subprocess.Popen) -> None:
    if process.poll() is not None:
        return
    process.terminate()
    try:
        process.wait(timeout=15)
    except subprocess.TimeoutExpired:
        os.killpg(process.pid, signal.SIGKILL)
        process.wait()


def start_stack(tmp: Path):
    """Generator: yields the running Stack, stops and removes everything afterwards."""
    server = postgres_server()
    redis_server = redis_binary()
    name = f"convention_stack_{secrets.token_hex(4)}"
    admin = sa.create_engine(
        make_url(server).set(database="postgres"), isolation_level="AUTOCOMMIT", poolclass=sa.pool.NullPool
    )
    with admin.connect() as connection:
        connection.execute(sa.text(f'CREATE DATABASE "{name}"'))
    logs = tmp / "logs"
    logs.mkdir()
    web_port, redis_port = free_port(), free_port()
    stack = Stack(
        base_url=f"http://127.0.0.1:{web_port}",
        database_url=make_url(server).set(database=name).render_as_string(hide_password=False),
        redis_url=f"redis://127.0.0.1:{redis_port}/0",
        smtp=SMTPServer(),
        stripe=FakeStripeServer(),
        logs=logs,
    )
    env = _env(
        APP_ENV="production",
        SECRET_KEY=SECRET,
        DATABASE_URL=stack.database_url,
        REDIS_URL=stack.redis_url,
        BASE_URL=stack.base_url,
        MAIL_SERVER="127.0.0.1",
        MAIL_PORT=str(stack.smtp.port),
        MAIL_DEFAULT_SENDER="Convention <cfp@example.org>",
        STRIPE_SECRET_KEY=API_KEY,
        STRIPE_PUBLISHABLE_KEY="pk_test_stack",
        STRIPE_WEBHOOK_SECRET=WEBHOOK_SECRET,
        STRIPE_API_BASE=stack.stripe.url,
        UPLOAD_FOLDER=str(tmp / "uploads"),
        LOG_FORMAT="json",
        WEB_CONCURRENCY=str(WORKERS),
        LOGIN_RATE_LIMIT="100 per minute",
    )
    try:
        stack.processes["redis"] = _start(
            "redis",
            [redis_server, "--port", str(redis_port), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no"],
            env,
            logs,
        )
        _wait_for_redis(stack.redis_url, stack.processes["redis"])
        # The demo's own mail (a hundred-odd notices to its made-up people) is kept in the
        # outbox, not queued: the journey's mail must not wait behind it.
        quiet = {k: v for k, v in env.items() if k not in ("REDIS_URL", "MAIL_SERVER")}
        seeded = subprocess.run(
            [str(BIN / "flask"), "--app", "app", "demo"],
            cwd=REPO,
            env=quiet,
            capture_output=True,
            text=True,
            timeout=300,
            check=False,
        )
        assert seeded.returncode == 0, seeded.stdout + seeded.stderr
        stack.smtp.controller.start()
        stack.stripe.start()
        stack.processes["web"] = _start(
            "web",
            [str(BIN / "gunicorn"), "-c", "gunicorn.conf.py", "--bind", f"127.0.0.1:{web_port}", "app:app"],
            env,
            logs,
        )
        stack.processes["worker"] = _start("worker", [str(BIN / "flask"), "--app", "app", "worker"], env, logs)
        _wait_for(stack.base_url + "/healthz", stack.processes["web"], logs / "web.log")
        yield stack
    finally:
        for process in reversed(list(stack.processes.values())):
            _stop(process)
        if stack.smtp.controller._thread is not None:
            stack.smtp.controller.stop()
        if stack.stripe.thread.is_alive():
            stack.stripe.stop()
        with admin.connect() as connection:
            connection.execute(sa.text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()
