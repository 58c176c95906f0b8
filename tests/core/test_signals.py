"""Signals between domains (convention.core.signals): typed payloads that name the actor,
receivers connected by the app factory, and the audit trail they leave across domains."""

from __future__ import annotations

import pytest
import sqlalchemy as sa

from convention import SIGNAL_RECEIVERS
from convention.audit.models import AuditEntry
from convention.cfp import submission as cfp
from convention.cfp.states import ProposalState
from convention.core import signals
from convention.core.signals import DomainSignal, TalkConfirmed
from convention.editions.models import Role
from convention.editions.services import grant_role
from convention.extensions import db as _db
from convention.registration.models import Order, OrderState
from tests.cfp.helpers import make_proposal
from tests.factories import make_edition, make_user
from tests.registration.helpers import outbox


def _audit(action: str) -> list[tuple[int | None, str]]:
    entries = _db.session.scalars(sa.select(AuditEntry).where(AuditEntry.action == action).order_by(AuditEntry.id))
    return [(entry.actor_id, entry.data.get("source")) for entry in entries]


def _free_order(user) -> Order:
    return _db.session.scalar(
        sa.select(Order).where(Order.user_id == user.id, Order.payment_method == "complimentary")
    )


def test_the_free_ticket_of_a_confirmed_talk_names_the_speaker_who_confirmed_it(db):
    organizer, speaker, co_speaker = make_user(), make_user(), make_user()
    edition = make_edition(organizer=organizer)
    proposal = make_proposal(edition, speaker, state=ProposalState.ACCEPTED, organizer=organizer,
                             co_speakers=[co_speaker])

    cfp.set_proposal_state(proposal, ProposalState.CONFIRMED, actor=speaker)
    _db.session.commit()

    source = f"proposal:{proposal.id}"
    created = [entry for entry in _audit("registration.complimentary_created") if entry[1] == source]
    assert created == [(speaker.id, source), (speaker.id, source)]  # one free ticket per speaker
    assert _free_order(speaker).state is OrderState.PAID
    # Both speakers hear of their ticket, the one who confirmed included (as before the actor was sent).
    assert sorted(m.recipient for m in outbox("registration_complimentary")) == sorted([speaker.email,
                                                                                       co_speaker.email])


def test_the_free_ticket_of_a_cancelled_talk_names_the_organizer_who_cancelled_it(db):
    organizer, speaker = make_user(), make_user()
    edition = make_edition(organizer=organizer)
    proposal = make_proposal(edition, speaker, state=ProposalState.CONFIRMED, organizer=organizer)

    cfp.set_proposal_state(proposal, ProposalState.CANCELLED, actor=organizer)
    _db.session.commit()

    assert _audit("registration.complimentary_source_removed") == [(organizer.id, f"proposal:{proposal.id}")]
    assert _free_order(speaker).state is OrderState.CANCELLED


def test_a_role_grant_names_the_organizer_in_the_free_ticket_audit(db):
    organizer, reviewer = make_user(), make_user()
    edition = make_edition(organizer=organizer)
    grant_role(edition, reviewer, Role.REVIEWER, actor=organizer)
    _db.session.commit()
    assert (organizer.id, "role:reviewer") in _audit("registration.complimentary_created")


def test_a_signal_refuses_a_payload_of_another_type():
    with pytest.raises(TypeError, match="cfp.talk-confirmed carries a TalkConfirmed, not dict"):
        signals.talk_confirmed.send({"proposal_id": 1})


def test_a_receiver_gets_the_payload_and_its_answer_comes_back():
    signal = DomainSignal("test.asked", TalkConfirmed)
    signal.connect(lambda event: f"{len(event.speaker_ids)} speakers")
    signal.connect(lambda event: None)
    assert signal.send(TalkConfirmed(1, 2, (3, 4), actor_id=5)) == ["2 speakers", None]


def test_the_app_factory_connects_one_receiving_function_per_domain(app):
    """Receivers are connected by ``create_app`` (each domain's ``connect_receivers``),
    never by importing a views module."""
    connected = {
        name: {receiver.__module__ for receiver in signal._signal.receivers.values()}
        for name, signal in (("talk_confirmed", signals.talk_confirmed), ("talk_cancelled", signals.talk_cancelled),
                             ("role_granted", signals.role_granted), ("role_revoked", signals.role_revoked),
                             ("item_in_use", signals.item_in_use), ("order_released", signals.order_released),
                             ("landing_asked", signals.landing_asked), ("order_paid", signals.order_paid),
                             ("attendee_renamed", signals.attendee_renamed),
                             ("order_cancelled", signals.order_cancelled), ("order_refunded", signals.order_refunded),
                             ("order_attachments_asked", signals.order_attachments_asked))
    }
    badges = "convention.badges.issuing"
    assert connected == {
        "talk_confirmed": {"convention.registration.complimentary", badges},
        "talk_cancelled": {"convention.registration.complimentary", "convention.schedule.placement", badges},
        "role_granted": {"convention.registration.complimentary", badges},
        "role_revoked": {"convention.registration.complimentary", "convention.review.assignment", badges},
        "item_in_use": {"convention.cfp.manage_services", "convention.schedule.placement"},
        "order_released": {"convention.payments.provider"},
        "landing_asked": {"convention.checkin.landing"},
        "order_paid": {badges},
        "attendee_renamed": {badges},
        "order_cancelled": {badges},
        "order_refunded": {badges},
        "order_attachments_asked": {badges},
    }
    assert set(SIGNAL_RECEIVERS) == set().union(*connected.values())
