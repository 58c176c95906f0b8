"""How fast the outbox queues and delivers email, against a real local SMTP server.

Measures, on a fresh database (a temporary SQLite file, or --database-url):
  * kept:     queue N messages in one transaction and commit, without a mail server;
  * inline:   queue N messages and commit, each delivered inline to an aiosmtpd server
              on a free loopback port right after the commit;
  * send_due: N messages whose first attempt failed, retried by send_due_messages.

    python bench/outbox.py --messages 200
    python bench/outbox.py --messages 200 --database-url postgresql://postgres@127.0.0.1:5432/bench

The last line printed is one JSON object with the figures. Needs requirements-dev.txt
(aiosmtpd). The database given with --database-url is migrated and its outbox emptied.
"""

from __future__ import annotations

import argparse
import json
import socket
import sys
import tempfile
import time
from datetime import timedelta
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


class CountingHandler:
    def __init__(self):
        self.count = 0
        self.refuse = False

    async def handle_DATA(self, server, session, envelope):
        if self.refuse:
            return "451 4.3.0 Try again later"
        self.count += 1
        return "250 OK"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--messages", type=int, default=200, help="messages per scenario (default 200)")
    parser.add_argument("--database-url", default=None, help="default: a temporary SQLite file")
    args = parser.parse_args()

    from aiosmtpd.controller import Controller
    from flask_migrate import upgrade
    from sqlalchemy import delete, update

    from convention import create_app
    from convention.core.timeutil import utcnow
    from convention.extensions import db
    from convention.mail.models import MessageStatus, OutboxMessage
    from convention.mail.services import queue_email, send_due_messages

    tmp = tempfile.mkdtemp(prefix="bench-outbox-")
    url = args.database_url or f"sqlite:///{tmp}/bench.sqlite3"
    url = url.replace("postgresql://", "postgresql+psycopg://", 1)
    app = create_app({"SQLALCHEMY_DATABASE_URI": url, "SECRET_KEY": "bench-" + "x" * 40, "REDIS_URL": None,
                      "MAIL_SERVER": None, "MAIL_DEFAULT_SENDER": "bench@convention.test"})
    handler = CountingHandler()
    port = free_port()
    controller = Controller(handler, hostname="127.0.0.1", port=port)
    controller.start()
    n = args.messages
    figures = {"messages": n, "backend": None}
    try:
        with app.app_context():
            upgrade()
            figures["backend"] = db.engine.dialect.name
            db.session.execute(delete(OutboxMessage))
            db.session.commit()

            def queue_all(tag: str) -> float:
                started = time.perf_counter()
                for i in range(n):
                    queue_email("test_message", to=f"{tag}{i}@example.org", context={"base_url": "bench"})
                db.session.commit()
                return time.perf_counter() - started

            seconds = queue_all("kept")
            figures["kept_per_second"] = round(n / seconds, 1)

            app.config.update(MAIL_SERVER="127.0.0.1", MAIL_PORT=port, MAIL_TIMEOUT=5)
            seconds = queue_all("inline")
            assert handler.count == n, handler.count
            figures["inline_ms_per_message"] = round(1000 * seconds / n, 2)

            handler.refuse = True
            queue_all("retry")
            handler.refuse = False
            with db.engine.begin() as conn:
                conn.execute(update(OutboxMessage).where(OutboxMessage.status == MessageStatus.QUEUED)
                             .values(next_attempt_at=utcnow() - timedelta(seconds=1)))
            started = time.perf_counter()
            report = send_due_messages(limit=n)
            seconds = time.perf_counter() - started
            assert report.outcomes.get("sent") == n, report
            assert handler.count == 2 * n, handler.count
            figures["send_due_ms_per_message"] = round(1000 * seconds / n, 2)
    finally:
        controller.stop()
    print(f"reproduce: python bench/outbox.py --messages {n}"
          + (f" --database-url {args.database_url}" if args.database_url else ""))
    print(json.dumps(figures))


if __name__ == "__main__":
    main()
