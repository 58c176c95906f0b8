"""The outbox against a real SMTP server: delivery, retries with backoff, rollback."""

from __future__ import annotations

import logging
from datetime import timedelta

import click
import pytest
import sqlalchemy as sa
from flask.cli import with_appcontext
from jinja2 import ChoiceLoader, DictLoader

from convention.audit.models import AuditEntry
from convention.core.errors import Conflict, DomainError
from convention.core.timeutil import utcnow
from convention.mail.models import MessageStatus, OutboxMessage
from convention.mail.services import (
    MAX_ATTEMPTS,
    backoff_delay,
    deliver_message,
    queue_email,
    render_email,
    retry_message,
    send_due_messages,
)
from tests.factories import make_user
from tests.mail.conftest import free_port


def queue_test_message(db, to="ada@example.org"):
    message = queue_email("test_message", to=to, context={"base_url": "https://convention.test"})
    db.session.commit()
    return message


def fresh(db, message_id) -> OutboxMessage:
    db.session.expire_all()
    return db.session.get(OutboxMessage, message_id)


def outbox_count(db) -> int:
    return db.session.scalar(sa.select(sa.func.count()).select_from(OutboxMessage))


# -- rendering --------------------------------------------------------------------------


@pytest.fixture
def extra_mail_templates(app):
    original = app.jinja_env.loader
    app.jinja_env.loader = ChoiceLoader([
        DictLoader({
            "mail/t_subject_var.txt": "Subject: Re: {{ title }}\nBody for {{ title }}\n",
            "mail/t_no_subject.txt": "Hello without a subject line\n",
        }),
        original,
    ])
    yield
    app.jinja_env.loader = original


def test_render_email_subject_folded_to_one_line(extra_mail_templates):
    subject, body = render_email("t_subject_var", {"title": "Talk\r\tBcc: evil@example.org  x"})
    assert subject == "Re: Talk Bcc: evil@example.org x"
    assert body == "Body for Talk\r\tBcc: evil@example.org  x\n"


def test_render_email_without_subject_line_raises(extra_mail_templates):
    with pytest.raises(ValueError, match="must start with a Subject: line"):
        render_email("t_no_subject", {})


def test_backoff_delay_doubles_and_caps_at_an_hour():
    assert [backoff_delay(n) for n in (1, 2, 3, 4, 7, 8, 20)] == [
        timedelta(minutes=m) for m in (1, 2, 4, 8, 60, 60, 60)
    ]


# -- no mail server: kept ---------------------------------------------------------------


def test_queue_email_without_mail_server_is_kept_and_logged(db, caplog):
    caplog.set_level(logging.INFO, logger="convention.mail.services")
    message = queue_test_message(db)
    stored = fresh(db, message.id)
    assert (stored.status, stored.attempts, stored.next_attempt_at) == (MessageStatus.KEPT, 0, None)
    assert stored.subject == "Test message from the convention system"
    assert "kept 'Test message from the convention system' for ada@example.org" in caplog.text
    assert "sent with `flask mail test` from https://convention.test" in caplog.text


# -- (a) delivery -----------------------------------------------------------------------


def test_queued_email_arrives_with_headers_and_body(db, smtp):
    message = queue_test_message(db, to="ada@example.org")
    assert len(smtp.received) == 1
    mail = smtp.received[0]
    assert mail["mail_from"] == "cfp@convention.test"
    assert mail["rcpt_tos"] == ["ada@example.org"]
    assert mail["message"]["From"] == "Convention <cfp@convention.test>"
    assert mail["message"]["To"] == "ada@example.org"
    assert mail["message"]["Subject"] == "Test message from the convention system"
    assert mail["message"]["Auto-Submitted"] == "auto-generated"
    assert mail["message"]["Message-ID"].endswith("@convention.test>")
    assert mail["message"].get_content().replace("\r\n", "\n") == (
        "Hello,\n\nThis is a test message sent with `flask mail test` from https://convention.test.\n"
        "If you can read it, the mail settings work.\n"
    )
    stored = fresh(db, message.id)
    assert (stored.status, stored.attempts, stored.last_error, stored.next_attempt_at) == (
        MessageStatus.SENT, 1, None, None
    )
    assert stored.sent_at is not None


def test_caller_session_stays_usable_after_inline_dispatch(db, smtp):
    message = queue_email("test_message", to="ada@example.org", context={"base_url": "x"})
    user = make_user(name="Grace")  # commits: the message goes out inside this commit
    assert message.status is MessageStatus.SENT  # reloaded after the commit
    user.name = "Grace Hopper"
    db.session.commit()
    assert fresh(db, message.id).status is MessageStatus.SENT
    assert len(smtp.received) == 1


