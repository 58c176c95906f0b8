"""The door's one rule: what a scan of a ticket code answers, and the log of it.

``scan`` reads the code's claims (no database needed for that), then one query
(``look_up``) brings everything the answer depends on: the list, the registration with its
order's state and ticket type, whether the list admits that type, its counted entry on the
list and the public key the code names (if unrevoked). The signature is checked with that
key, and the answer follows from the order's state, the list's ticket types and days, and
whether it already entered. Every scan is logged as a ``Checkin`` row, whatever its answer,
by one ``INSERT ... ON CONFLICT DO NOTHING``. The test-and-insert of an entry is atomic: the
unique (list, admitted attendee) constraint refuses a second counted entry, which then
answers ``already_checked_in`` with the first one's time and gate. A repeated ``nonce``
answers what its first scan answered and records nothing more.

A scan made offline carries the time it was made (``ScanRequest.at``) and may arrive after
a later one of the same ticket: the first check-in wins. The later entry's row is locked,
loses its place as the counted entry (its logged answer stays what the door was told) and
the earlier scan takes it, so "already checked in since ..." then names the earlier one.
"""

from __future__ import annotations

import functools
from dataclasses import dataclass
from datetime import date, datetime

import sqlalchemy as sa
from flask_babel import gettext
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import aliased

from convention.audit.services import record_audit
from convention.badges.codes import ClaimedCode, claimed, signature_holds
from convention.badges.issuing import mark_printed_at_the_door
from convention.badges.keys import public_key_from
from convention.badges.models import TicketKey
from convention.checkin.models import Checkin, CheckinList, checkin_list_ticket_types
from convention.core.errors import DomainError, NotFound
from convention.core.timeutil import to_local, utcnow
from convention.extensions import db
from convention.registration.models import Attendee, Order, OrderState, TicketType

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
        .order_by(CheckinList.id).limit(1)
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


@dataclass(frozen=True)
class Registration:
    """What the door decides on and shows about one registration."""

    id: int
    code: str
    name: str
    organisation: str
    ticket_type_id: int
    ticket_type: str  # its name
    valid_on: date | None  # the ticket type's one day, if it has one
    order_state: OrderState

    @classmethod
    def of(cls, attendee: Attendee) -> Registration:
        return cls(id=attendee.id, code=attendee.code, name=attendee.name, organisation=attendee.organisation,
                   ticket_type_id=attendee.ticket_type_id, ticket_type=attendee.ticket_type.name,
                   valid_on=attendee.ticket_type.valid_on, order_state=attendee.order.state)


@dataclass(frozen=True)
class Entry:
    """A counted entry, as an answer names it ("already checked in at ... through ...")."""

    at: datetime
    gate: str


@dataclass(frozen=True)
class DoorFacts:
    """Everything a scan is decided on, read by one query (``look_up``)."""

    list_id: int
    list_name: str
    days: list  # ISO dates the list admits on; empty: any day
    allow_reentry: bool
    registration: Registration | None
    on_list: bool  # the list admits the registration's ticket type (a list naming none admits all)
    first_entry: Entry | None  # the registration's counted entry on this list, if any
    public_key: bytes | None  # the unrevoked key the code names (of the edition it names)


@functools.cache
def _look_up_statement(default_list: bool) -> sa.Select:
    """``look_up``'s query, built once per process (building it costs more than running it);
    the values are bound at each execution. A None ticket or key id matches nothing."""
    first = aliased(Checkin)
    types = checkin_list_ticket_types
    names_types = sa.exists().where(types.c.list_id == CheckinList.id)
    admits_type = sa.exists().where(types.c.list_id == CheckinList.id,
                                    types.c.ticket_type_id == Attendee.ticket_type_id)
    public_key = sa.select(TicketKey.public_key).where(
        TicketKey.id == sa.bindparam("key_id", type_=sa.Integer),
        TicketKey.edition_id == sa.bindparam("key_edition_id", type_=sa.Integer),
        TicketKey.revoked_at.is_(None),
    ).scalar_subquery()
    edition_id = sa.bindparam("edition_id", type_=sa.Integer)
    which = CheckinList.is_default.is_(True) if default_list else CheckinList.id == sa.bindparam("list_id", type_=sa.Integer)
    registration = sa.and_(Attendee.code == sa.bindparam("ticket_id", type_=sa.String), Attendee.edition_id == edition_id)
    return (
        sa.select(CheckinList.id, CheckinList.name, CheckinList.days, CheckinList.allow_reentry,
                  Attendee.id.label("attendee_id"), Attendee.code, Attendee.name.label("attendee_name"),
                  Attendee.organisation, Attendee.ticket_type_id, TicketType.name.label("ticket_type"),
                  TicketType.valid_on, Order.state, first.id.label("first_id"), first.at, first.gate,
                  sa.or_(~names_types, admits_type).label("on_list"), public_key.label("public_key"))
        .select_from(CheckinList)
        .outerjoin(Attendee, registration)
        .outerjoin(Order, Order.id == Attendee.order_id)
        .outerjoin(TicketType, TicketType.id == Attendee.ticket_type_id)
        .outerjoin(first, sa.and_(first.list_id == CheckinList.id, first.admitted_attendee_id == Attendee.id))
        .where(CheckinList.edition_id == edition_id, which)
        .order_by(CheckinList.id)
        .limit(1)
    )


