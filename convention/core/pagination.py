"""Page numbers from the query string, kept within the pages that exist."""

from __future__ import annotations


def page_count(total: int, per_page: int) -> int:
    """At least one page, even for an empty list."""
    return max(1, -(-int(total) // int(per_page)))


def clamp_page(page: int | None, total: int, per_page: int) -> int:
    """``?page=999`` of a 7-page list shows page 7, ``?page=0`` or ``-3`` page 1: never a page
    past the end (nor an offset too large for the database)."""
    return min(max(1, page or 1), page_count(total, per_page))
