import sqlalchemy as sa
from flask import Blueprint, flash, redirect, render_template, request, url_for

from convention.accounts.forms import ActionForm
from convention.core.permissions import guarded, site_admin
from convention.extensions import db
from convention.mail.models import MessageStatus, OutboxMessage
from convention.mail.services import retry_message, send_due_messages

bp = Blueprint("mail", __name__, url_prefix="/admin/outbox")

PAGE_SIZE = 50


@bp.get("/")
@guarded(site_admin)
def outbox():
    status = request.args.get("status")
    query = sa.select(OutboxMessage).order_by(OutboxMessage.id.desc()).limit(PAGE_SIZE)
    if status in {s.value for s in MessageStatus}:
        query = query.where(OutboxMessage.status == MessageStatus(status))
    messages = db.session.scalars(query).all()
    counts = dict(
        db.session.execute(sa.select(OutboxMessage.status, sa.func.count()).group_by(OutboxMessage.status)).all()
    )
    return render_template(
        "mail/outbox.html", messages=messages, counts=counts, statuses=list(MessageStatus), status=status,
        action_form=ActionForm(),
    )


@bp.get("/<int:message_id>")
@guarded(site_admin)
def message(message_id):
    item = db.get_or_404(OutboxMessage, message_id)
    return render_template("mail/message.html", message=item, action_form=ActionForm())


@bp.post("/<int:message_id>/retry")
@guarded(site_admin)
def retry(message_id):
    item = db.get_or_404(OutboxMessage, message_id)
    if ActionForm().validate_on_submit():
        retry_message(item)
        db.session.commit()
        flash("The message is queued again.", "info")
    return redirect(url_for("mail.message", message_id=item.id))


@bp.post("/send-due")
@guarded(site_admin)
def send_due():
    if ActionForm().validate_on_submit():
        tried = send_due_messages()
        flash(f"Tried {tried} due message(s).", "info")
    return redirect(url_for("mail.outbox"))
