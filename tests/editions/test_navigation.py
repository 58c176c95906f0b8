from __future__ import annotations

import re

import pytest

TABS = re.compile(r'<a class="nav-link( active)?" href="([^"]+)"')


@pytest.mark.parametrize(
    ("path", "active"),
    [
        ("/csc-2027/manage/", "/csc-2027/manage/"),
        ("/csc-2027/manage/themes/new", "/csc-2027/manage/"),
        ("/csc-2027/manage/team", "/csc-2027/manage/team"),
    ],
)
def test_manage_tabs_mark_the_section_shown(as_organizer, path, active):
    page = as_organizer.get(path).get_data(as_text=True)
    tabs = [(href, bool(on)) for on, href in TABS.findall(page) if "/manage/" in href]
    assert ("/csc-2027/manage/", active == "/csc-2027/manage/") in tabs
    assert ("/csc-2027/manage/team", active == "/csc-2027/manage/team") in tabs
    assert [href for href, on in tabs if on] == [active]
