"""Organizer rules for what is on sale: ticket types, quotas, vouchers, settings."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date, datetime

import sqlalchemy as sa
from flask_babel import gettext

from convention.audit.services import record_audit
from convention.core.codes import new_code
from convention.core.errors import Conflict, DomainError
from convention.core.money import check_currency
from convention.core.pagination import Page, fetch_page
from convention.editions.models import Edition
from convention.extensions import db
from convention.registration.inventory import lock_edition_inventory
from convention.registration.models import (
    Attendee,
    Order,
    OrderState,
    Quota,
    RegistrationSettings,
    TicketCategory,
    TicketType,
    Voucher,
    VoucherKind,
)
from convention.registration.waiting_list import make_offers

MAX_PER_ORDER = 20
VOUCHER_CODE = re.compile(r"^[A-Z0-9][A-Z0-9_-]{3,39}$")
MAX_VOUCHERS_AT_ONCE = 1000


def list_ticket_types(edition: Edition) -> list[TicketType]:
    return list(
        db.session.scalars(
            sa.select(TicketType)
            .where(TicketType.edition_id == edition.id)
            .options(sa.orm.selectinload(TicketType.quotas))
            .order_by(TicketType.category, TicketType.position, TicketType.id)
        )
    )


def list_quotas(edition: Edition) -> list[Quota]:
    return list(
        db.session.scalars(
            sa.select(Quota)
            .where(Quota.edition_id == edition.id)
            .options(sa.orm.selectinload(Quota.ticket_types))
            .order_by(Quota.id)
        )
    )


# -- ticket types -----------------------------------------------------------------------


@dataclass(frozen=True)
class TicketTypeData:
    name: str
    price_cents: int
    currency: str = "EUR"
    vat_rate_bp: int = 2100
    description: str = ""
    capacity: int | None = None
    sale_starts_at: datetime | None = None
    sale_ends_at: datetime | None = None
    valid_on: date | None = None
    max_per_order: int = 10
    requires_voucher: bool = False
    hidden: bool = False
    position: int = 0


def save_ticket_type(edition: Edition, data: TicketTypeData, *, actor, ticket_type: TicketType | None = None) -> TicketType:
    name = " ".join(data.name.split())
    if not name:
        raise DomainError(gettext("A name is required."), field="name")
    if data.price_cents < 0:
        raise DomainError(gettext("The price cannot be negative."), field="price")
    try:
        currency = check_currency(data.currency)
    except ValueError:
        raise DomainError(gettext("Enter an ISO 4217 currency code with cents, such as EUR, USD or GBP."),
                          field="currency") from None
    if not 1 <= data.max_per_order <= MAX_PER_ORDER:
        raise DomainError(gettext("Allow 1 to %(max)d tickets per order.", max=MAX_PER_ORDER), field="max_per_order")
    if data.sale_starts_at and data.sale_ends_at and data.sale_ends_at <= data.sale_starts_at:
        raise DomainError(gettext("The sale must close after it opens."), field="sale_ends_at")
    if data.valid_on and not edition.starts_on <= data.valid_on <= edition.ends_on:
        raise DomainError(gettext("A day ticket must be for a day of the convention."), field="valid_on")
    clash = db.session.scalar(sa.select(TicketType.id).where(TicketType.edition_id == edition.id, TicketType.name == name))
    if clash is not None and (ticket_type is None or clash != ticket_type.id):
        raise Conflict(gettext("Another ticket type has this name."), field="name")
    values = {**data.__dict__, "name": name, "currency": currency}
    action = "update"
    if ticket_type is None:
        ticket_type = TicketType(edition_id=edition.id, category=TicketCategory.TICKET)
        db.session.add(ticket_type)
        action = "create"
    else:
        lock_edition_inventory(edition.id)
        db.session.refresh(ticket_type, ["used"])
        if data.capacity is not None and data.capacity < ticket_type.used:
            raise DomainError(gettext("%(used)d seats are already taken: the capacity cannot go below that.", used=ticket_type.used),
                              field="capacity")
    for key, value in values.items():
        setattr(ticket_type, key, value)
    db.session.flush()
    record_audit(f"ticket_type.{action}", actor=actor, edition_id=edition.id, target=ticket_type,
                 data={"name": name, "price_cents": data.price_cents, "capacity": data.capacity})
    _offer_freed_seats(edition)
    return ticket_type


def delete_ticket_type(edition: Edition, ticket_type: TicketType, *, actor) -> None:
    in_use = db.session.scalar(sa.select(Attendee.id).where(Attendee.ticket_type_id == ticket_type.id).limit(1))
    if in_use is not None:
        raise Conflict(gettext("Tickets of this type exist: hide it or close its sale instead of deleting it."))
    record_audit("ticket_type.delete", actor=actor, edition_id=edition.id, target=ticket_type, data={"name": ticket_type.name})
    db.session.delete(ticket_type)
    db.session.flush()


# -- quotas -----------------------------------------------------------------------------


def save_quota(edition: Edition, *, name: str, capacity: int, ticket_type_ids: list[int], actor,
               quota: Quota | None = None) -> Quota:
    """Create or change a quota; its count is recomputed from the orders holding seats."""
    name = " ".join(name.split())
    if not name:
        raise DomainError(gettext("A name is required."), field="name")
    if not ticket_type_ids:
        raise DomainError(gettext("Choose the ticket types this quota caps."), field="ticket_types")
    if capacity is None or capacity < 0:
        raise DomainError(gettext("Give a capacity of 0 or more."), field="capacity")
    clash = db.session.scalar(sa.select(Quota.id).where(Quota.edition_id == edition.id, Quota.name == name))
    if clash is not None and (quota is None or clash != quota.id):
        raise Conflict(gettext("Another quota has this name."), field="name")
    types = list(db.session.scalars(sa.select(TicketType).where(
        TicketType.edition_id == edition.id, TicketType.id.in_(ticket_type_ids or [-1]))))
    if len(types) != len(set(ticket_type_ids)):
        raise DomainError(gettext("Unknown ticket type."), field="ticket_types")
    lock_edition_inventory(edition.id)
    held = db.session.scalar(
        sa.select(sa.func.count(Attendee.id))
        .join(Order, Order.id == Attendee.order_id)
        .where(Attendee.ticket_type_id.in_([t.id for t in types] or [-1]),
               Order.state.in_([OrderState.RESERVED, OrderState.PAID]))
    )
    if held > capacity:
        raise DomainError(gettext("%(held)d seats of these ticket types are already taken: the capacity cannot be lower.", held=held),
                          field="capacity")
    action = "update"
    if quota is None:
        quota = Quota(edition_id=edition.id)
        db.session.add(quota)
        action = "create"
    quota.name, quota.capacity, quota.used, quota.ticket_types = name, capacity, held, types
    db.session.flush()
    record_audit(f"quota.{action}", actor=actor, edition_id=edition.id, target=quota,
                 data={"name": name, "capacity": capacity, "ticket_types": [t.id for t in types], "used": held})
    _offer_freed_seats(edition)
    return quota


def delete_quota(edition: Edition, quota: Quota, *, actor) -> None:
    record_audit("quota.delete", actor=actor, edition_id=edition.id, target=quota, data={"name": quota.name})
    db.session.delete(quota)
    db.session.flush()
    _offer_freed_seats(edition)


def _offer_freed_seats(edition: Edition) -> None:
    make_offers(edition.id)


# -- vouchers ---------------------------------------------------------------------------


@dataclass(frozen=True)
class VoucherData:
    kind: VoucherKind
    value: int = 0
    ticket_type_id: int | None = None
    max_uses: int = 1
    valid_from: datetime | None = None
    valid_until: datetime | None = None
    comment: str = ""


def create_vouchers(edition: Edition, data: VoucherData, *, actor, code: str | None = None, count: int = 1,
                    prefix: str = "") -> list[Voucher]:
    """One voucher with ``code``, or ``count`` vouchers with random codes starting with ``prefix``."""
    if data.kind is VoucherKind.PERCENT and not 1 <= data.value <= 100:
        raise DomainError(gettext("Give a percentage between 1 and 100."), field="percent")
    if data.kind is VoucherKind.FIXED and data.value <= 0:
        raise DomainError(gettext("Give the amount off."), field="amount")
    if data.kind is VoucherKind.UNLOCK and data.ticket_type_id is None:
        raise DomainError(gettext("Choose the ticket type this voucher gives access to."), field="ticket_type")
    if data.valid_from and data.valid_until and data.valid_until <= data.valid_from:
        raise DomainError(gettext("The end of validity must come after its start."), field="valid_until")
    if data.ticket_type_id is not None:
        owner = db.session.scalar(sa.select(TicketType.edition_id).where(TicketType.id == data.ticket_type_id))
        if owner != edition.id:
            raise DomainError(gettext("Unknown ticket type."), field="ticket_type")
    if not 1 <= count <= MAX_VOUCHERS_AT_ONCE:
        raise DomainError(gettext("Create 1 to %(max)d vouchers at once.", max=MAX_VOUCHERS_AT_ONCE), field="count")
    if code:
        code = code.strip().upper()
        if count != 1:
            raise DomainError(gettext("A chosen code makes one voucher; leave the code empty for several."), field="count")
        if not VOUCHER_CODE.match(code):
            raise DomainError(gettext("Use 4 to 40 letters, digits, dashes or underscores."), field="code")
        codes = [code]
    else:
        prefix = re.sub(r"[^A-Z0-9-]", "", (prefix or "").upper())
        codes = list({f"{prefix}{new_code(8)}" for _ in range(count)})
    taken = set(db.session.scalars(sa.select(Voucher.code).where(Voucher.edition_id == edition.id, Voucher.code.in_(codes))))
    if taken:
        raise Conflict(gettext("A voucher with this code already exists."), field="code")
    value = data.value if data.kind in (VoucherKind.PERCENT, VoucherKind.FIXED) else 0
    vouchers = [
        Voucher(edition_id=edition.id, code=c, kind=data.kind, value=value, ticket_type_id=data.ticket_type_id,
                max_uses=data.max_uses, valid_from=data.valid_from, valid_until=data.valid_until,
                comment=data.comment.strip())
        for c in sorted(codes)
    ]
    db.session.add_all(vouchers)
    db.session.flush()
    record_audit("voucher.create", actor=actor, edition_id=edition.id, target=vouchers[0],
                 data={"count": len(vouchers), "kind": data.kind.value, "value": value, "comment": data.comment})
    return vouchers


VOUCHERS_PER_PAGE = 50


def voucher_page(edition: Edition, *, page: int = 1, per_page: int = VOUCHERS_PER_PAGE) -> Page[Voucher]:
    """One page of the edition's vouchers, newest first, with the total (one query)."""
    query = (
        sa.select(Voucher)
        .where(Voucher.edition_id == edition.id)
        .options(sa.orm.joinedload(Voucher.ticket_type))
        .order_by(Voucher.id.desc())
    )
    return fetch_page(query, page, per_page)