def look_up(edition, list_id: int | None, *, ticket_id: str | None, key_id: int | None = None,
            key_edition_id: int | None = None) -> DoorFacts:
    """The list (the default one when ``list_id`` is None), the registration ``ticket_id`` of
    ``edition``, whether the list admits it, its counted entry there and the public key
    ``key_id`` if unrevoked: one round trip of plain columns (no ORM objects: this is the
    door's hot path). NotFound for a list of another edition or none."""
    query = _look_up_statement(list_id is None)
    values = {"edition_id": edition.id, "ticket_id": ticket_id, "key_id": key_id, "key_edition_id": key_edition_id}
    if list_id is not None:
        values["list_id"] = list_id
    row = db.session.execute(query, values).first()
    if row is None:
        if list_id is not None:
            raise NotFound(gettext("There is no such check-in list."))
        default_list(edition)  # the edition's first scan: make the default list, then read again
        return look_up(edition, None, ticket_id=ticket_id, key_id=key_id, key_edition_id=key_edition_id)
    found = None
    if row.attendee_id is not None:
        found = Registration(id=row.attendee_id, code=row.code, name=row.attendee_name, organisation=row.organisation,
                             ticket_type_id=row.ticket_type_id, ticket_type=row.ticket_type, valid_on=row.valid_on,
                             order_state=row.state)
    return DoorFacts(list_id=row.id, list_name=row.name, days=row.days or [], allow_reentry=row.allow_reentry,
                     registration=found, on_list=bool(row.on_list),
                     first_entry=Entry(at=row.at, gate=row.gate) if row.first_id is not None else None,
                     public_key=row.public_key)


def _refusal(facts: DoorFacts, now: datetime, timezone: str) -> str | None:
    """The reason this genuine registration may not enter through this list now, or None."""
    registration = facts.registration
    reason = ORDER_REASONS.get(registration.order_state)
    if reason:
        return reason
    if not facts.on_list:
        return "not_on_list"
    if facts.days:
        today = to_local(now, timezone).date()
        if today.isoformat() not in facts.days:
            return "wrong_day"
        if registration.valid_on is not None and registration.valid_on != today:
            return "wrong_day"
    return None


def answer_of(row: Checkin, person: Registration | None = None, earlier: Entry | Checkin | None = None) -> dict:
    """The JSON answer for a logged scan of ``person`` (``earlier``: the counted entry, for
    already_checked_in)."""
    answer: dict = {"status": row.status}
    if row.reason:
        answer["reason"] = row.reason
    if person is not None:
        answer.update(name=person.name, ticket_type=person.ticket_type, organisation=person.organisation,
                      attendee=person.code)
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
    return answer_of(row, Registration.of(row.attendee) if row.attendee is not None else None, earlier)


@functools.cache
def _insert_statement(dialect: str):
    insert = postgresql.insert if dialect == "postgresql" else sqlite.insert
    return insert(Checkin.__table__).on_conflict_do_nothing().returning(Checkin.__table__.c.id)


def _insert(row: Checkin) -> bool:
    """Insert ``row``; False if a unique constraint (its nonce, the list's one counted entry
    of the attendee) refused it. One ``INSERT ... ON CONFLICT DO NOTHING RETURNING id``,
    built once: a single round trip, no savepoint and no unit of work (the scan's hot path).
    ``row`` is only read afterwards (the answer), so it stays out of the session."""
    values = {column.key: getattr(row, column.key) for column in _INSERTED_COLUMNS}
    new_id = db.session.execute(_insert_statement(db.session.get_bind().dialect.name), values).scalar()
    if new_id is None:
        return False
    row.id = new_id
    return True


