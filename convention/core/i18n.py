"""Interface languages (Flask-Babel): which language a request speaks.

Every human-readable string goes through gettext: ``_()`` / ``{% trans %}`` in templates,
``gettext`` in code that runs during a request, ``lazy_gettext`` for module-level text
(form labels, choice lists). Catalogues live in ``convention/translations/<lang>``; the
README's "Translations" section gives the extract / update / compile commands, and
``tests/test_i18n.py`` fails when a string lacks its Dutch or French translation.
"""

from __future__ import annotations

from flask import Flask, current_app, has_request_context, request
from flask_babel import gettext
from flask_login import current_user

from convention.core.errors import DomainError

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
    app.jinja_env.filters["localized"] = localized


def current_language() -> str:
    """The language this page is written in, for ``<html lang>`` and the switcher."""
    from flask_babel import get_locale

    locale = get_locale()
    return locale.language if locale else DEFAULT_LANGUAGE


# -- edition content in several languages ------------------------------------------------

# The languages organizers may write an edition's texts in besides English (the columns).
CONTENT_LANGUAGES = tuple(language for language in LANGUAGES if language != DEFAULT_LANGUAGE)


def localized(obj, field: str, language: str | None = None) -> str:
    """``obj.<field>`` in ``language`` (default: the page's, or the mail's under
    ``force_locale``), from ``obj.translations`` ({"nl": {"name": ...}}), falling back to
    the English column when that language has no text for it. Templates use the
    ``localized`` filter (``{{ edition|localized("name") }}``) and never compare languages."""
    english = getattr(obj, field)
    language = language or current_language()
    if language != DEFAULT_LANGUAGE:
        text = ((getattr(obj, "translations", None) or {}).get(language) or {}).get(field)
        if text:
            return text
    return english


def clean_translations(values: dict, fields: dict[str, int], check=None) -> dict:
    """The ``translations`` value to store: only the content languages and ``fields``
    (name: longest length), stripped, empty texts left out (so they fall back to English).
    ``check(text, field=)`` (``core.text.check_text``) refuses unreadable text; a refusal
    names ``<field>_<lang>``, the form field's name."""
    cleaned: dict[str, dict[str, str]] = {}
    for language in CONTENT_LANGUAGES:
        texts = values.get(language) or {}
        for field in fields:
            text = " ".join(str(texts.get(field) or "").split()) if field == "name" else str(texts.get(field) or "").strip()
            if not text:
                continue
            if len(text) > fields[field]:
                raise DomainError(gettext("Use at most %(num)d characters.", num=fields[field]), field=f"{field}_{language}")
            if check is not None:
                text = check(text, field=f"{field}_{language}")
            cleaned.setdefault(language, {})[field] = text
    return cleaned