def delete_voucher(edition: Edition, voucher: Voucher, *, actor) -> None:
    if voucher.used:
        raise Conflict(gettext("This voucher has been used; it cannot be deleted (set its validity to end instead)."))
    record_audit("voucher.delete", actor=actor, edition_id=edition.id, target=voucher, data={"code": voucher.code})
    db.session.delete(voucher)
    db.session.flush()


# -- settings ---------------------------------------------------------------------------


SETTINGS_FIELDS = (
    "reservation_minutes", "bank_transfer_days", "offer_hours", "name_changes_until", "self_cancel_until",
    "cancellation_fee_cents", "privacy_version", "privacy_notice", "seller_name", "seller_address",
    "seller_vat_number", "bank_account_holder", "bank_iban", "bank_bic",
)


def update_registration_settings(settings: RegistrationSettings, values: dict, *, actor) -> RegistrationSettings:
    values = {key: values[key] for key in SETTINGS_FIELDS if key in values}
    if not str(values.get("privacy_version", settings.privacy_version)).strip():
        raise DomainError(gettext("Give the privacy notice a version."), field="privacy_version")
    if sa.inspect(settings).transient:
        db.session.add(settings)
    changed = {k: str(v) for k, v in values.items() if getattr(settings, k) != v}
    before = {k: None if getattr(settings, k) is None else str(getattr(settings, k)) for k in changed}
    for key, value in values.items():
        setattr(settings, key, value.strip() if isinstance(value, str) else value)
    db.session.flush()
    record_audit("registration.settings", actor=actor, edition_id=settings.edition_id, target=None, data=changed,
                 before=before, after=changed)
    return settings
