"""The data of bench/organizer_pages.py: one edition grown, through the domain services, to
a given number of proposals and orders.

Everything goes through the services' own rules (``register_user``, ``create_proposal``,
``invite_co_speaker``/``accept_invitation``, ``set_proposal_state``, ``create_order``,
``mark_order_paid``, ``release_order``, ``create_vouchers``, ``join_waiting_list``,
``confirm_waiting_entry``), called in a loop with one commit per batch. Two speed-ups,
neither of which skips a rule: passwords are hashed with cheap argon2 parameters (the
app's ``ARGON2_PARAMETERS``, as the tests do), and the orders are placed on a simulated
clock spread over the 90 days before today (``create_order(now=...)``, and the payment
service's clock) so that the sales chart has its days.

Growing is incremental: ``grow(..., proposals=1000, orders=5000)`` on an edition that has
100 / 500 adds what is missing. Realistic shape, as in issue 9: about 0.6 speakers per
proposal (one proposal in five has a co-speaker), ~1.5 attendees per order, one voucher
per ten orders (2,000 at 20,000), one waiting-list entry per fifty orders (400).
"""

from __future__ import annotations

import itertools
import logging
import random
from contextlib import contextmanager
from datetime import date, timedelta

import sqlalchemy as sa

ORGANIZER_EMAIL = "organizer@bench.example.org"
PASSWORD = "plum tractor velvet 8841"  # noqa: S105 - a throw-away database
SLUG = "bench"
BATCH = 200
SPAN = timedelta(days=90)

FIRST = ("Ana", "Bram", "Chloé", "Dirk", "Elif", "Femke", "Goran", "Hanna", "Ilse", "Jonas", "Karim", "Lotte",
         "Mehdi", "Nina", "Olek", "Pieter", "Quentin", "Rosa", "Sven", "Tineke", "Umar", "Vera", "Wout", "Yara")
LAST = ("Peeters", "Janssens", "Maes", "Jacobs", "Mertens", "Willems", "Claes", "Goossens", "Wouters", "De Smet",
        "Dubois", "Lambert", "Dupont", "Martin", "Simon", "Laurent", "Okafor", "Nowak", "Kowalski", "Rossi",
        "Fischer", "Schmidt", "Novak", "Horvath", "Ivanova", "Petrov", "Moreau", "Lefebvre", "Fontaine", "Renard")
ORGS = ("CERT.be", "Acme Security", "Brussels University", "KU Leuven", "Proximus", "Belfius", "ENISA", "", "",
        "Freelance", "NVISO", "Toreon", "imec", "")
WORDS = ("threat", "hunting", "incident", "response", "malware", "forensics", "cloud", "identity", "zero trust",
         "supply chain", "ransomware", "detection", "OT", "privacy", "red team", "phishing", "logging", "SBOM")


def person(n: int) -> tuple[str, str, str]:
    """(name, email, organisation) of the n-th invented person: stable, varied, searchable."""
    name = f"{FIRST[n % len(FIRST)]} {LAST[(n // len(FIRST)) % len(LAST)]}"
    slug = name.lower().replace(" ", ".").replace("é", "e")
    return name, f"{slug}.{n}@example.org", ORGS[n % len(ORGS)]


@contextmanager
def payment_clock(when):
    """The payment service stamps ``paid_at`` with its clock: run it on the simulated one."""
    from convention.registration import services

    real = services.utcnow
    services.utcnow = lambda: when[0]
    try:
        yield
    finally:
        services.utcnow = real


