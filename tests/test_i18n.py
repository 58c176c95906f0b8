"""Every human-readable string goes through gettext and has a Dutch and a French translation.

Four checks, each able to fail on its own:
- templates hold no text outside ``_()`` / ``{% trans %}`` (nor in ``title``, ``alt``,
  ``placeholder`` or ``aria-label`` attributes);
- Python code passes no literal text to ``flash``, form labels and messages, or domain
  errors (the messages a person reads);
- every string extracted from the code and templates has a non-empty, non-fuzzy Dutch
  and French translation in ``convention/translations``;
- each compiled catalogue (``.mo``) holds exactly what its ``.po`` says.

The README's "Translations" section gives the commands that fix a failure here.
"""

from __future__ import annotations

import ast
import re
from pathlib import Path

import pytest
from babel.messages.extract import DEFAULT_KEYWORDS, extract_from_dir
from babel.messages.frontend import parse_mapping_cfg
from babel.messages.mofile import read_mo
from babel.messages.pofile import read_po
from jinja2 import Environment
from jinja2.ext import i18n

ROOT = Path(__file__).resolve().parents[1]
TEMPLATES = ROOT / "templates"
TRANSLATIONS = ROOT / "convention" / "translations"
TRANSLATED_LANGUAGES = ("nl", "fr")
# The keywords the README's extract command passes with -k, on top of Babel's defaults.
EXTRA_KEYWORDS = {"lazy_gettext": None, "_l": None, "lazy_ngettext": (1, 2)}

WORD = re.compile(r"[^\W\d_]{2,}")  # two letters in a row, in any script
HTML_TAG = re.compile(r"<[^>]*>", re.S)
RAW_ELEMENTS = re.compile(r"<(script|style)\b.*?</\1>", re.S | re.I)
ENTITY = re.compile(r"&(#\d+|#x[0-9a-f]+|[a-z]+);", re.I)
HUMAN_ATTRIBUTE = re.compile(r"""\b(title|alt|placeholder|aria-label|aria-description)\s*=\s*(["'])(.*?)\2""", re.S | re.I)
HOLE = "\x00"  # stands where a Jinja expression or tag was


def _template_paths():
    return sorted(p for p in TEMPLATES.rglob("*") if p.suffix in {".html", ".txt"})


def _text_outside_gettext(source: str) -> str:
    """The template's raw text, minus what ``{% trans %}`` blocks hold; every Jinja
    expression and tag becomes a HOLE, so attribute values built from variables stay
    recognisable."""
    env = Environment(extensions=[i18n], autoescape=True)  # only lexed, never rendered
    pieces, depth, inside_tag, previous = [], 0, False, None
    for _, kind, value in env.lex(source):
        if kind == "whitespace":
            continue
        if kind == "block_begin":
            inside_tag = True
        elif kind == "block_end":
            inside_tag = False
        elif inside_tag and kind == "name" and previous == "block_begin":
            if value == "trans":
                depth += 1
            elif value == "endtrans":
                depth -= 1
        if kind == "data" and depth == 0:
            pieces.append(value)
        elif kind in {"variable_begin", "block_begin"}:
            pieces.append(HOLE)
        previous = kind
    return "".join(pieces)


def untranslated_template_text(source: str, *, is_html: bool) -> list[str]:
    text = _text_outside_gettext(source)
    found = []
    if is_html:
        text = RAW_ELEMENTS.sub(HOLE, text)
        for _, _, value in HUMAN_ATTRIBUTE.findall(text):
            if WORD.search(value.replace(HOLE, " ")):
                found.append(value.strip())
        text = HTML_TAG.sub(HOLE, text)
        text = ENTITY.sub(" ", text)
    else:
        # Mail templates: the "Subject:" header keyword is not text a person reads.
        text = re.sub(r"^Subject:", "", text.lstrip())
    for line in text.splitlines():
        line = line.replace(HOLE, " ").strip()
        if WORD.search(line):
            found.append(line)
    return found


def test_the_template_lint_finds_untranslated_text():
    # The lint itself, on samples: it must see bare text, attributes and mail bodies...
    assert untranslated_template_text("<p>Hello</p>", is_html=True) == ["Hello"]
    assert untranslated_template_text('<img alt="Logo" src="{{ x }}">', is_html=True) == ["Logo"]
    assert untranslated_template_text("Subject: Hi\nBody", is_html=False) == ["Hi", "Body"]
    # ...and accept what goes through gettext, markup, expressions and scripts.
    assert untranslated_template_text('<p>{{ _("Hello") }}</p> <a href="{{ u }}">{{ n }}</a>', is_html=True) == []
    assert untranslated_template_text("{% trans %}Hello {{ name }}{% endtrans %}", is_html=True) == []
    assert untranslated_template_text("<script src='a.js'></script> &nbsp;·&mdash; 12", is_html=True) == []
    assert untranslated_template_text("Subject: {% trans %}Hi{% endtrans %}\n{{ link }}", is_html=False) == []


