"""The windowed pager: which pages it links to, and that every link keeps the list's filters."""

from __future__ import annotations

import re
from types import SimpleNamespace

import pytest
from flask import render_template_string

from convention.core.pagination import Page, page_window

PAGER = '{% from "macros.html" import pager %}{{ pager(page, "mail.outbox", args) }}'


@pytest.mark.parametrize(("page", "pages", "window"), [
    (1, 400, [1, 2, 3, 4, 5]),
    (2, 400, [1, 2, 3, 4, 5]),
    (200, 400, [198, 199, 200, 201, 202]),
    (399, 400, [396, 397, 398, 399, 400]),
    (400, 400, [396, 397, 398, 399, 400]),
    (1, 1, [1]),
    (2, 3, [1, 2, 3]),
    (999, 7, [3, 4, 5, 6, 7]),  # a page past the end is the last page
])
def test_page_window_is_five_pages_around_the_current_one(page, pages, window):
    assert page_window(page, pages) == window


def _links(app, number: int, pages: int, args: dict) -> list[tuple[str, str]]:
    with app.test_request_context("/"):
        html = render_template_string(PAGER, page=SimpleNamespace(page=number, pages=pages), args=args)
    return [(text.strip(), href.replace("&amp;", "&"))
            for href, text in re.findall(r'<a class="page-link" href="([^"]+)"[^>]*>([^<]+)</a>', html)]


def test_the_pager_of_page_1_of_400(app):
    links = _links(app, 1, 400, {"status": "kept"})
    assert links == [
        ("2", "/admin/outbox/?page=2&status=kept"), ("3", "/admin/outbox/?page=3&status=kept"),
        ("4", "/admin/outbox/?page=4&status=kept"), ("5", "/admin/outbox/?page=5&status=kept"),
        ("Next ›", "/admin/outbox/?page=2&status=kept"), ("Last »", "/admin/outbox/?page=400&status=kept"),
    ]


def test_the_pager_of_a_middle_page_of_400(app):
    links = _links(app, 200, 400, {"status": "kept"})
    assert links == [
        ("« First", "/admin/outbox/?page=1&status=kept"), ("‹ Previous", "/admin/outbox/?page=199&status=kept"),
        ("198", "/admin/outbox/?page=198&status=kept"), ("199", "/admin/outbox/?page=199&status=kept"),
        ("201", "/admin/outbox/?page=201&status=kept"), ("202", "/admin/outbox/?page=202&status=kept"),
        ("Next ›", "/admin/outbox/?page=201&status=kept"), ("Last »", "/admin/outbox/?page=400&status=kept"),
    ]


def test_the_pager_of_the_last_of_400_pages(app):
    links = _links(app, 400, 400, {})
    assert links == [
        ("« First", "/admin/outbox/?page=1"), ("‹ Previous", "/admin/outbox/?page=399"),
        ("396", "/admin/outbox/?page=396"), ("397", "/admin/outbox/?page=397"),
        ("398", "/admin/outbox/?page=398"), ("399", "/admin/outbox/?page=399"),
    ]


def test_one_page_needs_no_pager(app):
    assert _links(app, 1, 1, {}) == []


def test_page_numbers():
    page = Page(items=[], total=101, page=3, per_page=50)
    assert (page.pages, page.offset) == (3, 100)
    assert Page(items=[], total=0, page=1, per_page=50).pages == 1
