"""The Stripe webhook end to end over HTTP: signed events in, order states out."""

from __future__ import annotations

import sqlalchemy as sa

from convention.extensions import db
from convention.mail.models import OutboxMessage
from convention.payments.models import EventOutcome, IssueKind, PaymentIssue, StripeCheckout, StripeEvent
from convention.registration.models import OrderState, TicketType
from convention.registration.services import release_order
from tests.factories import make_edition
from tests.payments.conftest import WEBHOOK, completed, deliver, snapshot, stripe_order
from tests.payments.fake_stripe import charge_for, make_event, signed_webhook
from tests.registration.helpers import buy, make_ticket_type


def _mails_to(email: str) -> list[str]:
    return list(db.session.scalars(
        sa.select(OutboxMessage.template).where(OutboxMessage.recipient == email).order_by(OutboxMessage.id)
    ))


def _event(stripe_id: str) -> StripeEvent:
    return db.session.scalar(sa.select(StripeEvent).where(StripeEvent.stripe_id == stripe_id))


def test_completed_paid_session_marks_the_order_paid(client, stripe_api):
    order, session_id = stripe_order()
    response = deliver(client, completed(stripe_api, session_id, event_id="evt_paid"))
    assert response.status_code == 200
    assert response.get_json() == {"received": True, "outcome": "applied"}
    db.session.refresh(order)
    assert order.state is OrderState.PAID
    assert order.payment_reference == stripe_api.sessions[session_id]["payment_intent"]
    assert _mails_to("buyer@example.org") == ["registration_order_paid"]
    stored = _event("evt_paid")
    assert (stored.type, stored.order_id, stored.outcome, stored.object_id) == (
        "checkout.session.completed", order.id, EventOutcome.APPLIED, session_id)
    checkout = db.session.scalar(sa.select(StripeCheckout).where(StripeCheckout.session_id == session_id))
    assert checkout.status.value == "complete"


def test_same_event_delivered_twice_changes_nothing_the_second_time(client, stripe_api):
    order, session_id = stripe_order()
    event = completed(stripe_api, session_id, event_id="evt_twice")
    assert deliver(client, event).status_code == 200
    before = snapshot()
    again = deliver(client, event)
    assert again.status_code == 200
    assert again.get_json() == {"received": True, "duplicate": True}
    assert snapshot() == before
    assert before["events"] == 1 and before["mails"] == 1


def test_a_different_event_for_an_already_paid_session_changes_nothing(client, stripe_api):
    order, session_id = stripe_order()
    deliver(client, completed(stripe_api, session_id, event_id="evt_first"))
    before = snapshot()
    response = deliver(client, make_event("checkout.session.async_payment_succeeded",
                                          stripe_api.sessions[session_id], event_id="evt_second"))
    assert response.get_json() == {"received": True, "outcome": "no_change"}
    after = snapshot()
    assert after.pop("events") == before.pop("events") + 1
    assert after == before


def test_forged_signature_is_refused_and_changes_nothing(client, stripe_api):
    order, session_id = stripe_order()
    before = snapshot()
    response = deliver(client, completed(stripe_api, session_id), secret="whsec_an_attacker_guess")
    assert response.status_code == 400
    assert response.get_json() == {"error": "Invalid signature or payload."}
    assert snapshot() == before
    db.session.refresh(order)
    assert order.state is OrderState.RESERVED


def test_unsigned_and_tampered_deliveries_are_refused(client, stripe_api):
    order, session_id = stripe_order()
    event = completed(stripe_api, session_id)
    body, headers = signed_webhook(event)
    before = snapshot()
    assert client.post(WEBHOOK, data=body, headers={"Content-Type": "application/json"}).status_code == 400
    tampered = body.replace(b'"amount_total":12100', b'"amount_total":100')
    assert tampered != body
    assert client.post(WEBHOOK, data=tampered, headers=headers).status_code == 400
    assert snapshot() == before


