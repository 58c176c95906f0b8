"""Small helpers shared by every domain's forms and views."""

from __future__ import annotations

from flask_wtf import FlaskForm

from convention.core.errors import DomainError


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
