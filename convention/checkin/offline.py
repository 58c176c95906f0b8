"""Scanning without a connection: what a device downloads first, and the merge of its scans.

``offline_package`` is everything a scanner needs to answer at the door alone: the
edition's public keys (every unrevoked one; a code verifies with ``badges.codes``
offline), the ticket ids it must refuse with their reason (void, refunded, unpaid), and
the check-in lists. ``upload_scans`` merges a batch of scans made offline: each one goes
through the same rule as a live scan (``scanning.scan``) at the time it was made, so the
first check-in wins whatever the order of arrival; nothing is dropped (every scan is
logged), and a nonce already received answers what it answered then.
"""

from __future__ import annotations

import base64
from dataclasses import dataclass
from datetime import datetime, timedelta

import sqlalchemy as sa
from flask_babel import gettext
from sqlalchemy.orm import selectinload

from convention.badges.models import TicketKey
from convention.checkin.models import CheckinList
from convention.checkin.scanning import KINDS, ORDER_REASONS, ScanRequest, default_list, scan
from convention.core.errors import DomainError
from convention.core.timeutil import utcnow
from convention.extensions import db
from convention.registration.models import Attendee, Order

MAX_BATCH = 500
# A device's clock may run a little ahead; a scan further in the future is refused.
CLOCK_SKEW = timedelta(minutes=10)
FORMAT = 1


def offline_package(edition) -> dict:
    """The JSON a scanner downloads (four queries, whatever the edition's size)."""
    default_list(edition)
    keys = db.session.execute(
        sa.select(TicketKey.id, TicketKey.public_key)
        .where(TicketKey.edition_id == edition.id, TicketKey.revoked_at.is_(None))
        .order_by(TicketKey.id)
    ).all()
    refused: dict[str, list[str]] = {reason: [] for reason in sorted(set(ORDER_REASONS.values()))}
    rows = db.session.execute(
        sa.select(Attendee.code, Order.state)
        .join(Order, Order.id == Attendee.order_id)
        .where(Attendee.edition_id == edition.id, Order.state.in_(list(ORDER_REASONS)))
        .order_by(Attendee.code)
    )
    for code, state in rows:
        refused[ORDER_REASONS[state]].append(code)
    lists = db.session.scalars(
        sa.select(CheckinList)
        .where(CheckinList.edition_id == edition.id)
        .options(selectinload(CheckinList.ticket_types))
        .order_by(CheckinList.id)
    ).all()
    return {
        "format": FORMAT,
        "edition": {"id": edition.id, "slug": edition.slug, "timezone": edition.timezone},
        "generated_at": utcnow().isoformat(),
        # Ed25519 public keys, raw 32 bytes in base64url without padding (badges/codes.py).
        "keys": [
            {"id": key_id, "ed25519": base64.urlsafe_b64encode(raw).rstrip(b"=").decode()} for key_id, raw in keys
        ],
        "refused": refused,
        "lists": [
            {
                "id": item.id,
                "name": item.name,
                "is_default": item.is_default,
                "ticket_types": sorted(t.id for t in item.ticket_types),
                "days": list(item.days or []),
                "allow_reentry": item.allow_reentry,
            }
            for item in lists
        ],
    }


@dataclass(frozen=True)
class UploadedScan:
    index: int
    request: ScanRequest


def _scanned_at(value) -> datetime:
    if not isinstance(value, str) or len(value) > 40:
        raise DomainError(gettext("scanned_at must be an ISO 8601 time with its offset."), field="scanned_at")
    try:
        when = datetime.fromisoformat(value.replace("Z", "+00:00"))
    except ValueError:
        raise DomainError(gettext("scanned_at must be an ISO 8601 time with its offset."), field="scanned_at") from None
    if when.tzinfo is None:
        raise DomainError(gettext("scanned_at must be an ISO 8601 time with its offset."), field="scanned_at")
    if when > utcnow() + CLOCK_SKEW:
        raise DomainError(gettext("This scan is dated in the future: check the device's clock."), field="scanned_at")
    return when


def _text(item: dict, name: str, limit: int, *, required: bool = False) -> str:
    value = item.get(name) or ""
    if not isinstance(value, str) or len(value) > limit or (required and not value):
        raise DomainError(
            gettext("The field %(name)s must be a text of at most %(limit)d characters.", name=name, limit=limit),
            field=name,
        )
    return value


def read_scan(item, *, device: str) -> ScanRequest:
    """One uploaded scan, checked (a nonce and the time it was made are required)."""
    if not isinstance(item, dict):
        raise DomainError(gettext("Each scan is a JSON object."))
    list_id = item.get("list")
    if list_id is not None and (not isinstance(list_id, int) or isinstance(list_id, bool) or not 0 < list_id < 2**31):
        raise DomainError(gettext("The list must be a list id."), field="list")
    kind = item.get("type") or "entry"
    if kind not in KINDS:
        raise DomainError(gettext("A scan is an entry or an exit."), field="type")
    return ScanRequest(
        code=_text(item, "code", 500).strip(),
        list_id=list_id,
        nonce=_text(item, "nonce", 64, required=True),
        kind=kind,
        gate=_text(item, "gate", 60),
        device=device[:60],
        at=_scanned_at(item.get("scanned_at")),
    )


def read_batch(data) -> list:
    if not isinstance(data, dict) or not isinstance(data.get("scans"), list):
        raise DomainError(gettext("Send a JSON object with a list of scans."))
    if len(data["scans"]) > MAX_BATCH:
        raise DomainError(gettext("Send at most %(count)d scans at a time.", count=MAX_BATCH))
    return data["scans"]


def upload_scans(edition, items: list, *, device: str, actor=None) -> list[dict]:
    """Merge offline scans (oldest first, so a batch with two entries of one ticket keeps
    the first); one answer per scan, in the order sent. A malformed scan is answered with
    its error and the others still count."""
    answers: list[dict | None] = [None] * len(items)
    ready: list[UploadedScan] = []
    for index, item in enumerate(items):
        try:
            ready.append(UploadedScan(index, read_scan(item, device=device)))
        except DomainError as error:
            answers[index] = {
                "status": "error",
                "error": error.message,
                "field": error.field,
                "nonce": item.get("nonce") if isinstance(item, dict) else None,
            }
    for uploaded in sorted(ready, key=lambda u: (u.request.at, u.index)):
        try:
            with db.session.begin_nested():
                answer = scan(edition, uploaded.request, actor=actor)
        except DomainError as error:
            answer = {"status": "error", "error": error.message, "field": error.field}
        answers[uploaded.index] = {**answer, "nonce": uploaded.request.nonce}
    return answers
