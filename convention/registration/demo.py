"""Demo registration data: ticket types, a venue quota, vouchers and a few hundred attendees.

Called by ``convention.demo.seed_demo`` through DOMAIN_SEEDERS. Orders are inserted in
bulk with their seat counters set to match, so seeding stays fast.
"""

from __future__ import annotations

import random
from collections import Counter
from datetime import UTC, datetime, time, timedelta

from convention.core.codes import new_code, new_token
from convention.core.timeutil import utcnow
from convention.extensions import db
from convention.registration.models import (
    Attendee,
    Order,
    OrderState,
    Quota,
    RegistrationSettings,
    TicketType,
    Voucher,
    VoucherKind,
    WaitingListEntry,
)

FIRST_NAMES = [
    "Lotte", "Pieter", "Camille", "Thomas", "Emma", "Lucas", "Louise", "Arthur", "Julie", "Maxime", "Sarah", "Nicolas",
    "Elise", "Jonas", "Charlotte", "Wout", "Inès", "Mathieu", "Hanne", "Bram", "Marie", "Karim", "Fatima", "Youssef",
    "Anke", "Dries", "Sofie", "Olivier", "Nora", "Stijn", "Chloé", "Kevin", "Amélie", "Jens", "Laura", "Ruben",
    "Aline", "Koen", "Eline", "Hugo", "Zoë", "Tom", "Ilse", "Benoît", "Nathalie", "Wim", "Jasper", "Lena", "Piotr",
    "Agnieszka", "Matteo", "Giulia", "Jan", "Katrien", "Rik", "Annelies", "Samir", "Leila", "Frederik", "Greet",
]
LAST_NAMES = [
    "Peeters", "Janssens", "Maes", "Jacobs", "Mertens", "Willems", "Claes", "Goossens", "Wouters", "De Smet",
    "Dubois", "Lambert", "Dupont", "Martin", "Leroy", "Vermeulen", "Van den Broeck", "De Clercq", "Hermans",
    "Michiels", "Desmet", "Lemmens", "Aerts", "Segers", "Renard", "Simon", "Laurent", "Lefèvre", "El Amrani",
    "Benali", "Nowak", "Kowalski", "Rossi", "Bianchi", "Van Damme", "Verstraete", "De Backer", "Coppens", "Bogaert",
    "Wuyts", "Cornelis", "Pauwels", "Thys", "Smets", "Moens", "Baert", "Verhoeven", "Stevens", "Fontaine", "Gilles",
]
ORGANISATIONS = [
    "Scheldt Port Logistics", "Brabant Health Network", "Meuse Valley Water", "Ardennes Timber Group",
    "Flanders Fintech Lab", "City of Mechelen", "Province of Namur", "Ghent Digital Works", "Leuven Biotech Park",
    "Antwerp Diamond Registry", "Walloon Rail Services", "North Sea Wind Operations", "Brussels Legal Partners",
    "Hasselt Dental Clinics", "Kortrijk Textile Machines", "Liège Steel Components", "Bruges Hotel Group",
    "Federal Public Service Finance", "Regional Hospital Aalst", "Campine Chemicals", "SecureNet Consulting",
    "CyberWatch Benelux", "Open Source Defence Lab", "University College West", "Limburg Energy Cooperative",
    "Mons Innovation Hub", "Delta Insurance", "Oostende Fisheries Board", "Mosan Software", "Heritage Banking Group",
    "", "", "",  # some people come on their own
]
DOMAINS = ["example.org", "example.com", "example.net"]

TICKET_TYPES = [
    # name, price, capacity, position, extra
    ("Early bird", 19500, 200, 0, {"description": "Both days, lunch and the evening reception. Sold until eight weeks before."}),
    ("Conference pass", 29500, None, 1, {"description": "Both days, lunch and the evening reception."}),
    ("Student", 4500, 80, 2, {"description": "For students with a valid student card (checked at the door)."}),
    ("Day pass: first day", 17500, 150, 3, {"description": "The first day only, lunch included.", "day": 0}),
    ("Day pass: second day", 17500, 150, 4, {"description": "The second day only, lunch included.", "day": 1}),
    ("Workshop: incident response for SMEs", 8000, 40, 5,
     {"description": "Hands-on half-day workshop in the Workshop lab; add it to a conference pass.", "vat": 600}),
    ("Press", 0, 30, 6, {"description": "For accredited journalists; needs a press voucher.", "requires_voucher": True}),
    ("Sponsor pass", 0, 60, 7, {"description": "For our sponsors' staff.", "hidden": True}),
]