def test_signup_confirmation_email_is_sent(app, db, smtp):
    with app.test_request_context():  # the link is built from the request's host
        make_user(email="new@example.org", confirmed=False)
    assert [mail["message"]["Subject"] for mail in smtp.received] == ["Confirm your email address"]
    assert "/confirm/" in smtp.received[0]["message"].get_content()


# -- (b) failures are retried with backoff, nothing is lost ------------------------------


@pytest.mark.parametrize(
    ("failure", "error_part"),
    [
        ("451 4.3.0 Mailbox temporarily unavailable", "451"),
        ("554 5.7.1 Rejected for testing", "554"),
        ("not listening", "ConnectionRefusedError"),
    ],
)
def test_failed_send_stays_queued_then_is_delivered_once(db, smtp_server, mail_to, failure, error_part):
    if failure == "not listening":
        mail_to(free_port())
    else:
        mail_to(smtp_server.port)
        smtp_server.refuse(failure)
    before = utcnow()
    message = queue_test_message(db)

    stored = fresh(db, message.id)
    assert stored.status is MessageStatus.QUEUED
    assert stored.attempts == 1
    assert error_part in stored.last_error
    assert stored.next_attempt_at >= before + backoff_delay(1)
    assert smtp_server.received == []

    # The server works again; the message is not due yet, so nothing happens now.
    mail_to(smtp_server.port)
    smtp_server.accept()
    assert send_due_messages().tried == 0
    report = send_due_messages(now=stored.next_attempt_at)
    assert (report.tried, dict(report.outcomes)) == (1, {"sent": 1})
    assert send_due_messages(now=stored.next_attempt_at + timedelta(days=1)).tried == 0

    assert len(smtp_server.received) == 1
    assert smtp_server.received[0]["message"]["Subject"] == "Test message from the convention system"
    stored = fresh(db, message.id)
    assert (stored.status, stored.attempts, stored.last_error) == (MessageStatus.SENT, 2, None)
    assert outbox_count(db) == 1


# -- (c) after MAX_ATTEMPTS: failed, visible, retried by an admin ------------------------


def fail_until_given_up(db, smtp_server):
    smtp_server.refuse("451 4.3.0 Try again later")
    message = queue_test_message(db)
    for _ in range(MAX_ATTEMPTS - 1):
        due_at = fresh(db, message.id).next_attempt_at
        assert send_due_messages(now=due_at).tried == 1
    return fresh(db, message.id)


def test_message_fails_for_good_after_max_attempts(db, smtp):
    message = fail_until_given_up(db, smtp)
    assert (message.status, message.attempts, message.next_attempt_at) == (MessageStatus.FAILED, MAX_ATTEMPTS, None)
    assert "451" in message.last_error
    assert send_due_messages(now=utcnow() + timedelta(days=30)).tried == 0
    assert smtp.received == []


def test_retry_message_by_admin_sends_a_failed_message(db, smtp):
    message = fail_until_given_up(db, smtp)
    admin = make_user(is_admin=True)
    smtp.accept()
    retry_message(message, actor=admin)
    db.session.commit()
    stored = fresh(db, message.id)
    assert (stored.status, stored.attempts) == (MessageStatus.SENT, MAX_ATTEMPTS + 1)
    assert len(smtp.received) == 1
    audit = db.session.scalars(sa.select(AuditEntry).where(AuditEntry.action == "outbox.retry")).one()
    assert (audit.actor_id, audit.object_id, audit.data) == (admin.id, str(message.id), {
        "from": "failed", "attempts": MAX_ATTEMPTS
    })


def test_retry_of_a_failed_message_that_fails_again_is_failed(db, smtp):
    message = fail_until_given_up(db, smtp)
    retry_message(message, actor=make_user(is_admin=True))
    db.session.commit()
    stored = fresh(db, message.id)
    assert (stored.status, stored.attempts) == (MessageStatus.FAILED, MAX_ATTEMPTS + 1)


def test_retry_message_refuses_a_sent_message(db, smtp):
    message = queue_test_message(db)
    with pytest.raises(Conflict):
        retry_message(fresh(db, message.id), actor=make_user(is_admin=True))


def test_retry_message_refuses_kept_message_without_mail_server(db):
    message = queue_test_message(db)
    with pytest.raises(DomainError, match="No mail server is configured"):
        retry_message(fresh(db, message.id), actor=make_user(is_admin=True))


def test_kept_message_is_sent_once_a_mail_server_is_configured(db, smtp_server, mail_to):
    message = queue_test_message(db)
    mail_to(smtp_server.port)
    retry_message(fresh(db, message.id), actor=make_user(is_admin=True))
    db.session.commit()
    assert fresh(db, message.id).status is MessageStatus.SENT
    assert len(smtp_server.received) == 1


# -- claims: one attempt per dispatch, however many processes try ------------------------


