"""The door's one rule: what a scan of a ticket code answers, and the log of it.

``scan`` verifies the code's signature first (no database needed for that part), then
the registration: its order's state, the list's ticket types and days, and whether it
already entered. Every scan is logged as a ``Checkin`` row, whatever its answer. The
test-and-insert of an entry is atomic: the insert of a counted entry runs in a savepoint
and the unique (list, admitted attendee) constraint refuses the second one, which then
answers ``already_checked_in`` with the first one's time and gate. A repeated ``nonce``
answers what its first scan answered and records nothing more.

A scan made offline carries the time it was made (``ScanRequest.at``) and may arrive after
a later one of the same ticket: the first check-in wins. The later entry's row is locked,
loses its place as the counted entry (its logged answer stays what the door was told) and
the earlier scan takes it, so "already checked in since ..." then names the earlier one.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

import sqlalchemy as sa
from flask_babel import gettext
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import joinedload

from convention.audit.services import record_audit
from convention.badges.issuing import mark_printed_at_the_door
from convention.badges.keys import read_code
from convention.checkin.models import Checkin, CheckinList
from convention.core.errors import DomainError, NotFound
from convention.core.timeutil import to_local, utcnow
from convention.extensions import db
from convention.registration.models import Attendee, OrderState

CHECKED_IN = "checked_in"
ALREADY = "already_checked_in"
INVALID = "invalid"
NOT_VALID_NOW = "not_valid_now"
CHECKED_OUT = "checked_out"  # the answer to an exit scan
BADGE_PRINTED = "badge_printed"  # the answer to a badge-print scan (a print station): no entry
KINDS = ("entry", "exit", "print")
_ROUNDS = 5  # attempts at a contested entry before answering "already checked in"
DEFAULT_LIST_NAME = "Main entrance"
_INSERTED_COLUMNS = tuple(column for column in Checkin.__table__.columns if column.key != "id")

ORDER_REASONS = {
    OrderState.RESERVED: "unpaid",
    OrderState.EXPIRED: "void",
    OrderState.CANCELLED: "void",
    OrderState.REFUNDED: "refunded",
}


@dataclass(frozen=True)
class ScanRequest:
    code: str
    list_id: int | None = None
    nonce: str | None = None
    kind: str = "entry"
    gate: str = ""
    device: str = ""
    at: datetime | None = None  # when the scan was made (offline scans); None: now


def default_list(edition) -> CheckinList:
    """The edition's default list (admits every valid ticket, any day, once), made if missing."""
    found = db.session.scalar(
        sa.select(CheckinList).where(CheckinList.edition_id == edition.id, CheckinList.is_default.is_(True))
        .options(joinedload(CheckinList.ticket_types)).limit(1)
    )
    if found is not None:
        return found
    # Named in English whatever the request's language: the (edition, name) constraint then
    # keeps two concurrent first scans from making two default lists.
    made = CheckinList(edition_id=edition.id, name=DEFAULT_LIST_NAME, is_default=True, days=[])
    try:
        with db.session.begin_nested():
            db.session.add(made)
    except IntegrityError:  # made meanwhile by a concurrent scan
        return default_list(edition)
    return made


def _checkin_list(edition, list_id: int | None) -> CheckinList:
    if list_id is None:
        return default_list(edition)
    found = db.session.get(CheckinList, list_id, options=[joinedload(CheckinList.ticket_types)])
    if found is None or found.edition_id != edition.id:
        raise NotFound(gettext("There is no such check-in list."))
    return found


def _refusal(checkin_list: CheckinList, attendee: Attendee, now: datetime, timezone: str) -> str | None:
    """The reason this genuine registration may not enter through this list now, or None."""
    reason = ORDER_REASONS.get(attendee.order.state)
    if reason:
        return reason
    types = checkin_list.ticket_types
    if types and attendee.ticket_type_id not in {t.id for t in types}:
        return "not_on_list"
    if checkin_list.days:
        today = to_local(now, timezone).date()
        if today.isoformat() not in checkin_list.days:
            return "wrong_day"
        valid_on = attendee.ticket_type.valid_on
        if valid_on is not None and valid_on != today:
            return "wrong_day"
    return None


