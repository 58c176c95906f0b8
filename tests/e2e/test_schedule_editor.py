"""Browser journey: an organizer drags talks on the grid (saved at once, a clash refused, a
speaker's double booking flagged), runs the automatic scheduler, publishes; a visitor sees
the talks, filters by theme and keeps favourites in the browser."""

import pytest
import sqlalchemy as sa

from convention.extensions import db
from convention.schedule.models import Slot
from tests.e2e.conftest import save_screenshots
from tests.factories import PASSWORD
from tests.schedule.conftest import local, sched  # noqa: F401 - the schedule's fixture

pytestmark = pytest.mark.e2e


def _slots():
    db.session.expire_all()
    return {s.proposal_id: (s.room_id, s.starts_at) for s in db.session.scalars(sa.select(Slot))}


def test_drag_and_drop_publish_and_favourites(page, sched):  # noqa: F811
    edition, ids = sched.edition, {"first": sched.first.id, "second": sched.second.id, "third": sched.third.id,
                                   "big": sched.big.id}
    slug, ten, eleven = edition.slug, sched.at(10), sched.at(11)
    violations = []
    page.on("console", lambda msg: violations.append(msg.text) if "Content Security Policy" in msg.text else None)
    page.goto("/login")
    page.get_by_label("Email").fill(sched.organizer.email)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    page.goto(f"/{slug}/manage/schedule/")

    first = page.locator(f'.schedule-pending[data-proposal-id="{ids["first"]}"]')
    cell = page.locator(f'td.schedule-free[data-room-id="{ids["big"]}"][data-start="{ten.isoformat()}"]')
    first.drag_to(cell)
    page.wait_for_selector(f'.schedule-talk .schedule-card[data-proposal-id="{ids["first"]}"]')
    assert _slots() == {ids["first"]: (ids["big"], ten)}

    third = page.locator(f'.schedule-pending[data-proposal-id="{ids["third"]}"]')
    later = page.locator(f'td.schedule-free[data-room-id="{ids["big"]}"][data-start="{sched.at(10, 30).isoformat()}"]')
    third.drag_to(later)  # free at 10:30, so it is saved
    page.wait_for_selector(f'.schedule-talk .schedule-card[data-proposal-id="{ids["third"]}"]')
    save_screenshots(page, "schedule-1-editor")

    # A placed talk moves the same way.
    moved = page.locator(f'.schedule-talk .schedule-card[data-proposal-id="{ids["first"]}"]')
    target = page.locator(f'td.schedule-free[data-room-id="{ids["big"]}"][data-start="{eleven.isoformat()}"]')
    moved.drag_to(target)
    page.wait_for_function(f"""() => document.querySelector('td.schedule-free[data-start="{ten.isoformat()}"]'
                                          + '[data-room-id="{ids["big"]}"]') !== null""")
    assert _slots()[ids["first"]] == (ids["big"], eleven)

    # 10:15 in the same room would overlap the third talk (10:30): refused with the server's message.
    clash = page.locator(f'td.schedule-free[data-room-id="{ids["big"]}"][data-start="{sched.at(10, 15).isoformat()}"]')
    page.locator(f'.schedule-pending[data-proposal-id="{ids["second"]}"]').drag_to(clash)
    page.wait_for_selector("#schedule-status.alert-danger")
    assert "taken by" in page.locator("#schedule-status").inner_text()
    assert ids["second"] not in _slots()

    # The second talk's speaker gives the first one at 11:00 in the big room: dropped at 11:00
    # in the small room it is saved, and the grid flags the double booking on both talks.
    small = sched.small.id
    ids["small"] = small
    other_room = page.locator(f'td.schedule-free[data-room-id="{small}"][data-start="{eleven.isoformat()}"]')
    page.locator(f'.schedule-pending[data-proposal-id="{ids["second"]}"]').drag_to(other_room)
    page.wait_for_selector(f'.schedule-talk .schedule-card[data-proposal-id="{ids["second"]}"]')
    assert _slots()[ids["second"]] == (small, eleven)
    flagged = page.locator(".schedule-talk.schedule-warn")
    assert flagged.count() == 2
    assert "Sofia Speaker" in flagged.first.inner_text() or "speaker" in flagged.first.inner_text().lower()

    # The automatic scheduler rearranges the unpinned talks: no double booking is left.
    page.once("dialog", lambda dialog: dialog.accept())
    page.get_by_role("button", name="Run scheduler").click()
    page.wait_for_selector(".alert-success, .alert-warning")
    assert "The scheduler placed 3 of 3 talks" in page.content()
    assert page.locator(".schedule-talk.schedule-warn").count() == 0
    assert len(_slots()) == 3

    page.goto(f"/{slug}/manage/schedule/versions")
    page.get_by_label("Name of the version").fill("First programme")
    page.get_by_role("button", name="Publish").click()
    assert page.get_by_text("Version 1: First programme").is_visible()

    page.goto(f"/{slug}/schedule/")
    grid = page.locator(".schedule-grid-wrap")
    for title in ("First talk", "Second talk", "Third talk"):
        assert grid.get_by_text(title).is_visible()
    page.get_by_label("Theme").select_option(label=sched.third.theme.name)
    page.get_by_role("button", name="Filter", exact=True).click()
    page.wait_for_url(f"**theme={sched.third.theme_id}**")
    assert grid.get_by_text("Third talk").is_visible() and grid.get_by_text("First talk").count() == 0
    page.get_by_role("link", name="Show everything").click()
    star = page.locator(".schedule-grid-wrap .schedule-fav").first
    star.click()
    assert star.get_attribute("aria-pressed") == "true"
    page.reload()
    assert page.locator(".schedule-grid-wrap .schedule-fav").first.get_attribute("aria-pressed") == "true"
    page.get_by_role("button", name="Only my favourites").click()
    visible = page.locator(".schedule-grid-wrap .schedule-entry[data-guid]:visible")
    assert visible.count() == 1
    save_screenshots(page, "schedule-2-public")
    assert violations == []