def test_deliver_message_twice_for_the_same_attempt_sends_once(db, smtp_server, mail_to):
    mail_to(free_port())  # first attempt fails, so the message stays queued at attempt 1
    message = queue_test_message(db)
    mail_to(smtp_server.port)
    first = deliver_message(message.id, expected_attempts=1)
    second = deliver_message(message.id, expected_attempts=1)
    assert (first.status, first.attempts, second) == (MessageStatus.SENT, 2, None)
    assert len(smtp_server.received) == 1


def test_deliver_message_with_stale_attempt_count_does_nothing(db, smtp_server, mail_to):
    mail_to(free_port())
    message = queue_test_message(db)
    mail_to(smtp_server.port)
    assert deliver_message(message.id, expected_attempts=0) is None
    assert fresh(db, message.id).attempts == 1
    assert smtp_server.received == []


def test_deliver_message_of_unknown_id_returns_none(db, smtp):
    assert deliver_message(424242, expected_attempts=0) is None


# -- (d) transactions: only committed messages are sent ----------------------------------


def test_rolled_back_message_is_never_queued_or_sent(db, smtp):
    queue_email("test_message", to="ada@example.org", context={"base_url": "x"})
    db.session.rollback()
    assert outbox_count(db) == 0
    make_user()  # a later commit in the same session dispatches nothing stale
    assert send_due_messages(now=utcnow() + timedelta(days=1)).tried == 0
    assert smtp.received == []


def test_message_waits_for_outer_commit_when_a_savepoint_is_released(db, smtp):
    message = queue_email("test_message", to="ada@example.org", context={"base_url": "x"})
    with db.session.begin_nested():
        db.session.add(OutboxMessage(template="x", sender="a@b.c", recipient="d@e.f", subject="s",
                                     body_text="b", status=MessageStatus.KEPT))
    assert smtp.received == []  # the savepoint release did not dispatch
    db.session.commit()
    assert fresh(db, message.id).status is MessageStatus.SENT
    assert len(smtp.received) == 1


def test_message_queued_before_a_rolled_back_savepoint_is_still_sent(db, smtp):
    message = queue_email("test_message", to="ada@example.org", context={"base_url": "x"})
    savepoint = db.session.begin_nested()
    db.session.add(OutboxMessage(template="x", sender="a@b.c", recipient="d@e.f", subject="s", body_text="b"))
    savepoint.rollback()
    db.session.commit()
    assert fresh(db, message.id).status is MessageStatus.SENT
    assert len(smtp.received) == 1


def test_unreachable_redis_leaves_message_queued_and_session_usable(app, db, smtp):
    app.config["REDIS_URL"] = f"redis://127.0.0.1:{free_port()}/2"
    try:
        message = queue_email("test_message", to="ada@example.org", context={"base_url": "x"})
        db.session.commit()  # dispatch fails after the commit; the caller never sees it
        user = make_user()
        assert db.session.get(type(user), user.id).name == user.name
    finally:
        app.config["REDIS_URL"] = None
    stored = fresh(db, message.id)
    assert (stored.status, stored.attempts) == (MessageStatus.QUEUED, 0)
    report = send_due_messages()
    assert dict(report.outcomes) == {"sent": 1}
    assert len(smtp.received) == 1


# -- the command line --------------------------------------------------------------------


@click.command("queue-and-commit")
@with_appcontext
def queue_and_commit_command():
    from convention.extensions import db

    queue_email("test_message", to="cli@example.org", context={"base_url": "cli"})
    db.session.commit()


def test_commit_inside_a_cli_command_dispatches(runner, smtp):
    result = runner.invoke(queue_and_commit_command)
    assert result.exit_code == 0, result.output
    assert [mail["rcpt_tos"] for mail in smtp.received] == [["cli@example.org"]]


def test_mail_test_command_sends_through_the_outbox(runner, smtp):
    result = runner.invoke(args=["mail", "test", "--to", "ops@example.org"])
    assert result.exit_code == 0, result.output
    assert result.output.endswith(": sent.\n")
    assert [mail["rcpt_tos"] for mail in smtp.received] == [["ops@example.org"]]


def test_mail_send_due_command_reports_outcomes(db, runner, smtp):
    smtp.refuse("451 4.3.0 Later")
    message = queue_test_message(db)
    smtp.accept()
    with db.engine.begin() as conn:  # make it due now
        conn.execute(sa.update(OutboxMessage).values(next_attempt_at=utcnow() - timedelta(seconds=1)))
    result = runner.invoke(args=["mail", "send-due"])
    assert result.exit_code == 0, result.output
    assert result.output == "Tried 1 due message(s): 1 sent.\n"
    assert fresh(db, message.id).status is MessageStatus.SENT


def test_worker_command_without_redis_refuses(runner):
    result = runner.invoke(args=["worker", "--burst"])
    assert result.exit_code == 1
    assert "REDIS_URL is not set" in result.output
