"""Queue, render and send email. Every message goes through the outbox table.

``queue_email`` renders a template into an ``OutboxMessage`` in the caller's
transaction (flush, never commit). Only when that transaction commits is the message
dispatched: to an RQ worker when ``REDIS_URL`` is set, otherwise sent inline right after
the commit. A rolled-back transaction takes its messages with it, unsent. Without
``MAIL_SERVER`` a message is kept in the outbox (admins read it on the outbox page) and
logged.

Delivery is at-least-once and never loses a message:

* an attempt first *claims* the row with one conditional UPDATE (status still queued,
  and either the attempt count it was dispatched for or a due ``next_attempt_at``),
  bumping ``attempts`` and leasing the row for ``SEND_LEASE``; two workers, a cron run
  and an admin click can race and only one of them sends;
* the SMTP conversation runs outside any database transaction (a slow mail server must
  not hold a lock: on SQLite that would stop every writer);
* a failure records ``last_error`` and a ``next_attempt_at`` with exponential backoff;
  after ``MAX_ATTEMPTS`` the message is ``failed`` and stays visible until an admin
  retries it. A process that dies mid-send leaves the row queued with the lease as its
  next attempt, so ``send_due_messages`` picks it up again.
"""

from __future__ import annotations

import logging
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta

import sqlalchemy as sa
from flask import current_app
from flask_babel import force_locale, gettext
from sqlalchemy import event
from sqlalchemy.orm import Session

from convention.audit.services import record_audit
from convention.core.errors import Conflict, DomainError
from convention.core.timeutil import utcnow
from convention.extensions import db
from convention.mail.attachments import Attachment, render_attachments
from convention.mail.models import RETRYABLE, MessageStatus, OutboxMessage

log = logging.getLogger(__name__)

MAX_ATTEMPTS = 8  # 1+2+4+8+16+32+60 minutes: about two hours of retries
SEND_LEASE = timedelta(minutes=5)
SUBJECT_MAX = 255
ERROR_MAX = 2000
PENDING_KEY = "outbox_pending"


@dataclass(frozen=True)
class Delivery:
    """What one delivery attempt did (returned to the RQ job and to callers)."""

    message_id: int
    status: MessageStatus
    attempts: int
    next_attempt_at: datetime | None


# -- queueing --------------------------------------------------------------------------


def render_email(template: str, context: dict) -> tuple[str, str]:
    """Render ``templates/mail/<template>.txt``; its first line is ``Subject: ...``.

    Straight from the Jinja environment, without the site's context processors: mail is
    also rendered in CLI commands and workers, where there is no request or signed-in user.
    """
    text = current_app.jinja_env.get_template(f"mail/{template}.txt").render(**context)
    first, _, body = text.lstrip().partition("\n")
    if not first.startswith("Subject:"):
        raise ValueError(f"mail/{template}.txt must start with a Subject: line")
    # One line, no control characters: the subject becomes a mail header.
    subject = " ".join(first.removeprefix("Subject:").split())
    return subject[:SUBJECT_MAX], body.strip() + "\n"


# Functions that tell a recipient's language from their address (accounts registers one:
# mail sits below accounts and cannot ask it directly).
_recipient_language_lookups: list[Callable[[str], str | None]] = []


def register_recipient_language_lookup(lookup: Callable[[str], str | None]) -> None:
    if lookup not in _recipient_language_lookups:
        _recipient_language_lookups.append(lookup)


def recipient_language(address: str) -> str | None:
    for lookup in _recipient_language_lookups:
        language = lookup(address)
        if language:
            return language
    return None


def queue_email(
    template: str,
    *,
    to: str,
    context: dict | None = None,
    edition_id: int | None = None,
    language: str | None = None,
    default_language: str | None = None,
    attachments: list[Attachment] | None = None,
) -> OutboxMessage:
    """Render and store a message; it is sent after the caller's transaction commits.

    The message is written in ``language``, else in the language the recipient saved on
    their account, else in ``default_language`` (the one a buyer without an account
    ordered in: ``Order.language``), else in the language of the request that queues it
    (English outside requests). ``attachments`` are rendered when the message is sent
    (``mail/attachments.py``)."""
    language = language or recipient_language(to) or default_language
    if language:
        with force_locale(language):
            subject, body = render_email(template, context or {})
    else:
        subject, body = render_email(template, context or {})
    config = current_app.config
    message = OutboxMessage(
        template=template,
        sender=config["MAIL_DEFAULT_SENDER"],
        recipient=to,
        subject=subject,
        body_text=body,
        edition_id=edition_id,
        attempts=0,
        attachments=[attachment.to_json() for attachment in attachments or ()],
    )
    if config.get("MAIL_SERVER"):
        message.status = MessageStatus.QUEUED
        message.next_attempt_at = utcnow()
    else:
        message.status = MessageStatus.KEPT
        _log_kept(message)
    db.session.add(message)
    db.session.flush()
    if message.status is MessageStatus.QUEUED:
        _remember_for_dispatch(db.session, message)
    return message


