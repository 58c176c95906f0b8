"""Overdue reservations: pages show them as expired without writing; the expiry job, the
CLI and the POST that needs the seats release them (issue 7, item 2)."""

from __future__ import annotations

from datetime import timedelta

import pytest
import sqlalchemy as sa
from rq import SimpleWorker

from convention.audit.models import AuditEntry
from convention.core import signals
from convention.core.timeutil import utcnow
from convention.extensions import db
from convention.mail.models import OutboxMessage
from convention.registration.deadlines import EXPIRE_JOB, job_id
from convention.registration.models import Order, OrderState, TicketType
from convention.registration.self_service import cancel_own_order
from convention.worker import run_job
from tests.factories import make_edition
from tests.registration.helpers import buy, checkout_form, count_rows, make_ticket_type, outbox
from tests.rq_queue import rq_queue

REDIS_URL = "redis://127.0.0.1:6379/3"  # not the mail tests' database: xdist may run both at once
BANK_HOLD = timedelta(days=7)  # the default bank-transfer hold (tests run without Stripe)


@pytest.fixture
def overdue():
    """The only seat of a ticket type, held by a bank-transfer reservation one hour past its deadline."""
    edition = make_edition()
    pass_ = make_ticket_type(edition, capacity=1)
    order = buy(edition, {pass_: 1}, email="late@example.org", now=utcnow() - BANK_HOLD - timedelta(hours=1))
    assert order.expires_at < utcnow()
    return edition, pass_, order


def _snapshot(order_id, type_id):
    db.session.expire_all()
    order = db.session.get(Order, order_id)
    return (order.state, order.cancelled_at, db.session.get(TicketType, type_id).used,
            count_rows(OutboxMessage), count_rows(AuditEntry))


def test_shop_get_shows_overdue_seats_as_free_and_writes_nothing(client, overdue):
    edition, pass_, order = overdue
    before = _snapshot(order.id, pass_.id)
    assert before[:3] == (OrderState.RESERVED, None, 1)

    html = client.get(f"/{edition.slug}/tickets/").get_data(as_text=True)

    assert "Sold out" not in html
    assert f'name="q-{pass_.id}"' in html  # on sale: the overdue seat counts as free
    assert _snapshot(order.id, pass_.id) == before


def test_checkout_get_offers_the_overdue_seat_and_writes_nothing(client, overdue):
    edition, pass_, order = overdue
    before = _snapshot(order.id, pass_.id)
    page, data = checkout_form(client, edition, {pass_: 1})
    assert page.status_code == 200 and data["selection"] == f"{pass_.id}:1"
    assert _snapshot(order.id, pass_.id) == before


def test_order_page_get_shows_an_overdue_reservation_as_expired_and_writes_nothing(client, overdue):
    edition, pass_, order = overdue
    before = _snapshot(order.id, pass_.id)

    html = client.get(f"/{edition.slug}/orders/{order.secret}/").get_data(as_text=True)

    assert 'id="order-state">Expired</span>' in html
    assert "Please pay by bank transfer" not in html
    assert "Cancel my order" not in html
    assert _snapshot(order.id, pass_.id) == before


def test_cli_expire_releases_overdue_reservations(runner, overdue):
    _edition, pass_, order = overdue
    result = runner.invoke(args=["registration", "expire"])
    assert result.exit_code == 0, result.output
    assert "Released 1 expired reservation(s)." in result.output
    state, cancelled_at, used, *_ = _snapshot(order.id, pass_.id)
    assert (state, used) == (OrderState.EXPIRED, 0) and cancelled_at is not None
    assert [m.recipient for m in outbox("registration_order_released")] == ["late@example.org"]
    assert "Released 0 expired reservation(s)." in runner.invoke(args=["registration", "expire"]).output


def test_placing_an_order_releases_the_overdue_seat_it_needs(client, overdue):
    edition, pass_, order = overdue
    _, data = checkout_form(client, edition, {pass_: 1}, email="new@example.org")
    response = client.post(f"/{edition.slug}/tickets/checkout", data=data)
    assert response.status_code == 303
    db.session.expire_all()
    assert db.session.get(Order, order.id).state is OrderState.EXPIRED
    assert db.session.get(TicketType, pass_.id).used == 1
    assert db.session.scalar(sa.select(Order.email).where(Order.state == OrderState.RESERVED)) == "new@example.org"


@pytest.fixture
def released():
    """Every ``order_released`` signal sent during the test, as (order id, reason)."""
    received = []

    def receiver(event):
        received.append((event.order_id, event.reason))

    signals.order_released.connect(receiver)
    yield received
    signals.order_released.disconnect(receiver)


