"""Offline scanning: the package a device downloads, and merging its scans (first check-in wins)."""

from __future__ import annotations

import base64
from datetime import timedelta

import sqlalchemy as sa

from convention.badges.codes import verify_code
from convention.badges.keys import revoke_key, rotate_key, signing_key
from convention.checkin.models import Checkin, CheckinList
from convention.checkin.offline import offline_package, upload_scans
from convention.checkin.scanning import ScanRequest, default_list, scan
from convention.core.timeutil import utcnow
from convention.editions.models import Edition
from convention.extensions import db
from convention.registration.models import TicketType
from convention.registration.services import cancel_order, mark_order_refunded
from tests.checkin.helpers import registration
from tests.factories import make_edition
from tests.queries import count_queries


def _iso(moment):
    return moment.isoformat()


def _upload(edition, scans, device="Phone 1"):
    answers = upload_scans(edition, scans, device=device)
    db.session.commit()
    return answers


def _entries(attendee_id):
    return db.session.scalars(sa.select(Checkin).where(Checkin.attendee_id == attendee_id).order_by(Checkin.at)).all()


def test_the_package_has_the_keys_refused_tickets_and_lists_and_verifies_codes_offline():
    edition = make_edition()
    _ok, code = registration(edition, name="Valid")
    ticket_type = _ok.ticket_type
    void, _ = registration(edition, name="Void", ticket_type=ticket_type)
    refunded, _ = registration(edition, name="Refunded", ticket_type=ticket_type)
    unpaid, _ = registration(edition, name="Unpaid", paid=False, ticket_type=ticket_type)
    cancel_order(void.order, actor=None, refund=False)
    mark_order_refunded(refunded.order, amount_cents=refunded.order.total_cents, reference="r")
    old_key = signing_key(edition.id)
    kept = rotate_key(edition.id)
    dropped = rotate_key(edition.id)
    revoke_key(edition.id, dropped.id)
    db.session.commit()
    package = offline_package(edition)
    assert [key["id"] for key in package["keys"]] == [old_key.id, kept.id]
    assert package["refused"] == {"refunded": [refunded.code], "unpaid": [unpaid.code], "void": [void.code]}
    assert [item["name"] for item in package["lists"]] == ["Main entrance"]
    assert package["lists"][0]["allow_reentry"] is False
    from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PublicKey

    keys = {
        key["id"]: Ed25519PublicKey.from_public_bytes(base64.urlsafe_b64decode(key["ed25519"] + "="))
        for key in package["keys"]
    }
    assert verify_code(code, keys).ticket_id == _ok.code
    altered = code[:-2] + ("AA" if code[-2:] != "AA" else "BA")  # always a change, never the code itself
    assert verify_code(altered, keys) is None


def test_the_package_query_count_does_not_grow():
    edition = make_edition()
    first, _code = registration(edition)
    ticket_type_id = first.ticket_type_id
    db.session.add(CheckinList(edition_id=edition.id, name="Workshop"))
    db.session.commit()
    default_list(edition)
    db.session.commit()
    edition_id = edition.id
    with count_queries() as few:
        offline_package(db.session.get(Edition, edition_id))
    edition = db.session.get(Edition, edition_id)  # count_queries started a new session
    ticket_type = db.session.get(TicketType, ticket_type_id)
    for n in range(4):
        void, _ = registration(edition, name=f"Void {n}", ticket_type=ticket_type)
        cancel_order(void.order, actor=None, refund=False)
        db.session.add(CheckinList(edition_id=edition_id, name=f"Day {n}"))
    db.session.commit()
    with count_queries() as many:
        offline_package(db.session.get(Edition, edition_id))
    assert len(many) == len(few)


