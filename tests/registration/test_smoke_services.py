from convention.registration.models import OrderState
from tests.factories import make_edition
from tests.registration.helpers import buy, make_ticket_type


def test_paid_order_reserves_seats_smoke():
    edition = make_edition()
    ticket = make_ticket_type(edition, capacity=5)
    order = buy(edition, {ticket: 2})
    assert order.state is OrderState.RESERVED
    assert order.payment_method == "bank_transfer"
    assert ticket.used == 2


def test_contract_functions_smoke():
    from convention.registration.services import expire_due_reservations, mark_order_paid, release_order
    from tests.registration.helpers import past

    edition = make_edition()
    ticket = make_ticket_type(edition, capacity=2)
    order = buy(edition, {ticket: 1})
    mark_order_paid(order, amount_cents=12100, currency="EUR", method="bank_transfer", reference="x")
    assert order.state is OrderState.PAID
    second = buy(edition, {ticket: 1})
    release_order(second, reason="expired")
    assert second.state is OrderState.EXPIRED
    assert ticket.used == 1
    third = buy(edition, {ticket: 1})
    third.expires_at = past()
    assert expire_due_reservations() == 1
    assert ticket.used == 1
