"""SQLite savepoints that behave like PostgreSQL's.

Python's sqlite3 driver opens a transaction only before an INSERT/UPDATE/DELETE, not
before a SELECT or a SAVEPOINT. A SAVEPOINT issued first (``session.begin_nested()``
before any write) then becomes the outermost transaction, and releasing it COMMITS:
a request that fails afterwards leaves half its rows behind, and the test's rollback
cannot undo them. So, just before such a SAVEPOINT, open the real transaction. The
driver's handling stays as it is otherwise (reads take no lock until a write).
"""

from __future__ import annotations

import sqlalchemy as sa


def _begin_before_a_first_savepoint(connection, _name) -> None:
    if not connection.connection.dbapi_connection.in_transaction:
        connection.exec_driver_sql("BEGIN")


def make_sqlite_savepoints_nested(engine: sa.Engine) -> None:
    if engine.dialect.name != "sqlite" or sa.event.contains(engine, "savepoint", _begin_before_a_first_savepoint):
        return
    sa.event.listen(engine, "savepoint", _begin_before_a_first_savepoint)
