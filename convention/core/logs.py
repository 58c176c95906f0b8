"""Logs: one JSON object a line in production (``LOG_FORMAT=json``), with the request id.

Every record names its time (UTC, ISO 8601), level, logger and message, and inside a
request the request id (``g.request_id``, also sent as the ``X-Request-ID`` response
header and written by gunicorn's access log), the method and the path, so one request's
lines can be found across workers and hosts. An exception's traceback goes in ``exc``.
``LOG_FORMAT=text`` (the default outside production) keeps Python's plain lines.
"""

from __future__ import annotations

import json
import logging
import sys
from datetime import UTC, datetime

from flask import Flask, g, has_request_context, request

# The attributes every LogRecord has; anything else was passed with ``extra=`` and is kept.
_STANDARD = set(vars(logging.LogRecord("", 0, "", 0, "", None, None))) | {"message", "asctime"}


def request_fields() -> dict:
    """The request id, method and path of the request being served (empty outside one)."""
    if not has_request_context():
        return {}
    return {"request_id": g.get("request_id"), "method": request.method, "path": request.path}


class JsonFormatter(logging.Formatter):
    """A record as one line of JSON (values that JSON cannot hold are written as text)."""

    def format(self, record: logging.LogRecord) -> str:
        entry = {
            "time": datetime.fromtimestamp(record.created, UTC).isoformat(timespec="milliseconds"),
            "level": record.levelname.lower(),
            "logger": record.name,
            "message": record.getMessage(),
            "process": record.process,
        }
        entry.update({key: value for key, value in vars(record).items() if key not in _STANDARD})
        entry.update({key: value for key, value in request_fields().items() if value is not None})
        if record.exc_info:
            entry["exc"] = self.formatException(record.exc_info)
        return json.dumps(entry, default=str, ensure_ascii=False)


_HANDLER_MARK = "_convention_handler"


def init_logging(app: Flask) -> None:
    """Configure the root logger once per process (create_app may run more than once)."""
    level = logging.DEBUG if app.debug else getattr(logging, app.config.get("LOG_LEVEL", "INFO"), logging.INFO)
    root = logging.getLogger()
    root.setLevel(level)
    # Alembic 1.20 announces each autogenerate plugin at INFO on every upgrade: noise in
    # `flask demo`, whose output should show the migrations run and the demo logins.
    logging.getLogger("alembic.runtime.plugins").setLevel(logging.WARNING)
    if app.config.get("LOG_FORMAT") != "json":
        logging.basicConfig(level=level)  # does nothing when the root logger has a handler already
        return
    for handler in list(root.handlers):
        if getattr(handler, _HANDLER_MARK, False):
            root.removeHandler(handler)
    handler = logging.StreamHandler(sys.stderr)
    handler.setFormatter(JsonFormatter())
    setattr(handler, _HANDLER_MARK, True)
    root.addHandler(handler)
