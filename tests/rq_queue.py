"""A real RQ queue on a Redis database of the test's own (the RQ tests of each domain)."""

from __future__ import annotations

import os
from contextlib import contextmanager

import pytest
from redis import Redis
from redis.exceptions import ConnectionError as RedisConnectionError
from rq import Queue

from convention.mail.jobs import QUEUE_NAME


@contextmanager
def rq_queue(app, url: str):
    """Point the app at ``url`` (emptied before and after) and give its queue; skip
    without Redis, except in CI where the RQ tests must run."""
    connection = Redis.from_url(url)
    try:
        connection.ping()
    except RedisConnectionError:
        reason = f"Redis is not running at {url}: start redis-server to run the RQ tests"
        if os.environ.get("CI"):
            pytest.fail(f"RQ tests cannot be skipped in CI: {reason}")
        pytest.skip(reason)
    connection.flushdb()
    app.config["REDIS_URL"] = url
    try:
        yield Queue(QUEUE_NAME, connection=connection)
    finally:
        app.config["REDIS_URL"] = None
        connection.flushdb()
        connection.close()