def answer_of(row: Checkin, earlier: Checkin | None = None) -> dict:
    """The JSON answer for a logged scan (``earlier``: the first entry, for already_checked_in)."""
    answer: dict = {"status": row.status}
    if row.reason:
        answer["reason"] = row.reason
    attendee = row.attendee
    if attendee is not None:
        answer.update(name=attendee.name, ticket_type=attendee.ticket_type.name,
                      organisation=attendee.organisation, attendee=attendee.code)
    if earlier is not None:
        answer.update(checked_in_at=earlier.at.isoformat(), gate=earlier.gate)
    answer["list"] = row.list_id
    return answer


def _first_entry(list_id: int, attendee_id: int, *, lock: bool = False) -> Checkin | None:
    query = sa.select(Checkin).where(Checkin.list_id == list_id, Checkin.admitted_attendee_id == attendee_id)
    return db.session.scalar(query.with_for_update() if lock else query)


def _replay(nonce: str, edition_id: int) -> dict | None:
    """What the scan with this nonce answered (only within the edition: no peeking at another's)."""
    row = db.session.scalar(sa.select(Checkin).where(Checkin.nonce == nonce, Checkin.edition_id == edition_id))
    if row is None:
        return None
    earlier = _first_entry(row.list_id, row.attendee_id) if row.status == ALREADY and row.attendee_id else None
    return answer_of(row, earlier)


def _insert(row: Checkin) -> bool:
    """Insert ``row``; False if a unique constraint (its nonce, the list's one counted entry
    of the attendee) refused it. One ``INSERT ... ON CONFLICT DO NOTHING RETURNING id``: a
    single round trip, no savepoint and no unit of work (the scan's hot path). ``row`` is
    only read afterwards (the answer), so it stays out of the session."""
    insert = postgresql.insert if db.session.get_bind().dialect.name == "postgresql" else sqlite.insert
    values = {column.key: getattr(row, column.key) for column in _INSERTED_COLUMNS}
    new_id = db.session.execute(
        insert(Checkin).values(**values).on_conflict_do_nothing().returning(Checkin.id)
    ).scalar()
    if new_id is None:
        return False
    row.id = new_id
    return True


def scan(edition, request: ScanRequest, *, actor=None) -> dict:
    """Answer a scan of ``request.code`` at ``edition``'s door and log it (flushes, never commits)."""
    if request.kind not in KINDS:
        raise DomainError(gettext("A scan is an entry, an exit or a badge print."), field="type")
    # A repeated nonce is found by the unique constraint when its row is inserted (then
    # answered as the first time): no look-up before, one round trip less per scan.
    checkin_list = _checkin_list(edition, request.list_id)
    payload = read_code(request.code)
    attendee = None
    if payload is not None and payload.edition_id == edition.id:
        attendee = db.session.scalar(
            sa.select(Attendee).where(Attendee.code == payload.ticket_id, Attendee.edition_id == edition.id)
            .options(joinedload(Attendee.order), joinedload(Attendee.ticket_type))  # read by the rule and the answer
        )
    if payload is not None and payload.edition_id != edition.id:
        return _log(edition, checkin_list, request, actor, status=NOT_VALID_NOW, reason="other_edition")
    if attendee is None:
        return _log(edition, checkin_list, request, actor, status=INVALID)
    return _admit(edition, checkin_list, attendee, request, actor)


def check_in_attendee(edition, attendee: Attendee, *, list_id: int | None = None, gate: str = "", actor=None) -> dict:
    """Check in a registration found by the door's search (someone without their badge)."""
    if attendee.edition_id != edition.id:
        raise NotFound(gettext("There is no such registration."))
    request = ScanRequest(code="", list_id=list_id, gate=gate, device="search")
    checkin_list = _checkin_list(edition, list_id)
    answer = _admit(edition, checkin_list, attendee, request, actor)
    # An entry without a badge, on a person's word: an override the organizers can review.
    record_audit("checkin.manual", actor=actor, edition_id=edition.id, target=attendee,
                 after={"status": answer["status"], "reason": answer.get("reason"), "list": checkin_list.name,
                        "gate": gate[:60]})
    return answer


