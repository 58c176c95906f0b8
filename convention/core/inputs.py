"""Reading numbers and filters from the URL without ever reaching the database out of range.

PostgreSQL's INTEGER stops at 2**31 - 1 and SQLite's at 2**63 - 1; a larger number in a
path or a query argument made the database (or its driver) fail with a 500. Every
integer that comes from a URL is bounded here, once:

- ``DatabaseIntegerConverter`` is the app's ``int`` URL converter (``<int:id>``): a
  number beyond the column's range does not match the route, so it answers 404;
- ``int_arg`` and ``page_arg`` read a query argument, falling back to the default for
  anything that is not a number in range;
- ``query_args`` copies only the named query arguments (for links that keep the current
  filters), so that a visitor's ``?_method=`` or ``?slug=`` never reaches ``url_for``.
"""

from __future__ import annotations

from flask import request
from werkzeug.routing import IntegerConverter

# The largest value of an INTEGER column (the ids of every table) on PostgreSQL.
DB_INT_MAX = 2**31 - 1


class DatabaseIntegerConverter(IntegerConverter):
    """``<int:...>`` limited to what an id column can hold (0 to ``DB_INT_MAX``)."""

    def __init__(self, map, fixed_digits: int = 0, min: int | None = None,  # noqa: A002 - werkzeug's names
                 max: int | None = DB_INT_MAX, signed: bool = False) -> None:  # noqa: A002
        super().__init__(map, fixed_digits=fixed_digits, min=min, max=max, signed=signed)


def init_inputs(app) -> None:
    """Make the bounded converter the app's ``int``; call before any blueprint is registered."""
    app.url_map.converters["int"] = DatabaseIntegerConverter


def int_arg(name: str, default: int | None = None, *, minimum: int = 1, maximum: int = DB_INT_MAX) -> int | None:
    """The query argument ``name`` as an integer in [minimum, maximum], else ``default``."""
    raw = request.args.get(name, "").strip()
    if not raw or len(raw) > len(str(maximum)) + 1:
        return default
    try:
        value = int(raw)
    except ValueError:
        return default
    return value if minimum <= value <= maximum else default


def page_arg(name: str = "page") -> int:
    """The page number asked for (1 when absent or absurd)."""
    return int_arg(name, 1, minimum=1)


def query_args(*names: str) -> dict[str, str]:
    """The non-empty query arguments among ``names``, to carry into a link (``url_for``)."""
    return {name: request.args[name] for name in names if request.args.get(name)}
