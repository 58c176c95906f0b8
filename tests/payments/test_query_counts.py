"""The payments tab costs the same number of queries with one issue and event as with many."""

from __future__ import annotations

from convention.extensions import db
from convention.payments.models import EventOutcome, IssueKind, IssueState, PaymentIssue, StripeEvent
from tests.factories import make_edition, make_user
from tests.payments.conftest import stripe_order
from tests.queries import count_queries
from tests.registration.helpers import make_ticket_type


def _fill(edition, organizer, n: int) -> None:
    ticket = make_ticket_type(edition, capacity=50)
    for i in range(n):
        order, _session = stripe_order(edition, ticket=ticket, email=f"buyer{i}@example.org")
        db.session.add(PaymentIssue(edition_id=edition.id, order_id=order.id, kind=IssueKind.AMOUNT_MISMATCH,
                                    amount_cents=100, currency="EUR", detail="short"))
        db.session.add(PaymentIssue(edition_id=edition.id, order_id=order.id, kind=IssueKind.REFUNDED_NO_SEAT,
                                    amount_cents=100, currency="EUR", state=IssueState.RESOLVED,
                                    resolved_by_id=organizer.id, resolved_at=order.created_at))
        db.session.add(StripeEvent(stripe_id=f"evt_{edition.slug}_{i}", type="checkout.session.completed",
                                   order_id=order.id, created_at=order.created_at, outcome=EventOutcome.MISMATCH))
    db.session.commit()


def _queries(client, slug: str) -> int:
    with count_queries() as statements:
        assert client.get(f"/{slug}/manage/payments/").status_code == 200
    return len(statements)


def test_payments_tab_queries_do_not_grow_with_issues_and_events(client, auth, stripe_api):
    organizer = make_user()
    one = make_edition(organizer=organizer, slug="one")
    several = make_edition(organizer=organizer, slug="several")
    _fill(one, organizer, 1)
    _fill(several, organizer, 5)
    auth.login(organizer.email)
    assert _queries(client, "several") == _queries(client, "one")
