"""A savepoint opened before any write is still inside the request's transaction
(SQLite's driver would otherwise make it the outer transaction and commit on release)."""

from __future__ import annotations

import sqlalchemy as sa

from convention.accounts.models import User


def test_rows_written_in_a_first_savepoint_go_away_with_the_rollback(db):
    db.session.commit()
    db.session.scalar(sa.select(sa.func.count(User.id)))  # a read first, as views do
    with db.session.begin_nested():
        db.session.add(User(email="kept-by-mistake@example.org", name="Kept", password_hash="x"))
        db.session.flush()
    db.session.rollback()
    assert db.session.scalar(sa.select(User).where(User.email == "kept-by-mistake@example.org")) is None
