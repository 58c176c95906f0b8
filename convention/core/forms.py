"""Small helpers shared by every domain's forms and views."""

from __future__ import annotations

from flask_babel import lazy_gettext
from flask_wtf import FlaskForm
from wtforms import StringField, TextAreaField
from wtforms.validators import Length, Optional

from convention.core.errors import DomainError
from convention.core.i18n import CONTENT_LANGUAGES
from convention.core.text import HumanText


def strip(value):
    """Field filter: drop the spaces a person (or a paste) leaves around a value."""
    return value.strip() if isinstance(value, str) else value


class ActionForm(FlaskForm):
    """An empty form: CSRF protection for POST-only buttons (logout, delete, withdraw, ...)."""


def apply_domain_error(form: FlaskForm, error: DomainError) -> None:
    """Show a service's refusal on the field it names, or on the whole form."""
    field = getattr(form, error.field, None) if error.field else None
    if field is not None:
        field.errors = list(field.errors) + [error.message]
    else:
        form.form_errors.append(error.message)


# -- texts in several languages (core.i18n.localized reads them) ---------------------------

# The labels of the Dutch and French versions of a text (whole phrases: word order differs).
IN_LANGUAGE = {
    ("name", "nl"): lazy_gettext("Name in Dutch"), ("name", "fr"): lazy_gettext("Name in French"),
    ("tagline", "nl"): lazy_gettext("Tagline in Dutch"), ("tagline", "fr"): lazy_gettext("Tagline in French"),
    ("description", "nl"): lazy_gettext("Description in Dutch"),
    ("description", "fr"): lazy_gettext("Description in French"),
    ("call_text", "nl"): lazy_gettext("Call for papers text in Dutch"),
    ("call_text", "fr"): lazy_gettext("Call for papers text in French"),
}
OPTIONAL_TRANSLATION = lazy_gettext("Optional: left empty, the English text is shown.")


def in_language(field: str, language: str, *, max_length: int, rows: int | None = None):
    """The optional Dutch or French version of ``field`` (``<field>_<language>``)."""
    kind = TextAreaField if rows else StringField
    return kind(IN_LANGUAGE[field, language], filters=[strip], validators=[Optional(), Length(max=max_length), HumanText()],
                description=OPTIONAL_TRANSLATION, render_kw={"rows": rows, "lang": language} if rows else {"lang": language})


def translation_values(form: FlaskForm, fields: tuple[str, ...]) -> dict:
    """{"nl": {"name": ...}, "fr": {...}} from the form's ``<field>_<lang>`` fields."""
    return {language: {field: getattr(form, f"{field}_{language}").data or "" for field in fields}
            for language in CONTENT_LANGUAGES}


def fill_translation_fields(form: FlaskForm, obj, fields: tuple[str, ...]) -> None:
    """Show ``obj.translations`` in the form's ``<field>_<lang>`` fields (on GET)."""
    translations = (getattr(obj, "translations", None) or {}) if obj is not None else {}
    for language in CONTENT_LANGUAGES:
        for field in fields:
            getattr(form, f"{field}_{language}").data = (translations.get(language) or {}).get(field, "")
