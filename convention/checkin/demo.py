"""The demo edition's door: the default list, a workshop-room list, a first wave of
arrivals already checked in at gate A by Sam (the demo's check-in staff), and a door
phone's API token (``DEMO_DEVICE_TOKEN``, printed by ``flask demo``: public like the demo
passwords; a real one comes from the token page or ``flask tokens create``)."""

from __future__ import annotations

import sqlalchemy as sa

from convention.checkin.models import CheckinList
from convention.checkin.scanning import check_in_attendee, default_list
from convention.extensions import db
from convention.registration.models import Attendee, Order, OrderState, TicketType
from convention.tokens.models import ApiToken, TokenScope
from convention.tokens.services import create_token, hash_secret

ARRIVALS = 40  # paid registrations already inside; the others are still to come
DEMO_DEVICE_NAME = "Gate A phone"
DEMO_DEVICE_TOKEN = "cvt_demo-door-phone-public-token-never-use-in-production"  # noqa: S105 - public demo data


def seed(edition, people) -> None:
    default_list(edition)
    workshop_types = db.session.scalars(
        sa.select(TicketType).where(TicketType.edition_id == edition.id, TicketType.name.ilike("%workshop%"))
    ).all()
    if workshop_types:
        db.session.add(CheckinList(edition_id=edition.id, name="Workshop lab", ticket_types=list(workshop_types),
                                   allow_reentry=True))
    db.session.flush()
    arrivals = db.session.scalars(
        sa.select(Attendee).join(Order, Order.id == Attendee.order_id)
        .where(Attendee.edition_id == edition.id, Order.state == OrderState.PAID)
        .order_by(Attendee.id).limit(ARRIVALS)
    ).all()
    for attendee in arrivals:
        check_in_attendee(edition, attendee, gate="A", actor=people["staff"])
    create_token(edition, scope=TokenScope.CHECKIN.value, name=DEMO_DEVICE_NAME, actor=people["organizer"],
                 secret=DEMO_DEVICE_TOKEN)


def device_token_present() -> bool:
    """Whether the demo door phone's token is in this database (a demo made before tokens
    existed has none: ``flask demo`` then does not print one)."""
    found = db.session.scalar(
        sa.select(ApiToken.id).where(ApiToken.token_hash == hash_secret(DEMO_DEVICE_TOKEN), ApiToken.revoked_at.is_(None))
    )
    return found is not None