def _log(edition, checkin_list: CheckinList, request: ScanRequest, actor, **fields) -> dict:
    row = _row(edition, checkin_list, request, actor, **fields)
    if _insert(row):
        return answer_of(row)
    return (_replay(request.nonce, edition.id) if request.nonce else None) or answer_of(row)


def _row(edition, checkin_list: CheckinList, request: ScanRequest, actor, **fields) -> Checkin:
    return Checkin(edition_id=edition.id, list_id=checkin_list.id, kind=request.kind, at=request.at or utcnow(),
                   gate=request.gate[:60], device=request.device[:60], nonce=request.nonce or None,
                   user_id=getattr(actor, "id", None), **fields)


def _admit(edition, checkin_list: CheckinList, attendee: Attendee, request: ScanRequest, actor) -> dict:
    """Log the scan of a genuine registration: refused with a reason, an exit, or an entry
    that the unique constraint lets in once per list (unless the list allows re-entry)."""
    row = _row(edition, checkin_list, request, actor, attendee_id=attendee.id)
    row.attendee = attendee
    row.reason = _refusal(checkin_list, attendee, row.at, edition.timezone)
    if row.reason:
        row.status = NOT_VALID_NOW
    elif request.kind == "exit":
        row.status = CHECKED_OUT
    elif request.kind == "print":
        row.status = BADGE_PRINTED
    else:
        row.status = CHECKED_IN
        if not checkin_list.allow_reentry:
            row.admitted_attendee_id = attendee.id
    if _insert(row):
        if row.status == BADGE_PRINTED:
            mark_printed_at_the_door(attendee.id)
        return answer_of(row)
    return _after_conflict(row, request)


def _copy(row: Checkin, **changes) -> Checkin:
    """A new row like ``row`` (a row refused inside a savepoint cannot be added again)."""
    fields = {name: getattr(row, name) for name in ("edition_id", "list_id", "attendee_id", "admitted_attendee_id",
                                                    "kind", "status", "reason", "at", "gate", "device", "nonce",
                                                    "user_id")}
    copy = Checkin(**{**fields, **changes})
    copy.attendee = row.attendee
    return copy


def _take_first_place(row: Checkin, later: Checkin) -> Checkin | None:
    """``row`` was scanned before ``later`` (locked) entered: it becomes the counted entry."""
    first = _copy(row)
    try:
        with db.session.begin_nested():
            later.admitted_attendee_id = None
            db.session.flush()
            db.session.add(first)
    except IntegrityError:
        return None
    return first


def _after_conflict(row: Checkin, request: ScanRequest) -> dict:
    """The insert was refused: the same nonce was logged meanwhile, or this attendee already
    entered (later than this scan, for an offline one: then this scan takes the first place).

    A few rounds, since the counted entry may move while we look (a concurrent upload of an
    earlier scan took its place: the locked row no longer matches and the place is free)."""
    earlier = None
    for _round in range(_ROUNDS):
        if request.nonce:
            replayed = _replay(request.nonce, row.edition_id)
            if replayed is not None:
                return replayed
        earlier = _first_entry(row.list_id, row.attendee_id, lock=request.at is not None)
        if earlier is None:  # moved meanwhile: try again to be the counted entry
            first = _copy(row)
            if _insert(first):
                return answer_of(first)
            continue
        if request.at is None or row.at >= earlier.at:
            break
        first = _take_first_place(row, earlier)
        if first is not None:
            return answer_of(first)
    retry = _copy(row, admitted_attendee_id=None, status=ALREADY)
    if not _insert(retry):  # the nonce arrived meanwhile from a concurrent copy of this request
        return (_replay(request.nonce, row.edition_id) if request.nonce else None) or answer_of(retry, earlier)
    return answer_of(retry, earlier)
