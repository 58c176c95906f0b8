"""The two shapes almost every state-changing view has, written once.

Each runs ONE service call and then commits (or rolls back) once for the request, as
the views' rule says; the service itself only flushes. A DomainError becomes a message
for the person, never a stack trace, and a failed request leaves nothing half-written.
"""

from __future__ import annotations

from flask import flash, redirect

from convention.core.errors import DomainError
from convention.core.forms import ActionForm, apply_domain_error
from convention.extensions import db


def run_action(action, *, done, refused):
    """The general shape the others are made of, for a view whose outcome is not a flash
    and a redirect (e.g. a checkout that answers with the payment page): call ``action()``;
    on a DomainError roll back and return ``refused(error)``; otherwise commit and return
    ``done(result)``. Views call this (or the helpers below), never commit themselves."""
    try:
        result = action()
    except DomainError as error:
        db.session.rollback()
        return refused(error)
    db.session.commit()
    return done(result)


def _message(done, result) -> str:
    # str(): a lazy_gettext constant is read now, in this request's language (the session
    # that carries the flash message cannot store a lazy string).
    return str(done(result) if callable(done) else done)


def perform_button(action, *, done, form=None) -> bool:
    """A CSRF-checked POST button: call ``action()``, then commit and flash ``done``
    (a message, or a function of the result), or roll back and flash the refusal.
    Returns whether the action happened."""
    if not (form or ActionForm()).validate_on_submit():
        return False
    try:
        result = action()
    except DomainError as error:
        db.session.rollback()
        flash(error.message, "danger")
        return False
    db.session.commit()
    flash(_message(done, result), "success")
    return True


def run_button(action, *, done, back: str, form=None):
    """``perform_button``, then go ``back`` whatever happened."""
    perform_button(action, done=done, form=form)
    return redirect(back)


def run_form(form, save, *, done, back, render):
    """A form page: on a valid POST call one service (``save``), commit and go ``back``
    (an address, or a function of the result, for an object that did not exist before);
    otherwise ``render()`` the page, with the refusal on the form (422)."""
    if form.validate_on_submit():
        try:
            result = save()
        except DomainError as error:
            db.session.rollback()
            apply_domain_error(form, error)
        else:
            db.session.commit()
            flash(_message(done, result), "success")
            return redirect(back(result) if callable(back) else back)
    return render(), 422 if form.errors else 200


def run_action_or_fail(action, *, done, refused, failed):
    """``run_action`` for a caller that must answer whatever happens (a webhook answers its
    sender in every case): any other exception, raised by ``action()`` or by the commit,
    is rolled back too and becomes ``failed(exception)``."""
    try:
        result = action()
    except DomainError as error:
        db.session.rollback()
        return refused(error)
    except Exception as error:  # the caller answers; failed() logs it
        db.session.rollback()
        return failed(error)
    try:
        db.session.commit()
    except Exception as error:
        db.session.rollback()
        return failed(error)
    return done(result)