def _log_kept(message: OutboxMessage) -> None:
    log.info("Outbox (no MAIL_SERVER): kept %r for %s", message.subject, message.recipient)
    if current_app.config.get("APP_ENV") != "production":
        # In development the console is the mailbox: show the links.
        log.info("--- %s ---\n%s", message.subject, message.body_text)


def retry_message(message: OutboxMessage, *, actor) -> OutboxMessage:
    """Queue a failed (or kept) message for an immediate attempt, by an admin's hand."""
    if message.status not in RETRYABLE:
        raise Conflict(gettext("This message was already sent."))
    if message.status is MessageStatus.KEPT and not current_app.config.get("MAIL_SERVER"):
        raise DomainError(gettext("No mail server is configured (MAIL_SERVER), so kept messages cannot be sent."))
    previous = message.status
    message.status = MessageStatus.QUEUED
    message.next_attempt_at = utcnow()
    db.session.flush()
    record_audit(
        "outbox.retry", actor=actor, edition_id=message.edition_id, target=message,
        data={"from": previous.value, "attempts": message.attempts},
    )
    _remember_for_dispatch(db.session, message)
    return message


# -- dispatch after commit ---------------------------------------------------------------


def _remember_for_dispatch(session: Session, message: OutboxMessage) -> None:
    # The attempt count travels with the id, so a stale or duplicated job cannot send twice.
    session.info.setdefault(PENDING_KEY, []).append((message.id, message.attempts))


def _after_commit(session: Session) -> None:
    # after_commit also fires when a SAVEPOINT is released; the outer transaction is
    # still open then and the rows are not visible to anyone else yet.
    if session.in_nested_transaction():
        return
    pending = session.info.pop(PENDING_KEY, None)
    if not pending:
        return
    # The caller's commit has already succeeded: nothing raised here may reach it, or its
    # session would be stuck half-closed. A message that is not handed over stays queued
    # and due, so `flask mail send-due` (or the next worker start) sends it.
    try:
        dispatch(pending)
    except Exception:
        log.exception("Outbox: could not dispatch %s committed message(s); they stay queued", len(pending))


def _after_soft_rollback(session: Session, previous_transaction) -> None:
    # A rolled-back outer transaction took its messages with it. (A rolled-back SAVEPOINT
    # may leave ids of rows that no longer exist in the list: their claim finds nothing.)
    if previous_transaction.parent is None:
        session.info.pop(PENDING_KEY, None)


def init_outbox_dispatch() -> None:
    """Listen on the Flask-SQLAlchemy session, once per process (idempotent)."""
    target = db.session
    if not event.contains(target, "after_commit", _after_commit):
        event.listen(target, "after_commit", _after_commit)
        event.listen(target, "after_soft_rollback", _after_soft_rollback)


def dispatch(pending: list[tuple[int, int]]) -> None:
    """Hand freshly committed messages to the RQ worker, or send them inline now.

    Runs in its own database session, never in the caller's (whose transaction has just
    ended). One message's failure does not stop the others.
    """
    if current_app.config.get("REDIS_URL"):
        from convention.mail.jobs import enqueue_delivery

        for message_id, attempts in pending:
            enqueue_delivery(message_id, attempts)
        return
    for message_id, attempts in pending:
        try:
            deliver_message(message_id, expected_attempts=attempts)
        except Exception:
            log.exception("Outbox: delivery of message %s crashed; it stays queued", message_id)


# -- delivery ----------------------------------------------------------------------------


def backoff_delay(attempts: int) -> timedelta:
    """1, 2, 4, ... minutes after each failure, capped at one hour."""
    return timedelta(minutes=min(2 ** max(attempts - 1, 0), 60))


def _smtp_send(message: OutboxMessage, session: Session) -> None:
    from convention.mail.sender import send_via_smtp

    files = render_attachments(session, message.attachments)
    session.commit()  # rendering only read: no transaction stays open while SMTP talks
    send_via_smtp(message, current_app.config, files=files)


def _claim(session: Session, message_id: int, *, now: datetime, expected_attempts: int | None) -> bool:
    """Take the message for one attempt; False when someone else has it or it is not due."""
    conditions = [OutboxMessage.id == message_id, OutboxMessage.status == MessageStatus.QUEUED]
    if expected_attempts is None:
        conditions.append(OutboxMessage.next_attempt_at <= now)
    else:
        conditions.append(OutboxMessage.attempts == expected_attempts)
    result = session.execute(
        sa.update(OutboxMessage)
        .where(*conditions)
        .values(attempts=OutboxMessage.attempts + 1, next_attempt_at=now + SEND_LEASE)
        .execution_options(synchronize_session=False)
    )
    return result.rowcount == 1


