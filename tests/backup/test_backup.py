"""`flask backup create` / `restore`: a full edition restored into an empty database and
upload folder with nothing lost, on the backend the suite runs on (SQLite, or PostgreSQL
when DATABASE_URL names one: CI runs both)."""

from __future__ import annotations

import json
import tarfile
from pathlib import Path

import pytest
import sqlalchemy as sa
from sqlalchemy.engine import make_url

from convention.backup.archive import create_backup, restore_backup
from convention.backup.databases import BackupError
from convention.cfp.models import Attachment, SpeakerProfile
from convention.extensions import db
from convention.registration.models import Attendee, Order
from tests.world import build_world


@pytest.fixture
def world(app, tmp_path, monkeypatch):
    monkeypatch.setitem(app.config, "UPLOAD_FOLDER", str(tmp_path / "uploads"))
    build_world()
    db.session.commit()
    return tmp_path


def _source_url() -> str:
    return db.engine.url.render_as_string(hide_password=False)


@pytest.fixture
def empty_target(tmp_path):
    """An empty database of the suite's backend, and its URL."""
    source = make_url(_source_url())
    if source.get_backend_name() == "sqlite":
        yield f"sqlite:///{tmp_path / 'restored' / 'convention.sqlite3'}"
        return
    name = f"{source.database}_restore"
    admin = sa.create_engine(source.set(database="postgres"), isolation_level="AUTOCOMMIT", poolclass=sa.pool.NullPool)
    with admin.connect() as connection:
        connection.execute(sa.text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        connection.execute(sa.text(f'CREATE DATABASE "{name}"'))
    yield source.set(database=name).render_as_string(hide_password=False)
    with admin.connect() as connection:
        connection.execute(sa.text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
    admin.dispose()


def _counts(connection) -> dict[str, int]:
    return {
        table.name: connection.execute(sa.select(sa.func.count()).select_from(table)).scalar()
        for table in db.metadata.sorted_tables
    }


def _rows(connection, *columns) -> list[tuple]:
    return sorted(tuple(row) for row in connection.execute(sa.select(*columns)))


def test_a_restored_backup_holds_every_row_and_every_file(app, world, empty_target, tmp_path):
    uploads = Path(app.config["UPLOAD_FOLDER"])
    files = {p.relative_to(uploads).as_posix(): p.read_bytes() for p in uploads.rglob("*") if p.is_file()}
    assert len(files) == 2  # the proposal's PDF and the speaker's photo
    with db.engine.connect() as connection:
        expected = _counts(connection)
        spot = {
            "orders": _rows(connection, Order.code, Order.email, Order.state, Order.total_cents, Order.secret),
            "attendees": _rows(connection, Attendee.code, Attendee.name, Attendee.price_cents),
            "attachments": _rows(connection, Attachment.code, Attachment.stored_name, Attachment.size_bytes),
            "profiles": _rows(connection, SpeakerProfile.code, SpeakerProfile.display_name, SpeakerProfile.photo_name),
        }
    assert expected["users"] >= 8 and expected["orders"] >= 2 and expected["cfp_attachments"] == 1

    result = create_backup(tmp_path / "backups", database_url=_source_url(), upload_folder=uploads)
    assert result.archive.parent == tmp_path / "backups" and result.archive.name.endswith(".tar.gz")
    assert {name: n for name, n in result.manifest["tables"].items() if name in expected} == expected

    restored_uploads = tmp_path / "restored-uploads"
    restore_backup(result.archive, database_url=empty_target, upload_folder=restored_uploads)

    engine = sa.create_engine(empty_target, poolclass=sa.pool.NullPool)
    with engine.connect() as connection:
        assert _counts(connection) == expected
        assert (
            _rows(connection, Order.code, Order.email, Order.state, Order.total_cents, Order.secret) == spot["orders"]
        )
        assert _rows(connection, Attendee.code, Attendee.name, Attendee.price_cents) == spot["attendees"]
        assert _rows(connection, Attachment.code, Attachment.stored_name, Attachment.size_bytes) == spot["attachments"]
        assert (
            _rows(connection, SpeakerProfile.code, SpeakerProfile.display_name, SpeakerProfile.photo_name)
            == spot["profiles"]
        )
    engine.dispose()
    restored = {
        p.relative_to(restored_uploads).as_posix(): p.read_bytes() for p in restored_uploads.rglob("*") if p.is_file()
    }
    assert restored == files
    stored_name = spot["attachments"][0][1]
    assert any(name.endswith(stored_name) for name in restored)


def test_the_archive_is_one_tar_gz_with_a_manifest_the_dump_and_the_uploads(app, world, tmp_path):
    out = tmp_path / "one.tar.gz"
    result = create_backup(
        out, database_url=_source_url(), upload_folder=app.config["UPLOAD_FOLDER"], revision="0015_review_totals"
    )
    assert result.archive == out and oct(out.stat().st_mode & 0o777) == "0o600"
    with tarfile.open(out, "r:gz") as tar:
        names = tar.getnames()
        manifest = json.load(tar.extractfile("manifest.json"))
    assert names[0] == "manifest.json" and manifest["database"] in names
    assert sorted(n for n in names if n.startswith("uploads/")) == sorted(f"uploads/{f}" for f in manifest["files"])
    assert manifest["revision"] == "0015_review_totals"
    assert manifest["backend"] == make_url(_source_url()).get_backend_name()
    assert all(len(f["sha256"]) == 64 and f["size"] > 0 for f in manifest["files"].values())


def test_restore_refuses_a_database_that_is_not_empty(app, world, tmp_path):
    archive = create_backup(
        tmp_path / "b.tar.gz", database_url=_source_url(), upload_folder=app.config["UPLOAD_FOLDER"]
    ).archive
    with pytest.raises(BackupError, match="is not empty"):
        restore_backup(archive, database_url=_source_url(), upload_folder=tmp_path / "empty-uploads")


def test_restore_refuses_an_upload_folder_that_is_not_empty(app, world, empty_target, tmp_path):
    archive = create_backup(
        tmp_path / "b.tar.gz", database_url=_source_url(), upload_folder=app.config["UPLOAD_FOLDER"]
    ).archive
    with pytest.raises(BackupError, match="upload folder"):
        restore_backup(archive, database_url=empty_target, upload_folder=app.config["UPLOAD_FOLDER"])


def test_restore_refuses_an_archive_that_is_not_a_backup(tmp_path, empty_target):
    bogus = tmp_path / "bogus.tar.gz"
    with tarfile.open(bogus, "w:gz") as tar:
        tar.add(__file__, arcname="notes.txt")
    with pytest.raises(BackupError, match="not a convention backup"):
        restore_backup(bogus, database_url=empty_target, upload_folder=tmp_path / "u")


def test_the_cli_writes_a_dated_archive_and_restore_refuses_the_live_database(app, runner, world, tmp_path):
    orders = db.session.scalar(sa.select(sa.func.count()).select_from(Order))
    result = runner.invoke(args=["backup", "create", "--out", str(tmp_path / "nightly")])
    assert result.exit_code == 0, result.output
    (archive,) = (tmp_path / "nightly").glob("convention-*.tar.gz")
    assert result.output.startswith(f"Backup written: {archive}: ")
    refused = runner.invoke(args=["backup", "restore", str(archive)])
    assert refused.exit_code == 1 and "is not empty" in refused.output
    assert db.session.scalar(sa.select(sa.func.count()).select_from(Order)) == orders > 0  # the live data untouched


def test_restore_names_a_database_it_cannot_reach(app, world, tmp_path):
    source = make_url(_source_url())
    if source.get_backend_name() != "postgresql":
        pytest.skip("PostgreSQL only: SQLite creates a missing database file")
    archive = create_backup(
        tmp_path / "b.tar.gz", database_url=_source_url(), upload_folder=app.config["UPLOAD_FOLDER"]
    ).archive
    missing = source.set(database="convention_no_such_database").render_as_string(hide_password=False)
    with pytest.raises(BackupError, match="Cannot reach the database convention_no_such_database"):
        restore_backup(archive, database_url=missing, upload_folder=tmp_path / "u")
