"""Page numbers from the query string, kept within the pages that exist."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Generic, TypeVar

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
