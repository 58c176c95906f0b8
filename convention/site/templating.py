"""Template filters and globals: templates receive ready values and format them."""

from decimal import Decimal
from functools import lru_cache

from babel import Locale
from babel.dates import format_skeleton, parse_pattern
from babel.numbers import format_currency
from flask import Flask, has_request_context
from flask_babel import get_locale
from flask_login import current_user

from convention.core.forms import ActionForm
from convention.core.i18n import DEFAULT_LANGUAGE
from convention.core.money import format_money
from convention.core.pagination import page_window
from convention.core.timeutil import to_local
from convention.editions.navigation import edition_actions, edition_nav, manage_nav

# strftime directives the templates use, and their CLDR equivalents: Babel writes the day
# and month names in the page's language ("Mon 11 Jan" in English, exactly as strftime;
# "ma 11 jan." in Dutch, "lun. 11 janv." in French).
_CLDR = {"a": "EEE", "A": "EEEE", "d": "dd", "e": "d", "b": "MMM", "B": "MMMM", "m": "MM", "Y": "y",
         "H": "HH", "M": "mm", "S": "ss"}


@lru_cache(maxsize=64)
def _pattern(fmt: str):
    parts, literal, i = [], "", 0
    while i < len(fmt):
        if fmt[i] == "%" and fmt[i + 1:i + 2] in _CLDR:
            if literal:
                parts.append("'" + literal.replace("'", "''") + "'")
                literal = ""
            parts.append(_CLDR[fmt[i + 1]])
            i += 2
        else:
            literal += fmt[i]
            i += 1
    if literal:
        parts.append("'" + literal.replace("'", "''") + "'")
    return parse_pattern("".join(parts))


def format_day(value, fmt: str = "%d %b %Y") -> str:
    """A date (or datetime, as it is) with strftime's ``fmt``, in the page's language."""
    if value is None:
        return "—"
    return _pattern(fmt).apply(value, get_locale() or Locale.parse(DEFAULT_LANGUAGE))


def format_money_local(cents: int, currency: str = "EUR") -> str:
    """``core.money.format_money`` in English ("€12.50"); Babel's notation in the page's
    other languages ("€ 12,50" in Dutch, "12,50 €" in French)."""
    locale = get_locale()
    if locale is None or locale.language == DEFAULT_LANGUAGE:
        return format_money(cents, currency)
    return format_currency(Decimal(int(cents)) / 100, currency.upper(), locale=locale)


def format_local(value, tz_name: str = "Europe/Brussels", fmt: str = "%a %d %b %Y, %H:%M") -> str:
    local = to_local(value, tz_name)
    return format_day(local, fmt) + f" ({local.tzname()})" if local else "—"


def format_moment(value, tz_name: str = "Europe/Brussels") -> str:
    """A UTC datetime as the clock of ``tz_name`` shows it, written by Babel in the page's
    (or the mail's, under ``force_locale``) language with that language's own order and
    names: "Mon, Feb 15, 2027, 10:30" / "ma 15 feb 2027 10:30" / "lun. 15 févr. 2027, 10:30"."""
    if value is None:
        return "—"
    locale = get_locale() or Locale.parse(DEFAULT_LANGUAGE)
    local = to_local(value, tz_name)
    date, time = format_skeleton("yMMMEd", local, locale=locale), format_skeleton("Hm", local, locale=locale)
    # The language's own way of joining a date and a time (as babel.dates.format_datetime does).
    return locale.datetime_formats["medium"].replace("'", "").replace("{0}", time).replace("{1}", date)


def init_templating(app: Flask) -> None:
    app.jinja_env.filters["money"] = format_money_local
    app.jinja_env.filters["local"] = format_local
    app.jinja_env.filters["day"] = format_day
    app.jinja_env.filters["moment"] = format_moment
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
