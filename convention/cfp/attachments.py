"""A proposal's files (slides, papers): PDFs checked by content, kept for its speakers and
the organizers. Adding and deleting follow ``call.ensure_can_attach``."""

from __future__ import annotations

from datetime import datetime
from pathlib import Path

from flask_babel import gettext

from convention.accounts.models import User
from convention.audit.services import record_audit
from convention.cfp import files
from convention.cfp.call import ensure_can_attach
from convention.cfp.models import Attachment, Proposal
from convention.core.errors import DomainError, NotFound
from convention.core.timeutil import utcnow
from convention.extensions import db

MAX_ATTACHMENTS = 5


def add_attachment(proposal: Proposal, upload, *, filename: str, actor: User, now: datetime | None = None) -> Attachment:
    """Keep an uploaded PDF (checked by content) for the proposal's speakers and organizers."""
    now = now or utcnow()
    ensure_can_attach(proposal, actor, now=now)
    if len(proposal.attachments) >= MAX_ATTACHMENTS:
        raise DomainError(gettext("A proposal has at most %(max)d files; delete one first.", max=MAX_ATTACHMENTS), field="file")
    stored = files.store_pdf(upload)
    attachment = Attachment(
        proposal=proposal,
        filename=files.safe_ascii_filename(filename, suffix=".pdf", fallback=f"{proposal.code}-attachment"),
        stored_name=stored.name,
        size_bytes=stored.size,
        pages=stored.pages,
        uploaded_by_id=actor.id,
        created_at=now,
    )
    db.session.add(attachment)
    proposal.updated_at = now
    db.session.flush()
    record_audit(
        "proposal.attachment_add", actor=actor, edition_id=proposal.edition_id, target=proposal,
        data={"file": attachment.filename, "bytes": stored.size},
    )
    return attachment


def delete_attachment(attachment: Attachment, *, actor: User, now: datetime | None = None) -> None:
    now = now or utcnow()
    proposal = attachment.proposal
    ensure_can_attach(proposal, actor, now=now)
    record_audit(
        "proposal.attachment_delete", actor=actor, edition_id=proposal.edition_id, target=proposal,
        data={"file": attachment.filename},
    )
    proposal.attachments.remove(attachment)
    proposal.updated_at = now
    db.session.flush()
    files.delete_after_commit(files.attachment_path(attachment.stored_name))


def stored_attachment(attachment: Attachment) -> Path:
    """Where the file is on disk; NotFound if it has gone (a restore without the upload folder)."""
    path = files.attachment_path(attachment.stored_name)
    if not path.is_file():
        raise NotFound(gettext("This file is no longer available."))
    return path