def seed(edition, people) -> None:
    rng = random.Random(2026)
    now = utcnow()
    _seed_settings(edition, now)
    types = _seed_ticket_types(edition, now)
    venue = Quota(edition_id=edition.id, name="Venue: Hall 5", capacity=750,
                  ticket_types=[t for t in types.values() if "Workshop" not in t.name])
    db.session.add(venue)
    db.session.flush()
    _seed_vouchers(edition, types, now)
    held = _seed_orders(edition, types, people, rng, now)
    for ticket_type in types.values():
        ticket_type.used = held.get(ticket_type.id, 0)
    venue.used = sum(held.get(t.id, 0) for t in venue.ticket_types)
    _seed_waiting_list(edition, types["Workshop: incident response for SMEs"], rng, now)
    db.session.flush()


def _seed_settings(edition, now) -> None:
    starts = datetime.combine(edition.starts_on, time(9), tzinfo=UTC)
    db.session.add(
        RegistrationSettings(
            edition_id=edition.id,
            name_changes_until=starts - timedelta(days=3),
            self_cancel_until=starts - timedelta(days=30),
            cancellation_fee_cents=2500,
            privacy_version="2026-01",
            privacy_notice=(
                "The Cyber Security Convention uses the names, email addresses and organisations given here only "
                "to run the convention: confirmations, practical information, badges and check-in. We keep them "
                "until three months after the event and never sell or share them."
            ),
            seller_name="Cyber Security Convention vzw",
            seller_address="Rue de la Loi 16, 1000 Brussels, Belgium",
            seller_vat_number="BE0712345678",
            bank_account_holder="Cyber Security Convention vzw",
            bank_iban="BE71 0961 2345 6769",
            bank_bic="GKCCBEBB",
        )
    )


def _seed_ticket_types(edition, now) -> dict[str, TicketType]:
    types = {}
    for name, price, capacity, position, extra in TICKET_TYPES:
        ticket_type = TicketType(
            edition_id=edition.id,
            name=name,
            description=extra.get("description", ""),
            price_cents=price,
            vat_rate_bp=extra.get("vat", 2100 if price else 0),
            capacity=capacity,
            requires_voucher=extra.get("requires_voucher", False),
            hidden=extra.get("hidden", False),
            position=position,
            max_per_order=4 if price == 0 else 10,
        )
        if "day" in extra:
            ticket_type.valid_on = edition.starts_on + timedelta(days=extra["day"])
        if name == "Early bird":
            ticket_type.sale_ends_at = now - timedelta(days=5)
        db.session.add(ticket_type)
        types[name] = ticket_type
    db.session.flush()
    return types


def _seed_vouchers(edition, types, now) -> None:
    vouchers = [
        Voucher(edition_id=edition.id, code=f"PRESS-{new_code(6)}", kind=VoucherKind.FREE,
                ticket_type_id=types["Press"].id, comment="Press accreditation") for _ in range(12)
    ]
    vouchers += [
        Voucher(edition_id=edition.id, code="SPONSOR-GOLD", kind=VoucherKind.UNLOCK, ticket_type_id=types["Sponsor pass"].id,
                max_uses=20, comment="Gold sponsors' staff"),
        Voucher(edition_id=edition.id, code="COMMUNITY", kind=VoucherKind.PERCENT, value=100, max_uses=15,
                ticket_type_id=types["Conference pass"].id, comment="Volunteers of partner communities"),
        Voucher(edition_id=edition.id, code="SPEAKERFRIEND", kind=VoucherKind.PERCENT, value=25, max_uses=40,
                valid_until=now + timedelta(days=60), comment="Colleagues of speakers"),
        Voucher(edition_id=edition.id, code="NGO50", kind=VoucherKind.FIXED, value=5000, max_uses=25,
                comment="Non-profit organisations"),
    ]
    db.session.add_all(vouchers)


def _person(rng) -> tuple[str, str, str]:
    first, last = rng.choice(FIRST_NAMES), rng.choice(LAST_NAMES)
    email_name = f"{first}.{last}".lower().replace(" ", "").replace("é", "e").replace("è", "e").replace("ë", "e")
    email_name = email_name.replace("ï", "i").replace("î", "i").replace("ô", "o").replace("ç", "c")
    return f"{first} {last}", f"{email_name}@{rng.choice(DOMAINS)}", rng.choice(ORGANISATIONS)


