"""The convention management system: ``create_app`` is the application factory."""

from __future__ import annotations

import importlib

from flask import Flask
from flask_babel import lazy_gettext
from werkzeug.middleware.proxy_fix import ProxyFix

from convention.config import check_production_safety, load_config, production_warnings
from convention.core.logs import init_logging

# Every blueprint module exposes ``bp``. One line per domain; the order does not matter.
BLUEPRINT_MODULES = (
    "convention.site.views",
    "convention.accounts.views",
    "convention.accounts.views_security",
    "convention.mail.views",
    "convention.editions.views",
    "convention.cfp.views",
    "convention.cfp.views_manage",
    "convention.registration.views",
    "convention.payments.views",
    "convention.review.views",
    "convention.review.views_manage",
    "convention.review.views_auto_assignment",
    "convention.review.views_decisions",
    "convention.schedule.views",
    "convention.schedule.views_manage",
    "convention.schedule.views_grid",
    "convention.schedule.views_export",
    "convention.checkin.views",
    "convention.auditlog.views",
    "convention.privacy.views",
    "convention.checkin.views_manage",
    "convention.tokens.views_manage",
    "convention.badges.views",
    "convention.badges.views_manage",
    "convention.api.views",
)

# Domains that receive signals (convention.core.signals): each module's
# ``connect_receivers()`` subscribes that domain's receivers, once per app.
SIGNAL_RECEIVERS = (
    "convention.cfp.manage_services",
    "convention.registration.complimentary",
    "convention.payments.provider",
    "convention.review.assignment",
    "convention.schedule.placement",
    "convention.checkin.landing",
    "convention.badges.issuing",
)

# Model modules, imported so that SQLAlchemy (and Alembic) know every table.
MODEL_MODULES = (
    "convention.accounts.models",
    "convention.audit.models",
    "convention.mail.models",
    "convention.editions.models",
    "convention.cfp.models",
    "convention.registration.models",
    "convention.payments.models",
    "convention.review.models",
    "convention.schedule.models",
    "convention.badges.models",
    "convention.checkin.models",
    "convention.privacy.models",
    "convention.tokens.models",
)


def import_models() -> None:
    """Import every model and configure the mappers now: left to the first query, the
    configuration (about a quarter of a second) lands on a worker's first request."""
    for module in MODEL_MODULES:
        importlib.import_module(module)
    from sqlalchemy.orm import configure_mappers

    configure_mappers()


def create_app(config: dict | None = None) -> Flask:
    """Build the app. ``config`` overrides settings read from the environment (tests)."""
    app = Flask(
        __name__,
        instance_relative_config=False,
        template_folder="../templates",
        static_folder="../static",
    )
    app.config.update(load_config(app.instance_path))
    if config:
        app.config.update(config)
    check_production_safety(app.config)
    init_logging(app)  # before app.logger is first used: Flask adds no handler of its own then
    for warning in production_warnings(app.config):
        app.logger.warning("Production setting: %s.", warning)
    hops = app.config.get("TRUST_PROXY_HOPS") or 0
    if hops:
        # Behind a load balancer: take the client address and scheme from the
        # X-Forwarded-* headers that the last ``hops`` proxies set (never more). The host
        # only with TRUST_FORWARDED_HOST: a proxy normally passes the Host header on.
        host_hops = hops if app.config.get("TRUST_FORWARDED_HOST") else 0
        app.wsgi_app = ProxyFix(app.wsgi_app, x_for=hops, x_proto=hops, x_host=host_hops, x_port=host_hops)

    from convention.audit.context import set_request_context_provider
    from convention.core.inputs import init_inputs
    from convention.core.request_ids import current_request_context, init_request_ids

    init_request_ids(app)  # first: every later hook, log line and audit entry can read it
    set_request_context_provider(current_request_context)
    init_inputs(app)  # the bounded <int:...> converter, before any route is added
    _init_extensions(app)
    import_models()
    for module in BLUEPRINT_MODULES:
        app.register_blueprint(importlib.import_module(module).bp)
    for module in SIGNAL_RECEIVERS:
        importlib.import_module(module).connect_receivers()
    from convention.payments.provider import init_payments

    init_payments(app)

    from convention.areas import AREAS
    from convention.cli import register_cli
    from convention.core.i18n import init_i18n
    from convention.core.permissions import init_area_guards
    from convention.core.security import init_security
    from convention.site.errors import init_error_handlers
    from convention.site.templating import init_templating
    from convention.tokens.permissions import init_token_auth

    init_security(app)
    init_token_auth(app)  # bearer tokens (scan API), before the area guards that read them
    init_area_guards(app, AREAS)  # after the NUL, CSRF and rate-limit checks
    init_error_handlers(app)
    init_templating(app)
    init_i18n(app)
    register_cli(app)
    return app


def _init_extensions(app: Flask) -> None:
    from convention.accounts.services import language_of_address, load_user_from_session
    from convention.core.database import make_sqlite_savepoints_nested
    from convention.core.security import session_identifier
    from convention.extensions import bootstrap, csrf, db, limiter, login_manager, migrate
    from convention.mail.services import init_outbox_dispatch, register_recipient_language_lookup

    db.init_app(app)
    migrate.init_app(app, db, directory=str(app.root_path + "/../migrations"), render_as_batch=True)
    csrf.init_app(app)
    bootstrap.init_app(app)
    limiter.init_app(app)
    login_manager.init_app(app)
    login_manager.login_view = "accounts.login"
    login_manager.login_message = lazy_gettext("Please sign in to continue.")
    login_manager.localize_callback = str  # read in the request's language when flashed
    login_manager.login_message_category = "info"
    login_manager.session_protection = "strong"
    # Bound to the browser, not the network: door phones change address (core/security.py).
    login_manager._session_identifier_generator = session_identifier
    login_manager.user_loader(load_user_from_session)
    register_recipient_language_lookup(language_of_address)  # mail in the recipient's language
    with app.app_context():
        make_sqlite_savepoints_nested(db.engine)  # creates no connection
        init_outbox_dispatch()
