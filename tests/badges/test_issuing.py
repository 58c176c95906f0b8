"""Registration's signals drive the badges: codes issued on payment, reprint on rename,
void or refunded on cancellation, and the door and the revocation list agree."""

from __future__ import annotations

import sqlalchemy as sa

from convention.badges.issuing import issue_missing_badges, revoke_signing_key, revoked_ticket_ids
from convention.badges.keys import read_code, signing_key
from convention.badges.models import Badge
from convention.checkin.scanning import ScanRequest, scan
from convention.editions.models import Role
from convention.extensions import db
from convention.registration.models import Attendee
from convention.registration.ordering import AttendeeData
from convention.registration.self_service import update_attendees
from convention.registration.services import cancel_order, mark_order_paid, mark_order_refunded
from convention.registration.states import OrderState
from tests.factories import give_role, make_edition, make_user
from tests.registration.helpers import buy, make_ticket_type


def _badges(order):
    ids = [attendee.id for attendee in order.attendees]
    return db.session.scalars(sa.select(Badge).where(Badge.attendee_id.in_(ids)).order_by(Badge.attendee_id)).all()


def _paid_order(edition, seats=2, price=12100):
    ticket_type = make_ticket_type(edition, price_cents=price)
    order = buy(edition, {ticket_type: seats}, names=[f"Person {n}" for n in range(seats)])
    mark_order_paid(order, amount_cents=order.total_cents, currency=order.currency, method="bank_transfer",
                    reference="t")
    db.session.commit()
    return order


def test_a_reserved_order_has_no_badges_and_paying_issues_one_signed_code_per_registration(app, db):
    edition = make_edition(organizer=make_user())
    order = buy(edition, {make_ticket_type(edition): 2})
    assert order.state is OrderState.RESERVED and _badges(order) == []
    mark_order_paid(order, amount_cents=order.total_cents, currency=order.currency, method="bank_transfer",
                    reference="t")
    db.session.commit()
    badges = _badges(order)
    assert len(badges) == 2
    for badge, attendee in zip(badges, order.attendees, strict=True):
        payload = read_code(badge.code)
        assert (payload.edition_id, payload.ticket_id) == (edition.id, attendee.code)
        assert badge.printed_at is None and not badge.needs_reprint and badge.revoked_reason is None


def test_a_free_order_is_paid_at_once_and_gets_its_badge(app, db):
    edition = make_edition(organizer=make_user())
    order = buy(edition, {make_ticket_type(edition, price_cents=0): 1})
    assert order.state is OrderState.PAID
    assert [read_code(b.code).ticket_id for b in _badges(order)] == [order.attendees[0].code]


def test_paying_twice_keeps_the_same_code(app, db):
    edition = make_edition(organizer=make_user())
    order = _paid_order(edition, seats=1)
    first = _badges(order)[0].code
    mark_order_paid(order, amount_cents=order.total_cents, currency=order.currency, method="bank_transfer",
                    reference="t")
    db.session.commit()
    assert [b.code for b in _badges(order)] == [first]


def test_a_rename_marks_printed_badges_for_reprinting_only(app, db):
    edition = make_edition(organizer=make_user())
    order = _paid_order(edition, seats=2)
    printed, unprinted = _badges(order)
    printed.printed_at = printed.issued_at
    db.session.commit()
    changes = {attendee.id: AttendeeData(f"New name {n}", attendee.email, attendee.organisation)
               for n, attendee in enumerate(order.attendees)}
    update_attendees(order, changes)
    db.session.commit()
    assert (printed.needs_reprint, unprinted.needs_reprint) == (True, False)


def test_an_email_change_alone_needs_no_reprint(app, db):
    edition = make_edition(organizer=make_user())
    order = _paid_order(edition, seats=1)
    badge = _badges(order)[0]
    badge.printed_at = badge.issued_at
    attendee = order.attendees[0]
    update_attendees(order, {attendee.id: AttendeeData(attendee.name, "other@example.org", attendee.organisation)})
    db.session.commit()
    assert badge.needs_reprint is False


