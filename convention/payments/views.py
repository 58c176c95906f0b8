"""HTTP for payments: Stripe's webhook, the buyer's return pages, the organizers' payments tab."""

from __future__ import annotations

import logging

from flask import Blueprint, current_app, flash, jsonify, redirect, render_template, request, url_for
from flask_login import current_user
from sqlalchemy.exc import IntegrityError

from convention.core.errors import DomainError
from convention.core.forms import ActionForm
from convention.core.permissions import guarded, public
from convention.core.timeutil import utcnow
from convention.core.urls import external_url
from convention.editions.loaders import get_edition_or_404, load_edition
from convention.editions.navigation import register_link
from convention.extensions import csrf, db
from convention.payments import services
from convention.payments.cli import reconcile_command
from convention.payments.forms import ResolveIssueForm
from convention.payments.models import EventOutcome
from convention.payments.permissions import can_manage_payments
from convention.payments.stripe_gateway import InvalidWebhook, gateway_for, is_configured
from convention.registration.models import OrderState
from convention.registration.permissions import holds_order_link
from convention.registration.views_public import load_order

log = logging.getLogger(__name__)

bp = Blueprint("payments", __name__, cli_group="payments")
bp.cli.add_command(reconcile_command)

# While the webhook has not landed, the return page reloads itself: quickly at first, then slower.
FAST_REFRESH_SECONDS, SLOW_REFRESH_SECONDS, FAST_REFRESHES = 3, 15, 20


# -- Stripe -> us ----------------------------------------------------------------------------


@bp.post("/payments/stripe/webhook")
@public
@csrf.exempt
def stripe_webhook():
    """Verify the signature on the raw body, then apply the event once, in one transaction."""
    if not is_configured(current_app.config):
        return jsonify(error="Stripe is not configured here."), 404
    payload = request.get_data(cache=False)
    try:
        event = gateway_for().verify_webhook(payload, request.headers.get("Stripe-Signature"))
    except InvalidWebhook as error:
        log.warning("Refused a Stripe webhook from %s: %s", request.remote_addr, error)
        return jsonify(error="Invalid signature or payload."), 400
    try:
        stored = services.process_event(event)
        db.session.commit()
    except IntegrityError:
        db.session.rollback()
        if services.event_seen(event.id):  # a concurrent delivery of the same event won
            return jsonify(received=True, duplicate=True)
        log.exception("Stripe event %s could not be stored", event.id)
        return jsonify(error="Not processed; please retry."), 500
    except DomainError as error:
        # A rule refused the event; retrying will not change that. Keep the event, answer 200.
        db.session.rollback()
        log.warning("Stripe event %s (%s) refused: %s", event.id, event.type, error.message)
        services.store_refused_event(event, error.message)
        db.session.commit()
        return jsonify(received=True, outcome=EventOutcome.IGNORED.value)
    except Exception:  # roll back the event row with its effects; Stripe delivers again
        db.session.rollback()
        log.exception("Stripe event %s (%s) failed", event.id, event.type)
        return jsonify(error="Not processed; please retry."), 500
    if stored is None:
        return jsonify(received=True, duplicate=True)
    return jsonify(received=True, outcome=stored.outcome.value)


# -- The buyer's way back from Stripe ----------------------------------------------------------


@bp.get("/<slug>/orders/<secret>/payment/done")
@guarded(holds_order_link, load=load_order)
def payment_done(edition, order):
    """Stripe's success URL. It shows the order's real state and never changes it."""
    refresh = None
    reservation_over = bool(order.expires_at and order.expires_at <= utcnow())
    if order.state is OrderState.RESERVED:
        count = request.args.get("n", 0, type=int)
        delay = FAST_REFRESH_SECONDS if count < FAST_REFRESHES else SLOW_REFRESH_SECONDS
        refresh = {"seconds": delay, "url": url_for("payments.payment_done", slug=edition.slug, secret=order.secret, n=count + 1)}
    return render_template(
        "payments/done.html",
        edition=edition,
        order=order,
        refresh=refresh,
        reservation_over=reservation_over,
        order_url=url_for("registration.order_page", slug=edition.slug, secret=order.secret),
    )


@bp.get("/<slug>/orders/<secret>/payment/cancelled")
@guarded(holds_order_link, load=load_order)
def payment_cancelled(edition, order):
    """Stripe's cancel URL: the buyer left the payment page; the reservation still holds."""
    can_pay = (
        order.state is OrderState.RESERVED
        and not (order.expires_at and order.expires_at <= utcnow())
        and order.payment_method == services.STRIPE
        and is_configured(current_app.config)
    )
    return render_template(
        "payments/cancelled.html",
        edition=edition,
        order=order,
        can_pay=can_pay,
        pay_url=url_for("registration.pay_order", slug=edition.slug, secret=order.secret),
        order_url=url_for("registration.order_page", slug=edition.slug, secret=order.secret),
        form=ActionForm(),
    )


# -- Organizers --------------------------------------------------------------------------------


def _load_issue(slug: str, issue_id: int) -> dict:
    edition = get_edition_or_404(slug)
    return {"edition": edition, "issue": services.get_issue_or_404(edition, issue_id)}


@bp.get("/<slug>/manage/payments/")
@guarded(can_manage_payments, load=load_edition)
def manage(edition):
    issues = services.list_payment_issues(edition)
    return render_template(
        "payments/manage.html",
        edition=edition,
        open_issues=[i for i in issues if i.state.value == "open"],
        resolved_issues=[i for i in issues if i.state.value != "open"],
        events=services.list_recent_events(edition),
        stripe_configured=is_configured(current_app.config),
        webhook_url=external_url("payments.stripe_webhook"),
        order_urls=_order_urls(edition, issues),
        form=ResolveIssueForm(),
    )


def _order_urls(edition, issues) -> dict[int, str]:
    return {issue.order_id: url_for("registration.manage_order", slug=edition.slug, code=issue.order.code) for issue in issues}


@bp.post("/<slug>/manage/payments/issues/<int:issue_id>/resolve")
@guarded(can_manage_payments, load=_load_issue)
def resolve_issue(edition, issue):
    form = ResolveIssueForm()
    if form.validate_on_submit():
        try:
            services.resolve_payment_issue(issue, actor=current_user, note=form.note.data or "")
        except DomainError as error:
            db.session.rollback()
            flash(error.message, "warning")
        else:
            db.session.commit()
            flash("The payment issue is marked resolved.", "success")
    else:
        flash("; ".join(e for errors in form.errors.values() for e in errors), "danger")
    return redirect(url_for("payments.manage", slug=edition.slug))


register_link("manage", "Payments", "payments.manage", order=65)
