"""Builders for registration tests (through the models and services, committed)."""

from __future__ import annotations

from datetime import timedelta

from convention.core.timeutil import utcnow
from convention.extensions import db
from convention.registration.models import Quota, TicketType, Voucher, VoucherKind
from convention.registration.ordering import AttendeeData, create_order
from convention.registration.settings import get_settings


def make_ticket_type(edition, *, name="Conference pass", price_cents=12100, capacity=None, **fields) -> TicketType:
    ticket_type = TicketType(edition_id=edition.id, name=name, price_cents=price_cents, capacity=capacity, **fields)
    db.session.add(ticket_type)
    db.session.commit()
    return ticket_type


def make_quota(edition, ticket_types, *, name="Venue", capacity=10) -> Quota:
    quota = Quota(edition_id=edition.id, name=name, capacity=capacity, ticket_types=list(ticket_types))
    db.session.add(quota)
    db.session.commit()
    return quota


def make_voucher(edition, *, code="FRIEND", kind=VoucherKind.PERCENT, value=50, max_uses=1, **fields) -> Voucher:
    voucher = Voucher(edition_id=edition.id, code=code, kind=kind, value=value, max_uses=max_uses, **fields)
    db.session.add(voucher)
    db.session.commit()
    return voucher


def buy(edition, selection: dict, *, voucher_code=None, email="buyer@example.org", names=None, total=None, now=None):
    """Create an order through the service (computing the expected total unless given) and commit."""
    from convention.registration.pricing import quote_selection

    now = now or utcnow()
    ids = {getattr(k, "id", k): v for k, v in selection.items()}
    if total is None:
        total = quote_selection(edition, ids, voucher_code=voucher_code, now=now).total_cents
    count = sum(ids.values())
    names = names or [f"Attendee {i + 1}" for i in range(count)]
    order = create_order(
        edition,
        selection=ids,
        attendees=[AttendeeData(name=n, email=f"a{i}@example.org", organisation="ACME") for i, n in enumerate(names)],
        email=email,
        voucher_code=voucher_code,
        consent_version=get_settings(edition).privacy_version,
        expected_total_cents=total,
        now=now,
    )
    db.session.commit()
    return order


def past(minutes=1):
    return utcnow() - timedelta(minutes=minutes)


def future(minutes=60):
    return utcnow() + timedelta(minutes=minutes)


def outbox(template=None, to=None):
    """Messages queued in the outbox, optionally filtered."""
    import sqlalchemy as sa

    from convention.mail.models import OutboxMessage

    query = sa.select(OutboxMessage).order_by(OutboxMessage.id)
    if template:
        query = query.where(OutboxMessage.template == template)
    if to:
        query = query.where(OutboxMessage.recipient == to)
    return list(db.session.scalars(query))


def checkout_form(client, edition, selection: dict, *, voucher="", names=None, email="buyer@example.org", **overrides):
    """GET the checkout page for ``selection`` and return (response, form data ready to POST)."""
    from tests.conftest import csrf_token_from

    query = "&".join(f"q-{getattr(k, 'id', k)}={v}" for k, v in selection.items())
    page = client.get(f"/{edition.slug}/tickets/checkout?{query}&voucher={voucher}")
    if page.status_code != 200:
        return page, None
    html = page.get_data(as_text=True)
    import re

    def hidden(name):
        match = re.search(rf'id="{name}" name="{name}" type="hidden" value="([^"]*)"', html)
        return match.group(1) if match else ""

    count = sum(selection.values())
    names = names or [f"Attendee {i + 1}" for i in range(count)]
    data = {
        "csrf_token": csrf_token_from(html),
        "selection": hidden("selection"),
        "voucher": hidden("voucher"),
        "total_cents": hidden("total_cents"),
        "privacy_version": hidden("privacy_version"),
        "submission_key": hidden("submission_key"),
        "buyer_name": "Beatrice Buyer",
        "email": email,
        "consent": "y",
    }
    for i, name in enumerate(names):
        data[f"attendees-{i}-name"] = name
        data[f"attendees-{i}-email"] = f"att{i}@example.org"
        data[f"attendees-{i}-organisation"] = "Example NV"
    data.update(overrides)
    return page, data


def count_rows(model):
    import sqlalchemy as sa

    return db.session.scalar(sa.select(sa.func.count()).select_from(model))


def count_orders():
    """Orders other than the free registrations the edition's team gets automatically."""
    import sqlalchemy as sa

    from convention.registration.models import Order

    return db.session.scalar(sa.select(sa.func.count(Order.id)).where(Order.payment_method != "complimentary"))
