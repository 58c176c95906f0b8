"""Form fields rendered by templates/macros.html: a field in error says so (aria-invalid)
and points at its error message and help text (aria-describedby), in any language."""

from __future__ import annotations

from html.parser import HTMLParser

from tests.conftest import post_form


class _Elements(HTMLParser):
    def __init__(self):
        super().__init__()
        self.by_id: dict[str, dict] = {}
        self.invalid: list[dict] = []
        self._open: list[dict] = []

    def handle_starttag(self, tag, attrs):
        element = {"tag": tag, **{k: v or "" for k, v in attrs}, "text": ""}
        if "id" in element:
            self.by_id[element["id"]] = element
        if "is-invalid" in element.get("class", "").split():
            self.invalid.append(element)
        if tag == "div":
            self._open.append(element)

    def handle_endtag(self, tag):
        if tag == "div" and self._open:
            self._open.pop()

    def handle_data(self, data):
        for element in self._open:
            element["text"] += data


def _fields_in_error(html: str) -> tuple[list[dict], dict[str, dict]]:
    parser = _Elements()
    parser.feed(html)
    return parser.invalid, parser.by_id


def _assert_tied(html: str, expected_fields: set[str]) -> None:
    invalid, by_id = _fields_in_error(html)
    assert {field["id"] for field in invalid} >= expected_fields
    for field in invalid:
        assert field.get("aria-invalid") == "true", field
        ids = field.get("aria-describedby", "").split()
        errors = [by_id[i] for i in ids if i in by_id and "invalid-feedback" in by_id[i].get("class", "")]
        assert len(ids) == len([i for i in ids if i in by_id]), f"{field['id']} points at a missing element: {ids}"
        assert errors and all(e["text"].strip() for e in errors), f"{field['id']} has no error message tied to it"


def test_sign_in_errors_are_tied_to_their_fields(client):
    response = post_form(client, "/login", {"email": "", "password": ""})
    _assert_tied(response.get_data(as_text=True), {"email", "password"})


def test_sign_up_errors_are_tied_to_their_fields_in_dutch(client):
    response = post_form(client, "/signup", {"name": "", "email": "not an address", "password": "x", "password_repeat": "y"},
                         headers={"Accept-Language": "nl"})
    html = response.get_data(as_text=True)
    assert '<html lang="nl">' in html
    _assert_tied(html, {"name", "email"})


def test_a_field_without_errors_points_only_at_its_help_text(client):
    invalid, by_id = _fields_in_error(client.get("/signup").get_data(as_text=True))
    assert invalid == []
    described = [e for e in by_id.values() if e.get("aria-describedby")]
    assert described, "the password field has a help text"
    for element in described:
        assert "aria-invalid" not in element
        assert all(i.endswith("-help") and i in by_id for i in element["aria-describedby"].split())
