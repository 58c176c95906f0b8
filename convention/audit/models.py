"""Who changed what, when: an append-only log.

Personal data and the log: an entry names its actor only by a plain integer (the user's
id, which stays a pseudonymous id once an account is deleted: the user row is kept as an
empty tombstone) and its ``data``/``before``/``after`` values hold ids, codes, states and
settings, never a name or an email address. The one personal value a request leaves, the
client address, lives beside the log in ``audit_client_addresses``: that table is not
append-only, so erasing a person (or an edition's retention run) can delete their
addresses without touching the log itself.
"""

from __future__ import annotations

from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column, relationship

from convention.core.timeutil import UTCDateTime, utcnow
from convention.extensions import db

# PostgreSQL refuses any UPDATE or DELETE of an audit row, whoever asks (the migration
# makes the same trigger; tests' create_all makes it through the DDL events below).
# TRUNCATE fires no row-level trigger: the test suite's cleanup empties the table with it.
APPEND_ONLY_FUNCTION = """
CREATE OR REPLACE FUNCTION audit_entries_append_only() RETURNS trigger AS $$
BEGIN
    RAISE EXCEPTION 'audit entries are append-only (% refused)', TG_OP
        USING ERRCODE = 'insufficient_privilege';
END;
$$ LANGUAGE plpgsql
"""
APPEND_ONLY_TRIGGER = """
CREATE TRIGGER audit_entries_append_only BEFORE UPDATE OR DELETE ON audit_entries
FOR EACH ROW EXECUTE FUNCTION audit_entries_append_only()
"""
DROP_APPEND_ONLY = (
    "DROP TRIGGER IF EXISTS audit_entries_append_only ON audit_entries",
    "DROP FUNCTION IF EXISTS audit_entries_append_only()",
)


class AuditEntry(db.Model):
    __tablename__ = "audit_entries"

    id: Mapped[int] = mapped_column(primary_key=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow, index=True)
    # Plain integers, not foreign keys: the log must outlive what it talks about.
    actor_id: Mapped[int | None] = mapped_column(index=True)
    edition_id: Mapped[int | None] = mapped_column(index=True)
    action: Mapped[str] = mapped_column(sa.String(80), index=True)
    object_type: Mapped[str | None] = mapped_column(sa.String(40))
    object_id: Mapped[str | None] = mapped_column(sa.String(64))
    data: Mapped[dict] = mapped_column(sa.JSON, default=dict)
    # The values a change replaced and the values it set (only the fields it changed).
    before: Mapped[dict | None] = mapped_column(sa.JSON)
    after: Mapped[dict | None] = mapped_column(sa.JSON)
    # The request that made the change (core.request_ids), None for CLI commands and jobs.
    request_id: Mapped[str | None] = mapped_column(sa.String(64), index=True)


class AuditClientAddress(db.Model):
    """The client address of an audit entry's request: personal data, so kept beside the
    append-only log where erasure and retention can delete it."""

    __tablename__ = "audit_client_addresses"

    entry_id: Mapped[int] = mapped_column(primary_key=True, autoincrement=False)
    actor_id: Mapped[int | None] = mapped_column(index=True)
    edition_id: Mapped[int | None] = mapped_column(index=True)
    address: Mapped[str] = mapped_column(sa.String(45))
    # No foreign key (the log's own rule), but the unit of work fills entry_id in.
    entry: Mapped[AuditEntry] = relationship(primaryjoin="foreign(AuditClientAddress.entry_id) == AuditEntry.id")


sa.event.listen(
    AuditEntry.__table__,
    "after_create",
    sa.DDL(APPEND_ONLY_FUNCTION.replace("%", "%%")).execute_if(dialect="postgresql"),  # DDL formats with %
)
sa.event.listen(AuditEntry.__table__, "after_create", sa.DDL(APPEND_ONLY_TRIGGER).execute_if(dialect="postgresql"))
for _statement in DROP_APPEND_ONLY:
    sa.event.listen(AuditEntry.__table__, "before_drop", sa.DDL(_statement).execute_if(dialect="postgresql"))


class AppendOnlyError(RuntimeError):
    """Something tried to change or delete an audit entry."""


def _refuse_change(_mapper, _connection, entry) -> None:
    raise AppendOnlyError(f"audit entry {entry.id} is append-only")


def _refuse_bulk_change(state) -> None:
    """Bulk UPDATE and DELETE statements through a session bypass the mapper events."""
    if (state.is_update or state.is_delete) and any(mapper.class_ is AuditEntry for mapper in state.all_mappers):
        raise AppendOnlyError("audit entries are append-only")


sa.event.listen(AuditEntry, "before_update", _refuse_change)
sa.event.listen(AuditEntry, "before_delete", _refuse_change)
sa.event.listen(sa.orm.Session, "do_orm_execute", _refuse_bulk_change)
