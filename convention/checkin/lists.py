"""The organizers' check-in lists: which ticket types and days each admits, and re-entry."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, timedelta

import sqlalchemy as sa
from flask_babel import gettext
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import selectinload

from convention.audit.services import record_audit
from convention.checkin.models import CheckinList
from convention.checkin.scanning import default_list
from convention.core.errors import Conflict, DomainError
from convention.extensions import db
from convention.registration.models import TicketType


@dataclass(frozen=True)
class ListData:
    name: str
    ticket_type_ids: list[int] = field(default_factory=list)  # none: every ticket type
    days: list[date] = field(default_factory=list)  # none: any day
    allow_reentry: bool = False


def edition_days(edition) -> list[date]:
    """The days a list may be limited to: the edition's, first to last."""
    return [edition.starts_on + timedelta(days=n) for n in range((edition.ends_on - edition.starts_on).days + 1)]


def ticket_types_of(edition) -> list[TicketType]:
    """Every ticket type of the edition, in the organizers' order (the list form's choices)."""
    return list(
        db.session.scalars(
            sa.select(TicketType)
            .where(TicketType.edition_id == edition.id)
            .order_by(TicketType.position, TicketType.id)
        )
    )


def list_lists(edition) -> list[CheckinList]:
    """The edition's lists with their ticket types (two queries), the default one first."""
    default_list(edition)
    return list(
        db.session.scalars(
            sa.select(CheckinList)
            .where(CheckinList.edition_id == edition.id)
            .options(selectinload(CheckinList.ticket_types))
            .order_by(CheckinList.is_default.desc(), CheckinList.name)
        )
    )


def save_list(edition, data: ListData, *, checkin_list: CheckinList | None = None, actor=None) -> CheckinList:
    """Create a list, or change ``checkin_list``; its name is unique in the edition."""
    name = data.name.strip()
    if not name or len(name) > 120:
        raise DomainError(gettext("Give the list a name of 1 to 120 characters."), field="name")
    types = []
    if data.ticket_type_ids:
        types = list(
            db.session.scalars(
                sa.select(TicketType).where(
                    TicketType.edition_id == edition.id, TicketType.id.in_(data.ticket_type_ids)
                )
            )
        )
        if len(types) != len(set(data.ticket_type_ids)):
            raise DomainError(gettext("Choose ticket types of this edition."), field="ticket_types")
    allowed = set(edition_days(edition))
    if any(day not in allowed for day in data.days):
        raise DomainError(gettext("Choose days of the edition."), field="days")
    created = checkin_list is None
    if created:
        checkin_list = CheckinList(edition_id=edition.id)
    checkin_list.name = name
    checkin_list.ticket_types = types
    checkin_list.days = sorted(day.isoformat() for day in set(data.days))
    checkin_list.allow_reentry = data.allow_reentry
    try:
        with db.session.begin_nested():
            db.session.add(checkin_list)
    except IntegrityError:
        raise Conflict(gettext("Another list of this edition has that name."), field="name") from None
    record_audit(
        "checkin_list.created" if created else "checkin_list.updated",
        actor=actor,
        target=checkin_list,
        edition_id=edition.id,
        data={
            "name": name,
            "ticket_types": sorted(t.id for t in types),
            "days": checkin_list.days,
            "allow_reentry": data.allow_reentry,
        },
    )
    return checkin_list
