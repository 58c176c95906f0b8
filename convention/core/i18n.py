"""Interface languages (Flask-Babel): which language a request speaks.

Every human-readable string goes through gettext: ``_()`` / ``{% trans %}`` in templates,
``gettext`` in code that runs during a request, ``lazy_gettext`` for module-level text
(form labels, choice lists). Catalogues live in ``convention/translations/<lang>``; the
README's "Translations" section gives the extract / update / compile commands, and
``tests/test_i18n.py`` fails when a string lacks its Dutch or French translation.
"""

from __future__ import annotations

from flask import Flask, current_app, has_request_context, request
from flask_login import current_user

# The interface languages, each named in its own language (the switcher shows these).
LANGUAGES = {"en": "English", "nl": "Nederlands", "fr": "Français"}
DEFAULT_LANGUAGE = "en"
LANGUAGE_COOKIE = "language"
LANGUAGE_COOKIE_MAX_AGE = 365 * 24 * 3600


def language_cookie_name() -> str:
    """The switcher's cookie: ``__Host-language`` over HTTPS (config.cookie_names)."""
    return current_app.config.get("LANGUAGE_COOKIE_NAME") or LANGUAGE_COOKIE


def chosen_language() -> str | None:
    """The language the person picked with the switcher, if any and if we speak it."""
    picked = request.cookies.get(language_cookie_name())
    return picked if picked in LANGUAGES else None


def saved_language() -> str | None:
    """The language saved on the signed-in person's account, if any."""
    language = getattr(current_user, "language", None)
    return language if language in LANGUAGES else None


def select_language() -> str:
    """The request's language: the switcher's choice on this browser, the language saved
    on the account, the browser's Accept-Language, then English. (Mail to someone else is
    rendered in the recipient's language: mail.services.queue_email.)"""
    if not has_request_context():
        return DEFAULT_LANGUAGE
    return (
        chosen_language()
        or saved_language()
        or request.accept_languages.best_match(LANGUAGES, default=DEFAULT_LANGUAGE)
    )


def init_i18n(app: Flask) -> None:
    from convention.extensions import babel

    app.config.setdefault("BABEL_DEFAULT_LOCALE", DEFAULT_LANGUAGE)
    babel.init_app(app, locale_selector=select_language)
    # {% trans %} blocks collapse their whitespace, as the extraction does (babel.cfg).
    app.jinja_env.policies["ext.i18n.trimmed"] = True
    app.jinja_env.globals.update(interface_languages=LANGUAGES, current_language=current_language)


def current_language() -> str:
    """The language this page is written in, for ``<html lang>`` and the switcher."""
    from flask_babel import get_locale

    locale = get_locale()
    return locale.language if locale else DEFAULT_LANGUAGE
