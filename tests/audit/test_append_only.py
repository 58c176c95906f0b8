"""Audit entries are append-only: the ORM refuses to change or delete one, no code path
tries, and on PostgreSQL a trigger refuses it whoever asks."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
import sqlalchemy as sa

from convention.audit.models import AppendOnlyError, AuditClientAddress, AuditEntry
from convention.audit.services import record_audit
from tests.conftest import post_form
from tests.editions.test_editions import NEW
from tests.factories import make_edition, make_user

SOURCE = Path(__file__).resolve().parents[2] / "convention"


def _entry(db):
    entry = record_audit("test.thing", data={"n": 1}, before={"n": 0}, after={"n": 1})
    db.session.commit()
    return entry


def test_changing_an_entry_through_the_orm_is_refused(db):
    entry = _entry(db)
    entry.action = "test.other"
    with pytest.raises(AppendOnlyError):
        db.session.flush()
    db.session.rollback()
    assert db.session.get(AuditEntry, entry.id).action == "test.thing"


def test_deleting_an_entry_through_the_orm_is_refused(db):
    entry = _entry(db)
    db.session.delete(entry)
    with pytest.raises(AppendOnlyError):
        db.session.flush()
    db.session.rollback()
    assert db.session.get(AuditEntry, entry.id) is not None


@pytest.mark.parametrize(
    "statement",
    [
        lambda: sa.update(AuditEntry).values(action="test.other"),
        lambda: sa.delete(AuditEntry),
    ],
)
def test_bulk_update_and_delete_are_refused(db, statement):
    entry = _entry(db)
    with pytest.raises(AppendOnlyError):
        db.session.execute(statement())
    db.session.rollback()
    assert db.session.get(AuditEntry, entry.id).action == "test.thing"


def test_postgresql_trigger_refuses_raw_sql(db):
    if db.engine.dialect.name != "postgresql":
        pytest.skip("the trigger exists on PostgreSQL only")
    entry = _entry(db)
    for sql in ("UPDATE audit_entries SET action = 'x' WHERE id = :id", "DELETE FROM audit_entries WHERE id = :id"):
        with pytest.raises(sa.exc.DBAPIError, match="append-only"), db.engine.begin() as conn:
            conn.execute(sa.text(sql), {"id": entry.id})
    assert db.session.get(AuditEntry, entry.id).action == "test.thing"


# Any statement or session call that would change or drop audit rows, in the app's code.
FORBIDDEN = re.compile(
    r"(update|delete)\(\s*(AuditEntry|audit_entries)"
    r"|(UPDATE|DELETE\s+FROM)\s+audit_entries"
    r"|AuditEntry\.__table__\.(update|delete)",
)


def test_no_code_path_updates_or_deletes_audit_entries():
    offenders = [
        f"{path.relative_to(SOURCE.parent)}: {match.group(0)}"
        for path in SOURCE.rglob("*.py")
        for match in FORBIDDEN.finditer(path.read_text())
    ]
    assert offenders == []


def test_entries_carry_before_after_request_id_and_client_address(db, client, auth):
    organizer = make_user()
    edition = make_edition(organizer=organizer)
    old_name = edition.name
    auth.login(organizer.email)
    form = {**NEW, "slug": edition.slug, "name": "Renamed"}
    response = post_form(client, f"/{edition.slug}/manage/", form, environ_base={"REMOTE_ADDR": "198.51.100.7"})
    assert response.status_code in (302, 303), response.get_data(as_text=True)[:500]
    request_id = response.headers["X-Request-ID"]
    entry = db.session.scalars(sa.select(AuditEntry).where(AuditEntry.action == "edition.update")).one()
    assert entry.request_id == request_id
    assert entry.before["name"] == old_name and entry.after["name"] == "Renamed"
    address = db.session.get(AuditClientAddress, entry.id)
    assert address.address == "198.51.100.7" and address.actor_id == organizer.id


def test_request_id_is_made_unless_the_header_is_trusted(app, client):
    first = client.get("/healthz", headers={"X-Request-ID": "from-outside"})
    second = client.get("/healthz")
    assert first.headers["X-Request-ID"] != "from-outside"
    assert len({first.headers["X-Request-ID"], second.headers["X-Request-ID"]}) == 2
    app.config["TRUST_REQUEST_ID"] = True
    try:
        assert client.get("/healthz", headers={"X-Request-ID": "lb-42"}).headers["X-Request-ID"] == "lb-42"
        bad = client.get("/healthz", headers={"X-Request-ID": "a b;c"}).headers["X-Request-ID"]
        assert bad != "a b;c" and re.fullmatch(r"[0-9a-f]{32}", bad)
    finally:
        app.config["TRUST_REQUEST_ID"] = False


def test_entries_written_outside_a_request_have_no_request_data(db):
    entry = _entry(db)
    assert entry.request_id is None
    assert db.session.get(AuditClientAddress, entry.id) is None
