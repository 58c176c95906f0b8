"""The door's rule (checkin/scanning.py: scan), tested directly."""

from __future__ import annotations

from datetime import timedelta

import pytest
import sqlalchemy as sa

from convention.badges.codes import sign_code
from convention.badges.keys import _unseal, revoke_key, rotate_key, signing_key
from convention.checkin.models import Checkin, CheckinList
from convention.checkin.scanning import ScanRequest, default_list, look_up, scan
from convention.core.errors import DomainError, NotFound
from convention.core.timeutil import to_local, utcnow
from convention.editions.models import Edition
from convention.extensions import db
from convention.registration.services import cancel_order, mark_order_refunded
from tests.checkin.helpers import registration
from tests.factories import make_edition, make_user
from tests.queries import count_queries
from tests.registration.helpers import make_ticket_type


def _scan(edition, code, **kwargs):
    answer = scan(edition, ScanRequest(code=code, **kwargs))
    db.session.commit()
    return answer


def _logged():
    return db.session.scalar(sa.select(sa.func.count(Checkin.id)))


def test_first_scan_checks_in_the_second_says_when_and_where():
    edition = make_edition()
    attendee, code = registration(edition, name="Ada Lovelace")
    first = _scan(edition, code, gate="B")
    assert first["status"] == "checked_in"
    assert (first["name"], first["ticket_type"], first["organisation"]) == ("Ada Lovelace", "Conference pass", "ACME")
    second = _scan(edition, code, gate="C")
    assert second["status"] == "already_checked_in"
    assert second["gate"] == "B"
    assert second["checked_in_at"].startswith(to_local(utcnow()).date().isoformat()[:4])
    assert _logged() == 2


@pytest.mark.parametrize("mangle", [lambda c: c[:-1], lambda c: c[:20], lambda c: c[::-1], lambda c: "nonsense",
                                    lambda c: c[:10] + ("A" if c[10] != "A" else "B") + c[11:], lambda c: ""])
def test_tampered_truncated_and_random_codes_are_invalid_and_logged(mangle):
    edition = make_edition()
    _attendee, code = registration(edition)
    answer = _scan(edition, mangle(code))
    assert answer == {"status": "invalid", "list": answer["list"]}
    assert _logged() == 1


def test_another_editions_code_is_not_valid_here():
    here, there = make_edition(), make_edition()
    _attendee, code = registration(there)
    assert _scan(here, code) == {"status": "not_valid_now", "reason": "other_edition", "list": default_list(here).id}


def test_a_code_claiming_this_edition_but_signed_with_another_editions_key_is_invalid():
    here, there = make_edition(), make_edition()
    attendee, _code = registration(here)
    foreign_key = signing_key(there.id)
    forged = sign_code(_unseal(foreign_key), key_id=foreign_key.id, edition_id=here.id, ticket_id=attendee.code)
    assert _scan(here, forged)["status"] == "invalid"
    assert _scan(there, forged)["status"] == "invalid"  # nor is it "another edition's" genuine code
    assert _logged() == 2


def test_look_up_reads_list_registration_entry_and_key_in_one_query():
    edition = make_edition()
    attendee, code = registration(edition, name="Ada Lovelace")
    _scan(edition, code, gate="B")
    key_id, ticket_id, edition_id = signing_key(edition.id).id, attendee.code, edition.id
    edition = db.session.get(Edition, edition_id)
    with count_queries() as statements:
        facts = look_up(edition, None, ticket_id=ticket_id, key_id=key_id, key_edition_id=edition_id)
    assert len(statements) == 1, statements
    assert facts.list_id == default_list(edition).id and facts.on_list and facts.public_key
    assert (facts.registration.name, facts.registration.organisation) == ("Ada Lovelace", "ACME")
    assert facts.first_entry.gate == "B"
    nobody = look_up(edition, None, ticket_id=None, key_id=None)
    assert (nobody.registration, nobody.first_entry, nobody.public_key) == (None, None, None)


def test_unpaid_void_and_refunded_tickets_are_refused_with_the_reason():
    edition = make_edition()
    _a, unpaid = registration(edition, paid=False, name="Unpaid")
    assert _scan(edition, unpaid)["reason"] == "unpaid"
    cancelled, void = registration(edition, name="Void", type_name="Day pass")
    cancel_order(cancelled.order, actor=None, refund=False)
    db.session.commit()
    assert _scan(edition, void)["reason"] == "void"
    refunded, code = registration(edition, name="Refunded", type_name="Student pass")
    mark_order_refunded(refunded.order, amount_cents=refunded.order.total_cents, reference="r")
    db.session.commit()
    answer = _scan(edition, code)
    assert (answer["status"], answer["reason"], answer["name"]) == ("not_valid_now", "refunded", "Refunded")


