"""The outbox page: site admins read every message and retry those that failed."""

import sqlalchemy as sa
from flask import Blueprint, current_app, flash, redirect, render_template, request, url_for
from flask_babel import gettext
from flask_login import current_user

from convention.core.forms import ActionForm
from convention.core.inputs import page_arg, query_args
from convention.core.pagination import Page, clamp_page
from convention.core.permissions import guarded, site_admin
from convention.core.views import run_action
from convention.extensions import db
from convention.mail.models import RETRYABLE, MessageStatus, OutboxMessage
from convention.mail.services import retry_message, send_due_messages

bp = Blueprint("mail", __name__, url_prefix="/admin/outbox")

PAGE_SIZE = 50
SEND_DUE_LIMIT = 50  # per click: without a worker the page waits for every SMTP answer


def _load_message(message_id: int) -> dict:
    return {"message": db.get_or_404(OutboxMessage, message_id)}


@bp.get("/")
@guarded(site_admin)
def outbox():
    status = request.args.get("status")
    query = sa.select(OutboxMessage).order_by(OutboxMessage.id.desc())
    if status in {s.value for s in MessageStatus}:
        query = query.where(OutboxMessage.status == MessageStatus(status))
    else:
        status = None
    counts = dict(
        db.session.execute(sa.select(OutboxMessage.status, sa.func.count()).group_by(OutboxMessage.status)).all()
    )
    total = counts.get(MessageStatus(status), 0) if status else sum(counts.values())
    number = clamp_page(page_arg(), total, PAGE_SIZE)
    # The status counts above already give the total: no second COUNT for the pager.
    rows = db.session.scalars(query.limit(PAGE_SIZE).offset((number - 1) * PAGE_SIZE)).all()
    page = Page(list(rows), total, number, PAGE_SIZE)
    return render_template(
        "mail/outbox.html", page=page, counts=counts, statuses=list(MessageStatus), status=status,
        mail_server=current_app.config.get("MAIL_SERVER"), action_form=ActionForm(),
        pager_args=query_args("status") if status else {},
    )


@bp.get("/<int:message_id>")
@guarded(site_admin, load=_load_message)
def message(message):
    can_retry = message.status in RETRYABLE and (
        message.status is not MessageStatus.KEPT or bool(current_app.config.get("MAIL_SERVER"))
    )
    return render_template("mail/message.html", message=message, can_retry=can_retry,
                           never_sent=message.status is MessageStatus.KEPT, action_form=ActionForm())


@bp.post("/<int:message_id>/retry")
@guarded(site_admin, load=_load_message)
def retry(message):
    back = url_for("mail.message", message_id=message.id)
    if not ActionForm().validate_on_submit():
        return redirect(back)
    # The commit dispatches: sent inline, or handed to the worker; the message says which.
    return run_action(lambda: retry_message(message, actor=current_user),
                      done=lambda _: _flash_and_go(gettext("Retried: the message is now %(status)s.", status=message.status.label),
                                                    "info", back),
                      refused=lambda error: _flash_and_go(error.message, "danger", back))


def _flash_and_go(message: str, category: str, back: str):
    flash(message, category)
    return redirect(back)


@bp.post("/send-due")
@guarded(site_admin)
def send_due():
    if ActionForm().validate_on_submit():
        report = send_due_messages(limit=SEND_DUE_LIMIT, inline=False)
        flash(report.summary(), "info")
    return redirect(url_for("mail.outbox"))