def scan(edition, request: ScanRequest, *, actor=None) -> dict:
    """Answer a scan of ``request.code`` at ``edition``'s door and log it (flushes, never commits).

    Two round trips for a first entry or a scan again: ``look_up`` (list, registration,
    counted entry and the named key together) and the insert of the log row."""
    if request.kind not in KINDS:
        raise DomainError(gettext("A scan is an entry, an exit or a badge print."), field="type")
    # A repeated nonce is found by the unique constraint when its row is inserted (then
    # answered as the first time): no look-up before, one round trip less per scan.
    claim = claimed(request.code)
    ticket = claim.payload if claim is not None else None
    here = ticket is not None and ticket.edition_id == edition.id
    facts = look_up(edition, request.list_id, ticket_id=ticket.ticket_id if here else None,
                    key_id=ticket.key_id if ticket else None, key_edition_id=ticket.edition_id if ticket else None)
    if not _genuine(claim, facts.public_key):
        return _log(edition, facts, request, actor, status=INVALID)
    if not here:
        return _log(edition, facts, request, actor, status=NOT_VALID_NOW, reason="other_edition")
    if facts.registration is None:
        return _log(edition, facts, request, actor, status=INVALID)
    return _admit(edition, facts, request, actor)


def _genuine(claim: ClaimedCode | None, public_key: bytes | None) -> bool:
    """Signed by the unrevoked key it names (the key read by ``look_up``)."""
    return claim is not None and public_key is not None and signature_holds(claim, public_key_from(bytes(public_key)))


def check_in_attendee(edition, attendee: Attendee, *, list_id: int | None = None, gate: str = "", actor=None) -> dict:
    """Check in a registration found by the door's search (someone without their badge)."""
    if attendee.edition_id != edition.id:
        raise NotFound(gettext("There is no such registration."))
    request = ScanRequest(code="", list_id=list_id, gate=gate, device="search")
    facts = look_up(edition, list_id, ticket_id=attendee.code)
    answer = _admit(edition, facts, request, actor)
    # An entry without a badge, on a person's word: an override the organizers can review.
    record_audit("checkin.manual", actor=actor, edition_id=edition.id, target=attendee,
                 after={"status": answer["status"], "reason": answer.get("reason"), "list": facts.list_name,
                        "gate": gate[:60]})
    return answer


def _log(edition, facts: DoorFacts, request: ScanRequest, actor, **fields) -> dict:
    row = _row(edition, facts, request, actor, **fields)
    if _insert(row):
        return answer_of(row)
    return (_replay(request.nonce, edition.id) if request.nonce else None) or answer_of(row)


def _row(edition, facts: DoorFacts, request: ScanRequest, actor, **fields) -> Checkin:
    return Checkin(edition_id=edition.id, list_id=facts.list_id, kind=request.kind, at=request.at or utcnow(),
                   gate=request.gate[:60], device=request.device[:60], nonce=request.nonce or None,
                   user_id=getattr(actor, "id", None), **fields)


def _admit(edition, facts: DoorFacts, request: ScanRequest, actor) -> dict:
    """Log the scan of a genuine registration: refused with a reason, an exit, or an entry
    that the unique constraint lets in once per list (unless the list allows re-entry)."""
    person = facts.registration
    row = _row(edition, facts, request, actor, attendee_id=person.id)
    row.reason = _refusal(facts, row.at, edition.timezone)
    earlier = None
    if row.reason:
        row.status = NOT_VALID_NOW
    elif request.kind == "exit":
        row.status = CHECKED_OUT
    elif request.kind == "print":
        row.status = BADGE_PRINTED
    elif facts.allow_reentry:
        row.status = CHECKED_IN
    elif facts.first_entry is not None and (request.at is None or row.at >= facts.first_entry.at):
        row.status, earlier = ALREADY, facts.first_entry  # seen by look_up: no contested insert
    else:
        row.status = CHECKED_IN
        row.admitted_attendee_id = person.id
    if _insert(row):
        if row.status == BADGE_PRINTED:
            mark_printed_at_the_door(person.id)
        return answer_of(row, person, earlier)
    return _after_conflict(row, request, person)


def _copy(row: Checkin, **changes) -> Checkin:
    """A new row like ``row`` (a row refused inside a savepoint cannot be added again)."""
    fields = {name: getattr(row, name) for name in ("edition_id", "list_id", "attendee_id", "admitted_attendee_id",
                                                    "kind", "status", "reason", "at", "gate", "device", "nonce",
                                                    "user_id")}
    return Checkin(**{**fields, **changes})


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


def _after_conflict(row: Checkin, request: ScanRequest, person: Registration) -> dict:
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
                return answer_of(first, person)
            continue
        if request.at is None or row.at >= earlier.at:
            break
        first = _take_first_place(row, earlier)
        if first is not None:
            return answer_of(first, person)
    retry = _copy(row, admitted_attendee_id=None, status=ALREADY)
    if not _insert(retry):  # the nonce arrived meanwhile from a concurrent copy of this request
        return (_replay(request.nonce, row.edition_id) if request.nonce else None) or answer_of(retry, person, earlier)
    return answer_of(retry, person, earlier)
