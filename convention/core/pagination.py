"""Page numbers from the query string, kept within the pages that exist; one page of a
query, with its total count, in one statement (``fetch_page``); the window of page links a
pager shows (``page_window``, used by the ``pager`` macro of templates/macros.html)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Generic, TypeVar

import sqlalchemy as sa

from convention.extensions import db

T = TypeVar("T")


def page_count(total: int, per_page: int) -> int:
    """At least one page, even for an empty list."""
    return max(1, -(-int(total) // int(per_page)))


def clamp_page(page: int | None, total: int, per_page: int) -> int:
    """``?page=999`` of a 7-page list shows page 7, ``?page=0`` or ``-3`` page 1: never a page
    past the end (nor an offset too large for the database)."""
    return min(max(1, page or 1), page_count(total, per_page))


WINDOW = 5  # page links shown around the current page


def page_window(page: int, pages: int, size: int = WINDOW) -> list[int]:
    """The page numbers a pager links to around ``page``: at most ``size`` of them, centred on
    the current page where the list allows (1-5 on page 1, 198-202 on page 200, 396-400 on the
    last of 400). Never one link per page."""
    pages = max(1, int(pages))
    page = min(max(1, int(page)), pages)
    start = max(1, min(page - size // 2, pages - size + 1))
    return list(range(start, min(pages, start + size - 1) + 1))


@dataclass(frozen=True)
class Page(Generic[T]):
    """One page of a list: its rows, the total count and the page number (already clamped)."""

    items: list[T]
    total: int
    page: int
    per_page: int

    @property
    def pages(self) -> int:
        return page_count(self.total, self.per_page)

    @property
    def offset(self) -> int:
        return (self.page - 1) * self.per_page


MAX_PAGE = 10**9  # beyond this a page number is no page (and no OFFSET the database accepts)


def fetch_page(query: sa.Select, page: int, per_page: int) -> Page[Any]:
    """One page of ``query`` (already filtered and ordered) and the total count, in one
    statement (a ``count(*) OVER ()`` column). Only an empty answer costs more: a count,
    and the last page again when ``page`` was past the end. Rows of a one-entity select
    come back as the entities, others as rows (without the count). Eager-load collections
    with selectinload (a joined collection would repeat rows)."""
    counted = query.add_columns(sa.func.count().over().label("page_total"))
    described = query.column_descriptions
    entity = len(described) == 1 and described[0]["expr"] is described[0]["entity"]  # select(Model)

    def run(number: int) -> list:
        if number > MAX_PAGE:
            return []
        return db.session.execute(counted.limit(per_page).offset((number - 1) * per_page)).all()

    number = max(1, page or 1)
    rows = run(number)
    if rows:
        total = rows[-1][-1]
    else:  # nothing at all, or a page past the end: count, and show the last page
        total = db.session.scalar(sa.select(sa.func.count()).select_from(query.order_by(None).subquery()))
        last = clamp_page(number, total, per_page)
        rows = run(last) if total and last != number else []
        number = last
    items = [row[0] if entity else row[:-1] for row in rows]
    return Page(items, total, number, per_page)