def test_webhook_is_not_found_when_stripe_is_not_configured(client):
    body, headers = signed_webhook(make_event("checkout.session.completed", {"id": "cs_1"}))
    response = client.post(WEBHOOK, data=body, headers=headers)
    assert response.status_code == 404
    assert db.session.scalar(sa.select(sa.func.count(StripeEvent.id))) == 0


def test_completed_but_unpaid_waits_for_the_async_result(client, stripe_api):
    order, session_id = stripe_order()
    waiting = make_event("checkout.session.completed", stripe_api.pay_session(session_id, payment_status="unpaid"))
    assert deliver(client, waiting).get_json() == {"received": True, "outcome": "no_change"}
    db.session.refresh(order)
    assert order.state is OrderState.RESERVED
    succeeded = make_event("checkout.session.async_payment_succeeded", stripe_api.pay_session(session_id))
    assert deliver(client, succeeded).get_json() == {"received": True, "outcome": "applied"}
    db.session.refresh(order)
    assert order.state is OrderState.PAID


def test_async_payment_failed_releases_the_seats(client, stripe_api):
    order, session_id = stripe_order(seats=2)
    ticket = db.session.get(TicketType, order.attendees[0].ticket_type_id)
    assert ticket.used == 2
    failed = make_event("checkout.session.async_payment_failed", stripe_api.pay_session(session_id, payment_status="unpaid"))
    assert deliver(client, failed).get_json() == {"received": True, "outcome": "applied"}
    db.session.refresh(order)
    db.session.refresh(ticket)
    assert (order.state, ticket.used) == (OrderState.EXPIRED, 0)
    assert _mails_to("buyer@example.org") == ["registration_order_released"]


def test_expired_session_releases_the_reservation(client, stripe_api):
    order, session_id = stripe_order()
    response = deliver(client, make_event("checkout.session.expired", stripe_api.expire_session(session_id)))
    assert response.get_json() == {"received": True, "outcome": "applied"}
    db.session.refresh(order)
    assert order.state is OrderState.EXPIRED
    assert db.session.get(TicketType, order.attendees[0].ticket_type_id).used == 0


def test_expired_after_paid_does_nothing(client, stripe_api):
    order, session_id = stripe_order()
    deliver(client, completed(stripe_api, session_id))
    before = snapshot()
    late = make_event("checkout.session.expired", {**stripe_api.sessions[session_id], "status": "expired"})
    assert deliver(client, late).get_json() == {"received": True, "outcome": "no_change"}
    after = snapshot()
    assert after.pop("events") == before.pop("events") + 1
    assert after == before


def test_completed_after_expired_takes_a_free_seat(client, stripe_api):
    order, session_id = stripe_order(capacity=1)
    expired = make_event("checkout.session.expired", {**stripe_api.sessions[session_id], "status": "expired"})
    paid = completed(stripe_api, session_id)
    deliver(client, expired)
    db.session.refresh(order)
    assert order.state is OrderState.EXPIRED
    assert deliver(client, paid).get_json() == {"received": True, "outcome": "applied"}
    db.session.refresh(order)
    assert order.state is OrderState.PAID
    assert db.session.get(TicketType, order.attendees[0].ticket_type_id).used == 1
    assert stripe_api.sent("POST", "/v1/refunds") == []