def test_cancelled_and_refunded_orders_revoke_their_badges_with_the_doors_reason(app, db):
    organizer = make_user()
    edition = make_edition(organizer=organizer)
    free = buy(edition, {make_ticket_type(edition, name="Free", price_cents=0): 1}, email="f@example.org")
    paid = _paid_order(edition, seats=1)
    cancel_order(free, actor=organizer)
    mark_order_refunded(paid, amount_cents=paid.total_cents, reference="r", actor=organizer)
    db.session.commit()
    assert [b.revoked_reason for b in _badges(free)] == ["void"]
    assert [b.revoked_reason for b in _badges(paid)] == ["refunded"]
    assert revoked_ticket_ids(edition.id) == {free.attendees[0].code: "void", paid.attendees[0].code: "refunded"}
    for order, reason in ((free, "void"), (paid, "refunded")):
        answer = scan(edition, ScanRequest(code=_badges(order)[0].code))
        assert (answer["status"], answer["reason"]) == ("not_valid_now", reason)


def test_a_cancelled_order_paid_again_admits_again_with_its_code(app, db):
    organizer = make_user()
    edition = make_edition(organizer=organizer)
    order = _paid_order(edition, seats=1)
    code = _badges(order)[0].code
    cancel_order(order, actor=organizer, refund=False)
    db.session.commit()
    assert _badges(order)[0].revoked_reason == "void"
    mark_order_paid(order, amount_cents=order.total_cents, currency=order.currency, method="bank_transfer",
                    reference="again")
    db.session.commit()
    badge = _badges(order)[0]
    assert (badge.code, badge.revoked_reason) == (code, None)
    assert revoked_ticket_ids(edition.id) == {}
    assert scan(edition, ScanRequest(code=code))["status"] == "checked_in"


def test_registrations_paid_before_badges_existed_get_theirs_once(app, db):
    edition = make_edition(organizer=make_user())
    order = _paid_order(edition, seats=3)
    db.session.execute(sa.delete(Badge))
    db.session.commit()
    paid_registrations = db.session.scalar(sa.select(sa.func.count()).select_from(Attendee))
    assert paid_registrations == 4  # the organizer's free registration (staff) and the order's three
    assert issue_missing_badges(edition.id, batch=3) == 4
    assert issue_missing_badges(edition.id) == 0
    db.session.commit()
    assert {read_code(b.code).ticket_id for b in _badges(order)} == {a.code for a in order.attendees}


def test_revoking_a_signing_key_gives_its_badges_new_codes_and_printed_ones_a_reprint(app, db):
    edition = make_edition(organizer=make_user())
    order = _paid_order(edition, seats=2)
    old_key = signing_key(edition.id)
    printed, unprinted = _badges(order)
    printed.printed_at = printed.issued_at
    old_codes = (printed.code, unprinted.code)
    db.session.commit()
    assert revoke_signing_key(edition.id, old_key.id) == 3  # the order's two and the organizer's staff badge
    db.session.commit()
    db.session.expire_all()
    printed, unprinted = _badges(order)
    assert all(read_code(code) is None for code in old_codes)  # the revoked key no longer verifies
    for badge, attendee in zip((printed, unprinted), order.attendees, strict=True):
        payload = read_code(badge.code)
        assert payload.ticket_id == attendee.code and payload.key_id != old_key.id
    assert (printed.needs_reprint, unprinted.needs_reprint) == (True, False)
    assert revoke_signing_key(edition.id, old_key.id) == 0  # again: nothing left to re-sign


def test_a_new_team_role_marks_the_persons_printed_badge_for_reprinting(app, db):
    organizer = make_user()
    edition = make_edition(organizer=organizer)
    reviewer = make_user(email="rev@example.org")
    give_role(edition, reviewer, Role.CHECKIN)  # a free staff registration, with its badge
    db.session.commit()
    badge = db.session.scalar(sa.select(Badge).join(Attendee, Attendee.id == Badge.attendee_id)
                              .where(Attendee.user_id == reviewer.id))
    badge.printed_at = badge.issued_at
    db.session.commit()
    give_role(edition, reviewer, Role.REVIEWER)  # now also on the committee: the band changes
    db.session.commit()
    db.session.refresh(badge)
    assert badge.needs_reprint is True
