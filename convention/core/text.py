"""The one rule for text a person types: names, titles, organisations, descriptions...

A value is refused when it

- has nothing visible once invisible characters are set aside (white space, zero-width
  and other format characters, fillers such as U+3164): a title made of U+200B alone
  would be an empty link in every table;
- holds a bidirectional override or isolate (U+202A-U+202E, U+2066-U+2069), which makes
  the text display as something else ("Eve\\u202elive" reads "Eveevil");
- holds control characters other than tab and line breaks, surrogates, private-use or
  unassigned code points, which cannot be shown (and NUL breaks PostgreSQL).

Zero-width (non-)joiners and direction marks inside visible text stay allowed: Persian
and Indic names need them. Forms apply ``HumanText()``; services call ``check_text``, so
a value that does not come through a form (CLI, tests, another service) meets the same
rule.
"""

from __future__ import annotations

import unicodedata

from flask_babel import lazy_gettext
from wtforms.validators import ValidationError

from convention.core.errors import DomainError

BIDI_CONTROLS = frozenset(chr(c) for c in (*range(0x202A, 0x202F), *range(0x2066, 0x206A)))
# Letters and symbols that are drawn as nothing (Hangul fillers, braille blank, Khmer
# inherent vowels, Mongolian free variation selectors, the combining grapheme joiner).
_BLANK_GLYPHS = frozenset(
    chr(c) for c in (0x034F, 0x115F, 0x1160, 0x17B4, 0x17B5, 0x180B, 0x180C, 0x180D, 0x180F, 0x2800, 0x3164, 0xFFA0)
)
_INVISIBLE_CATEGORIES = frozenset({"Cf", "Zs", "Zl", "Zp", "Cc", "Mn", "Me"})
_UNSHOWABLE_CATEGORIES = frozenset({"Cc", "Cs", "Co", "Cn"})
_ALLOWED_CONTROLS = frozenset("\t\n\r")

NOTHING_VISIBLE = lazy_gettext("This text has nothing visible in it.")
DIRECTION_CONTROLS = lazy_gettext("Remove the text-direction control characters (such as right-to-left override).")
UNSHOWABLE = lazy_gettext("This text contains characters that cannot be shown.")


def is_visible(ch: str) -> bool:
    return unicodedata.category(ch) not in _INVISIBLE_CATEGORIES and ch not in _BLANK_GLYPHS


def text_problem(value: str | None) -> str | None:
    """What is wrong with ``value`` under the rule above, or None. An empty value is no
    problem here: whether a field is required is the field's own business."""
    if not value:
        return None
    if any(ch in BIDI_CONTROLS for ch in value):
        return DIRECTION_CONTROLS
    if any(unicodedata.category(ch) in _UNSHOWABLE_CATEGORIES and ch not in _ALLOWED_CONTROLS for ch in value):
        return UNSHOWABLE
    if not any(is_visible(ch) for ch in value):
        return NOTHING_VISIBLE
    return None


def _wording(problem: str, message: str | None, empty: str | None) -> str:
    if problem is NOTHING_VISIBLE:
        return empty or message or problem
    return message or problem


def check_text(value: str | None, *, field: str | None = None, message: str | None = None,
               empty: str | None = None) -> str:
    """``value`` unchanged if it meets the rule; a DomainError on ``field`` otherwise.
    ``message`` replaces the generic wording (e.g. "Your name contains ..."), ``empty``
    the wording for text with nothing visible (e.g. "Please enter your name.")."""
    problem = text_problem(value)
    if problem:
        raise DomainError(_wording(problem, message, empty), field=field)
    return value or ""


class HumanText:
    """WTForms validator: the rule above, for any text field a person fills in."""

    field_flags = {}

    def __init__(self, message: str | None = None, *, empty: str | None = None):
        self.message = message
        self.empty = empty

    def __call__(self, form, field):
        data = field.data if isinstance(field.data, str) else None
        problem = text_problem(data)
        if problem:
            raise ValidationError(str(_wording(problem, self.message, self.empty)))
