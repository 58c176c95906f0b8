"""Browser check of the lighter public day page (issue 11): on a phone the grid is read as
a list (empty cells hidden, the room above each talk, each talk once); on a laptop it is
the table; the favourites still find each talk's guid."""

import pytest

from convention.extensions import db
from convention.schedule import versions
from convention.schedule.placement import place_talk
from tests.e2e.conftest import VIEWPORTS
from tests.schedule.conftest import sched  # noqa: F401 - the schedule's fixture

pytestmark = pytest.mark.e2e


def test_public_day_is_a_list_on_a_phone_and_a_table_on_a_laptop(page, sched):  # noqa: F811
    place_talk(sched.edition, sched.first, sched.big, sched.at(10), actor=sched.organizer)
    place_talk(sched.edition, sched.third, sched.small, sched.at(10), actor=sched.organizer)
    versions.publish_version(sched.edition, "One", actor=sched.organizer)
    db.session.commit()
    page.set_viewport_size(VIEWPORTS["phone"])
    page.goto(f"/{sched.edition.slug}/schedule/")
    grid = page.locator(".schedule-public-grid")
    assert grid.evaluate("t => getComputedStyle(t).display") == "block"
    assert page.locator(".schedule-public-grid thead").bounding_box()["height"] <= 1
    empty = page.locator(".schedule-public-grid td:empty").first
    assert not empty.is_visible()
    lab = page.locator('.schedule-public-grid td[data-room="Lab"]')
    assert lab.evaluate("td => getComputedStyle(td, '::before').content") == '"Lab"'
    assert lab.get_by_role("link", name="Third talk").is_visible()
    first, third = (page.get_by_role("link", name=title).bounding_box() for title in ("First talk", "Third talk"))
    assert abs(first["x"] - third["x"]) < 2 and third["y"] > first["y"]  # one column: a list
    guid = page.locator(".schedule-entry").first.get_attribute("data-guid")  # set by the favourites script
    assert guid and len(guid) == 36 and page.locator(".schedule-fav").count() == 2
    page.set_viewport_size(VIEWPORTS["laptop"])
    assert grid.evaluate("t => getComputedStyle(t).display") == "table"
    first, third = (page.get_by_role("link", name=title).bounding_box() for title in ("First talk", "Third talk"))
    assert abs(first["y"] - third["y"]) < 2 and third["x"] > first["x"]  # side by side: rooms in columns
