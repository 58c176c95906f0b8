"""The order state machine and the functions the payments domain calls."""

from datetime import timedelta

import pytest
import sqlalchemy as sa

from convention.audit.models import AuditEntry
from convention.core.errors import InvalidTransition
from convention.core.timeutil import utcnow
from convention.extensions import db
from convention.registration.errors import PaymentMismatch, SeatsUnavailable
from convention.registration.models import OrderState, TicketType
from convention.registration.services import (
    cancel_order,
    expire_due_reservations,
    mark_order_paid,
    mark_order_refunded,
    refund_unplaceable_payment,
    release_order,
)
from tests.factories import make_edition, make_user
from tests.registration.helpers import buy, make_quota, make_ticket_type, outbox


def _paid(order, **overrides):
    values = {"amount_cents": order.total_cents, "currency": order.currency, "method": "stripe", "reference": "pi_1"}
    return mark_order_paid(order, **{**values, **overrides})


def _actions(order):
    return list(db.session.scalars(
        sa.select(AuditEntry.action).where(AuditEntry.object_type == "Order", AuditEntry.object_id == str(order.id))
        .order_by(AuditEntry.id)))


@pytest.fixture
def shop():
    edition = make_edition()
    return edition, make_ticket_type(edition, capacity=2)


def test_reserved_order_expires_after_its_time_and_releases_its_seats(shop):
    edition, pass_ = shop
    order = buy(edition, {pass_: 2})
    assert expire_due_reservations(now=order.expires_at - timedelta(seconds=1)) == 0
    assert expire_due_reservations(now=order.expires_at) == 1
    db.session.commit()
    assert (order.state, pass_.used) == (OrderState.EXPIRED, 0)
    assert _actions(order) == ["order.create", "order.expired"]
    assert [m.template for m in outbox(to=order.email)][-1] == "registration_order_released"


def test_bank_transfer_reservation_lasts_the_configured_days(shop):
    edition, pass_ = shop
    order = buy(edition, {pass_: 1})
    assert timedelta(days=6, hours=23) < order.expires_at - order.created_at <= timedelta(days=7)


def test_expire_command_releases_due_reservations(shop, runner):
    edition, pass_ = shop
    order = buy(edition, {pass_: 1})
    order.expires_at = utcnow() - timedelta(minutes=1)
    db.session.commit()
    result = runner.invoke(args=["registration", "expire"])
    assert result.output.strip() == "Released 1 expired reservation(s)."
    db.session.expire_all()
    assert db.session.get(TicketType, pass_.id).used == 0


def test_mark_order_paid_moves_reserved_to_paid_with_confirmation(shop):
    edition, pass_ = shop
    order = buy(edition, {pass_: 1})
    _paid(order)
    db.session.commit()
    assert (order.state, order.payment_method, order.payment_reference, order.expires_at) == (
        OrderState.PAID, "stripe", "pi_1", None)
    assert pass_.used == 1
    [mail] = outbox("registration_order_paid")
    assert f"/{edition.slug}/orders/{order.secret}/" in mail.body_text


def test_mark_order_paid_twice_changes_nothing_the_second_time(shop):
    edition, pass_ = shop
    order = buy(edition, {pass_: 1})
    _paid(order)
    _paid(order, reference="pi_other")
    db.session.commit()
    assert order.payment_reference == "pi_1"
    assert _actions(order).count("order.paid") == 1
    assert len(outbox("registration_order_paid")) == 1


@pytest.mark.parametrize("overrides", [{"amount_cents": 100}, {"currency": "USD"}])
def test_mark_order_paid_refuses_other_amount_or_currency(shop, overrides):
    edition, pass_ = shop
    order = buy(edition, {pass_: 1})
    with pytest.raises(PaymentMismatch):
        _paid(order, **overrides)
    db.session.rollback()
    assert order.state is OrderState.RESERVED


def test_late_payment_on_expired_order_takes_a_free_seat_again(shop):
    edition, pass_ = shop
    quota = make_quota(edition, [pass_], capacity=2)
    order = buy(edition, {pass_: 1})
    release_order(order, reason="expired")
    db.session.commit()
    assert (pass_.used, quota.used) == (0, 0)
    _paid(order)
    db.session.commit()
    assert (order.state, pass_.used, quota.used) == (OrderState.PAID, 1, 1)


def test_late_payment_on_expired_order_without_seat_raises_seats_unavailable(shop):
    edition, pass_ = shop
    order = buy(edition, {pass_: 1})
    release_order(order, reason="expired")
    db.session.commit()
    buy(edition, {pass_: 2}, email="other@example.org")
    with pytest.raises(SeatsUnavailable):
        _paid(order)
    db.session.rollback()
    assert (order.state, db.session.get(TicketType, pass_.id).used) == (OrderState.EXPIRED, 2)


