"""The organizer tabs light the section of the page shown, across domains."""

import re

import pytest

ACTIVE_TAB = re.compile(r'<a class="nav-link active" href="[^"]+" aria-current="page">([^<]+)</a>')


@pytest.mark.parametrize(
    ("path", "tab"),
    [
        ("/csc-2027/manage/", "Settings"),
        ("/csc-2027/manage/themes/new", "Settings"),
        ("/csc-2027/manage/team", "Team"),
        ("/csc-2027/manage/proposals/", "Proposals"),
        ("/csc-2027/manage/tickets/", "Tickets"),
        ("/csc-2027/manage/vouchers/", "Tickets"),
        ("/csc-2027/manage/registration/sales", "Tickets"),
        ("/csc-2027/manage/registration/settings", "Tickets"),
        ("/csc-2027/manage/orders/", "Orders"),
        ("/csc-2027/manage/payments/", "Payments"),
    ],
)
def test_organizer_tab_of_each_section_is_the_active_one(as_organizer, path, tab):
    response = as_organizer.get(path)
    assert response.status_code == 200
    assert ACTIVE_TAB.findall(response.get_data(as_text=True)) == [tab]
