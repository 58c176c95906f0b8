"""Record an audit entry in the caller's transaction (flush, never commit)."""

from __future__ import annotations

from convention.audit.models import AuditEntry
from convention.extensions import db


def record_audit(
    action: str,
    *,
    actor=None,
    edition_id: int | None = None,
    target=None,
    data: dict | None = None,
) -> AuditEntry:
    """Log ``action`` (e.g. "edition.update") by ``actor`` on ``target``."""
    entry = AuditEntry(
        action=action,
        actor_id=getattr(actor, "id", None),
        edition_id=edition_id,
        object_type=type(target).__name__ if target is not None else None,
        object_id=str(getattr(target, "id", "")) if target is not None else None,
        data=data or {},
    )
    db.session.add(entry)
    return entry
