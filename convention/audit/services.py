"""Record an audit entry in the caller's transaction (flush, never commit)."""

from __future__ import annotations

from convention.audit.context import hold, request_context
from convention.audit.models import AuditClientAddress, AuditEntry
from convention.extensions import db


def record_audit(
    action: str,
    *,
    actor=None,
    edition_id: int | None = None,
    target=None,
    data: dict | None = None,
    before: dict | None = None,
    after: dict | None = None,
    with_client_address: bool = True,
) -> AuditEntry:
    """Log ``action`` (e.g. "edition.update") by ``actor`` on ``target``.

    ``before``/``after`` hold the changed fields' old and new values. None of ``data``,
    ``before`` and ``after`` may hold a name or an email address (see audit/models.py):
    name people by id. ``with_client_address=False``: keep no address for this entry (the
    entry that records an account's deletion must not keep the person's address).
    """
    where = request_context()
    entry = AuditEntry(
        action=action,
        actor_id=getattr(actor, "id", None),
        edition_id=edition_id,
        object_type=type(target).__name__ if target is not None else None,
        object_id=str(getattr(target, "id", "")) if target is not None else None,
        data=data or {},
        before=before,
        after=after,
        request_id=where.get("request_id"),
    )
    if hold(entry):
        return entry
    db.session.add(entry)
    if with_client_address and where.get("client_address"):
        db.session.add(
            AuditClientAddress(
                entry=entry,
                actor_id=entry.actor_id,
                edition_id=edition_id,
                address=where["client_address"][:45],
            )
        )
    return entry


def changes(old: dict, new: dict) -> tuple[dict, dict]:
    """The ``before`` and ``after`` of the keys whose value changed."""
    changed = [key for key in new if old.get(key) != new[key]]
    return {key: old.get(key) for key in changed}, {key: new[key] for key in changed}