def test_conflicting_offline_scans_keep_the_first_whatever_the_order_of_upload():
    edition = make_edition()
    attendee, code = registration(edition)
    now = utcnow()
    late = _upload(
        edition,
        [{"code": code, "nonce": "b-1", "gate": "B", "scanned_at": _iso(now - timedelta(minutes=5))}],
        device="Phone B",
    )
    assert late[0]["status"] == "checked_in"
    early = _upload(
        edition,
        [{"code": code, "nonce": "a-1", "gate": "A", "scanned_at": _iso(now - timedelta(minutes=9))}],
        device="Phone A",
    )
    assert early[0]["status"] == "checked_in" and early[0]["nonce"] == "a-1"
    rows = _entries(attendee.id)
    assert [(row.gate, row.device) for row in rows] == [("A", "Phone A"), ("B", "Phone B")]  # nothing lost
    assert [row.admitted_attendee_id for row in rows] == [attendee.id, None]  # the first one counts
    live = scan(edition, ScanRequest(code=code, gate="C"))
    assert (live["status"], live["gate"]) == ("already_checked_in", "A")
    assert live["checked_in_at"] == rows[0].at.isoformat()


def test_a_live_entry_before_the_offline_scan_wins():
    edition = make_edition()
    attendee, code = registration(edition)
    scan(edition, ScanRequest(code=code, gate="Live"))
    db.session.commit()
    later = _upload(edition, [{"code": code, "nonce": "n1", "scanned_at": _iso(utcnow() + timedelta(seconds=30))}])
    assert (later[0]["status"], later[0]["gate"]) == ("already_checked_in", "Live")
    assert [row.admitted_attendee_id is not None for row in _entries(attendee.id)] == [True, False]


def test_one_batch_with_two_scans_of_one_ticket_keeps_the_earlier_and_answers_in_order():
    edition = make_edition()
    attendee, code = registration(edition)
    now = utcnow()
    answers = _upload(
        edition,
        [
            {"code": code, "nonce": "second", "gate": "B", "scanned_at": _iso(now - timedelta(minutes=1))},
            {"code": code, "nonce": "first", "gate": "A", "scanned_at": _iso(now - timedelta(minutes=2))},
            {"code": "not-a-code", "nonce": "junk", "scanned_at": _iso(now)},
            {"code": code, "nonce": "out", "type": "exit", "scanned_at": _iso(now)},
        ],
    )
    assert [a["nonce"] for a in answers] == ["second", "first", "junk", "out"]
    assert [a["status"] for a in answers] == ["already_checked_in", "checked_in", "invalid", "checked_out"]
    assert answers[0]["gate"] == "A"


def test_uploading_the_same_batch_again_records_nothing_more():
    edition = make_edition()
    _attendee, code = registration(edition)
    batch = [
        {"code": code, "nonce": f"n{i}", "scanned_at": _iso(utcnow() - timedelta(minutes=10 - i))} for i in range(3)
    ]
    first = _upload(edition, batch)
    again = _upload(edition, batch)
    assert [a["status"] for a in again] == [a["status"] for a in first]
    assert db.session.scalar(sa.select(sa.func.count(Checkin.id))) == 3


def test_malformed_scans_are_answered_one_by_one_and_the_others_count():
    edition = make_edition()
    _attendee, code = registration(edition)
    now = utcnow()
    answers = _upload(
        edition,
        [
            "nope",
            {"code": code, "scanned_at": _iso(now)},  # no nonce
            {"code": code, "nonce": "naive", "scanned_at": "2026-11-30T10:00:00"},
            {"code": code, "nonce": "future", "scanned_at": _iso(now + timedelta(hours=2))},
            {"code": code, "nonce": "bad-list", "list": 99999, "scanned_at": _iso(now)},
            {"code": code, "nonce": "good", "scanned_at": _iso(now)},
        ],
    )
    assert [a["status"] for a in answers] == ["error"] * 5 + ["checked_in"]
    assert [a.get("field") for a in answers[:5]] == [None, "nonce", "scanned_at", "scanned_at", None]
    assert db.session.scalar(sa.select(sa.func.count(Checkin.id))) == 1
