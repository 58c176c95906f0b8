"""The demo seeder: believable registration data whose seat counters match the orders."""

import sqlalchemy as sa

from convention.demo import seed_demo
from convention.extensions import db
from convention.registration.models import Attendee, Order, OrderState, Quota, TicketCategory, TicketType


def test_demo_has_hundreds_of_paid_attendees_and_consistent_counters():
    seed_demo()
    db.session.commit()
    paid = db.session.scalar(
        sa.select(sa.func.count(Attendee.id)).join(Order).where(Order.state == OrderState.PAID,
                                                                Order.payment_method != "complimentary"))
    assert paid >= 300
    held_by_type = dict(db.session.execute(
        sa.select(Attendee.ticket_type_id, sa.func.count(Attendee.id)).join(Order)
        .where(Order.state.in_([OrderState.PAID, OrderState.RESERVED])).group_by(Attendee.ticket_type_id)).all())
    for ticket_type in db.session.scalars(sa.select(TicketType)):
        assert ticket_type.used == held_by_type.get(ticket_type.id, 0), ticket_type.name
        assert ticket_type.capacity is None or ticket_type.used <= ticket_type.capacity
    for quota in db.session.scalars(sa.select(Quota)):
        assert quota.used == sum(held_by_type.get(t.id, 0) for t in quota.ticket_types)
    reserved = db.session.scalar(sa.select(sa.func.count(Order.id)).where(Order.state == OrderState.RESERVED))
    assert reserved >= 3
    staff = db.session.scalars(sa.select(TicketType.category).where(TicketType.used > 0)).all()
    assert TicketCategory.COMMITTEE in staff and TicketCategory.STAFF in staff
