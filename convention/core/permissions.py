"""One access mechanism for every view: load the objects (or 404), check (or 403), run.

Predicates are small named functions ``(user, **objects) -> bool`` that live in each
domain's ``permissions.py``. Two layers apply them:

- an **area** guards every route under a URL-rule prefix with one predicate (the
  organizer pages under ``/<slug>/manage/``, the site admin's under ``/admin/``...). The
  areas are declared once (``convention/areas.py``) and checked before any view runs,
  so a route added under an area with a weaker guard of its own is still refused;
- ``guarded(...)`` on each view checks the objects it works on and finer rules. It marks
  the view with the rule it applies, so a test can prove that every route in the app is
  either guarded or declared public.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass
from functools import wraps

from flask import Flask, abort, current_app, redirect, request, url_for
from flask_login import current_user

Loader = Callable[..., dict]
Predicate = Callable[..., bool]


def public(view):
    """Declare a view open to everyone (the route matrix test reads this mark)."""
    view.access_rule = "public"
    return view


def _login_redirect():
    return redirect(url_for("accounts.login", next=request.full_path.rstrip("?")))


def _refusal(predicate: Predicate, objects: dict, *, hide: bool):
    """None when the current user passes ``predicate``; otherwise the answer: the login
    page for an anonymous visitor, 403 for a signed-in one (404 for both with ``hide``)."""
    if not current_user.is_authenticated:
        if predicate(None, **objects):
            return None
        if hide:
            abort(404)
        return _login_redirect()
    if not predicate(current_user, **objects):
        abort(404 if hide else 403)
    return None


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
            refused = _refusal(predicate, objects, hide=hide)
            return refused if refused is not None else view(**objects)

        wrapper.access_rule = predicate.__name__
        return wrapper

    return decorator


@dataclass(frozen=True)
class Area:
    """Every route whose URL rule starts with ``prefix`` answers only to ``predicate``.

    ``load(**url_arguments)`` returns the objects the predicate needs (the edition named
    by ``<slug>``, say; it answers 404 itself for a missing or hidden one). The view's own
    ``guarded(...)`` runs afterwards, for its objects and finer rules.
    """

    name: str
    prefix: str
    predicate: Predicate
    load: Loader | None = None
    hide: bool = False
    # Run once the predicate passed: None lets the request on, anything else is the
    # answer instead of the view (the organizer and admin areas send a person without
    # two-factor sign-in to its setup page).
    then: Callable[..., object] | None = None

    def covers(self, rule: str) -> bool:
        return rule.startswith(self.prefix)


def area_of(rule: str, areas: Iterable[Area]) -> Area | None:
    """The area a URL rule (``"/<slug>/manage/team"``) belongs to, if any."""
    return next((area for area in areas if area.covers(rule)), None)


def init_area_guards(app: Flask, areas: Iterable[Area]) -> None:
    """Check each request against its route's area, before the view (and its guard) runs.
    Call after the extensions, so CSRF and rate limits are checked first, as for a view."""
    app.extensions["access_areas"] = tuple(areas)
    app.before_request(check_area)


def check_area():
    rule = request.url_rule
    if rule is None:  # no route matched: the 404 or 405 follows
        return None
    area = area_of(rule.rule, current_app.extensions["access_areas"])
    if area is None:
        return None
    arguments = dict(request.view_args or {})
    objects = area.load(**arguments) if area.load else arguments
    refused = _refusal(area.predicate, objects, hide=area.hide)
    if refused is None and area.then is not None:
        return area.then(**objects)
    return refused


def signed_in(user, **_objects) -> bool:
    """Any signed-in person."""
    return user is not None and user.is_authenticated


def site_admin(user, **_objects) -> bool:
    return user is not None and user.is_authenticated and bool(user.is_admin)
