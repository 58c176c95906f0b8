"""The one entry point of every RQ job, above all domains.

A domain enqueues ``run_job`` with the dotted name of its job body (a string, so no
domain imports the app factory) and the body's arguments. Under ``flask worker`` (and
in the tests' SimpleWorker) an app context is already pushed; a plain ``rq worker``
process has none, so the first job builds the app once with ``create_app()``.
"""

from __future__ import annotations

from flask import Flask, has_app_context
from werkzeug.utils import import_string

RUN_JOB = "convention.worker.run_job"

_worker_app: Flask | None = None


def run_job(job: str, *args):
    body = import_string(job)
    if has_app_context():
        return body(*args)
    with _app_for_plain_rq_worker().app_context():
        return body(*args)


def _app_for_plain_rq_worker() -> Flask:
    global _worker_app
    if _worker_app is None:
        from convention import create_app

        _worker_app = create_app()
    return _worker_app
