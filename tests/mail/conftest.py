"""A real SMTP server on a free loopback port, and the app pointed at it."""

from __future__ import annotations

import socket
from email import message_from_bytes
from email.policy import default as default_policy

import pytest
from aiosmtpd.controller import Controller


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


class RecordingHandler:
    """Accepts mail and keeps it; ``refuse_with`` makes it answer DATA with that reply."""

    def __init__(self):
        self.received = []
        self.refuse_with: str | None = None

    async def handle_DATA(self, server, session, envelope):
        if self.refuse_with:
            return self.refuse_with
        self.received.append(
            {
                "mail_from": envelope.mail_from,
                "rcpt_tos": list(envelope.rcpt_tos),
                "message": message_from_bytes(envelope.content, policy=default_policy),
            }
        )
        return "250 OK"


class SMTPServer:
    def __init__(self):
        self.handler = RecordingHandler()
        self.port = free_port()
        self.controller = Controller(self.handler, hostname="127.0.0.1", port=self.port)

    @property
    def received(self):
        return self.handler.received

    def refuse(self, reply: str) -> None:
        self.handler.refuse_with = reply

    def accept(self) -> None:
        self.handler.refuse_with = None


@pytest.fixture
def smtp_server():
    server = SMTPServer()
    server.controller.start()
    yield server
    server.controller.stop()


@pytest.fixture
def mail_to(app):
    """Point the app at an SMTP port for one test: ``mail_to(port)``; restored afterwards."""
    saved = {key: app.config[key] for key in ("MAIL_SERVER", "MAIL_PORT", "MAIL_TIMEOUT", "MAIL_DEFAULT_SENDER")}

    def configure(port: int) -> None:
        app.config.update(
            MAIL_SERVER="127.0.0.1", MAIL_PORT=port, MAIL_TIMEOUT=5, MAIL_DEFAULT_SENDER="Convention <cfp@convention.test>"
        )

    yield configure
    app.config.update(saved)


@pytest.fixture
def smtp(smtp_server, mail_to):
    """The app sends to a working local SMTP server."""
    mail_to(smtp_server.port)
    return smtp_server
