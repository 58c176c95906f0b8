"""Structured logs: JSON lines with the request id, and gunicorn's access log in the same shape."""

from __future__ import annotations

import importlib.util
import json
import logging
from pathlib import Path

import pytest
from flask import g

from convention.config import ConfigError, load_config
from convention.core.logs import JsonFormatter, init_logging

REPO = Path(__file__).resolve().parents[2]


def _record(message="Order %s paid", args=("ABC123",), **extra) -> logging.LogRecord:
    record = logging.LogRecord("convention.payments", logging.WARNING, __file__, 1, message, args, None)
    record.__dict__.update(extra)
    return record


def test_a_record_outside_a_request_is_one_json_line():
    line = JsonFormatter().format(_record(order="ABC123"))
    entry = json.loads(line)
    assert "\n" not in line
    assert (entry["level"], entry["logger"], entry["message"], entry["order"]) == (
        "warning",
        "convention.payments",
        "Order ABC123 paid",
        "ABC123",
    )
    assert entry["time"].endswith("+00:00") and "request_id" not in entry


def test_a_record_inside_a_request_carries_its_id_method_and_path(app):
    with app.test_request_context("/demo/tickets?x=1", method="POST"):
        g.request_id = "3f2a9c"
        entry = json.loads(JsonFormatter().format(_record()))
    assert (entry["request_id"], entry["method"], entry["path"]) == ("3f2a9c", "POST", "/demo/tickets")


def test_an_exception_is_kept_with_its_traceback():
    try:
        raise ValueError("card declined")
    except ValueError:
        import sys

        record = logging.LogRecord("x", logging.ERROR, __file__, 1, "failed", None, sys.exc_info())
    entry = json.loads(JsonFormatter().format(record))
    assert entry["exc"].startswith("Traceback") and "ValueError: card declined" in entry["exc"]


def test_json_logging_installs_one_handler_however_often_apps_are_made(app, monkeypatch):
    root = logging.getLogger()
    before = list(root.handlers)
    level = root.level
    monkeypatch.setitem(app.config, "LOG_FORMAT", "json")
    try:
        init_logging(app)
        init_logging(app)
        ours = [h for h in root.handlers if isinstance(h.formatter, JsonFormatter)]
        assert len(ours) == 1
    finally:
        root.handlers[:] = before
        root.setLevel(level)


@pytest.mark.parametrize(
    ("env", "expected"),
    [
        ({"APP_ENV": "production"}, "json"),
        ({}, "text"),
        ({"APP_ENV": "production", "LOG_FORMAT": "text"}, "text"),
        ({"LOG_FORMAT": "JSON"}, "json"),
    ],
)
def test_the_log_format_is_json_in_production_unless_told(monkeypatch, tmp_path, env, expected):
    for name in ("APP_ENV", "LOG_FORMAT"):
        monkeypatch.delenv(name, raising=False)
    for name, value in env.items():
        monkeypatch.setenv(name, value)
    assert load_config(str(tmp_path))["LOG_FORMAT"] == expected


def test_an_unknown_log_format_is_refused(monkeypatch, tmp_path):
    monkeypatch.setenv("LOG_FORMAT", "xml")
    with pytest.raises(ConfigError, match="LOG_FORMAT must be json or text"):
        load_config(str(tmp_path))


def _gunicorn_conf():
    spec = importlib.util.spec_from_file_location("gunicorn_conf", REPO / "gunicorn.conf.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_the_gunicorn_access_line_is_json_with_the_request_id():
    conf = _gunicorn_conf()
    atoms = {
        "h": "10.0.0.7",
        "m": "GET",
        "U": "/demo/",
        "q": "",
        "s": "200",
        "B": 5120,
        "M": 12,
        "f": "-",
        "a": "curl/8",
        "{x-request-id}o": "abc123",
    }
    entry = json.loads(conf.access_line(atoms))
    assert (entry["request_id"], entry["method"], entry["path"], entry["status"], entry["duration_ms"]) == (
        "abc123",
        "GET",
        "/demo/",
        200,
        12,
    )
    assert entry["query"] is None and entry["logger"] == "gunicorn.access"
    assert "%({x-request-id}o)s" in conf.access_log_format  # the text format names it too
    assert conf.preload_app is False
