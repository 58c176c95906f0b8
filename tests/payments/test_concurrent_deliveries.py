"""Stripe may deliver an event twice at the same moment; on PostgreSQL both really overlap.

Each delivery is a thread with its own test client, app context and database connection;
a barrier releases them together. The unique Stripe id on ``stripe_events`` decides: one
delivery applies the event, the other answers 200 as a duplicate, and the order is paid
once (one email, one audit entry).
"""

from __future__ import annotations

import threading

import pytest
import sqlalchemy as sa

from convention.audit.models import AuditEntry
from convention.extensions import db
from convention.mail.models import OutboxMessage
from convention.payments.models import StripeEvent
from convention.registration.models import OrderState
from tests.payments.conftest import WEBHOOK, completed, stripe_order
from tests.payments.fake_stripe import make_event, signed_webhook

pytestmark = pytest.mark.postgres

DELIVERIES = 8


@pytest.fixture(autouse=True)
def _needs_postgresql(app):
    if db.engine.dialect.name != "postgresql":
        pytest.skip("needs DATABASE_URL pointing to PostgreSQL: SQLite serialises writers")


def _deliver_together(app, payloads: list[tuple[bytes, dict]]) -> list:
    barrier = threading.Barrier(len(payloads), timeout=60)
    results: list = [None] * len(payloads)

    def worker(i: int) -> None:
        body, headers = payloads[i]
        client = app.test_client()
        with app.app_context():
            try:
                barrier.wait()
                response = client.post(WEBHOOK, data=body, headers=headers)
                results[i] = (response.status_code, response.get_json())
            except Exception as exc:  # noqa: BLE001 - reported by the test
                results[i] = ("error", repr(exc))
            finally:
                db.session.remove()

    threads = [threading.Thread(target=worker, args=(i,)) for i in range(len(payloads))]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    return results


def test_the_same_event_delivered_at_once_is_applied_once(app, stripe_api):
    order, session_id = stripe_order()
    delivery = signed_webhook(completed(stripe_api, session_id, event_id="evt_concurrent"))
    results = _deliver_together(app, [delivery] * DELIVERIES)
    assert sorted(results, key=str) == sorted(
        [(200, {"received": True, "outcome": "applied"})] + [(200, {"received": True, "duplicate": True})] * (DELIVERIES - 1),
        key=str,
    )
    db.session.expire_all()
    db.session.refresh(order)
    assert order.state is OrderState.PAID
    assert db.session.scalar(sa.select(sa.func.count(StripeEvent.id))) == 1
    assert db.session.scalar(sa.select(sa.func.count(OutboxMessage.id)).where(OutboxMessage.template == "registration_order_paid")) == 1
    assert db.session.scalar(sa.select(sa.func.count(AuditEntry.id)).where(AuditEntry.action == "order.paid")) == 1


def test_completed_and_expired_at_once_end_paid(app, stripe_api):
    order, session_id = stripe_order()
    paid = completed(stripe_api, session_id)
    expired = make_event("checkout.session.expired", {**stripe_api.sessions[session_id], "status": "expired"})
    results = _deliver_together(app, [signed_webhook(paid), signed_webhook(expired)])
    assert [status for status, _body in results] == [200, 200]
    db.session.expire_all()
    db.session.refresh(order)
    # Whatever the order of arrival: paid directly, or released and then paid with its seat retaken.
    assert order.state is OrderState.PAID
    assert db.session.scalar(sa.select(sa.func.count(StripeEvent.id))) == 2


def test_pay_clicked_twice_at_once_makes_one_session(app, stripe_api):
    from convention.payments.checkout import start_checkout
    from convention.payments.models import CheckoutStatus, StripeCheckout

    order, _session = stripe_order()
    db.session.scalar(sa.select(StripeCheckout)).status = CheckoutStatus.EXPIRED
    db.session.commit()
    order_id, order_model = order.id, type(order)  # read here: the threads must not touch this session's objects
    barrier = threading.Barrier(2, timeout=30)
    made: list = []

    def click() -> None:
        with app.app_context():
            try:
                mine = db.session.get(order_model, order_id)
                barrier.wait()
                made.append(start_checkout(mine, success_url="https://x.example/ok", cancel_url="https://x.example/no").session_id)
                db.session.commit()
            except Exception as exc:  # noqa: BLE001 - reported by the test
                made.append(repr(exc))
            finally:
                db.session.remove()

    threads = [threading.Thread(target=click) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert len(made) == 2 and made[0] == made[1] and made[0].startswith("cs_test_")
    db.session.expire_all()
    assert db.session.scalar(sa.select(sa.func.count(StripeCheckout.id)).where(StripeCheckout.attempt == 2)) == 1