def test_unplaceable_payment_is_recorded_as_refunded_with_an_apology(shop):
    edition, pass_ = shop
    order = buy(edition, {pass_: 1})
    release_order(order, reason="payment_failed")
    refund_unplaceable_payment(order, amount_cents=order.total_cents, reference="re_1")
    refund_unplaceable_payment(order, amount_cents=order.total_cents, reference="re_2")
    db.session.commit()
    assert (order.state, order.refunded_cents, order.refund_reference) == (OrderState.REFUNDED, 12100, "re_1")
    assert len(outbox("registration_payment_apology")) == 1
    assert pass_.used == 0


def test_release_order_is_a_no_op_unless_reserved(shop):
    edition, pass_ = shop
    order = buy(edition, {pass_: 1})
    _paid(order)
    release_order(order, reason="expired")
    db.session.commit()
    assert (order.state, pass_.used) == (OrderState.PAID, 1)
    cancelled = buy(edition, {pass_: 1})
    release_order(cancelled, reason="cancelled")
    release_order(cancelled, reason="expired")
    db.session.commit()
    assert (cancelled.state, pass_.used) == (OrderState.CANCELLED, 1)


def test_mark_order_refunded_returns_seats_once(shop):
    edition, pass_ = shop
    order = buy(edition, {pass_: 2})
    _paid(order)
    mark_order_refunded(order, amount_cents=24200, reference="re_1")
    mark_order_refunded(order, amount_cents=24200, reference="re_1")
    db.session.commit()
    assert (order.state, order.refunded_cents, pass_.used) == (OrderState.REFUNDED, 24200, 0)
    assert len(outbox("registration_order_refunded")) == 1


def test_refunded_order_stays_refunded_when_a_payment_event_comes_late(shop):
    edition, pass_ = shop
    order = buy(edition, {pass_: 1})
    _paid(order)
    mark_order_refunded(order, amount_cents=12100, reference="re_1")
    _paid(order)
    db.session.commit()
    assert (order.state, pass_.used) == (OrderState.REFUNDED, 0)


def test_organizer_cancel_and_refund_of_a_bank_transfer_order_records_a_manual_note(shop):
    edition, pass_ = shop
    organizer = make_user()
    order = buy(edition, {pass_: 1})
    _paid(order, method="bank_transfer", reference=None)
    cancel_order(order, actor=organizer)
    db.session.commit()
    assert (order.state, order.refunded_cents, order.refund_reference) == (
        OrderState.REFUNDED, 12100, f"manual-refund-{order.code}")
    note = db.session.scalar(sa.select(AuditEntry).where(AuditEntry.action == "order.manual_refund_note"))
    assert note.data["amount_cents"] == 12100


def test_refunded_order_cannot_be_cancelled(shop):
    edition, pass_ = shop
    order = buy(edition, {pass_: 1})
    _paid(order)
    mark_order_refunded(order, amount_cents=12100, reference="re")
    with pytest.raises(InvalidTransition):
        cancel_order(order, actor=None)


@pytest.fixture
def swap_provider(monkeypatch):
    """Register a stand-in provider for one test; the app's own (payments' Stripe) comes back after."""
    from convention.registration import payment_providers

    def swap(provider):
        monkeypatch.setitem(payment_providers._providers, provider.key, provider)

    return swap


def test_provider_refund_is_used_for_the_order_payment_method(shop, swap_provider):

    calls = []

    class FakeCard:
        key, label, has_payment_page = "stripe", "Card", True

        def is_available(self, app):
            return False  # not chosen for new orders, only used for this refund

        def start_payment(self, order):
            return None

        def refund(self, order, *, amount_cents, reason):
            calls.append((order.code, amount_cents, reason))
            return "re_fake"

    edition, pass_ = shop
    swap_provider(FakeCard())
    order = buy(edition, {pass_: 1})
    _paid(order, method="stripe")
    cancel_order(order, actor=None)
    db.session.commit()
    assert calls == [(order.code, 12100, "Cancelled by the organizers")]
    assert (order.state, order.refund_reference) == (OrderState.REFUNDED, "re_fake")


def test_stripe_is_chosen_when_registered_and_available(shop, swap_provider):

    class FakeStripe:
        key, label, has_payment_page = "stripe", "Card", True

        def is_available(self, app):
            return True

        def start_payment(self, order):
            return f"https://checkout.example/{order.code}"

        def refund(self, order, *, amount_cents, reason):
            return "re"

    edition, pass_ = shop
    swap_provider(FakeStripe())
    order = buy(edition, {pass_: 1})
    assert order.payment_method == "stripe"
    assert timedelta(minutes=29) < order.expires_at - order.created_at <= timedelta(minutes=30)
