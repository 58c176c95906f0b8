"""HTTP for payments: Stripe's webhook, the buyer's return pages, the organizers' payments tab."""

from __future__ import annotations

import logging

from flask import Blueprint, current_app, flash, jsonify, redirect, render_template, request, url_for
from flask_babel import gettext, lazy_gettext
from flask_login import current_user
from sqlalchemy.exc import IntegrityError

from convention.core.errors import DomainError
from convention.core.forms import ActionForm
from convention.core.permissions import guarded, public
from convention.core.urls import external_url
from convention.core.views import run_action, run_action_or_fail
from convention.editions.loaders import load_edition
from convention.editions.navigation import register_link
from convention.extensions import csrf
from convention.payments import issues, webhooks
from convention.payments.checkout import payment_page
from convention.payments.cli import reconcile_command
from convention.payments.forms import ResolveIssueForm
from convention.payments.loaders import load_issue
from convention.payments.models import EventOutcome
from convention.payments.permissions import can_manage_payments
from convention.payments.stripe_gateway import InvalidWebhook, gateway_for, is_configured
from convention.registration.loaders import load_order
from convention.registration.permissions import holds_order_link

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

    def done(stored):
        if stored is None:
            return jsonify(received=True, duplicate=True)
        return jsonify(received=True, outcome=stored.outcome.value)

    def refused(error: DomainError):
        # A rule refused the event; retrying will not change that. Keep the event, answer 200.
        log.warning("Stripe event %s (%s) refused: %s", event.id, event.type, error.message)
        return run_action(lambda: webhooks.store_refused_event(event, error.message),
                          done=lambda _: jsonify(received=True, outcome=EventOutcome.IGNORED.value),
                          refused=failed)

    def failed(error: Exception):
        # Everything the event did is rolled back with its row; Stripe delivers again.
        if isinstance(error, IntegrityError) and webhooks.event_seen(event.id):
            return jsonify(received=True, duplicate=True)  # a concurrent delivery of the same event won
        log.error("Stripe event %s (%s) failed", event.id, event.type, exc_info=error)
        return jsonify(error="Not processed; please retry."), 500

    return run_action_or_fail(lambda: webhooks.process_event(event), done=done, refused=refused, failed=failed)


# -- The buyer's way back from Stripe ----------------------------------------------------------


@bp.get("/<slug>/orders/<secret>/payment/done")
@guarded(holds_order_link, load=load_order)
def payment_done(edition, order):
    """Stripe's success URL. It shows the order's real state and never changes it."""
    refresh = None
    page = payment_page(order)
    if page.awaiting_payment:
        count = request.args.get("n", 0, type=int)
        delay = FAST_REFRESH_SECONDS if count < FAST_REFRESHES else SLOW_REFRESH_SECONDS
        refresh = {"seconds": delay, "url": url_for("payments.payment_done", slug=edition.slug, secret=order.secret, n=count + 1)}
    return render_template(
        "payments/done.html",
        edition=edition,
        order=order,
        refresh=refresh,
        page=page,
        order_url=url_for("registration.order_page", slug=edition.slug, secret=order.secret),
    )


@bp.get("/<slug>/orders/<secret>/payment/cancelled")
@guarded(holds_order_link, load=load_order)
def payment_cancelled(edition, order):
    """Stripe's cancel URL: the buyer left the payment page; the reservation still holds."""
    return render_template(
        "payments/cancelled.html",
        edition=edition,
        order=order,
        page=payment_page(order),
        pay_url=url_for("registration.pay_order", slug=edition.slug, secret=order.secret),
        order_url=url_for("registration.order_page", slug=edition.slug, secret=order.secret),
        form=ActionForm(),
    )


# -- Organizers --------------------------------------------------------------------------------


@bp.get("/<slug>/manage/payments/")
@guarded(can_manage_payments, load=load_edition)
def manage(edition):
    listed = issues.list_payment_issues(edition)
    open_issues, resolved_issues = issues.split_issues(listed)
    return render_template(
        "payments/manage.html",
        edition=edition,
        open_issues=open_issues,
        resolved_issues=resolved_issues,
        events=issues.list_recent_events(edition),
        stripe_configured=is_configured(current_app.config),
        webhook_url=external_url("payments.stripe_webhook"),
        order_urls=_order_urls(edition, listed),
        form=ResolveIssueForm(),
    )


def _order_urls(edition, listed) -> dict[int, str]:
    return {issue.order_id: url_for("registration.manage_order", slug=edition.slug, code=issue.order.code) for issue in listed}


@bp.post("/<slug>/manage/payments/issues/<int:issue_id>/resolve")
@guarded(can_manage_payments, load=load_issue)
def resolve_issue(edition, issue):
    form = ResolveIssueForm()
    back = url_for("payments.manage", slug=edition.slug)
    if not form.validate_on_submit():
        flash("; ".join(str(e) for errors in form.errors.values() for e in errors), "danger")
        return redirect(back)
    return run_action(lambda: issues.resolve_payment_issue(issue, actor=current_user, note=form.note.data or ""),
                      done=lambda _: _flash_and_go(gettext("The payment issue is marked resolved."), "success", back),
                      refused=lambda error: _flash_and_go(error.message, "warning", back))


def _flash_and_go(message: str, category: str, back: str):
    flash(message, category)
    return redirect(back)


register_link("manage", lazy_gettext("Payments"), "payments.manage", order=65)
