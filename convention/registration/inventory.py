"""Seat counters: the only code that changes ``used`` on ticket types, quotas and vouchers.

Taking seats is one conditional UPDATE per counter (``used = used + n`` only while
``used + n <= capacity``); the row lock it takes lasts until the transaction ends, so
two buyers can never both take the last seat, on PostgreSQL as on SQLite (which has one
writer at a time). The CHECK constraints on the tables are the backstop.

Lock order, to avoid deadlocks: order rows first, then ticket types by id, then quotas
by id, then the voucher. A transaction that gives seats back and may then take some
again (a release followed by waiting-list offers) locks every ticket type and quota of
the edition up front, in that order, with ``lock_edition_inventory``.
"""

from __future__ import annotations

import logging
from collections import Counter
from contextlib import nullcontext
from dataclasses import dataclass, field
from datetime import datetime

import sqlalchemy as sa
from flask_babel import gettext

from convention.extensions import db
from convention.registration.errors import SoldOut, VoucherRefused
from convention.registration.models import (
    Attendee,
    Order,
    OrderState,
    Quota,
    TicketType,
    Voucher,
    quota_ticket_types,
)

log = logging.getLogger(__name__)


def seat_counts(order: Order) -> dict[int, int]:
    """Seats per ticket type held by ``order``."""
    return dict(Counter(attendee.ticket_type_id for attendee in order.attendees))


@dataclass(frozen=True)
class OverdueHolds:
    """What reservations past their deadline still hold on the counters, per ticket type,
    quota and voucher: seats a page shows as free although nobody has released them yet
    (a GET never writes; the expiry job or the next POST that needs them does)."""

    ticket_types: dict[int, int] = field(default_factory=dict)
    quotas: dict[int, int] = field(default_factory=dict)
    vouchers: dict[int, int] = field(default_factory=dict)


def _overdue(edition_id: int, now: datetime):
    return sa.and_(Order.edition_id == edition_id, Order.state == OrderState.RESERVED, Order.expires_at <= now)


def overdue_holds(edition_id: int, now: datetime) -> OverdueHolds:
    """Read only: the seats and voucher uses held by the edition's overdue reservations."""
    types = dict(
        db.session.execute(
            sa.select(Attendee.ticket_type_id, sa.func.count(Attendee.id))
            .join(Order, Order.id == Attendee.order_id)
            .where(_overdue(edition_id, now))
            .group_by(Attendee.ticket_type_id)
        ).all()
    )
    if not types:
        return OverdueHolds()
    vouchers = dict(
        db.session.execute(
            sa.select(Order.voucher_id, sa.func.sum(Order.voucher_uses))
            .where(_overdue(edition_id, now), Order.voucher_id.is_not(None))
            .group_by(Order.voucher_id)
        ).all()
    )
    return OverdueHolds(types, _quota_counts(types), {k: int(v) for k, v in vouchers.items()})


def seats_left(ticket_type: TicketType, overdue: OverdueHolds | None = None) -> int | None:
    """Seats still free for this type (None: unlimited), as the counters say now; with
    ``overdue``, counting the seats of reservations past their deadline as free."""
    overdue = overdue or OverdueHolds()
    limits = [quota.capacity - quota.used + overdue.quotas.get(quota.id, 0) for quota in ticket_type.quotas]
    if ticket_type.capacity is not None:
        limits.append(ticket_type.capacity - ticket_type.used + overdue.ticket_types.get(ticket_type.id, 0))
    return max(0, min(limits)) if limits else None


def _quota_counts(type_counts: dict[int, int]) -> dict[int, int]:
    if not type_counts:
        return {}
    rows = db.session.execute(
        sa.select(quota_ticket_types.c.quota_id, quota_ticket_types.c.ticket_type_id).where(
            quota_ticket_types.c.ticket_type_id.in_(type_counts)
        )
    )
    counts: Counter[int] = Counter()
    for quota_id, ticket_type_id in rows:
        counts[quota_id] += type_counts[ticket_type_id]
    return dict(counts)


def _expire_used(model, ids) -> None:
    """The UPDATEs bypass the identity map; forget stale ``used`` values."""
    for row_id in ids:
        obj = db.session.identity_map.get(db.session.identity_key(model, (row_id,)))
        if obj is not None:
            db.session.expire(obj, ["used"])