def ensure_edition():
    """The organizer, the edition (call open, published) and its ticket types: (edition, organizer)."""
    from convention.accounts.services import find_user_by_email, register_user
    from convention.core.timeutil import utcnow
    from convention.editions.models import Edition
    from convention.editions.services import EditionData, create_edition, set_edition_published
    from convention.extensions import db
    from convention.registration.catalog import TicketTypeData, save_ticket_type

    organizer = find_user_by_email(ORGANIZER_EMAIL)
    edition = db.session.scalar(sa.select(Edition).where(Edition.slug == SLUG))
    if edition is not None:
        return edition, organizer
    organizer = register_user(name="Bench Organizer", email=ORGANIZER_EMAIL, password=PASSWORD, confirmed=True)
    starts = date.today() + timedelta(days=60)
    now = utcnow()
    edition = create_edition(EditionData(slug=SLUG, name="Benchmark Convention", starts_on=starts,
                                         ends_on=starts + timedelta(days=1), cfp_opens_at=now - SPAN,
                                         cfp_closes_at=now + timedelta(days=30)), actor=organizer)
    set_edition_published(edition, True, actor=organizer)
    for position, (name, price, capacity) in enumerate((("Conference pass", 29500, None), ("Student", 9900, None),
                                                         ("Workshop day", 15000, 100000),
                                                         ("Masterclass", 45000, 10))):
        save_ticket_type(edition, TicketTypeData(name=name, price_cents=price, capacity=capacity,
                                                 position=position), actor=organizer)
    db.session.commit()
    return edition, organizer


def _count(model, edition) -> int:
    from convention.extensions import db

    return db.session.scalar(sa.select(sa.func.count()).select_from(model).where(model.edition_id == edition.id))


