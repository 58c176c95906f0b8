"""Attachments of outbox messages: stored as descriptors, rendered by the renderer a
higher domain registered, at send time, and delivered to a real SMTP server."""

from __future__ import annotations

import sqlalchemy as sa

from convention.mail import attachments
from convention.mail.attachments import Attachment, register_attachment_renderer
from convention.mail.models import MessageStatus, OutboxMessage
from convention.mail.services import queue_email

RENDERED: list[dict] = []


def _render_greeting(session, params: dict) -> bytes:
    # The renderer reads with the delivering session (here: a count of the outbox).
    count = session.scalar(sa.select(sa.func.count()).select_from(OutboxMessage))
    RENDERED.append(params)
    return f"Hello {params['name']} ({count})".encode()


def _queue(db, *files):
    message = queue_email("test_message", to="ada@example.org", context={"base_url": "https://convention.test"},
                          attachments=list(files))
    db.session.commit()
    db.session.expire_all()
    return db.session.get(OutboxMessage, message.id)


def test_a_message_keeps_descriptors_and_its_files_are_rendered_when_sent(db, smtp, monkeypatch):
    monkeypatch.setitem(attachments._renderers, "test.greeting", _render_greeting)
    RENDERED.clear()
    message = _queue(db, Attachment(kind="test.greeting", filename="hello.txt", mimetype="text/plain",
                                    params={"name": "Ada"}))
    assert message.attachments == [{"kind": "test.greeting", "filename": "hello.txt", "mimetype": "text/plain",
                                    "params": {"name": "Ada"}}]
    assert message.status is MessageStatus.SENT and RENDERED == [{"name": "Ada"}]
    mime = smtp.received[0]["message"]
    parts = list(mime.iter_attachments())
    assert [(p.get_filename(), p.get_content_type(), p.get_content()) for p in parts] == [
        ("hello.txt", "text/plain", "Hello Ada (1)")]
    assert "test message" in mime.get_body(("plain",)).get_content().lower()


def test_a_message_without_attachments_is_a_plain_message(db, smtp):
    message = _queue(db)
    assert message.attachments == [] and message.status is MessageStatus.SENT
    assert list(smtp.received[0]["message"].iter_attachments()) == []


def test_an_unknown_kind_fails_the_attempt_which_is_retried_later(db, smtp):
    message = _queue(db, Attachment(kind="test.nobody-renders-this", filename="x.pdf"))
    assert message.status is MessageStatus.QUEUED and message.attempts == 1
    assert "No renderer for attachments of kind 'test.nobody-renders-this'" in message.last_error
    assert smtp.received == []


def test_registering_a_renderer_again_replaces_it(monkeypatch):
    monkeypatch.setattr(attachments, "_renderers", {})
    register_attachment_renderer("k", lambda session, params: b"one")
    register_attachment_renderer("k", lambda session, params: b"two")
    assert [f.content for f in attachments.render_attachments(None, [{"kind": "k", "filename": "f"}])] == [b"two"]
