"""gunicorn settings, read by the master process (``gunicorn -c gunicorn.conf.py app:app``).

gunicorn also loads ``./gunicorn.conf.py`` by itself when started from this directory.
Command-line options win over these (``--workers 4 --bind ...``). Environment:

- ``WEB_CONCURRENCY`` workers (default: 2 per CPU core + 1), ``GUNICORN_THREADS`` threads
  per worker (default 1: sync workers), ``GUNICORN_BIND`` (default ``127.0.0.1:8000``),
  ``GUNICORN_TIMEOUT`` seconds before a stuck worker is replaced (default 30);
- ``LOG_FORMAT`` ``json`` (the production default) writes the access log and gunicorn's
  own messages as one JSON object a line, like the app's; ``text`` keeps the combined
  format. Either way each access line carries the request id (the ``X-Request-ID``
  response header), so it joins the app's log lines and audit entries of that request.

Not preloaded (``preload_app`` off, ``GUNICORN_PRELOAD=1`` turns it on): each worker
imports the app itself, so ``kill -HUP <master>`` after a deploy starts workers on the
new code while the old ones finish their requests, and no database or Redis connection
can be inherited across the fork. Preloading would share little memory anyway: the heavy
libraries (OR-Tools, fpdf, stripe) are imported at first use, inside each worker.

The master checks the configuration before it forks any worker: an unsafe production
setting stops the start with the message and exit code 2, instead of workers that
exit at import and are respawned again and again.
"""

from __future__ import annotations

import json
import os
import sys
from datetime import UTC, datetime
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from gunicorn import glogging  # noqa: E402

from convention.config import ConfigError, check_production_safety, load_config  # noqa: E402
from convention.core.logs import JsonFormatter  # noqa: E402

# Flask's instance folder for the ``convention`` package (where create_app looks).
INSTANCE_PATH = Path(__file__).resolve().parent / "instance"


def _env_int(name: str, default: int) -> int:
    raw = (os.environ.get(name) or "").strip()
    return int(raw) if raw.isdigit() and int(raw) > 0 else default


bind = os.environ.get("GUNICORN_BIND", "127.0.0.1:8000")
workers = _env_int("WEB_CONCURRENCY", 2 * (os.cpu_count() or 1) + 1)
threads = _env_int("GUNICORN_THREADS", 1)
timeout = _env_int("GUNICORN_TIMEOUT", 30)
graceful_timeout = 30
keepalive = 5  # behind a proxy that reuses connections
# A worker is replaced after about this many requests, so slow growth of memory cannot pile up.
# Rarely: a new worker imports the app (about 2 s of CPU here), so at the door's 200 scans/s
# on 4 workers 2,000 meant a restart every 10 s, a fifth of a core and a stalled worker each
# time (bench/checkin.py's p99); 50,000 is one every ~4 minutes at that rate.
max_requests = 50_000
max_requests_jitter = 5_000
preload_app = os.environ.get("GUNICORN_PRELOAD", "").strip().lower() in {"1", "true", "yes", "on"}
if Path("/dev/shm").is_dir():  # noqa: S108 - gunicorn's documented heartbeat folder, not a temp file
    worker_tmp_dir = "/dev/shm"  # noqa: S108 - the workers' heartbeat files: never wait on a busy disk
accesslog = "-"
errorlog = "-"
LOG_FORMAT = (os.environ.get("LOG_FORMAT") or ("json" if os.environ.get("APP_ENV") == "production" else "text")).lower()
access_log_format = '%(h)s %(l)s %(u)s %(t)s "%(r)s" %(s)s %(b)s "%(f)s" "%(a)s" %(M)sms rid=%({x-request-id}o)s'


class JsonLogger(glogging.Logger):
    """gunicorn's logger, writing JSON lines: the access log with the request id, and
    gunicorn's own messages (worker starts, timeouts) in the app's ``JsonFormatter``."""

    def setup(self, cfg) -> None:
        super().setup(cfg)
        for handler in self.error_log.handlers:
            handler.setFormatter(JsonFormatter())

    def access(self, resp, req, environ, request_time) -> None:
        if not self.access_log_enabled:
            return
        atoms = self.atoms(resp, req, environ, request_time)
        self.access_log.info("%s", access_line(atoms))


def access_line(atoms: dict) -> str:
    """One access-log entry as JSON, from gunicorn's atoms (``h``, ``m``, ``{header}o``, ...)."""
    entry = {
        "logger": "gunicorn.access",
        "time": datetime.now(UTC).isoformat(timespec="milliseconds"),
        "request_id": atoms.get("{x-request-id}o"),
        "remote_addr": atoms.get("h"),
        "method": atoms.get("m"),
        "path": atoms.get("U"),
        "query": atoms.get("q") or None,
        "status": int(atoms["s"]) if str(atoms.get("s", "")).isdigit() else atoms.get("s"),
        "bytes": atoms.get("B"),
        "duration_ms": atoms.get("M"),
        "referer": atoms.get("f"),
        "user_agent": atoms.get("a"),
        "pid": os.getpid(),
    }
    return json.dumps(entry, default=str, ensure_ascii=False)


if LOG_FORMAT == "json":
    logger_class = JsonLogger


def on_starting(server) -> None:
    try:
        check_production_safety(load_config(str(INSTANCE_PATH)))
    except ConfigError as error:
        print(f"error: {error}", file=sys.stderr, flush=True)
        sys.exit(2)


def post_fork(server, worker) -> None:
    """With a preloaded app, forget any pooled connection the master made (none by design)."""
    app = getattr(worker, "wsgi", None)
    if preload_app and app is not None and "sqlalchemy" in getattr(app, "extensions", {}):
        from convention.extensions import db

        with app.app_context():
            db.engine.dispose(close=False)
