"""Loaders for ``guarded``: turn URL arguments into editions and their rows, or answer 404.

The only place of the editions domain that turns "missing" into a 404; every other domain's
loaders start from ``get_edition_or_404`` and ``get_owned_or_404``.
"""

from __future__ import annotations

import sqlalchemy as sa
from flask import abort, g, has_request_context
from flask_login import current_user

from convention.editions.models import Edition, EditionRole
from convention.editions.permissions import can_see_edition
from convention.editions.services import ITEM_KINDS, ItemKind
from convention.extensions import db


def get_edition_or_404(slug: str) -> Edition:
    """The edition at ``slug``; 404 if there is none, or if it is an unpublished draft and
    the person asking is not in its team (every page of an edition loads it here)."""
    edition = _edition_of_this_request(slug)
    if edition is None:
        abort(404)
    if has_request_context() and not can_see_edition(current_user, edition):
        abort(404)
    return edition


def _edition_of_this_request(slug: str) -> Edition | None:
    """The area guard and the view's own loader both ask for the URL's edition: one
    query per request, remembered in ``g`` (a new request starts with an empty ``g``)."""
    if not has_request_context():
        return db.session.scalar(sa.select(Edition).where(Edition.slug == slug))
    cache = g.setdefault("_editions_by_slug", {})
    if slug not in cache:
        cache[slug] = db.session.scalar(sa.select(Edition).where(Edition.slug == slug))
    return cache[slug]


def remember_edition(edition: Edition) -> None:
    """Keep an edition read by another query (a device token's, joined) for this request's
    loaders, which then ask the database no more."""
    if has_request_context():
        g.setdefault("_editions_by_slug", {})[edition.slug] = edition


def get_owned_or_404(edition: Edition, model: type, item_id: int):
    """The ``model`` row with ``item_id`` if it belongs to ``edition``; 404 otherwise,
    so an id from another edition cannot be used or probed through this one's URLs."""
    item = db.session.get(model, item_id)
    if item is None or item.edition_id != edition.id:
        abort(404)
    return item


def get_item_or_404(edition: Edition, kind: ItemKind, item_id: int):
    return get_owned_or_404(edition, kind.model, item_id)


def load_edition(slug: str, **_ignored) -> dict:
    """The edition named in the URL."""
    return {"edition": get_edition_or_404(slug)}


def load_item(slug: str, kind: str, item_id: int | None = None) -> dict:
    """An edition's theme, format or room (``kind`` is "themes", "formats" or "rooms");
    the edition and the kind alone for a new one."""
    edition = get_edition_or_404(slug)
    item_kind = ITEM_KINDS.get(kind)
    if item_kind is None:
        abort(404)
    objects = {"edition": edition, "kind": item_kind}
    if item_id is not None:
        objects["item"] = get_item_or_404(edition, item_kind, item_id)
    return objects


def load_grant(slug: str, grant_id: int) -> dict:
    """A role held in the edition."""
    edition = get_edition_or_404(slug)
    return {"edition": edition, "grant": get_owned_or_404(edition, EditionRole, grant_id)}
