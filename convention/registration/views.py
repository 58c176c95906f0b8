"""Registration pages: the ticket shop, the secret order page, the organizer views."""

from __future__ import annotations

from flask import Blueprint

from convention.registration.cli import expire_command
from convention.registration.complimentary import connect_signals

bp = Blueprint("registration", __name__, cli_group="registration")
bp.cli.add_command(expire_command)
connect_signals()

from convention.registration import views_manage, views_public  # noqa: E402,F401  (routes on bp)