def _seed_orders(edition, types, people, rng, now) -> Counter:
    """About 280 orders over the last ten weeks: most paid, some awaiting a transfer, a few gone."""
    held: Counter = Counter()
    early, full, student = types["Early bird"], types["Conference pass"], types["Student"]
    day1, day2, workshop = types["Day pass: first day"], types["Day pass: second day"], types["Workshop: incident response for SMEs"]
    orders = []
    for _ in range(280):
        age_days = rng.triangular(0, 70, 55)  # a rush when the sale opened, then a steady trickle
        created = now - timedelta(days=age_days, minutes=rng.randint(0, 1439))
        if age_days > 12 and rng.random() < 0.55 and held[early.id] < early.capacity - 3:
            main = early
        else:
            main = rng.choices([full, student, day1, day2], weights=[70, 8, 11, 11])[0]
        seats = rng.choices([1, 2, 3], weights=[72, 20, 8])[0]
        if main.capacity is not None:
            seats = min(seats, main.capacity - held[main.id])
            if seats <= 0:
                main, seats = full, 1
        buyer_name, buyer_email, organisation = _person(rng)
        roll = rng.random()
        state = OrderState.PAID
        if age_days < 12 and roll < 0.35:
            state = OrderState.RESERVED
        elif roll < 0.04:
            state = OrderState.EXPIRED
        elif roll < 0.06:
            state = OrderState.REFUNDED
        order = Order(
            code=new_code(8), secret=new_token(), edition_id=edition.id, state=state, email=buyer_email,
            buyer_name=buyer_name, currency="EUR", consent_version="2026-01", consent_at=created, created_at=created,
            payment_method="bank_transfer" if rng.random() < 0.3 or state is OrderState.RESERVED else "stripe",
        )
        attendees = []
        for seat in range(seats):
            name, email, org = (buyer_name, buyer_email, organisation) if seat == 0 else _person(rng)
            if seat and rng.random() < 0.8:
                org = organisation  # colleagues
            attendees.append(Attendee(code=new_code(12), edition_id=edition.id, ticket_type_id=main.id, name=name,
                                      email=email, organisation=org, price_cents=main.price_cents,
                                      vat_rate_bp=main.vat_rate_bp, created_at=created))
        if main is not student and held[workshop.id] < workshop.capacity and rng.random() < 0.2:
            attendees.append(Attendee(code=new_code(12), edition_id=edition.id, ticket_type_id=workshop.id,
                                      name=buyer_name, email=buyer_email, organisation=organisation,
                                      price_cents=workshop.price_cents, vat_rate_bp=workshop.vat_rate_bp,
                                      created_at=created))
        order.attendees = attendees
        order.total_cents = sum(a.price_cents for a in attendees)
        if state is OrderState.PAID:
            order.paid_at = created + timedelta(minutes=rng.randint(1, 2880) if order.payment_method == "bank_transfer"
                                                else rng.randint(1, 5))
            order.paid_at = min(order.paid_at, now)
            order.payment_reference = None if order.payment_method == "bank_transfer" else f"pi_demo_{new_code(14)}"
        elif state is OrderState.RESERVED:
            order.expires_at = created + timedelta(days=7)
        elif state is OrderState.EXPIRED:
            order.cancelled_at = created + timedelta(days=7)
        else:
            order.paid_at = created + timedelta(minutes=3)
            order.refunded_at = min(order.paid_at + timedelta(days=rng.randint(2, 20)), now)
            order.refunded_cents = max(0, order.total_cents - 2500)
            order.refund_reference = f"re_demo_{new_code(14)}"
        if state.holds_seats:
            for attendee in attendees:
                held[attendee.ticket_type_id] += 1
        orders.append(order)
    orders.append(_attendee_order(edition, full, people["attendee"], now, held))
    db.session.add_all(orders)
    return held


def _attendee_order(edition, ticket_type, user, now, held) -> Order:
    """The demo attendee's own paid order, so their order page shows something."""
    paid = now - timedelta(days=20)
    held[ticket_type.id] += 1
    return Order(
        code=new_code(8), secret=new_token(), edition_id=edition.id, state=OrderState.PAID, email=user.email,
        buyer_name=user.name, user_id=user.id, total_cents=ticket_type.price_cents, currency="EUR",
        payment_method="stripe", payment_reference=f"pi_demo_{new_code(14)}", consent_version="2026-01",
        consent_at=paid, created_at=paid, paid_at=paid,
        attendees=[Attendee(code=new_code(12), edition_id=edition.id, ticket_type_id=ticket_type.id, user_id=user.id,
                            name=user.name, email=user.email, organisation="Antwerp Diamond Registry",
                            price_cents=ticket_type.price_cents, vat_rate_bp=ticket_type.vat_rate_bp, created_at=paid)],
    )


def _seed_waiting_list(edition, workshop, rng, now) -> None:
    if workshop.used < workshop.capacity:
        return
    for i in range(4):
        name, email, _org = _person(rng)
        db.session.add(WaitingListEntry(edition_id=edition.id, ticket_type_id=workshop.id, name=name, email=email,
                                        quantity=1 + (i == 2), consent_version="2026-01",
                                        created_at=now - timedelta(days=4 - i, hours=rng.randint(0, 12))))
