"""Payment issues for organizers (a second payment, an amount that differs, a late payment
refunded), and the log of recent Stripe events."""

from __future__ import annotations

import sqlalchemy as sa
from flask_babel import gettext

from convention.audit.services import record_audit
from convention.core.errors import DomainError, InvalidTransition, NotFound
from convention.core.timeutil import utcnow
from convention.extensions import db
from convention.payments.models import IssueKind, PaymentIssue, StripeEvent
from convention.payments.states import ISSUE_TRANSITIONS, IssueState
from convention.registration.models import Order


def flag_payment_issue(order: Order, kind: IssueKind, amount: int, currency: str, reference: str, detail: str) -> PaymentIssue:
    issue = PaymentIssue(
        edition_id=order.edition_id,
        order_id=order.id,
        kind=kind,
        amount_cents=max(amount, 0),
        currency=(currency or order.currency)[:3],
        reference=reference[:255],
        detail=detail,
    )
    db.session.add(issue)
    record_audit(f"payment.{kind.value}", edition_id=order.edition_id, target=order,
                 data={"amount_cents": amount, "currency": currency, "reference": reference})
    return issue


def list_payment_issues(edition) -> list[PaymentIssue]:
    return list(
        db.session.scalars(
            sa.select(PaymentIssue)
            .where(PaymentIssue.edition_id == edition.id)
            .options(sa.orm.joinedload(PaymentIssue.order), sa.orm.joinedload(PaymentIssue.resolved_by))
            .order_by(PaymentIssue.state, PaymentIssue.created_at.desc())
        )
    )


def list_recent_events(edition, *, limit: int = 50) -> list[StripeEvent]:
    return list(
        db.session.scalars(
            sa.select(StripeEvent)
            .join(Order, StripeEvent.order_id == Order.id)
            .where(Order.edition_id == edition.id)
            .options(sa.orm.contains_eager(StripeEvent.order))
            .order_by(StripeEvent.received_at.desc(), StripeEvent.id.desc())
            .limit(limit)
        )
    )


def get_payment_issue(edition, issue_id: int) -> PaymentIssue:
    """The edition's issue ``issue_id``; NotFound for none (or another edition's)."""
    issue = db.session.get(PaymentIssue, issue_id)
    if issue is None or issue.edition_id != edition.id:
        raise NotFound(gettext("There is no such payment issue."))
    return issue


def split_issues(issues: list[PaymentIssue]) -> tuple[list[PaymentIssue], list[PaymentIssue]]:
    """(open, resolved), each in the listed order."""
    return ([i for i in issues if i.state is IssueState.OPEN], [i for i in issues if i.state is not IssueState.OPEN])


def resolve_payment_issue(issue: PaymentIssue, *, actor, note: str) -> PaymentIssue:
    """An organizer has dealt with the issue (refunded by hand, contacted the buyer, ...) and says how."""
    if IssueState.RESOLVED not in ISSUE_TRANSITIONS[issue.state]:
        raise InvalidTransition(gettext("This issue is already resolved."))
    note = (note or "").strip()
    if not note:
        raise DomainError(gettext("Say what was done before marking the issue resolved."), field="note")
    issue.state = IssueState.RESOLVED
    issue.resolved_at = utcnow()
    issue.resolved_by_id = actor.id
    issue.note = note
    record_audit("payment.issue_resolved", actor=actor, edition_id=issue.edition_id, target=issue,
                 data={"kind": issue.kind.value, "note": issue.note})
    db.session.flush()
    return issue