@pytest.mark.parametrize("path", _template_paths(), ids=lambda p: str(p.relative_to(TEMPLATES)))
def test_template_text_goes_through_gettext(path):
    found = untranslated_template_text(path.read_text(encoding="utf-8"), is_html=path.suffix == ".html")
    assert not found, f"{path.relative_to(ROOT)}: wrap in _() or {{% trans %}}: {found[:5]}"


# Calls whose literal text a person reads. Domain errors end in these names.
USER_FACING_CALLS = {"flash", "ValidationError"}
USER_FACING_ERROR_SUFFIXES = ("DomainError", "NotFound", "Forbidden", "Conflict", "InvalidTransition", "Refused")
USER_FACING_KEYWORDS = {"label", "message", "description"}
# render_kw={"placeholder": ...} and the like.
USER_FACING_DICT_KEYS = {"placeholder", "title", "aria-label", "alt"}


def _call_name(node: ast.Call) -> str:
    func = node.func
    return func.attr if isinstance(func, ast.Attribute) else getattr(func, "id", "")


def _is_literal_text(node) -> bool:
    if isinstance(node, ast.Constant) and isinstance(node.value, str):
        return bool(WORD.search(node.value))
    return isinstance(node, ast.JoinedStr)


def literal_user_text(source: str) -> list[tuple[int, str]]:
    """(line, call) for each call that hands literal text to a person."""
    found = []
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.Dict):
            for key, value in zip(node.keys, node.values, strict=True):
                if isinstance(key, ast.Constant) and key.value in USER_FACING_DICT_KEYS and _is_literal_text(value):
                    found.append((node.lineno, f"{{{key.value!r}: ...}}"))
        if not isinstance(node, ast.Call):
            continue
        name = _call_name(node)
        first = node.args[0] if node.args else None
        user_facing = name in USER_FACING_CALLS or name.endswith(USER_FACING_ERROR_SUFFIXES) or name.endswith("Field")
        if user_facing and first is not None and _is_literal_text(first):
            found.append((node.lineno, name))
        for keyword in node.keywords:
            if keyword.arg in USER_FACING_KEYWORDS and _is_literal_text(keyword.value):
                found.append((node.lineno, f"{name}({keyword.arg}=...)"))
    return found


def test_the_python_lint_finds_literal_text():
    assert literal_user_text('flash("Saved.")') == [(1, "flash")]
    assert literal_user_text('raise Conflict(f"Sold out: {x}")') == [(1, "Conflict")]
    assert literal_user_text('StringField("Title", validators=[Length(max=3, message="Too long")])') == [
        (1, "StringField"), (1, "Length(message=...)")]
    assert literal_user_text('f(render_kw={"placeholder": "Your name"})') == [(1, "{'placeholder': ...}")]
    assert literal_user_text('flash(_("Saved."))\nraise ValueError("internal")\nStringField(_l("Title"))') == []


def _python_paths():
    return sorted((ROOT / "convention").rglob("*.py"))


@pytest.mark.parametrize("path", _python_paths(), ids=lambda p: str(p.relative_to(ROOT)))
def test_python_text_goes_through_gettext(path):
    found = literal_user_text(path.read_text(encoding="utf-8"))
    assert not found, f"{path.relative_to(ROOT)}: wrap in gettext/lazy_gettext: {found[:5]}"


def extracted_messages() -> set[str]:
    with open(ROOT / "babel.cfg", encoding="utf-8") as config:
        method_map, options_map = parse_mapping_cfg(config)
    keywords = {**DEFAULT_KEYWORDS, **EXTRA_KEYWORDS}
    messages = set()
    for _, _, message, _, _ in extract_from_dir(str(ROOT), method_map, options_map, keywords=keywords):
        messages.add(message if isinstance(message, str) else message[0])
    return messages


def _catalogue(language: str):
    with open(TRANSLATIONS / language / "LC_MESSAGES" / "messages.po", "rb") as po:
        return read_po(po, locale=language)


@pytest.mark.parametrize("language", TRANSLATED_LANGUAGES)
def test_every_string_has_a_translation(language):
    catalogue = _catalogue(language)
    missing = []
    for message_id in sorted(extracted_messages()):
        message = catalogue.get(message_id)
        strings = [] if message is None else (message.string if isinstance(message.string, tuple) else (message.string,))
        if message is None or message.fuzzy or not all(strings):
            missing.append(message_id)
    assert not missing, f"{len(missing)} strings lack a {language} translation, e.g. {missing[:8]}"


@pytest.mark.parametrize("language", TRANSLATED_LANGUAGES)
def test_compiled_catalogue_matches_its_source(language):
    catalogue = _catalogue(language)
    with open(TRANSLATIONS / language / "LC_MESSAGES" / "messages.mo", "rb") as mo:
        compiled = read_mo(mo)
    def key(value):  # read_mo gives plural ids and forms as lists, read_po as tuples
        return tuple(value) if isinstance(value, list | tuple) else value

    expected = {key(m.id): key(m.string) for m in catalogue if m.id and not m.fuzzy and m.string and all(m.string)}
    actual = {key(m.id): key(m.string) for m in compiled if m.id}
    assert actual == expected, f"{language}: run pybabel compile (README, Translations)"
