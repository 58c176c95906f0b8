"""Queue, render and send email. Every message goes through the outbox table.

``queue_email`` renders a template into an ``OutboxMessage`` in the caller's
transaction. Once that transaction commits, the message is dispatched: to an RQ worker
when ``REDIS_URL`` is set, otherwise sent inline. Without ``MAIL_SERVER`` the message is
kept in the outbox (admins read it on the outbox page) and logged.
"""

from __future__ import annotations

import logging
from datetime import timedelta

from flask import current_app, render_template
from sqlalchemy import event, select
from sqlalchemy.orm import Session

from convention.core.timeutil import utcnow
from convention.extensions import db
from convention.mail.models import MessageStatus, OutboxMessage

log = logging.getLogger(__name__)

MAX_ATTEMPTS = 8
PENDING_KEY = "outbox_pending"


def render_email(template: str, context: dict) -> tuple[str, str]:
    """Render ``templates/mail/<template>.txt``; its first line is ``Subject: ...``."""
    text = render_template(f"mail/{template}.txt", **context)
    first, _, body = text.lstrip().partition("\n")
    if not first.startswith("Subject:"):
        raise ValueError(f"mail/{template}.txt must start with a Subject: line")
    return first.removeprefix("Subject:").strip(), body.strip() + "\n"


def queue_email(template: str, *, to: str, context: dict | None = None, edition_id: int | None = None) -> OutboxMessage:
    """Render and store a message; it is sent after the caller's transaction commits."""
    subject, body = render_email(template, context or {})
    config = current_app.config
    message = OutboxMessage(
        template=template,
        sender=config["MAIL_DEFAULT_SENDER"],
        recipient=to,
        subject=subject,
        body_text=body,
        edition_id=edition_id,
    )
    if config.get("MAIL_SERVER"):
        message.status = MessageStatus.QUEUED
        message.next_attempt_at = utcnow()
    else:
        message.status = MessageStatus.KEPT
        log.info("Outbox (no MAIL_SERVER): kept %r for %s", subject, to)
    db.session.add(message)
    db.session.flush()
    if message.status is MessageStatus.QUEUED:
        db.session.info.setdefault(PENDING_KEY, []).append(message.id)
    return message


def backoff_delay(attempts: int) -> timedelta:
    """1, 2, 4, ... minutes after each failure, capped at one hour."""
    return timedelta(minutes=min(2 ** max(attempts - 1, 0), 60))


def _smtp_send(message: OutboxMessage) -> None:
    from convention.mail.sender import send_via_smtp

    send_via_smtp(message, current_app.config)


def attempt_delivery(session: Session, message: OutboxMessage) -> MessageStatus:
    """Try to send one message now; record the outcome on the row (caller commits)."""
    if message.status not in (MessageStatus.QUEUED, MessageStatus.FAILED):
        return message.status
    if not current_app.config.get("MAIL_SERVER"):
        message.status = MessageStatus.KEPT
        return message.status
    message.attempts += 1
    try:
        _smtp_send(message)
    except Exception as exc:  # any transport failure is recorded, never raised
        message.last_error = f"{type(exc).__name__}: {exc}"[:2000]
        if message.attempts >= MAX_ATTEMPTS:
            message.status = MessageStatus.FAILED
            message.next_attempt_at = None
        else:
            message.status = MessageStatus.QUEUED
            message.next_attempt_at = utcnow() + backoff_delay(message.attempts)
        log.warning("Outbox message %s failed (attempt %s): %s", message.id, message.attempts, exc)
    else:
        message.status = MessageStatus.SENT
        message.sent_at = utcnow()
        message.next_attempt_at = None
        message.last_error = None
    return message.status


def deliver_message(message_id: int) -> MessageStatus | None:
    """Send one message in its own session and commit the outcome (the RQ job body)."""
    with Session(db.engine) as session:
        message = session.get(OutboxMessage, message_id, with_for_update=True)
        if message is None:
            return None
        status = attempt_delivery(session, message)
        session.commit()
        return status


def send_due_messages(*, now=None, limit: int = 100) -> int:
    """Retry every queued message whose next attempt is due; returns how many were tried."""
    now = now or utcnow()
    with Session(db.engine) as session:
        ids = session.scalars(
            select(OutboxMessage.id)
            .where(OutboxMessage.status == MessageStatus.QUEUED, OutboxMessage.next_attempt_at <= now)
            .order_by(OutboxMessage.next_attempt_at)
            .limit(limit)
        ).all()
    for message_id in ids:
        deliver_message(message_id)
    return len(ids)


def dispatch(message_ids: list[int]) -> None:
    """Hand freshly committed messages to the worker, or send them inline."""
    if not message_ids:
        return
    redis_url = current_app.config.get("REDIS_URL")
    if redis_url:
        from convention.mail.jobs import enqueue_delivery

        for message_id in message_ids:
            enqueue_delivery(message_id)
        return
    for message_id in message_ids:
        deliver_message(message_id)


def _after_commit(session: Session) -> None:
    pending = session.info.pop(PENDING_KEY, None)
    if pending:
        dispatch(pending)


def _after_rollback(session: Session) -> None:
    session.info.pop(PENDING_KEY, None)


def init_outbox_dispatch() -> None:
    """Listen once on the Flask-SQLAlchemy session (idempotent)."""
    target = db.session
    if not event.contains(target, "after_commit", _after_commit):
        event.listen(target, "after_commit", _after_commit)
        event.listen(target, "after_soft_rollback", lambda s, t: _after_rollback(s))


def retry_message(message: OutboxMessage) -> None:
    """Put a failed (or kept) message back in the queue for an immediate attempt."""
    if message.status is MessageStatus.SENT:
        return
    message.status = MessageStatus.QUEUED
    message.next_attempt_at = utcnow()
    db.session.flush()
    db.session.info.setdefault(PENDING_KEY, []).append(message.id)
