"""Free registrations for speakers, committee and staff, from signals (idempotent)."""

import sqlalchemy as sa

from convention.core.signals import TalkCancelled, TalkConfirmed, talk_cancelled, talk_confirmed
from convention.editions.models import EditionRole, Role
from convention.editions.services import grant_role, revoke_role
from convention.extensions import db
from convention.registration.models import Order, OrderState, TicketCategory
from tests.factories import make_edition, make_user
from tests.registration.helpers import outbox


def _registrations(user):
    return list(db.session.scalars(
        sa.select(Order).where(Order.user_id == user.id, Order.payment_method == "complimentary").order_by(Order.id)))


def _kind(order):
    return order.attendees[0].ticket_type.category


def _talk_confirmed(edition, speaker, proposal_id, actor=None):
    talk_confirmed.send(TalkConfirmed(edition.id, proposal_id, (speaker.id,), actor_id=getattr(actor, "id", None)))


def _talk_cancelled(edition, speaker, proposal_id, actor=None):
    talk_cancelled.send(TalkCancelled(edition.id, proposal_id, (speaker.id,), actor_id=getattr(actor, "id", None)))


def test_confirmed_talk_gives_the_speaker_one_free_registration():
    edition = make_edition()
    speaker = make_user(name="Sofia Speaker")
    talk = 41
    _talk_confirmed(edition, speaker, talk)
    _talk_confirmed(edition, speaker, talk)
    db.session.commit()
    [order] = _registrations(speaker)
    assert (order.state, order.total_cents, _kind(order)) == (OrderState.PAID, 0, TicketCategory.SPEAKER)
    assert order.attendees[0].name == "Sofia Speaker"
    assert order.complimentary_sources == ["proposal:41"]
    assert [m.recipient for m in outbox("registration_complimentary")] == [speaker.email]


def test_cancelled_talk_removes_the_registration_only_when_no_talk_is_left():
    edition = make_edition()
    speaker = make_user()
    first, second = 1, 2
    for talk in (first, second):
        _talk_confirmed(edition, speaker, talk)
    _talk_cancelled(edition, speaker, first)
    db.session.commit()
    [order] = _registrations(speaker)
    assert (order.state, order.complimentary_sources) == (OrderState.PAID, ["proposal:2"])
    _talk_cancelled(edition, speaker, second)
    _talk_cancelled(edition, speaker, second)
    db.session.commit()
    assert order.state is OrderState.CANCELLED


def test_committee_role_gives_committee_registration_and_revoking_removes_it():
    organizer = make_user()
    edition = make_edition(organizer=organizer)
    reviewer = make_user()
    grant = grant_role(edition, reviewer, Role.REVIEWER, actor=organizer)
    db.session.commit()
    [order] = _registrations(reviewer)
    assert _kind(order) is TicketCategory.COMMITTEE
    revoke_role(edition, grant, actor=organizer)
    db.session.commit()
    assert order.state is OrderState.CANCELLED


def test_checkin_and_organizer_roles_give_staff_registration():
    organizer = make_user()
    edition = make_edition(organizer=organizer)
    door = make_user()
    grant_role(edition, door, Role.CHECKIN, actor=organizer)
    db.session.commit()
    assert [_kind(o) for o in _registrations(door)] == [TicketCategory.STAFF]
    assert [_kind(o) for o in _registrations(organizer)] == [TicketCategory.STAFF]


def test_one_badge_per_person_follows_the_strongest_reason():
    organizer = make_user()
    edition = make_edition(organizer=organizer)
    person = make_user()
    grant_role(edition, person, Role.CHECKIN, actor=organizer)
    grant_role(edition, person, Role.REVIEWER, actor=organizer)
    _talk_confirmed(edition, person, 7)
    db.session.commit()
    [order] = _registrations(person)
    assert _kind(order) is TicketCategory.SPEAKER
    assert order.complimentary_sources == ["proposal:7", "role:checkin", "role:reviewer"]
    _talk_cancelled(edition, person, 7)
    db.session.commit()
    assert (order.state, _kind(order)) == (OrderState.PAID, TicketCategory.COMMITTEE)
    grant = db.session.scalar(sa.select(EditionRole).where(EditionRole.user_id == person.id,
                                                           EditionRole.role == Role.REVIEWER))
    revoke_role(edition, grant, actor=organizer)
    db.session.commit()
    assert (order.state, _kind(order)) == (OrderState.PAID, TicketCategory.STAFF)
    counts = {t.category: t.used for t in (a.ticket_type for a in order.attendees)}
    assert counts == {TicketCategory.STAFF: 2}  # the organizer's own staff registration and this one


def test_complimentary_registrations_have_no_receipt(client):
    edition = make_edition()
    speaker = make_user()
    _talk_confirmed(edition, speaker, 3)
    db.session.commit()
    [order] = _registrations(speaker)
    assert client.get(f"/{edition.slug}/orders/{order.secret}/receipt.pdf").status_code == 404
    assert "You are registered, free of charge." in client.get(f"/{edition.slug}/orders/{order.secret}/").get_data(
        as_text=True)
