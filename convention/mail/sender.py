"""The SMTP adapter: the only module that talks to a mail server."""

from __future__ import annotations

import smtplib
from email.message import EmailMessage
from email.utils import formatdate, make_msgid, parseaddr
from urllib.parse import urlsplit


def build_mime(message, files=()) -> EmailMessage:
    mime = EmailMessage()
    mime["From"] = message.sender
    mime["To"] = message.recipient
    mime["Subject"] = message.subject
    mime["Date"] = formatdate(localtime=False)
    # The sender's domain, not socket.getfqdn(): that can wait on DNS for seconds.
    domain = parseaddr(message.sender)[1].rpartition("@")[2] or "localhost"
    mime["Message-ID"] = make_msgid(idstring=f"outbox{message.id}", domain=domain)
    mime["Auto-Submitted"] = "auto-generated"  # RFC 3834: no vacation replies, please
    mime.set_content(message.body_text)
    for file in files:
        maintype, _, subtype = file.mimetype.partition("/")
        mime.add_attachment(file.content, maintype=maintype, subtype=subtype or "octet-stream", filename=file.filename)
    return mime


def send_via_smtp(message, config: dict, *, files=()) -> None:
    host, port, timeout = config["MAIL_SERVER"], config["MAIL_PORT"], config["MAIL_TIMEOUT"]
    smtp_class = smtplib.SMTP_SSL if config.get("MAIL_USE_SSL") else smtplib.SMTP
    # Greet with the site's public host name rather than whatever the container calls itself.
    helo = urlsplit(config.get("BASE_URL") or "").hostname or None
    with smtp_class(host, port, local_hostname=helo, timeout=timeout) as smtp:
        if config.get("MAIL_USE_TLS") and not config.get("MAIL_USE_SSL"):
            smtp.starttls()
        if config.get("MAIL_USERNAME"):
            smtp.login(config["MAIL_USERNAME"], config.get("MAIL_PASSWORD") or "")
        smtp.send_message(build_mime(message, files))
