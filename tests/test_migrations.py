"""The schema comes only from migrations: they must build exactly what the models say.

For each backend (SQLite in a temporary file; PostgreSQL in a scratch database next to
DATABASE_URL's when that is set), upgrade an empty database to the newest revision,
let Alembic compare it with the models' metadata, and downgrade back to nothing. Table
names are never listed here, so new domains and their migrations are covered as they come.
"""

from __future__ import annotations

import logging
import os

import pytest
import sqlalchemy as sa
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from flask_migrate import downgrade, upgrade

from convention import create_app
from convention.core.search import made_on
from convention.extensions import db as _db


def _sqlite_target(tmp_path):
    yield f"sqlite:///{tmp_path}/migrations.sqlite3"


def _postgres_target(_tmp_path):
    url = os.environ.get("DATABASE_URL", "")
    if not url.startswith(("postgres://", "postgresql://", "postgresql+psycopg://")):
        pytest.skip("PostgreSQL migration check: set DATABASE_URL to a PostgreSQL database to run it")
    base = sa.engine.make_url(url.replace("postgres://", "postgresql://", 1)).set(drivername="postgresql+psycopg")
    scratch = f"{base.database}_migrations"
    admin = sa.create_engine(base, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(sa.text(f'DROP DATABASE IF EXISTS "{scratch}" WITH (FORCE)'))
        conn.execute(sa.text(f'CREATE DATABASE "{scratch}"'))
    try:
        yield base.set(database=scratch).render_as_string(hide_password=False)
    finally:
        with admin.connect() as conn:
            conn.execute(sa.text(f'DROP DATABASE IF EXISTS "{scratch}" WITH (FORCE)'))
        admin.dispose()


@pytest.fixture(params=["sqlite", "postgresql"])
def fresh_app(request, app, tmp_path):
    """An app bound to an empty database of the given backend."""
    target = _sqlite_target if request.param == "sqlite" else _postgres_target
    generator = target(tmp_path)
    url = next(generator)
    fresh = create_app({
        "TESTING": True,
        "SECRET_KEY": app.config["SECRET_KEY"],
        "SQLALCHEMY_DATABASE_URI": url,
        "MAIL_SERVER": None,
        "REDIS_URL": None,
        "RATELIMIT_STORAGE_URI": "memory://",
        "ARGON2_PARAMETERS": app.config["ARGON2_PARAMETERS"],
    })
    with fresh.app_context():
        yield fresh
        _db.session.remove()
        _db.engine.dispose()
    generator.close()


def _tables(engine) -> set[str]:
    return set(sa.inspect(engine).get_table_names()) - {"alembic_version"}


def test_migrations_upgrade_matches_models_and_downgrade_empties(fresh_app):
    engine = _db.engine
    assert _tables(engine) == set()
    upgrade(revision="heads")
    assert _tables(engine) == set(_db.metadata.tables)
    with engine.connect() as conn:
        # As migrations/env.py: what a model declares for another database only is not made here.
        context = MigrationContext.configure(conn, opts={"compare_type": True, "include_object": made_on(conn.dialect.name)})
        differences = compare_metadata(context, _db.metadata)
    assert differences == []

    downgrade(revision="base")
    assert _tables(engine) == set()


def test_migrations_keep_app_loggers_enabled(fresh_app):
    logger = logging.getLogger("convention.mail.services")
    upgrade(revision="heads")
    assert logger.disabled is False


def test_demo_command_on_empty_database_migrates_and_seeds_once(fresh_app):
    runner = fresh_app.test_cli_runner()
    first = runner.invoke(args=["demo"])
    assert first.exit_code == 0, first.output
    assert "Demo edition created at /demo/." in first.output
    assert "organizer@demo.example" in first.output
    assert _db.session.scalar(sa.text("SELECT slug FROM editions")) == "demo"

    counts = {name: _db.session.scalar(sa.select(sa.func.count()).select_from(table))
              for name, table in _db.metadata.tables.items()}
    second = runner.invoke(args=["demo"])
    assert second.exit_code == 0, second.output
    assert "The demo edition is already there." in second.output
    assert {name: _db.session.scalar(sa.select(sa.func.count()).select_from(table))
            for name, table in _db.metadata.tables.items()} == counts


def test_editions_that_existed_before_drafts_stay_published(fresh_app):
    """0006 adds the draft state: existing editions keep being public, new ones start unpublished."""
    upgrade(revision="0005_registration_hardening")
    with _db.engine.begin() as conn:
        conn.execute(sa.text(
            "INSERT INTO editions (slug, name, tagline, description, starts_on, ends_on, timezone, venue_name, "
            "venue_address, created_at) VALUES ('old', 'Old', '', '', '2027-01-01', '2027-01-02', 'UTC', '', '', "
            "'2026-01-01 00:00:00')"))
    upgrade(revision="heads")
    with _db.engine.connect() as conn:
        assert conn.execute(sa.text("SELECT published FROM editions WHERE slug = 'old'")).scalar_one() in (True, 1)


def test_review_totals_are_backfilled_from_the_scores(fresh_app):
    """0011 stores each review's weighted total and each proposal's summary: reviews
    written before it (built here through the services, then the revision undone and
    redone) get the same figures the scoring service keeps."""
    from convention.cfp.states import ProposalState
    from tests.cfp.helpers import make_proposal
    from tests.factories import make_edition, make_user
    from tests.review.decisions.helpers import add_review, make_criteria, make_reviewer

    upgrade(revision="heads")
    organizer = make_user(name="Olivia Organizer", email="olivia@example.org")
    edition = make_edition(organizer=organizer, slug="backfill")
    speaker = make_user(name="Sofia Speaker", email="sofia@example.org")
    criteria = make_criteria(edition)
    ann, bob = make_reviewer(edition, "Ann Reviewer"), make_reviewer(edition, "Bob Reviewer")
    for n, values in enumerate(([5, 2], [2, 5], [4, 1])):
        proposal = make_proposal(edition, speaker, state=ProposalState.SUBMITTED, title=f"Talk {n}")
        add_review(proposal, ann, criteria, values)
        if n:
            add_review(proposal, bob, criteria, [3, 3])
    _db.session.remove()
    query = ("SELECT p.proposal_id, p.reviews, p.score, p.low, p.high, p.spread FROM review_proposal_totals p "
             "ORDER BY p.proposal_id")
    with _db.engine.connect() as conn:
        kept = conn.execute(sa.text(query)).all()
        review_totals = conn.execute(sa.text("SELECT id, total FROM reviews ORDER BY id")).all()
    assert len(kept) == 3 and all(total is not None for _id, total in review_totals)

    downgrade(revision="0014_checkin")  # just before 0015_review_totals
    upgrade(revision="heads")
    with _db.engine.connect() as conn:
        assert conn.execute(sa.text(query)).all() == kept
        assert conn.execute(sa.text("SELECT id, total FROM reviews ORDER BY id")).all() == review_totals
