"""Pricing: what a selection of tickets costs, from the server's data only.

The buyer's form says which ticket types and how many, and maybe a voucher code; every
price, discount and availability rule is read here, never from the form.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime

import sqlalchemy as sa
from flask_babel import gettext

from convention.core.errors import DomainError
from convention.editions.models import Edition
from convention.extensions import db
from convention.registration.errors import SoldOut, VoucherRefused
from convention.registration.inventory import OverdueHolds, overdue_holds, seats_left
from convention.registration.models import TicketCategory, TicketType, Voucher, VoucherKind

MAX_SEATS_PER_ORDER = 20


@dataclass(frozen=True)
class QuoteLine:
    ticket_type: TicketType
    unit_price_cents: int  # after the voucher, VAT included
    discounted: bool

    @property
    def vat_cents(self) -> int:
        return vat_included(self.unit_price_cents, self.ticket_type.vat_rate_bp)


@dataclass
class Quote:
    """One line per seat, in the order the attendees will be entered."""

    lines: list[QuoteLine] = field(default_factory=list)
    voucher: Voucher | None = None
    voucher_uses: int = 0
    currency: str = "EUR"

    @property
    def total_cents(self) -> int:
        return sum(line.unit_price_cents for line in self.lines)

    @property
    def counts(self) -> dict[int, int]:
        counts: dict[int, int] = {}
        for line in self.lines:
            counts[line.ticket_type.id] = counts.get(line.ticket_type.id, 0) + 1
        return counts

    @property
    def quota_counts(self) -> dict[int, int]:
        """Seats per quota (the ticket types' quotas were loaded with them)."""
        counts: dict[int, int] = {}
        for line in self.lines:
            for quota in line.ticket_type.quotas:
                counts[quota.id] = counts.get(quota.id, 0) + 1
        return counts


def vat_included(gross_cents: int, rate_bp: int) -> int:
    """The VAT inside a gross price, rounded half up: 12100 at 21 % -> 2100."""
    if rate_bp <= 0:
        return 0
    return (gross_cents * rate_bp * 2 + (10000 + rate_bp)) // (2 * (10000 + rate_bp))


def discounted_price(price_cents: int, voucher: Voucher | None) -> int:
    if voucher is None:
        return price_cents
    if voucher.kind is VoucherKind.FREE:
        return 0
    if voucher.kind is VoucherKind.PERCENT:
        return price_cents - (price_cents * min(voucher.value, 100) + 50) // 100
    if voucher.kind is VoucherKind.FIXED:
        return max(0, price_cents - voucher.value)
    return price_cents


def find_voucher(edition: Edition, code: str | None) -> Voucher | None:
    code = (code or "").strip().upper()
    if not code:
        return None
    voucher = db.session.scalar(sa.select(Voucher).where(Voucher.edition_id == edition.id, Voucher.code == code))
    if voucher is None:
        raise VoucherRefused(gettext("This voucher code is not valid for this convention."))
    return voucher


def check_voucher(voucher: Voucher, now: datetime, *, freed_uses: int = 0) -> None:
    """``freed_uses``: uses held by reservations past their deadline, counted as free."""
    if not voucher.valid_at(now):
        raise VoucherRefused(gettext("This voucher is not valid at this time."))
    if voucher.used - freed_uses >= voucher.max_uses:
        raise VoucherRefused(gettext("This voucher has already been used as often as it allows."))


def voucher_applies(voucher: Voucher | None, ticket_type: TicketType) -> bool:
    return voucher is not None and voucher.ticket_type_id in (None, ticket_type.id)


def shop_ticket_types(edition: Edition, *, voucher: Voucher | None = None) -> list[TicketType]:
    """The ticket types a buyer may see: sold types, hidden ones only with their voucher."""
    types = db.session.scalars(
        sa.select(TicketType)
        .where(TicketType.edition_id == edition.id, TicketType.category == TicketCategory.TICKET)
        .options(sa.orm.joinedload(TicketType.quotas))  # one statement: an edition has few quotas
        .order_by(TicketType.position, TicketType.id)
    ).unique().all()
    return [t for t in types if not t.hidden or (voucher is not None and voucher.ticket_type_id == t.id)]


@dataclass(frozen=True)
class ShopItem:
    """A ticket type as the shop shows it, with the voucher's price and what is left."""

    ticket_type: TicketType
    price_cents: int
    seats_left: int | None  # None: no limit
    on_sale: bool
    not_yet: bool  # the sale has not opened yet

    @property
    def sold_out(self) -> bool:
        return self.seats_left is not None and self.seats_left <= 0

    @property
    def max_quantity(self) -> int:
        limit = self.ticket_type.max_per_order
        return limit if self.seats_left is None else max(0, min(limit, self.seats_left))


def shop_items(edition: Edition, *, voucher: Voucher | None, now: datetime) -> list[ShopItem]:
    """Read only: seats held by reservations past their deadline are shown as free."""
    overdue = overdue_holds(edition.id, now)
    items = []
    for ticket_type in shop_ticket_types(edition, voucher=voucher):
        applies = voucher_applies(voucher, ticket_type)
        if ticket_type.requires_voucher and not applies:
            continue
        items.append(
            ShopItem(
                ticket_type=ticket_type,
                price_cents=discounted_price(ticket_type.price_cents, voucher) if applies else ticket_type.price_cents,
                seats_left=seats_left(ticket_type, overdue),
                on_sale=ticket_type.on_sale(now),
                not_yet=bool(ticket_type.sale_starts_at and now < ticket_type.sale_starts_at),
            )
        )
    return items


def quote_selection(
    edition: Edition, selection: dict[int, int], *, voucher_code: str | None, now: datetime
) -> Quote:
    """Price ``selection`` ({ticket type id: quantity}); raises DomainError on anything not allowed."""
    voucher = find_voucher(edition, voucher_code)
    freed_uses = 0
    if voucher is not None:
        freed_uses = overdue_holds(edition.id, now).vouchers.get(voucher.id, 0)
        check_voucher(voucher, now, freed_uses=freed_uses)
    wanted = {int(type_id): int(qty) for type_id, qty in selection.items() if int(qty) != 0}
    if not wanted:
        raise DomainError(gettext("Choose at least one ticket."), field="tickets")
    if any(qty < 0 for qty in wanted.values()):
        raise DomainError(gettext("Quantities cannot be negative."), field="tickets")
    if sum(wanted.values()) > MAX_SEATS_PER_ORDER:
        raise DomainError(gettext("At most %(max)d tickets per order.", max=MAX_SEATS_PER_ORDER), field="tickets")
    available = {t.id: t for t in shop_ticket_types(edition, voucher=voucher)}
    if any(type_id not in available for type_id in wanted):
        raise DomainError(gettext("One of the chosen tickets is not available."), field="tickets")
    quote = Quote(voucher=voucher)
    currencies = set()
    for ticket_type in sorted((available[i] for i in wanted), key=lambda t: (t.position, t.id)):
        qty = wanted[ticket_type.id]
        if not ticket_type.on_sale(now):
            raise DomainError(gettext("%(ticket)s is not on sale at this time.", ticket=ticket_type.name), field="tickets")
        if qty > ticket_type.max_per_order:
            raise DomainError(gettext("At most %(max)d × %(ticket)s per order.", max=ticket_type.max_per_order, ticket=ticket_type.name), field="tickets")
        applies = voucher_applies(voucher, ticket_type)
        if ticket_type.requires_voucher and not applies:
            raise VoucherRefused(gettext("%(ticket)s needs a voucher.", ticket=ticket_type.name))
        price = discounted_price(ticket_type.price_cents, voucher) if applies else ticket_type.price_cents
        for _ in range(qty):
            quote.lines.append(QuoteLine(ticket_type, price, applies and price != ticket_type.price_cents))
        if applies:
            quote.voucher_uses += qty
        currencies.add(ticket_type.currency)
    if len(currencies) > 1:
        raise DomainError(gettext("Tickets in different currencies cannot be ordered together."), field="tickets")
    quote.currency = currencies.pop()
    if voucher is not None:
        if quote.voucher_uses == 0:
            raise VoucherRefused(gettext("This voucher does not apply to the tickets you chose."))
        remaining = voucher.remaining + freed_uses
        if quote.voucher_uses > remaining:
            raise VoucherRefused(
                gettext("This voucher can be used for %(num)d more ticket(s) only.", num=remaining)
                if remaining
                else gettext("This voucher has already been used as often as it allows.")
            )
    return quote


def refuse_if_sold_out(quote: Quote, *, overdue: OverdueHolds | None = None) -> None:
    """Raise SoldOut when a chosen ticket type has fewer seats left than wanted, as the
    counters read now (with ``overdue``, seats of reservations past their deadline count
    as free). The one sold-out rule of the shop and the checkout: a cheap early answer;
    the locked update that holds the seats stays the one that decides."""
    for ticket_type in dict.fromkeys(line.ticket_type for line in quote.lines):
        left = seats_left(ticket_type, overdue)
        if left is not None and quote.counts[ticket_type.id] > left:
            raise SoldOut(
                gettext("Sorry, only %(num)d seat(s) left for %(ticket)s: sold out for this order.", num=left,
                        ticket=ticket_type.name) if left
                else gettext("Sorry, %(ticket)s is sold out.", ticket=ticket_type.name),
                ticket_type_ids=[ticket_type.id],
            )


def quote_checkout(edition: Edition, selection: dict[int, int], *, voucher_code: str | None, now: datetime) -> Quote:
    """The checkout page's quote (read only): priced, and refused when it is sold out."""
    quote = quote_selection(edition, selection, voucher_code=voucher_code, now=now)
    refuse_if_sold_out(quote, overdue=overdue_holds(edition.id, now))
    return quote