def grow(*, proposals: int, orders: int, log=print) -> dict:
    """Grow the bench edition to ``proposals`` proposals and ``orders`` orders (and their
    speakers, vouchers and waiting list); returns what the edition holds."""
    from convention.cfp.models import Proposal, SpeakerProfile
    from convention.registration.models import Order, Voucher, WaitingListEntry

    # The emails the services queue are kept in the outbox (no MAIL_SERVER); in development
    # each one is also logged at INFO, tens of thousands of them: not here.
    logging.getLogger("convention.mail.services").setLevel(logging.WARNING)
    _grow_proposals(*ensure_edition(), proposals, log)
    _grow_orders(*ensure_edition(), orders, log)
    _grow_vouchers(*ensure_edition(), orders // 10)
    edition, _ = ensure_edition()
    _grow_waiting_list(edition, orders // 50)
    return {"proposals": _count(Proposal, edition), "speakers": _count(SpeakerProfile, edition),
            "orders": _count(Order, edition), "vouchers": _count(Voucher, edition),
            "waiting": _count(WaitingListEntry, edition)}


def _grow_proposals(edition, organizer, target: int, log) -> None:
    from convention.accounts.services import find_user_by_email, register_user
    from convention.cfp.cospeakers import accept_invitation, invite_co_speaker
    from convention.cfp.models import Proposal
    from convention.cfp.services import ProposalData, create_proposal
    from convention.cfp.states import ProposalState
    from convention.cfp.submission import set_proposal_state
    from convention.extensions import db

    have = _count(Proposal, edition)
    speakers_wanted = max(1, round(target * 0.6))
    rng = random.Random(have)
    themes, formats = [t.id for t in edition.themes], [f.id for f in edition.formats]

    def speaker(n: int):
        name, email, _org = person(n % speakers_wanted)
        user = find_user_by_email(email)
        return user or register_user(name=name, email=email, password=PASSWORD, confirmed=True)

    for j in range(have, target):
        user = speaker(j)
        topic = " ".join(rng.sample(WORDS, 3))
        data = ProposalData(title=f"{topic.capitalize()}: lessons from case {j}", theme_id=themes[j % len(themes)],
                            format_id=formats[j % len(formats)], level=("beginner", "intermediate", "expert")[j % 3],
                            language=("en", "fr", "nl", "de")[j % 4],
                            abstract=f"What we learnt about {topic}. " * 8, description="A longer description. " * 20,
                            notes="Notes for the committee.")
        proposal, _ = create_proposal(edition, data, actor=user, submit=j % 10 != 0)
        if j % 5 == 1:
            other = speaker(j + 1)
            if other.id != user.id:
                accept_invitation(invite_co_speaker(proposal, other.email, actor=user), actor=other)
        if proposal.state is ProposalState.SUBMITTED and j % 7 in (1, 2):
            set_proposal_state(proposal, ProposalState.ACCEPTED if j % 7 == 1 else ProposalState.REJECTED,
                               actor=organizer)
        if (j + 1) % BATCH == 0:
            db.session.commit()
            db.session.expunge_all()
            edition, organizer = ensure_edition()
            log(f"  proposals {j + 1}/{target}", flush=True)
    db.session.commit()


def _grow_orders(edition, organizer, target: int, log) -> None:
    from convention.core.timeutil import utcnow
    from convention.extensions import db
    from convention.registration.catalog import list_ticket_types
    from convention.registration.models import Order
    from convention.registration.ordering import AttendeeData, create_order
    from convention.registration.services import RELEASE_CANCELLED, mark_order_paid, release_order
    from convention.registration.settings import get_settings

    have = _count(Order, edition)
    types = {t.name: (t.id, t.price_cents) for t in list_ticket_types(edition)}
    privacy = get_settings(edition).privacy_version
    start = utcnow() - SPAN
    step = SPAN / max(target, 20000)  # the same clock whatever the size: order n is placed at start + n * step
    clock = [start]
    with payment_clock(clock):
        for n in range(have, target):
            clock[0] = start + n * step
            kind = "Masterclass" if n < 5 else ("Conference pass", "Conference pass", "Conference pass",
                                                  "Student", "Student", "Workshop day")[n % 6]
            seats = 2 if n < 5 else (1, 1, 2, 1, 3, 1)[n % 6]  # 1.5 on average
            type_id, price = types[kind]
            buyer, email, _ = person(n * 3)
            attendees = [AttendeeData(name=person(n * 3 + k)[0], email=person(n * 3 + k)[1],
                                      organisation=person(n * 3 + k)[2]) for k in range(seats)]
            order = create_order(edition, selection={type_id: seats}, attendees=attendees, email=email,
                                 buyer_name=buyer, consent_version=privacy, expected_total_cents=price * seats,
                                 now=clock[0])
            fate = n % 20
            if fate < 15:
                mark_order_paid(order, amount_cents=order.total_cents, currency=order.currency,
                                method=order.payment_method, reference=order.code, actor=organizer)
            elif fate == 15:
                release_order(order, reason=RELEASE_CANCELLED, actor=organizer)
            if (n + 1) % BATCH == 0:
                db.session.commit()
                db.session.expunge_all()
                edition, organizer = ensure_edition()
                if (n + 1) % 2000 == 0:
                    log(f"  orders {n + 1}/{target}", flush=True)
    db.session.commit()


def _grow_vouchers(edition, organizer, target: int) -> None:
    from convention.extensions import db
    from convention.registration.catalog import MAX_VOUCHERS_AT_ONCE, VoucherData, create_vouchers
    from convention.registration.models import Voucher, VoucherKind

    missing = target - _count(Voucher, edition)
    kinds = itertools.cycle([VoucherData(kind=VoucherKind.PERCENT, value=20, max_uses=1, comment="Early bird"),
                             VoucherData(kind=VoucherKind.FIXED, value=5000, max_uses=3, comment="Partner")])
    while missing > 0:
        count = min(missing, MAX_VOUCHERS_AT_ONCE, 500)
        create_vouchers(edition, next(kinds), actor=organizer, count=count, prefix="BENCH-")
        db.session.commit()
        missing = target - _count(Voucher, edition)


def _grow_waiting_list(edition, target: int) -> None:
    from convention.extensions import db
    from convention.registration.models import TicketType, WaitingListEntry
    from convention.registration.settings import get_settings
    from convention.registration.waiting_list import confirm_waiting_entry, join_waiting_list

    masterclass = db.session.scalar(sa.select(TicketType).where(TicketType.edition_id == edition.id,
                                                                TicketType.name == "Masterclass"))
    privacy = get_settings(edition).privacy_version
    for n in range(_count(WaitingListEntry, edition), target):
        name, email, _ = person(900000 + n)
        entry = join_waiting_list(edition, masterclass, name=name, email=email, quantity=1 + n % 2,
                                  consent_version=privacy)
        if n % 4:
            confirm_waiting_entry(entry)
        if (n + 1) % BATCH == 0:
            db.session.commit()
    db.session.commit()
