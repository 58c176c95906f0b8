"""Who reaches what: the webhook needs no login, everything else of payments is guarded."""

from __future__ import annotations

import pytest

from convention.editions.models import Role
from convention.extensions import db
from convention.payments.models import IssueKind, IssueState, PaymentIssue
from tests.conftest import csrf_token_from
from tests.factories import give_role, make_edition, make_user
from tests.payments.conftest import WEBHOOK, stripe_order


def test_every_payments_route_is_guarded_and_only_the_webhook_is_public(app):
    rules = {
        rule.endpoint: getattr(app.view_functions[rule.endpoint], "access_rule", None)
        for rule in app.url_map.iter_rules()
        if rule.endpoint.startswith("payments.")
    }
    assert rules == {
        "payments.stripe_webhook": "public",
        "payments.payment_done": "holds_order_link",
        "payments.payment_cancelled": "holds_order_link",
        "payments.manage": "can_manage_payments",
        "payments.resolve_issue": "can_manage_payments",
    }


def test_webhook_needs_no_login_and_no_csrf(client, stripe_api):
    # Anonymous, no CSRF token: the signature is checked (400), there is no login redirect (302).
    response = client.post(WEBHOOK, data=b"{}", headers={"Content-Type": "application/json"})
    assert response.status_code == 400
    assert response.get_json() == {"error": "Invalid signature or payload."}


@pytest.fixture
def world(stripe_api):
    organizer = make_user(name="Olivia Organizer")
    edition = make_edition(organizer=organizer)
    order, _session = stripe_order(edition)
    issue = PaymentIssue(edition_id=edition.id, order_id=order.id, kind=IssueKind.AMOUNT_MISMATCH,
                         amount_cents=100, currency="EUR", reference="pi_x", detail="Stripe charged 100 EUR")
    db.session.add(issue)
    db.session.commit()
    return {"edition": edition, "organizer": organizer, "order": order, "issue": issue}


def _person(world, who: str):
    """The signed-in person for one row of the matrix (made on demand: hashing passwords is slow)."""
    if who == "organizer":
        return world["organizer"]
    if who == "admin":
        return make_user(is_admin=True)
    user = make_user()
    if who in ("reviewer", "checkin"):
        give_role(world["edition"], user, Role.REVIEWER if who == "reviewer" else Role.CHECKIN)
    elif who == "other_organizer":
        make_edition(organizer=user, slug="elsewhere")
    return user


def _token(client, world) -> str:
    """A CSRF token of this client's session, from a page with a form that anyone can open."""
    order = world["order"]
    return csrf_token_from(client.get(f"/{world['edition'].slug}/orders/{order.secret}/payment/cancelled").get_data(as_text=True))


MATRIX = [
    # who, expected status of the payments tab
    (None, 302),
    ("attendee", 403),
    ("reviewer", 403),
    ("checkin", 403),
    ("other_organizer", 403),
    ("organizer", 200),
    ("admin", 200),
]


@pytest.mark.parametrize(("who", "status"), MATRIX)
def test_payments_tab_matrix(client, auth, world, who, status):
    if who:
        auth.login(_person(world, who).email)
    response = client.get(f"/{world['edition'].slug}/manage/payments/")
    assert response.status_code == status
    if status == 302:
        assert response.headers["Location"].startswith("/login?next=")
    if status == 200:
        html = response.get_data(as_text=True)
        assert "Amount or currency differ from the order" in html
        assert world["order"].code in html


@pytest.mark.parametrize(("who", "status"), MATRIX)
def test_resolve_issue_matrix(client, auth, world, who, status):
    person = _person(world, who) if who else None
    if person:
        auth.login(person.email)
    token = _token(client, world)
    url = f"/{world['edition'].slug}/manage/payments/issues/{world['issue'].id}/resolve"
    response = client.post(url, data={"csrf_token": token, "note": "Refunded by hand"})
    db.session.expire_all()
    issue = db.session.get(PaymentIssue, world["issue"].id)
    if status == 200:
        assert response.status_code == 302
        assert (issue.state, issue.note, issue.resolved_by_id) == (
            IssueState.RESOLVED, "Refunded by hand", person.id)
    else:
        assert response.status_code == status
        assert issue.state is IssueState.OPEN


def test_resolve_issue_of_another_edition_is_not_found(client, auth, world):
    auth.login(_person(world, "other_organizer").email)
    token = _token(client, world)
    response = client.post(f"/elsewhere/manage/payments/issues/{world['issue'].id}/resolve", data={"csrf_token": token})
    assert response.status_code == 404


def test_resolve_issue_twice_says_it_is_resolved_already(client, auth, world):
    auth.login(world["organizer"].email)
    url = f"/{world['edition'].slug}/manage/payments/issues/{world['issue'].id}/resolve"
    token = _token(client, world)
    client.post(url, data={"csrf_token": token, "note": "done"})
    response = client.post(url, data={"csrf_token": token, "note": "again"}, follow_redirects=True)
    assert "This issue is already resolved." in response.get_data(as_text=True)
    db.session.expire_all()
    assert db.session.get(PaymentIssue, world["issue"].id).note == "done"


def test_resolve_issue_without_csrf_changes_nothing(client, auth, world):
    auth.login(world["organizer"].email)
    response = client.post(f"/{world['edition'].slug}/manage/payments/issues/{world['issue'].id}/resolve",
                           data={"note": "x"})
    assert response.status_code == 400
    db.session.expire_all()
    assert db.session.get(PaymentIssue, world["issue"].id).state is IssueState.OPEN


def test_order_link_pages_need_no_login_but_the_secret(client, world):
    slug, order = world["edition"].slug, world["order"]
    for page in ("done", "cancelled"):
        assert client.get(f"/{slug}/orders/{order.secret}/payment/{page}").status_code == 200
        assert client.get(f"/{slug}/orders/{order.code}/payment/{page}").status_code == 404


@pytest.mark.parametrize("note", ["", "   \n  "])
def test_resolving_an_issue_needs_a_note(client, auth, world, note):
    auth.login(world["organizer"].email)
    url = f"/{world['edition'].slug}/manage/payments/issues/{world['issue'].id}/resolve"
    response = client.post(url, data={"csrf_token": _token(client, world), "note": note}, follow_redirects=True)
    assert "Say what was done before marking the issue resolved." in response.get_data(as_text=True)
    db.session.expire_all()
    assert db.session.get(PaymentIssue, world["issue"].id).state is IssueState.OPEN


def test_the_resolve_service_refuses_an_empty_note(world):
    from convention.core.errors import DomainError
    from convention.payments.issues import resolve_payment_issue

    with pytest.raises(DomainError, match="Say what was done") as refused:
        resolve_payment_issue(world["issue"], actor=world["organizer"], note="  ")
    assert refused.value.field == "note"
    assert world["issue"].state is IssueState.OPEN