def test_a_list_admits_only_its_ticket_types_and_days():
    edition = make_edition()
    workshop = make_ticket_type(edition, name="Workshop")
    _a, other_code = registration(edition, name="Main only")
    _b, workshop_code = registration(edition, name="Workshopper", ticket_type=workshop)
    today = to_local(utcnow()).date()
    room = CheckinList(edition_id=edition.id, name="Workshop room", ticket_types=[workshop], days=[today.isoformat()])
    tomorrow = CheckinList(edition_id=edition.id, name="Tomorrow", days=[(today + timedelta(days=2)).isoformat()])
    db.session.add_all([room, tomorrow])
    db.session.commit()
    assert _scan(edition, other_code, list_id=room.id)["reason"] == "not_on_list"
    assert _scan(edition, workshop_code, list_id=room.id)["status"] == "checked_in"
    assert _scan(edition, workshop_code, list_id=tomorrow.id)["reason"] == "wrong_day"
    # the default list admits every valid ticket, any day, and counts apart from the others
    assert _scan(edition, workshop_code)["status"] == "checked_in"


def test_reentry_lists_count_every_entry_and_exits_are_logged():
    edition = make_edition()
    _a, code = registration(edition)
    hall = CheckinList(edition_id=edition.id, name="Hall", allow_reentry=True)
    db.session.add(hall)
    db.session.commit()
    assert _scan(edition, code, list_id=hall.id)["status"] == "checked_in"
    assert _scan(edition, code, list_id=hall.id, kind="exit")["status"] == "checked_out"
    assert _scan(edition, code, list_id=hall.id)["status"] == "checked_in"
    with pytest.raises(DomainError):
        scan(edition, ScanRequest(code=code, kind="dance"))
    with pytest.raises(NotFound):
        scan(make_edition(), ScanRequest(code=code, list_id=hall.id))


def test_the_same_nonce_twice_is_one_scan():
    edition = make_edition()
    _a, code = registration(edition)
    assert _scan(edition, code, nonce="n-1")["status"] == "checked_in"
    assert _scan(edition, code, nonce="n-1")["status"] == "checked_in"
    assert _logged() == 1
    assert _scan(edition, code, nonce="n-2")["status"] == "already_checked_in"
    assert _scan(edition, code, nonce="n-2")["status"] == "already_checked_in"
    assert _logged() == 2


def test_rotated_keys_keep_codes_valid_until_revoked():
    edition = make_edition()
    _a, code = registration(edition)
    old = signing_key(edition.id)
    rotate_key(edition.id, actor=make_user())
    db.session.commit()
    assert _scan(edition, code)["status"] == "checked_in"
    revoke_key(edition.id, old.id)
    db.session.commit()
    assert _scan(edition, code)["status"] == "invalid"


def test_a_badge_print_scan_marks_the_badge_printed_without_counting_an_entry():
    from convention.badges.models import Badge

    edition = make_edition()
    attendee, code = registration(edition)
    badge = db.session.scalar(sa.select(Badge).where(Badge.attendee_id == attendee.id))
    badge.needs_reprint = True
    db.session.commit()
    answer = _scan(edition, code, kind="print")
    assert answer["status"] == "badge_printed" and answer["name"] == attendee.name
    db.session.expire_all()
    badge = db.session.get(Badge, badge.id)
    assert badge.printed_at is not None and badge.needs_reprint is False
    assert _scan(edition, code)["status"] == "checked_in"  # the print was not an entry
    assert _scan(edition, code, kind="print")["status"] == "badge_printed"  # printing again is allowed
    assert _scan(edition, code)["status"] == "already_checked_in"
    cancel_order(attendee.order, actor=None, refund=False)
    db.session.commit()
    assert _scan(edition, code, kind="print")["reason"] == "void"  # no badge for a void ticket


def test_a_check_in_without_a_badge_is_an_audited_override():
    from convention.audit.models import AuditEntry
    from convention.checkin.scanning import check_in_attendee

    edition = make_edition()
    attendee, _code = registration(edition)
    staff = make_user()
    assert check_in_attendee(edition, attendee, gate="B", actor=staff)["status"] == "checked_in"
    db.session.commit()
    entry = db.session.scalar(sa.select(AuditEntry).where(AuditEntry.action == "checkin.manual"))
    assert entry.actor_id == staff.id and entry.edition_id == edition.id
    assert entry.after["status"] == "checked_in" and entry.after["gate"] == "B"
    assert attendee.name not in str(entry.after)  # the log names people by id only
