"""Counting SQL statements, for the tests that prove a page's query count does not grow
with the data (one helper for every domain's tests)."""

from __future__ import annotations

from contextlib import contextmanager

from flask import g
from sqlalchemy import event

from convention.extensions import db


@contextmanager
def count_queries():
    """Collect the SQL statements run inside the block, starting from a cold session.

    The test client's requests share the test's app context (and so its session and
    ``g``): forget both first, so every measured request starts as a real one would.
    ``len()`` of the yielded list is the count; the statements help when it differs.
    """
    db.session.remove()
    g.pop("_edition_roles", None)
    g.pop("_login_user", None)
    g.pop("_editions_by_slug", None)
    statements: list[str] = []

    def before(conn, cursor, statement, parameters, context, executemany):
        statements.append(statement)

    event.listen(db.engine, "before_cursor_execute", before)
    try:
        yield statements
    finally:
        event.remove(db.engine, "before_cursor_execute", before)
