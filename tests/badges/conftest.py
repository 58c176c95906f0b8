"""The real local SMTP server of the mail tests, for the confirmation's attachment."""

from tests.mail.conftest import mail_to, smtp, smtp_server  # noqa: F401
