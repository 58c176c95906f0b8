"""Links that each domain adds to an edition's menus, without editions importing them.

A domain's views module calls ``register_link`` once at import time, for example the
call for papers adds "Call for papers" to the public menu and "Proposals" to the
organizer tabs. Templates call ``edition_nav``, ``edition_actions`` and ``manage_nav``.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from flask import has_request_context, request, url_for
from flask_login import current_user

MENUS = ("public", "action", "manage")


@dataclass(frozen=True)
class Link:
    label: str
    endpoint: str
    order: int
    visible: Callable | None  # (user, edition) -> bool; None: everyone


@dataclass(frozen=True)
class NavItem:
    label: str
    url: str
    active: bool = False  # the page shown is this link's page or one below it


_links: dict[str, dict[str, Link]] = {menu: {} for menu in MENUS}


def register_link(menu: str, label: str, endpoint: str, *, order: int = 50, visible: Callable | None = None) -> None:
    if menu not in MENUS:
        raise ValueError(f"unknown menu {menu!r}")
    _links[menu][endpoint] = Link(label, endpoint, order, visible)


def _items(menu: str, edition) -> list[NavItem]:
    user = current_user if current_user.is_authenticated else None
    links = sorted(_links[menu].values(), key=lambda link: (link.order, link.label))
    items = [
        (link.label, url_for(link.endpoint, slug=edition.slug))
        for link in links
        if link.visible is None or link.visible(user, edition)
    ]
    # The longest link address that starts the current path is the active one, so
    # /<slug>/manage/themes/new keeps "Settings" (/<slug>/manage/) lit, not "Team".
    path = request.path if has_request_context() else ""
    matches = [url for _label, url in items if path.startswith(url)]
    active = max(matches, key=len) if matches else None
    return [NavItem(label, url, url == active) for label, url in items]


def edition_nav(edition) -> list[NavItem]:
    return _items("public", edition)


def edition_actions(edition) -> list[NavItem]:
    return _items("action", edition)


def manage_nav(edition) -> list[NavItem]:
    return _items("manage", edition)