def _ticket_type_names(ids) -> str:
    names = db.session.scalars(sa.select(TicketType.name).where(TicketType.id.in_(ids)).order_by(TicketType.id))
    return ", ".join(names)


def take_seats(type_counts: dict[int, int], *, quota_counts: dict[int, int] | None = None) -> None:
    """Hold the seats, all or none: raises ``SoldOut`` and changes nothing if one is missing.

    ``quota_counts`` (seats per quota) when the caller has the types' quotas at hand;
    read from the database otherwise."""
    quota_counts = _quota_counts(type_counts) if quota_counts is None else quota_counts
    # One counter: its UPDATE takes the seats or changes nothing, so there is no partial
    # take to undo and no SAVEPOINT is needed; several: undo the first ones if a later fails.
    several = len(type_counts) + len(quota_counts) > 1
    try:
        with db.session.begin_nested() if several else nullcontext():
            for type_id in sorted(type_counts):
                n = type_counts[type_id]
                result = db.session.execute(
                    sa.update(TicketType)
                    .where(
                        TicketType.id == type_id,
                        sa.or_(TicketType.capacity.is_(None), TicketType.used + n <= TicketType.capacity),
                    )
                    .values(used=TicketType.used + n)
                    .execution_options(synchronize_session=False)
                )
                if result.rowcount != 1:
                    raise SoldOut(_sold_out_message([type_id]), ticket_type_ids=[type_id])
            for quota_id in sorted(quota_counts):
                n = quota_counts[quota_id]
                result = db.session.execute(
                    sa.update(Quota)
                    .where(Quota.id == quota_id, Quota.used + n <= Quota.capacity)
                    .values(used=Quota.used + n)
                    .execution_options(synchronize_session=False)
                )
                if result.rowcount != 1:
                    raise SoldOut(_sold_out_message(type_counts), ticket_type_ids=sorted(type_counts))
    finally:
        _expire_used(TicketType, type_counts)
        _expire_used(Quota, quota_counts)


def _sold_out_message(type_ids) -> str:
    names = _ticket_type_names(type_ids)
    if len(type_ids) == 1:
        return gettext("Sorry, %(names)s is sold out (not enough seats left).", names=names)
    return gettext("Sorry, %(names)s are sold out (not enough seats left).", names=names)


def give_back_seats(type_counts: dict[int, int]) -> None:
    """Return held seats to the counters (never below zero)."""
    quota_counts = _quota_counts(type_counts)
    for model, counts in ((TicketType, type_counts), (Quota, quota_counts)):
        for row_id in sorted(counts):
            n = counts[row_id]
            result = db.session.execute(
                sa.update(model)
                .where(model.id == row_id, model.used >= n)
                .values(used=model.used - n)
                .execution_options(synchronize_session=False)
            )
            if result.rowcount != 1:
                log.error("Seat counter %s %s would go below zero giving back %s", model.__name__, row_id, n)
        _expire_used(model, counts)


def lock_edition_inventory(edition_id: int) -> None:
    """Lock every ticket type, then every quota, of the edition (PostgreSQL row locks)."""
    if db.session.get_bind().dialect.name == "sqlite":
        return  # one writer at a time already
    for model in (TicketType, Quota):
        db.session.execute(
            sa.select(model.id).where(model.edition_id == edition_id).order_by(model.id).with_for_update()
        ).all()


def take_voucher_uses(voucher_id: int, uses: int) -> None:
    result = db.session.execute(
        sa.update(Voucher)
        .where(Voucher.id == voucher_id, Voucher.used + uses <= Voucher.max_uses)
        .values(used=Voucher.used + uses)
        .execution_options(synchronize_session=False)
    )
    _expire_used(Voucher, [voucher_id])
    if result.rowcount != 1:
        raise VoucherRefused(gettext("This voucher has already been used as often as it allows."))


def give_back_voucher_uses(voucher_id: int, uses: int) -> None:
    db.session.execute(
        sa.update(Voucher)
        .where(Voucher.id == voucher_id, Voucher.used >= uses)
        .values(used=Voucher.used - uses)
        .execution_options(synchronize_session=False)
    )
    _expire_used(Voucher, [voucher_id])


def lock_order(order: Order) -> Order:
    """Re-read the order under a row lock, so two payments or releases run one after the other."""
    return db.session.execute(
        sa.select(Order).where(Order.id == order.id).with_for_update().execution_options(populate_existing=True)
    ).scalar_one()