def test_completed_after_expired_without_a_seat_is_refunded_with_an_apology(client, stripe_api):
    edition = make_edition()
    ticket = make_ticket_type(edition, price_cents=12100, capacity=1)
    order, session_id = stripe_order(edition, ticket=ticket, email="late@example.org")
    deliver(client, make_event("checkout.session.expired", {**stripe_api.sessions[session_id], "status": "expired"}))
    rival = buy(edition, {ticket: 1}, email="rival@example.org")  # takes the last seat meanwhile
    assert rival.state is OrderState.RESERVED

    response = deliver(client, completed(stripe_api, session_id, event_id="evt_late"))
    assert response.get_json() == {"received": True, "outcome": "refunded_no_seat"}
    refunds = stripe_api.sent("POST", "/v1/refunds")
    assert len(refunds) == 1
    payment_intent = stripe_api.sessions[session_id]["payment_intent"]
    assert refunds[0].idempotency_key == f"refund-{order.code}-12100"
    assert (refunds[0].params["payment_intent"], refunds[0].params["amount"]) == (payment_intent, "12100")
    db.session.refresh(order)
    assert (order.state, order.refunded_cents) == (OrderState.REFUNDED, 12100)
    assert order.refund_reference == next(iter(stripe_api.refunds))
    assert _mails_to("late@example.org") == ["registration_order_released", "registration_payment_apology"]
    issue = db.session.scalar(sa.select(PaymentIssue))
    assert (issue.kind, issue.order_id, issue.amount_cents) == (IssueKind.REFUNDED_NO_SEAT, order.id, 12100)
    db.session.refresh(ticket)
    assert ticket.used == 1  # the rival's seat, untouched

    # Stripe then reports the refund it made: nothing more happens.
    before = snapshot()
    refunded = make_event("charge.refunded", charge_for(stripe_api.sessions[session_id], amount_refunded=12100))
    assert deliver(client, refunded).get_json() == {"received": True, "outcome": "no_change"}
    assert {k: v for k, v in snapshot().items() if k != "events"} == {k: v for k, v in before.items() if k != "events"}


def test_failure_midway_rolls_back_everything_and_answers_500(client, stripe_api):
    edition = make_edition()
    ticket = make_ticket_type(edition, price_cents=12100, capacity=1)
    order, session_id = stripe_order(edition, ticket=ticket)
    release_order(order, reason="expired")
    buy(edition, {ticket: 1}, email="rival@example.org")
    db.session.commit()
    event = completed(stripe_api, session_id, event_id="evt_retry")
    stripe_api.failures.append(("/v1/refunds", 500, {"type": "api_error", "message": "Stripe is having a bad day"}))
    before = snapshot()

    response = deliver(client, event)
    assert response.status_code == 500
    assert response.get_json() == {"error": "Not processed; please retry."}
    assert snapshot() == before  # no event row, no checkout change, no email

    retried = deliver(client, event)  # Stripe retries later
    assert retried.get_json() == {"received": True, "outcome": "refunded_no_seat"}
    assert [r.idempotency_key for r in stripe_api.sent("POST", "/v1/refunds")] == [f"refund-{order.code}-12100"] * 2


def test_amount_mismatch_is_flagged_and_not_paid(client, stripe_api):
    order, session_id = stripe_order()
    response = deliver(client, completed(stripe_api, session_id, amount_total=100, event_id="evt_cheap"))
    assert response.get_json() == {"received": True, "outcome": "mismatch"}
    db.session.refresh(order)
    assert order.state is OrderState.RESERVED
    issue = db.session.scalar(sa.select(PaymentIssue))
    assert (issue.kind, issue.amount_cents, issue.currency, issue.state.value) == (IssueKind.AMOUNT_MISMATCH, 100, "EUR", "open")
    assert issue.detail == "Stripe charged €1.00, the order is €121.00."
    assert _event("evt_cheap").outcome is EventOutcome.MISMATCH
    assert _mails_to("buyer@example.org") == []


def test_currency_mismatch_is_flagged_and_not_paid(client, stripe_api):
    order, session_id = stripe_order()
    response = deliver(client, completed(stripe_api, session_id, currency="usd"))
    assert response.get_json() == {"received": True, "outcome": "mismatch"}
    db.session.refresh(order)
    assert order.state is OrderState.RESERVED
    assert db.session.scalar(sa.select(PaymentIssue.currency)) == "USD"


