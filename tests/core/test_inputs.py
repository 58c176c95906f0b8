"""Numbers and filters read from the URL stay within what the database can hold."""

from __future__ import annotations

import pytest
from werkzeug.exceptions import NotFound

from convention.core.inputs import DB_INT_MAX, DatabaseIntegerConverter, int_arg, page_arg, query_args


def test_the_app_int_converter_is_bounded_to_the_id_column(app):
    assert app.url_map.converters["int"] is DatabaseIntegerConverter
    adapter = app.url_map.bind("localhost")
    assert adapter.match(f"/admin/outbox/{DB_INT_MAX}") == ("mail.message", {"message_id": DB_INT_MAX})
    for path in (f"/admin/outbox/{DB_INT_MAX + 1}", "/admin/outbox/99999999999999999999", "/admin/outbox/-1"):
        with pytest.raises(NotFound):
            adapter.match(path)


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("", None),
        ("?n=", None),
        ("?n=12", 12),
        ("?n=%2012%20", 12),
        (f"?n={DB_INT_MAX}", DB_INT_MAX),
        (f"?n={DB_INT_MAX + 1}", None),
        ("?n=99999999999999999999999999999999999999", None),
        ("?n=0", None),
        ("?n=-3", None),
        ("?n=1.5", None),
        ("?n=twelve", None),
    ],
)
def test_int_arg_answers_the_default_for_anything_out_of_range(app, query, expected):
    with app.test_request_context(f"/{query}"):
        assert int_arg("n") == expected


def test_int_arg_bounds_and_default(app):
    with app.test_request_context("/?n=0&m=50"):
        assert int_arg("n", 7, minimum=0) == 0
        assert int_arg("m", 7, maximum=49) == 7
        assert int_arg("absent", 7) == 7


@pytest.mark.parametrize(("query", "expected"), [("", 1), ("?page=3", 3), ("?page=0", 1), ("?page=-2", 1),
                                                 ("?page=9999999999999999999", 1), ("?page=x", 1)])
def test_page_arg(app, query, expected):
    with app.test_request_context(f"/{query}"):
        assert page_arg() == expected


def test_query_args_keeps_only_the_named_non_empty_arguments(app):
    with app.test_request_context("/?theme=3&q=&_method=POST&slug=x&state=submitted"):
        assert query_args("theme", "q", "state", "format") == {"theme": "3", "state": "submitted"}
