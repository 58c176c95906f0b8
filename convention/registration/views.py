"""Registration pages: the ticket shop, the secret order page, the organizer views.

The routes live in ``views_public`` and ``views_manage``, both on this blueprint.
"""

from __future__ import annotations

from flask import Blueprint
from flask_babel import lazy_gettext

from convention.editions.navigation import register_link
from convention.registration.cli import expire_command
from convention.registration.deadlines import init_expiry_scheduling

bp = Blueprint("registration", __name__, cli_group="registration")
bp.cli.add_command(expire_command)
init_expiry_scheduling()

from convention.registration import views_account, views_manage, views_public  # noqa: E402,F401  (routes on bp)

register_link("public", lazy_gettext("Tickets"), "registration.shop", order=40)
register_link("action", lazy_gettext("Get tickets"), "registration.shop", order=20)
register_link(
    "manage", lazy_gettext("Tickets"), "registration.manage_tickets", order=40,
    section=("manage/quotas/", "manage/vouchers", "manage/registration/"),
)
register_link("manage", lazy_gettext("Orders"), "registration.manage_orders", order=41, section=("manage/attendees.csv",))
