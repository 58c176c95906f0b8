"""One access mechanism for every view: load the objects (or 404), check (or 403), run.

Predicates are small named functions ``(user, **objects) -> bool`` that live in each
domain's ``permissions.py``. The decorator marks the view with the rule it applies, so a
test can prove that every route in the app is either guarded or declared public.
"""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps

from flask import abort, redirect, request, url_for
from flask_login import current_user

Loader = Callable[..., dict]
Predicate = Callable[..., bool]


def public(view):
    """Declare a view open to everyone (the route matrix test reads this mark)."""
    view.access_rule = "public"
    return view


def _login_redirect():
    return redirect(url_for("accounts.login", next=request.full_path.rstrip("?")))


def guarded(predicate: Predicate, *, load: Loader | None = None, hide: bool = False):
    """Guard a view with ``predicate``.

    ``load(**view_kwargs)`` returns the objects the view works on (it aborts with 404
    itself when one is missing); they replace the URL arguments. Anonymous visitors are
    sent to the login page. A signed-in user who fails the predicate gets 403, or 404
    when ``hide`` is set, so that the existence of a private object cannot be probed.
    """

    def decorator(view):
        @wraps(view)
        def wrapper(**kwargs):
            objects = load(**kwargs) if load else dict(kwargs)
            if not current_user.is_authenticated:
                if predicate(None, **objects):
                    return view(**objects)
                if hide:
                    abort(404)
                return _login_redirect()
            if not predicate(current_user, **objects):
                abort(404 if hide else 403)
            return view(**objects)

        wrapper.access_rule = predicate.__name__
        return wrapper

    return decorator


def signed_in(user, **_objects) -> bool:
    """Any signed-in person."""
    return user is not None and user.is_authenticated


def site_admin(user, **_objects) -> bool:
    return user is not None and user.is_authenticated and bool(user.is_admin)
