"""Template filters and globals: templates receive ready values and format them."""

from flask import Flask, has_request_context
from flask_login import current_user

from convention.core.forms import ActionForm
from convention.core.money import format_money
from convention.core.pagination import page_window
from convention.core.timeutil import to_local
from convention.editions.navigation import edition_actions, edition_nav, manage_nav


def format_local(value, tz_name: str = "Europe/Brussels", fmt: str = "%a %d %b %Y, %H:%M") -> str:
    local = to_local(value, tz_name)
    return local.strftime(fmt) + f" ({local.tzname()})" if local else "—"


def init_templating(app: Flask) -> None:
    app.jinja_env.filters["money"] = format_money
    app.jinja_env.filters["local"] = format_local
    app.jinja_env.globals.update(edition_nav=edition_nav, edition_actions=edition_actions, manage_nav=manage_nav,
                               page_window=page_window)

    @app.context_processor
    def globals_for_templates():
        # Mail templates are also rendered outside requests (CLI commands, RQ jobs).
        signed_in = has_request_context() and current_user.is_authenticated
        return {
            "logout_form": ActionForm() if signed_in else None,
            "is_site_admin": bool(signed_in and current_user.is_admin),
        }