def test_expiry_sends_order_released_with_the_order(runner, overdue, released):
    _edition, _pass, order = overdue
    runner.invoke(args=["registration", "expire"])
    assert released == [(order.id, "expired")]


def test_cancelling_a_reservation_sends_order_released(released):
    edition = make_edition()
    order = buy(edition, {make_ticket_type(edition, capacity=2): 1})
    cancel_own_order(order)
    db.session.commit()
    assert order.state is OrderState.CANCELLED
    assert released == [(order.id, "cancelled")]


def test_paying_a_reservation_sends_no_order_released(released):
    from convention.registration.services import mark_order_paid

    edition = make_edition()
    order = buy(edition, {make_ticket_type(edition, capacity=2): 1})
    mark_order_paid(order, amount_cents=order.total_cents, currency="EUR", method="bank_transfer", reference=None)
    db.session.commit()
    assert released == []


# -- the RQ job (with REDIS_URL) ----------------------------------------------------------


@pytest.fixture
def redis_queue(app):
    with rq_queue(app, REDIS_URL) as queue:
        yield queue


def test_a_new_reservation_schedules_its_release_at_the_deadline(redis_queue):
    edition = make_edition()
    order = buy(edition, {make_ticket_type(edition, capacity=2): 1})
    registry = redis_queue.scheduled_job_registry
    assert registry.get_job_ids() == [job_id(order.expires_at)]
    job = redis_queue.fetch_job(job_id(order.expires_at))
    assert (job.func_name, job.args) == ("convention.worker.run_job", ("convention.registration.jobs.expire_job",))
    scheduled_at = registry.get_scheduled_time(job)
    assert order.expires_at.replace(microsecond=0) <= scheduled_at <= order.expires_at + timedelta(seconds=2)


def test_the_job_releases_due_reservations_and_schedules_the_next_deadline(overdue, redis_queue):
    edition, pass_, order = overdue
    other = make_ticket_type(edition, name="Workshop", capacity=5)
    later = buy(edition, {other: 1}, email="later@example.org")
    redis_queue.scheduled_job_registry.remove(job_id(later.expires_at))

    redis_queue.enqueue(run_job, EXPIRE_JOB)  # the deadline has come: the scheduler moves the job to the queue
    SimpleWorker([redis_queue], connection=redis_queue.connection).work(burst=True)

    db.session.expire_all()
    assert db.session.get(Order, order.id).state is OrderState.EXPIRED
    assert db.session.get(Order, later.id).state is OrderState.RESERVED
    assert [m.recipient for m in outbox("registration_order_released")] == ["late@example.org"]
    assert redis_queue.scheduled_job_registry.get_job_ids() == [job_id(later.expires_at)]


class _WorkerThatOnlyStarts:
    """The worker's loop replaced: what is tested is what `flask worker` schedules before
    it works. (A real burst worker's scheduler would run a job that is due at once, or
    not, depending on how many milliseconds the start took.)"""

    def __init__(self, *_args, **_kwargs):
        pass

    def work(self, **_kwargs):
        return True


def test_worker_start_schedules_the_earliest_deadline(runner, overdue, redis_queue, monkeypatch):
    import rq

    _edition, _pass, order = overdue
    registry = redis_queue.scheduled_job_registry
    registry.remove(job_id(order.expires_at))  # the job was lost with Redis
    started = utcnow()
    monkeypatch.setattr(rq, "Worker", _WorkerThatOnlyStarts)  # `flask worker` imports it when run
    result = runner.invoke(args=["worker", "--burst"])
    assert result.exit_code == 0, result.output
    assert "Reservations: release scheduled at" in result.output
    assert "Retention: next anonymisation run at" in result.output  # the privacy job, nightly
    [rescheduled] = [j for j in registry.get_job_ids() if j.startswith("registration-")]  # overdue: due at once
    job = redis_queue.fetch_job(rescheduled)
    assert started.replace(microsecond=0) <= registry.get_scheduled_time(job) <= utcnow() + timedelta(seconds=2)

    registry.remove(job)
    redis_queue.enqueue_job(job)  # as the scheduler does a second later
    SimpleWorker([redis_queue], connection=redis_queue.connection).work(burst=True)
    db.session.expire_all()
    assert db.session.get(Order, order.id).state is OrderState.EXPIRED
    assert [j for j in registry.get_job_ids() if j.startswith("registration-")] == []  # nothing else is open
