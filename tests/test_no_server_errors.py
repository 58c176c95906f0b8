"""No input gives a 500: every GET route, fed odd input, by each kind of visitor.

The test walks the app's URL map, so a route added later is covered without a line
here (it only needs a valid value for a new kind of URL argument, see tests/world.py). For
each GET route it sends the valid address, then out-of-range integers in each integer
argument, NUL bytes in each string argument, and odd or unknown query arguments, as an
anonymous visitor, the edition's organizer, a speaker of the edition and a site admin.
Any answer of 500 or more (or an exception) is collected and reported at once.
"""

from __future__ import annotations

import pytest
from werkzeug.routing.converters import NumberConverter

from convention.extensions import db
from tests.world import build_world, sign_in, url_values

ROLES = ("anonymous", "organizer", "speaker", "admin")
# How many GET routes each visitor sees (200) with valid arguments today (18, 50, 28, 52):
# a floor, so that the walk keeps reaching the real pages rather than 404s and 403s.
PAGES_SHOWN_AT_LEAST = {"anonymous": 15, "organizer": 45, "speaker": 25, "admin": 45}

# Beyond PostgreSQL's INTEGER; beyond BIGINT and SQLite's 64-bit integers.
OUT_OF_RANGE_INTEGERS = ("2147483648", "99999999999999999999")

# Sent together (each group in one request: one request per route and group keeps the
# walk fast); the values with a NUL are sent one by one, since the first one stops the request.
ODD_QUERY_GROUPS = (
    ("_method=POST", "slug=x", "page=9999999999999999999", "ticket_type=2147483648", "theme=99999999999999999999",
     "format=2147483648", "quantity=99999999999999999999", "n=99999999999999999999", "q-1=99999999999999999999",
     "q-99999999999999999999=1", "sort=slug", "dir=x", "status=x", "state=x", "next=//evil.example",
     "_external=1", "_anchor=x", "_scheme=javascript", "endpoint=x", "code=x", "secret=x"),
    ("page=-5", "ticket_type=-1", "theme=x", "quantity=0", "n=-1", "q-x=1", "q-1=x", "unknown=1"),
)
NUL_QUERIES = ("q=%00", "%00=1", "q=ok&q=%00")


@pytest.fixture
def world(app, tmp_path, monkeypatch):
    """A small edition shaped like the demo (tests/world.py)."""
    monkeypatch.setitem(app.config, "UPLOAD_FOLDER", str(tmp_path / "uploads"))
    return build_world()


def _with_nul(value) -> list[str]:
    text = str(value)
    return [text[:2] + "\x00" + text[2:]]


def _addresses(app, world):
    """(route, address, valid) for every GET route: the valid one, then each odd variant."""
    for rule in sorted(app.url_map.iter_rules(), key=lambda r: (r.rule, r.endpoint)):
        if "GET" not in rule.methods:
            continue
        valid = url_values(rule, world)
        base = rule.build(valid, append_unknown=False)[1]
        yield rule.rule, base, True
        for arg in rule.arguments:
            is_integer = isinstance(rule._converters[arg], NumberConverter)
            odd_values = OUT_OF_RANGE_INTEGERS if is_integer else _with_nul(valid[arg])
            for odd in odd_values:
                yield rule.rule, rule.build({**valid, arg: odd}, append_unknown=False)[1], False
        for query in (*("&".join(group) for group in ODD_QUERY_GROUPS), *NUL_QUERIES):
            yield rule.rule, f"{base}?{query}", False


@pytest.mark.parametrize("role", ROLES)
def test_no_get_route_answers_a_server_error_to_odd_input(app, world, role):
    client = app.test_client()
    sign_in(client, role)
    failures = []
    checked = 0
    pages_shown = 0  # valid addresses that answered 200: the walk reaches the real pages
    for route, address, valid in _addresses(app, world):
        checked += 1
        try:
            status = client.get(address).status_code
        except Exception as error:  # noqa: BLE001 - reported below with the address
            status = repr(error)
        if not isinstance(status, int) or status >= 500:
            failures.append(f"{address!r} ({route}): {status}")
        pages_shown += valid and status == 200
        db.session.rollback()
    assert checked > 300
    assert pages_shown >= PAGES_SHOWN_AT_LEAST[role]
    assert not failures, f"{len(failures)} server errors:\n" + "\n".join(failures)


def test_out_of_range_integer_in_the_path_is_not_found(client, world):
    slug, item = world.values["slug"], world.values["item_id"]
    assert client.get(f"/{slug}/tickets/99999999999999999999/waiting-list").status_code == 404
    assert client.get(f"/{slug}/tickets/2147483648/waiting-list").status_code == 404
    assert client.get(f"/{slug}/tickets/{world.values['ticket_type_id']}/waiting-list").status_code == 200
    sign_in(client, "organizer")
    assert client.get(f"/{slug}/manage/themes/{item}").status_code == 200
    assert client.get(f"/{slug}/manage/themes/2147483648").status_code == 404


def test_nul_in_the_path_or_the_query_is_refused(client, world):
    assert client.get("/demo%00/").status_code == 404
    assert client.get("/demo/orders/ab%00cd/").status_code == 404
    assert client.get("/demo/?q=%00").status_code == 400
    assert client.get("/demo/?%00=1").status_code == 400
    assert client.get("/demo/").status_code == 200


def test_proposal_table_links_keep_the_filters_and_nothing_else(client, world):
    sign_in(client, "organizer")
    theme_id = world.values["item_id"]
    response = client.get(f"/demo/manage/proposals/?_method=POST&slug=x&endpoint=y&theme={theme_id}&sort=title&dir=asc")
    html = response.get_data(as_text=True)
    assert response.status_code == 200
    assert f'href="/demo/manage/proposals/export.csv?theme={theme_id}&amp;sort=title&amp;dir=asc"' in html
    assert f'href="/demo/manage/proposals/?sort=code&amp;dir=asc&amp;theme={theme_id}"' in html
    assert "_method" not in html
    assert "slug=x" not in html


def test_orders_list_ignores_an_out_of_range_filter_or_page(client, world):
    sign_in(client, "organizer")
    code = world.per_endpoint[("registration.manage_order", "code")]
    for query in ("ticket_type=2147483648", "page=9999999999999999999", "ticket_type=99999999999999999999&page=-1"):
        response = client.get(f"/demo/manage/orders/?{query}")
        assert response.status_code == 200, query
        assert f">{code}</a>" in response.get_data(as_text=True), query