def test_second_payment_for_a_paid_order_is_flagged(client, stripe_api):
    order, session_id = stripe_order()
    deliver(client, completed(stripe_api, session_id))
    other = {**stripe_api.sessions[session_id], "id": "cs_test_other", "payment_intent": "pi_test_other"}
    response = deliver(client, make_event("checkout.session.completed", other))
    assert response.get_json() == {"received": True, "outcome": "mismatch"}
    issue = db.session.scalar(sa.select(PaymentIssue))
    assert (issue.kind, issue.reference) == (IssueKind.DUPLICATE_PAYMENT, "pi_test_other")
    db.session.refresh(order)
    assert order.payment_reference == stripe_api.sessions[session_id]["payment_intent"]


def test_charge_refunded_marks_a_paid_order_refunded(client, stripe_api):
    order, session_id = stripe_order(seats=2)
    deliver(client, completed(stripe_api, session_id))
    charge = charge_for(stripe_api.sessions[session_id], amount_refunded=24200, refund_id="re_dashboard")
    response = deliver(client, make_event("charge.refunded", charge))
    assert response.get_json() == {"received": True, "outcome": "applied"}
    db.session.refresh(order)
    assert (order.state, order.refunded_cents, order.refund_reference) == (OrderState.REFUNDED, 24200, "re_dashboard")
    assert db.session.get(TicketType, order.attendees[0].ticket_type_id).used == 0
    assert _mails_to("buyer@example.org") == ["registration_order_paid", "registration_order_refunded"]


def test_charge_refunded_for_an_unknown_payment_is_stored_and_ignored(client, stripe_api):
    charge = {"id": "ch_x", "object": "charge", "amount": 500, "amount_refunded": 500, "currency": "eur",
              "payment_intent": "pi_elsewhere", "metadata": {}, "refunds": {"data": []}}
    response = deliver(client, make_event("charge.refunded", charge, event_id="evt_other_shop"))
    assert response.get_json() == {"received": True, "outcome": "ignored"}
    assert _event("evt_other_shop").outcome is EventOutcome.IGNORED


def test_unknown_event_types_are_stored_and_acknowledged(client, stripe_api):
    response = deliver(client, make_event("customer.created", {"id": "cus_1", "object": "customer"}, event_id="evt_cus"))
    assert response.status_code == 200
    assert response.get_json() == {"received": True, "outcome": "ignored"}
    stored = _event("evt_cus")
    assert (stored.type, stored.object_id, stored.order_id, stored.detail) == (
        "customer.created", "cus_1", None, "event type not handled")


def test_session_for_an_unknown_order_is_ignored(client, stripe_api):
    session = {"id": "cs_foreign", "object": "checkout.session", "status": "complete", "payment_status": "paid",
               "amount_total": 100, "currency": "eur", "client_reference_id": "NOTOURS1", "metadata": {}}
    response = deliver(client, make_event("checkout.session.completed", session))
    assert response.get_json() == {"received": True, "outcome": "ignored"}


def test_event_refused_by_a_rule_is_kept_once_and_changes_nothing_else(client, stripe_api, monkeypatch):
    from convention.core.errors import InvalidTransition
    from convention.payments import webhooks

    def refuse(order, **_kwargs):
        order.state = OrderState.PAID  # a half-done change that must be rolled back
        raise InvalidTransition("An order that is on hold cannot become paid.")

    order, session_id = stripe_order()
    monkeypatch.setattr(webhooks.registration, "mark_order_paid", refuse)
    before = snapshot()
    response = deliver(client, completed(stripe_api, session_id, event_id="evt_refused"))
    assert response.status_code == 200
    assert response.get_json() == {"received": True, "outcome": "ignored"}
    stored = _event("evt_refused")
    assert (stored.outcome, stored.detail, stored.order_id) == (
        EventOutcome.IGNORED, "refused: An order that is on hold cannot become paid.", None)
    after = snapshot()
    assert after.pop("events") == before.pop("events") + 1
    assert after == before  # the order and its checkout are as they were
