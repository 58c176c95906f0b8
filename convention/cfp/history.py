"""A proposal's history for its organizers: its audit entries in words a person reads."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

import sqlalchemy as sa
from flask_babel import lazy_gettext

from convention.accounts.models import User
from convention.audit.models import AuditEntry
from convention.cfp.models import Proposal
from convention.cfp.states import STATE_LABELS
from convention.extensions import db

# What each audit action of a proposal reads like in its history ("Created by Ann").
HISTORY_WORDS = {
    "proposal.create": lazy_gettext("Created"),
    "proposal.update": lazy_gettext("Edited"),
    "proposal.invite": lazy_gettext("Co-speaker invited"),
    "proposal.invitation_cancel": lazy_gettext("Invitation cancelled"),
    "proposal.speaker_join": lazy_gettext("Joined as co-speaker"),
    "proposal.speaker_remove": lazy_gettext("Speaker removed"),
    "proposal.attachment_add": lazy_gettext("File added"),
    "proposal.attachment_delete": lazy_gettext("File deleted"),
    **{f"proposal.{state}": label for state, label in STATE_LABELS.items()},
}
# The names of edited fields in an edit's history line ("title, abstract"); others keep their own.
CHANGED_WORDS = {
    "title": lazy_gettext("title"), "abstract": lazy_gettext("abstract"), "description": lazy_gettext("description"),
    "notes": lazy_gettext("notes"), "level": lazy_gettext("level"), "language": lazy_gettext("language"),
    "theme_id": lazy_gettext("theme"), "format_id": lazy_gettext("format"), "may_record": lazy_gettext("recording"),
    "answers": lazy_gettext("answers"),
}


@dataclass(frozen=True)
class HistoryLine:
    at: datetime
    text: str  # "Created", "Edited", "Submitted"...
    actor: str  # the name of who did it, "" when unknown
    detail: str = ""  # "title, abstract" for an edit, the address for an invitation, a file name


def _history_detail(entry: AuditEntry) -> str:
    data = entry.data or {}
    if data.get("changed"):
        return ", ".join(str(CHANGED_WORDS.get(name, name.replace("_", " "))) for name in data["changed"])
    return str(data.get("email") or data.get("file") or "")


def proposal_history(proposal: Proposal, *, limit: int = 50) -> list[HistoryLine]:
    """The proposal's audit entries, newest first, in words an organizer reads."""
    entries = db.session.scalars(
        sa.select(AuditEntry)
        .where(AuditEntry.object_type == "Proposal", AuditEntry.object_id == str(proposal.id))
        .order_by(AuditEntry.id.desc())
        .limit(limit)
    ).all()
    actor_ids = {entry.actor_id for entry in entries if entry.actor_id}
    names = dict(db.session.execute(sa.select(User.id, User.name).where(User.id.in_(actor_ids))).all()) if actor_ids else {}
    return [
        HistoryLine(
            at=entry.created_at,
            text=str(HISTORY_WORDS.get(entry.action, entry.action.rsplit(".", 1)[-1].replace("_", " ").capitalize())),
            actor=names.get(entry.actor_id, ""),
            detail=_history_detail(entry),
        )
        for entry in entries
    ]
