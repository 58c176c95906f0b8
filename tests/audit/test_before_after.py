"""The changes organizers make are audited with their before and after values: settings,
roles, decisions, schedule publications, refunds; and no entry names a person."""

from __future__ import annotations

import json

import sqlalchemy as sa

from convention.audit.models import AuditEntry
from convention.cfp.states import ProposalState
from convention.editions.models import Role
from convention.editions.services import grant_role, revoke_role
from convention.registration.services import mark_order_paid, mark_order_refunded, record_refund
from convention.review import decisions
from convention.review import settings as review_settings
from convention.review.models import Outcome
from tests.cfp.helpers import make_proposal
from tests.factories import make_edition, make_user
from tests.registration.helpers import buy, make_ticket_type
from tests.world import build_world


def _changes(db, action):
    entries = db.session.scalars(sa.select(AuditEntry).where(AuditEntry.action == action).order_by(AuditEntry.id))
    return [(entry.before, entry.after) for entry in entries]


def test_roles_settings_and_decisions_carry_before_and_after(db):
    organizer = make_user()
    edition = make_edition(organizer=organizer)
    rosa = make_user(name="Rosa Reviewer", email="rosa@example.org")
    grant = grant_role(edition, rosa, Role.REVIEWER, actor=organizer)
    revoke_role(edition, grant, actor=organizer)
    data = review_settings.SettingsData(None, None, blind=True, scores_visible_after_own=False, reviews_per_proposal=3)
    review_settings.save_settings(edition, data, actor=organizer)
    data = review_settings.SettingsData(None, None, blind=False, scores_visible_after_own=False, reviews_per_proposal=3)
    review_settings.save_settings(edition, data, actor=organizer)
    proposal = make_proposal(edition, make_user(), state=ProposalState.SUBMITTED)
    decisions.decide(proposal, Outcome.ACCEPT, actor=organizer)
    decisions.decide(proposal, Outcome.REJECT, actor=organizer)
    decisions.clear_decision(proposal, actor=organizer)
    db.session.commit()
    assert (None, None) not in _changes(db, "role.grant")
    assert _changes(db, "role.grant")[-1] == ({"role": None}, {"role": "reviewer"})
    assert _changes(db, "role.revoke") == [({"role": "reviewer"}, {"role": None})]
    assert _changes(db, "review.settings")[-1] == ({"blind": True}, {"blind": False})
    assert _changes(db, "review.decide") == [
        ({"outcome": None}, {"outcome": "accept"}),
        ({"outcome": "accept"}, {"outcome": "reject"}),
    ]
    assert _changes(db, "review.undecide") == [({"outcome": "reject"}, {"outcome": None})]


def test_refunds_and_schedule_publications_carry_before_and_after(db, app, tmp_path, monkeypatch):
    monkeypatch.setitem(app.config, "UPLOAD_FOLDER", str(tmp_path / "uploads"))
    build_world()  # publishes the first schedule version
    assert _changes(db, "schedule.published") == [({"version": None}, {"version": 1})]
    edition = make_edition()
    order = buy(edition, {make_ticket_type(edition, price_cents=5000): 2})
    mark_order_paid(order, amount_cents=10000, currency="EUR", method="stripe", reference="pi_1")
    record_refund(order, refunded_cents=2500, reference="re_1")
    mark_order_refunded(order, amount_cents=7500, reference="re_2")
    db.session.commit()
    assert _changes(db, "order.partially_refunded") == [({"refunded_cents": 0}, {"refunded_cents": 2500})]
    assert ({"state": "paid"}, {"state": "refunded"}) in _changes(db, "order.refunded")


def test_no_audit_entry_names_a_person(db, app, tmp_path, monkeypatch):
    """The world's people act through every domain; their names and addresses stay out of the log."""
    monkeypatch.setitem(app.config, "UPLOAD_FOLDER", str(tmp_path / "uploads"))
    build_world()
    people = db.session.execute(sa.text("select name, email from users")).all()
    logged = [json.dumps([e.data, e.before, e.after]).lower() for e in db.session.scalars(sa.select(AuditEntry))]
    assert len(logged) > 30
    named = {text for name, email in people for text in (name, email) if any(text.lower() in entry for entry in logged)}
    assert named == set()
