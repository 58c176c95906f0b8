"""Partial refunds: recorded on the order, which stays paid with its seats; only a full refund cancels it."""

from __future__ import annotations

import pytest
import sqlalchemy as sa

from convention.audit.models import AuditEntry
from convention.core.errors import DomainError
from convention.extensions import db
from convention.payments.checkout import refund_stripe_payment
from convention.payments.models import EventOutcome, StripeEvent
from convention.registration.models import OrderState, TicketType
from convention.registration.services import cancel_order, record_refund
from tests.factories import make_user
from tests.payments.conftest import completed, deliver, snapshot, stripe_order
from tests.payments.fake_stripe import charge_for, make_event
from tests.registration.helpers import outbox


def _paid_order(client, stripe_api, *, price_cents=4500, seats=1):
    order, session_id = stripe_order(price_cents=price_cents, seats=seats)
    assert deliver(client, completed(stripe_api, session_id)).get_json()["outcome"] == "applied"
    db.session.refresh(order)
    assert order.state is OrderState.PAID
    return order, session_id


def _refunded_event(stripe_api, session_id, amount_refunded, refund_id, event_id=None):
    charge = charge_for(stripe_api.sessions[session_id], amount_refunded=amount_refunded, refund_id=refund_id)
    return make_event("charge.refunded", charge, event_id=event_id)


def _used(order) -> int:
    return db.session.get(TicketType, order.attendees[0].ticket_type_id).used


def test_partial_charge_refunded_is_recorded_and_keeps_the_order_paid_with_its_seat(client, stripe_api):
    order, session_id = _paid_order(client, stripe_api)
    response = deliver(client, _refunded_event(stripe_api, session_id, 100, "re_goodwill", event_id="evt_partial"))
    assert response.get_json() == {"received": True, "outcome": "applied"}
    db.session.expire_all()
    assert (order.state, order.refunded_cents, order.refund_reference, order.refunded_at) == (
        OrderState.PAID, 100, "re_goodwill", None)
    assert _used(order) == 1
    assert outbox("registration_order_refunded") == []
    stored = db.session.scalar(sa.select(StripeEvent).where(StripeEvent.stripe_id == "evt_partial"))
    assert (stored.outcome, stored.detail) == (
        EventOutcome.APPLIED, "partial refund: 100 of 4500 EUR refunded, order stays paid")
    audit = db.session.scalar(sa.select(AuditEntry).where(AuditEntry.action == "order.partially_refunded"))
    assert (audit.data["amount_cents"], audit.data["refunded_cents"], audit.data["total_cents"]) == (100, 100, 4500)


def test_the_same_refund_total_reported_again_changes_nothing(client, stripe_api):
    order, session_id = _paid_order(client, stripe_api)
    deliver(client, _refunded_event(stripe_api, session_id, 100, "re_1"))
    before = snapshot()
    again = deliver(client, _refunded_event(stripe_api, session_id, 100, "re_1"))  # another event, same total
    assert again.get_json() == {"received": True, "outcome": "no_change"}
    after = snapshot()
    assert after.pop("events") == before.pop("events") + 1
    assert after == before
    db.session.refresh(order)
    assert order.refunded_cents == 100


def test_partial_refunds_adding_up_to_the_total_cancel_the_order_once(client, stripe_api):
    order, session_id = _paid_order(client, stripe_api, price_cents=2250, seats=2)
    deliver(client, _refunded_event(stripe_api, session_id, 1000, "re_1"))
    db.session.refresh(order)
    assert (order.state, order.refunded_cents, _used(order)) == (OrderState.PAID, 1000, 2)

    response = deliver(client, _refunded_event(stripe_api, session_id, 4500, "re_2"))  # the running total
    assert response.get_json() == {"received": True, "outcome": "applied"}
    db.session.expire_all()
    assert (order.state, order.refunded_cents, order.refund_reference, _used(order)) == (
        OrderState.REFUNDED, 4500, "re_2", 0)
    assert len(outbox("registration_order_refunded")) == 1


def test_two_partial_refunds_of_the_same_amount_are_two_refunds_at_stripe(client, stripe_api):
    order, _session = _paid_order(client, stripe_api)
    first = refund_stripe_payment(order, amount_cents=500, reason="Parking refund")
    retried = refund_stripe_payment(order, amount_cents=500, reason="Parking refund")  # retry before recording
    assert retried == first
    record_refund(order, refunded_cents=500, reference=first)
    db.session.commit()

    second = refund_stripe_payment(order, amount_cents=500, reason="Parking refund, day two")
    record_refund(order, refunded_cents=order.refunded_cents + 500, reference=second)
    db.session.commit()

    assert second != first
    assert len(stripe_api.refunds) == 2
    assert [r.idempotency_key for r in stripe_api.sent("POST", "/v1/refunds")] == [
        f"refund-{order.code}-500", f"refund-{order.code}-500", f"refund-{order.code}-500-after-500"]
    db.session.refresh(order)
    assert (order.state, order.refunded_cents, _used(order)) == (OrderState.PAID, 1000, 1)


def test_a_refund_cannot_exceed_what_is_left_and_cancelling_refunds_the_rest(client, stripe_api):
    order, session_id = _paid_order(client, stripe_api)
    deliver(client, _refunded_event(stripe_api, session_id, 100, "re_goodwill"))
    db.session.refresh(order)
    with pytest.raises(DomainError, match="not yet refunded"):
        refund_stripe_payment(order, amount_cents=4500)
    assert stripe_api.sent("POST", "/v1/refunds") == []

    cancel_order(order, actor=make_user())
    db.session.commit()
    [sent] = stripe_api.sent("POST", "/v1/refunds")
    assert (sent.params["amount"], sent.idempotency_key) == ("4400", f"refund-{order.code}-4400-after-100")
    db.session.refresh(order)
    assert (order.state, order.refunded_cents, _used(order)) == (OrderState.REFUNDED, 4500, 0)


def test_organizers_see_a_partial_refund_on_the_order(client, stripe_api, auth_organizer):
    order, session_id = _paid_order(client, stripe_api)
    deliver(client, _refunded_event(stripe_api, session_id, 100, "re_goodwill"))
    page = auth_organizer(order).get(f"/{order_slug(order)}/manage/orders/{order.code}").get_data(as_text=True)
    assert "€1.00 of €45.00 refunded (partial refund; the order stays paid)" in page
    assert "re_goodwill" in page


def order_slug(order) -> str:
    from convention.editions.models import Edition

    return db.session.get(Edition, order.edition_id).slug


@pytest.fixture
def auth_organizer(client):
    """Sign in an organizer of the order's edition; returns the client."""
    from convention.editions.models import Edition, Role
    from tests.conftest import Auth
    from tests.factories import give_role

    def sign_in(order):
        organizer = make_user(email="payments-organizer@example.org")
        give_role(db.session.get(Edition, order.edition_id), organizer, Role.ORGANIZER)
        assert Auth(client).login(organizer.email).status_code == 302
        return client

    return sign_in
