"""Links that each domain adds to an edition's menus, without editions importing them.

A domain's views module calls ``register_link`` once at import time, for example the
call for papers adds "Call for papers" to the public menu and "Proposals" to the
organizer tabs; the label is a ``lazy_gettext`` string, read in each request's language. Templates call ``edition_nav``, ``edition_actions`` and ``manage_nav``.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from flask import has_request_context, request, url_for
from flask_login import current_user

MENUS = ("public", "action", "manage")


@dataclass(frozen=True)
class Link:
    label: str  # lazy_gettext("Tickets"): read in each request's language
    endpoint: str
    order: int
    visible: Callable | None  # (user, edition) -> bool; None: everyone
    # More pages of this link's section, as paths below /<slug>/ (e.g. "manage/vouchers/"),
    # for sections whose pages do not all sit below the link's own address.
    section: tuple[str, ...] = ()


@dataclass(frozen=True)
class NavItem:
    label: str
    url: str
    active: bool = False  # the page shown is this link's page or one below it


_links: dict[str, dict[str, Link]] = {menu: {} for menu in MENUS}


def register_link(
    menu: str, label: str, endpoint: str, *, order: int = 50, visible: Callable | None = None,
    section: tuple[str, ...] = (),
) -> None:
    if menu not in MENUS:
        raise ValueError(f"unknown menu {menu!r}")
    _links[menu][endpoint] = Link(label, endpoint, order, visible, tuple(section))


def _items(menu: str, edition) -> list[NavItem]:
    user = current_user if current_user.is_authenticated else None
    links = sorted(_links[menu].values(), key=lambda link: (link.order, str(link.label)))
    shown = [link for link in links if link.visible is None or link.visible(user, edition)]
    urls = [url_for(link.endpoint, slug=edition.slug) for link in shown]
    # The link whose address (or section path) is the longest start of the current path
    # is the active one: /<slug>/manage/themes/new keeps "Settings" (/<slug>/manage/) lit,
    # and /<slug>/manage/vouchers/ lights "Tickets", whose section includes it.
    path = request.path if has_request_context() else ""
    best, active = -1, None
    for index, (link, url) in enumerate(zip(shown, urls, strict=True)):
        for prefix in (url, *(f"/{edition.slug}/{part}" for part in link.section)):
            if path.startswith(prefix) and len(prefix) > best:
                best, active = len(prefix), index
    return [NavItem(str(link.label), url, index == active) for index, (link, url) in enumerate(zip(shown, urls, strict=True))]


def edition_nav(edition) -> list[NavItem]:
    return _items("public", edition)


def edition_actions(edition) -> list[NavItem]:
    return _items("action", edition)


def manage_nav(edition) -> list[NavItem]:
    return _items("manage", edition)
