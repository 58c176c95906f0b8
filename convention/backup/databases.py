"""The database half of a backup: one consistent copy, and the row count of every table.

SQLite is copied with its online backup API (``sqlite3.Connection.backup``), page by
page, while the app keeps serving; the counts are read from the copy. PostgreSQL is
dumped by ``pg_dump -Fc`` inside a snapshot that this module exports from a REPEATABLE
READ transaction, so the counts in the manifest and the dump see exactly the same rows;
``pg_restore`` loads it back. Passwords go to the client tools through ``PGPASSWORD``,
never on a command line that ``ps`` shows.
"""

from __future__ import annotations

import os
import shutil
import sqlite3
import subprocess
from contextlib import closing
from pathlib import Path

import sqlalchemy as sa
from sqlalchemy.engine import URL, make_url


class BackupError(RuntimeError):
    """The backup or the restore cannot go on; the message says why."""


def backend_of(url: str | URL) -> str:
    name = make_url(url).get_backend_name()
    if name not in ("sqlite", "postgresql"):
        raise BackupError(f"Backups support SQLite and PostgreSQL, not {name}.")
    return name


def sqlite_path(url: str | URL) -> Path:
    database = make_url(url).database
    if not database or database == ":memory:":
        raise BackupError("An in-memory SQLite database cannot be backed up or restored.")
    return Path(database)


def count_rows(connection, table_names: list[str]) -> dict[str, int]:
    """Rows per table, read on ``connection`` (a DB-API or SQLAlchemy connection)."""
    counts = {}
    for name in sorted(table_names):
        # Names come from the database's own catalogue, quoted as identifiers.
        quoted = '"' + name.replace('"', '""') + '"'
        counts[name] = int(_scalar(connection, f"SELECT count(*) FROM {quoted}"))  # noqa: S608
    return counts


def _scalar(connection, sql: str):
    if isinstance(connection, sa.Connection):
        return connection.execute(sa.text(sql)).scalar()
    cursor = connection.execute(sql)
    return cursor.fetchone()[0]


def sqlite_tables(connection: sqlite3.Connection) -> list[str]:
    rows = connection.execute("SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%'")
    return [row[0] for row in rows]


def dump_sqlite(url: str | URL, target: Path) -> dict[str, int]:
    """Copy the live database to ``target`` with the online backup API; the copy's counts."""
    source = sqlite_path(url)
    if not source.exists():
        raise BackupError(f"The SQLite database {source} does not exist.")
    with closing(sqlite3.connect(source)) as live, closing(sqlite3.connect(target)) as copy:
        live.backup(copy, pages=1024)  # a step at a time: writers are not blocked for the whole copy
        return count_rows(copy, sqlite_tables(copy))


def restore_sqlite(dump: Path, url: str | URL, *, force: bool) -> None:
    target = sqlite_path(url)
    target.parent.mkdir(parents=True, exist_ok=True)
    with closing(sqlite3.connect(target)) as existing:
        if sqlite_tables(existing) and not force:
            raise BackupError(f"The database {target} is not empty: restore into an empty one (or use --force).")
        with closing(sqlite3.connect(dump)) as copy:
            copy.backup(existing)  # replaces every page of the target


def _libpq(url: str | URL) -> tuple[list[str], dict[str, str]]:
    """Connection options for pg_dump/pg_restore and an environment holding the password."""
    parsed = make_url(url)
    args = ["--dbname", parsed.database or "postgres"]
    if parsed.host:
        args += ["--host", parsed.host]
    if parsed.port:
        args += ["--port", str(parsed.port)]
    if parsed.username:
        args += ["--username", parsed.username]
    env = dict(os.environ)
    if parsed.password:
        env["PGPASSWORD"] = parsed.password
    return args, env


def _tool(name: str) -> str:
    path = shutil.which(name)
    if not path:
        raise BackupError(f"{name} is not installed (Debian: apt-get install postgresql-client).")
    return path


def _run(command: list[str], env: dict[str, str]) -> None:
    result = subprocess.run(command, env=env, capture_output=True, text=True, check=False)  # noqa: S603
    if result.returncode != 0:
        raise BackupError(f"{Path(command[0]).name} failed: {result.stderr.strip() or result.returncode}")


def postgres_tables(connection: sa.Connection) -> list[str]:
    return list(
        connection.execute(sa.text("SELECT tablename FROM pg_tables WHERE schemaname = current_schema()")).scalars()
    )


def dump_postgres(url: str | URL, target: Path) -> dict[str, int]:
    """``pg_dump -Fc`` of the database, with the counts taken in the same snapshot."""
    pg_dump = _tool("pg_dump")
    engine = sa.create_engine(url, poolclass=sa.pool.NullPool)
    try:
        with engine.connect() as connection:
            connection = connection.execution_options(isolation_level="REPEATABLE READ")
            with connection.begin():
                snapshot = connection.execute(sa.text("SELECT pg_export_snapshot()")).scalar()
                counts = count_rows(connection, postgres_tables(connection))
                args, env = _libpq(url)
                # The snapshot lives while this transaction is open: pg_dump sees the same rows.
                _run(
                    [
                        pg_dump,
                        "--format=custom",
                        "--no-owner",
                        "--no-privileges",
                        f"--snapshot={snapshot}",
                        "--file",
                        str(target),
                        *args,
                    ],
                    env,
                )
    finally:
        engine.dispose()
    return counts


def restore_postgres(dump: Path, url: str | URL, *, force: bool) -> None:
    pg_restore = _tool("pg_restore")
    engine = sa.create_engine(url, poolclass=sa.pool.NullPool)
    try:
        with engine.connect() as connection:
            existing = postgres_tables(connection)
    except sa.exc.OperationalError as error:
        raise BackupError(
            f"Cannot reach the database {make_url(url).database} (create it first, empty): {error.orig}"
        ) from error
    finally:
        engine.dispose()
    if existing and not force:
        raise BackupError(
            f"The database {make_url(url).database} is not empty: restore into an empty one (or use --force)."
        )
    args, env = _libpq(url)
    options = ["--clean", "--if-exists"] if existing else []
    _run(
        [
            pg_restore,
            "--no-owner",
            "--no-privileges",
            "--exit-on-error",
            "--single-transaction",
            *options,
            *args,
            str(dump),
        ],
        env,
    )


def current_counts(url: str | URL) -> dict[str, int]:
    """Rows per table of the database at ``url`` now (after a restore, to check it)."""
    engine = sa.create_engine(url, poolclass=sa.pool.NullPool)
    try:
        with engine.connect() as connection:
            tables = (
                postgres_tables(connection)
                if backend_of(url) == "postgresql"
                else list(sa.inspect(connection).get_table_names())
            )
            return count_rows(connection, tables)
    finally:
        engine.dispose()