def _record_outcome(message: OutboxMessage, error: Exception | None, *, now: datetime) -> None:
    if error is None:
        message.status = MessageStatus.SENT
        message.sent_at = now
        message.next_attempt_at = None
        message.last_error = None
        return
    message.last_error = f"{type(error).__name__}: {error}"[:ERROR_MAX]
    if message.attempts >= MAX_ATTEMPTS:
        message.status = MessageStatus.FAILED
        message.next_attempt_at = None
        log.error("Outbox message %s failed for good after %s attempts: %s", message.id, message.attempts, error)
    else:
        message.status = MessageStatus.QUEUED
        message.next_attempt_at = now + backoff_delay(message.attempts)
        log.warning("Outbox message %s failed (attempt %s), retry at %s: %s",
                    message.id, message.attempts, message.next_attempt_at, error)


def deliver_message(message_id: int, *, expected_attempts: int | None = None, now: datetime | None = None
                    ) -> Delivery | None:
    """Make one attempt at sending a message, in a session of its own, and commit the outcome.

    ``expected_attempts`` is the attempt count the caller saw when it dispatched the
    message (after-commit dispatch, RQ jobs); without it the message must be due at
    ``now`` (cron, the admin button). Returns None when the message was not claimed:
    already sent, taken by another process, not due, or gone.
    """
    now = now or utcnow()
    if not current_app.config.get("MAIL_SERVER"):
        return _keep_unsent(message_id)
    with Session(db.engine, expire_on_commit=False) as session:
        if not _claim(session, message_id, now=now, expected_attempts=expected_attempts):
            session.rollback()
            return None
        message = session.get(OutboxMessage, message_id)
        session.commit()  # the claim is ours; no transaction stays open while SMTP talks
        error = None
        try:
            _smtp_send(message, session)
        except Exception as exc:  # any transport failure is recorded, never raised
            error = exc
        _record_outcome(message, error, now=max(now, utcnow()))
        session.commit()
        return Delivery(message.id, message.status, message.attempts, message.next_attempt_at)


def _keep_unsent(message_id: int) -> Delivery | None:
    """MAIL_SERVER was unset after the message was queued: keep it for the outbox page."""
    with Session(db.engine, expire_on_commit=False) as session:
        message = session.get(OutboxMessage, message_id)
        if message is None or message.status is not MessageStatus.QUEUED:
            return None
        message.status = MessageStatus.KEPT
        message.next_attempt_at = None
        session.commit()
        _log_kept(message)
        return Delivery(message.id, message.status, message.attempts, None)


def due_messages(*, now: datetime | None = None, limit: int = 100) -> list[tuple[int, int]]:
    """(id, attempts) of queued messages whose next attempt is due, oldest first."""
    now = now or utcnow()
    with Session(db.engine) as session:
        rows = session.execute(
            sa.select(OutboxMessage.id, OutboxMessage.attempts)
            .where(OutboxMessage.status == MessageStatus.QUEUED, OutboxMessage.next_attempt_at <= now)
            .order_by(OutboxMessage.next_attempt_at, OutboxMessage.id)
            .limit(limit)
        ).all()
    return [(row.id, row.attempts) for row in rows]


@dataclass(frozen=True)
class DueReport:
    """The result of one sweep over due messages."""

    tried: int
    outcomes: Counter
    enqueued: bool = False

    def summary(self) -> str:
        """For the admin's flash message and the CLI (English outside a request)."""
        if self.enqueued:
            return gettext("Handed %(num)d due message(s) to the worker.", num=self.tried)
        if not self.tried:
            return gettext("No message was due.")
        parts = ", ".join(f"{count} {_outcome_label(status)}" for status, count in sorted(self.outcomes.items()))
        return gettext("Tried %(num)d due message(s): %(parts)s.", num=self.tried, parts=parts)


def _outcome_label(status: str) -> str:
    return str(MessageStatus(status).label) if status in MessageStatus.__members__.values() else gettext("skipped")


def send_due_messages(*, now: datetime | None = None, limit: int = 100, inline: bool = True) -> DueReport:
    """Retry every queued message whose next attempt is due (cron, the admin button).

    ``inline=False`` hands them to the RQ worker instead when REDIS_URL is set.
    """
    due = due_messages(now=now, limit=limit)
    if not inline and current_app.config.get("REDIS_URL"):
        dispatch(due)
        return DueReport(tried=len(due), outcomes=Counter(), enqueued=True)
    outcomes: Counter = Counter()
    for message_id, _attempts in due:
        delivery = deliver_message(message_id, now=now)
        outcomes[delivery.status.value if delivery else "skipped"] += 1
    return DueReport(tried=len(due), outcomes=outcomes)
