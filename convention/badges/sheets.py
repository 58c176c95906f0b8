"""Print sheets: many badges on A4 pages, for the organizers' printer.

``make_sheet`` is the one rule, used by the command line, the organizers' page (inline
without Redis) and the background job: it issues the badges that paid registrations
still lack, streams the chosen badges into ``BadgeWriter`` parts of ``PART_BADGES`` (rows
fetched in batches; each part's PDF joined into the output file as soon as it is drawn,
``joining.py``, so memory stays flat however long the sheet), and marks what it printed. A
sheet the organizers asked for is a ``BadgeSheet`` row: its progress and, when done, its PDF.
"""

from __future__ import annotations

import gc
import secrets
import tempfile
import time
from array import array
from collections.abc import Callable
from dataclasses import dataclass
from typing import BinaryIO

import sqlalchemy as sa
from flask_babel import gettext

from convention.audit.services import record_audit
from convention.badges.documents import count_sheet, stream_sheet
from convention.badges.issuing import issue_missing_badges
from convention.badges.joining import PdfJoiner
from convention.badges.models import Badge, BadgeSheet
from convention.badges.pdf import BadgeWriter
from convention.core.errors import NotFound
from convention.core.timeutil import utcnow
from convention.editions.models import Edition
from convention.extensions import db
from convention.registration.models import TicketType

QUEUED, RUNNING, FINISHED, FAILED = "queued", "running", "finished", "failed"
MARK_BATCH = 500
PART_BADGES = 400  # badges drawn by one fpdf2 document (50 pages) before it joins the sheet
Progress = Callable[[int, int], None]  # (done, total)


@dataclass(frozen=True)
class SheetResult:
    badges: int
    issued: int  # badges made now for registrations that had none


def check_ticket_type(edition, ticket_type_id: int | None) -> None:
    if ticket_type_id is None:
        return
    ticket_type = db.session.get(TicketType, ticket_type_id)
    if ticket_type is None or ticket_type.edition_id != edition.id:
        raise NotFound(gettext("There is no such ticket type."), field="ticket_type")


def _mark_printed(badge_ids) -> None:
    now = utcnow()
    for start in range(0, len(badge_ids), MARK_BATCH):
        db.session.execute(
            sa.update(Badge).where(Badge.id.in_(list(badge_ids[start:start + MARK_BATCH])))
            .values(printed_at=now, needs_reprint=False).execution_options(synchronize_session=False)
        )


def make_sheet(edition, out: BinaryIO, *, only_unprinted: bool = False, ticket_type_id: int | None = None,
               actor=None, on_progress: Progress | None = None, mark_printed: bool = True) -> SheetResult:
    """Write a PDF of the chosen badges, 8 to an A4 page, into ``out``; marks them printed. Flushes."""
    check_ticket_type(edition, ticket_type_id)
    issued = issue_missing_badges(edition.id)
    options = {"only_unprinted": only_unprinted, "ticket_type_id": ticket_type_id}
    total = count_sheet(edition.id, **options)
    joiner = PdfJoiner(out)
    part = BadgeWriter(sheet=True)
    printed = array("q")  # badge ids: 8 bytes each, not a Python int each
    for badge_id, face in stream_sheet(edition, **options):
        part.add(face)
        printed.append(badge_id)
        if part.count == PART_BADGES:
            joiner.add(part.output())
            part = None
            gc.collect()  # the part's fonts are cyclic garbage: collect it now, not parts later
            part = BadgeWriter(sheet=True)
        if on_progress is not None:
            on_progress(len(printed), total)
    if part.count or not printed:  # the last part, or an empty sheet's blank page
        joiner.add(part.output())
    joiner.close()
    if mark_printed:
        _mark_printed(printed)
    record_audit("badges.sheet_printed", actor=actor, edition_id=edition.id,
                 data={"badges": len(printed), "only_unprinted": only_unprinted, "ticket_type_id": ticket_type_id})
    return SheetResult(badges=len(printed), issued=issued)


# -- the organizers' sheets ---------------------------------------------------------------


def request_sheet(edition, *, only_unprinted: bool, ticket_type_id: int | None, actor) -> BadgeSheet:
    check_ticket_type(edition, ticket_type_id)
    sheet = BadgeSheet(edition_id=edition.id, token=secrets.token_hex(16), requested_by_id=getattr(actor, "id", None),
                       only_unprinted=only_unprinted, ticket_type_id=ticket_type_id, state=QUEUED)
    db.session.add(sheet)
    db.session.flush()
    return sheet


def build_sheet(sheet: BadgeSheet, *, actor=None, on_progress: Progress | None = None) -> BadgeSheet:
    """Make the requested sheet and keep its PDF on the row. Flushes."""
    edition = db.session.get(Edition, sheet.edition_id)
    with tempfile.TemporaryFile(prefix="badge-sheet-") as out:
        result = make_sheet(edition, out, only_unprinted=sheet.only_unprinted, ticket_type_id=sheet.ticket_type_id,
                            actor=actor, on_progress=on_progress)
        out.seek(0)
        sheet.pdf = out.read()  # kept on the row, so that any web process can serve it
    sheet.done, sheet.total = result.badges, result.badges
    sheet.state, sheet.finished_at = FINISHED, utcnow()
    db.session.flush()
    return sheet


def throttled(write: Progress, every: float = 0.5) -> Progress:
    """``write`` at most every ``every`` seconds (and for the last badge)."""
    last = [0.0]

    def progress(done: int, total: int) -> None:
        if done == total or time.monotonic() - last[0] >= every:
            last[0] = time.monotonic()
            write(done, total)

    return progress


def recent_sheets(edition, limit: int = 10) -> list:
    """The latest sheets of the edition, without their PDFs."""
    return db.session.execute(
        sa.select(BadgeSheet.token, BadgeSheet.state, BadgeSheet.done, BadgeSheet.total, BadgeSheet.created_at,
                  BadgeSheet.only_unprinted, TicketType.name.label("ticket_type"))
        .outerjoin(TicketType, TicketType.id == BadgeSheet.ticket_type_id)
        .where(BadgeSheet.edition_id == edition.id)
        .order_by(BadgeSheet.id.desc())
        .limit(limit)
    ).all()


@dataclass(frozen=True)
class BadgeCounts:
    issued: int
    printed: int
    to_reprint: int
    revoked: int


def badge_counts(edition) -> BadgeCounts:
    row = db.session.execute(
        sa.select(
            sa.func.count(Badge.id),
            sa.func.count(Badge.printed_at),
            sa.func.count(sa.case((Badge.needs_reprint.is_(True), 1))),
            sa.func.count(Badge.revoked_reason),
        ).where(Badge.edition_id == edition.id)
    ).one()
    return BadgeCounts(*row)
