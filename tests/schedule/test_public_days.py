"""The public grid shows one conference day at a time, files talks after midnight under
the day they belong to (frab's ``day_change``), and serves its content from memory until
the next publication."""

from __future__ import annotations

from datetime import date, time, timedelta

from flask import g

from convention.accounts.models import User
from convention.cfp.models import Proposal
from convention.editions.models import Edition, Room
from convention.extensions import db
from convention.schedule import public, setup, versions
from convention.schedule.placement import place_talk
from tests.queries import count_queries
from tests.schedule.conftest import local

ZONE = "Europe/Brussels"


def _snapshot():
    """Two days (09:00-02:00 and 09:00-18:00 local, Brussels in winter: UTC+1), a talk
    at 00:30 local after the first evening, one on the second morning."""
    def talk(number, title, starts, ends):
        return {"id": number, "guid": f"g{number}", "title": title, "starts_at": starts, "ends_at": ends,
                "room": "Hall", "room_id": 1, "theme_id": None, "theme": "", "language": "en", "level": "beginner",
                "speakers": []}

    return {
        "rooms": [{"id": 1, "name": "Hall"}], "blocks": [],
        "days": [{"day": "2025-02-01", "opens_at": "2025-02-01T08:00:00+00:00", "closes_at": "2025-02-02T01:00:00+00:00"},
                 {"day": "2025-02-02", "opens_at": "2025-02-02T08:00:00+00:00", "closes_at": "2025-02-02T17:00:00+00:00"}],
        "talks": [talk(1, "Evening", "2025-02-01T20:00:00+00:00", "2025-02-01T21:00:00+00:00"),
                  talk(2, "After midnight", "2025-02-01T23:30:00+00:00", "2025-02-02T00:15:00+00:00"),
                  talk(3, "Morning", "2025-02-02T08:30:00+00:00", "2025-02-02T09:00:00+00:00")],
    }


class _Edition:
    timezone = ZONE


def test_talks_after_midnight_stay_on_the_conference_day_they_belong_to():
    snapshot = _snapshot()
    first = public.schedule_day(_Edition(), snapshot, {}, date(2025, 2, 1))
    second = public.schedule_day(_Edition(), snapshot, {}, date(2025, 2, 2))
    assert [item.title for item in first.items] == ["Evening", "After midnight"]
    assert first.items[1].starts.date() == date(2025, 2, 2)  # 00:30 local: the calendar's next day
    assert [item.title for item in second.items] == ["Morning"]
    every = public.schedule_days(_Edition(), snapshot, {})
    assert sorted(item.talk["id"] for day in every for item in day.items) == [1, 2, 3]


def test_the_day_shown_is_the_one_asked_for_today_or_the_first():
    days = [date(2025, 2, 1), date(2025, 2, 2)]
    assert public.pick_day(days, "2025-02-02", date(2030, 1, 1)) == date(2025, 2, 2)
    assert public.pick_day(days, "", date(2025, 2, 2)) == date(2025, 2, 2)
    assert public.pick_day(days, "nonsense", date(2030, 1, 1)) == date(2025, 2, 1)
    assert public.pick_day([], "", date(2030, 1, 1)) is None


def test_one_day_per_page_with_links_to_the_others(client, sched):
    second_day = sched.day + timedelta(days=1)
    setup.save_day(sched.edition, second_day, time(9), time(18), actor=sched.organizer)
    place_talk(sched.edition, sched.first, sched.big, sched.at(10), actor=sched.organizer)
    place_talk(sched.edition, sched.third, sched.small, local(sched.edition, second_day, 10), actor=sched.organizer)
    versions.publish_version(sched.edition, "Two days", actor=sched.organizer)
    db.session.commit()
    slug = sched.edition.slug
    first = client.get(f"/{slug}/schedule/").get_data(as_text=True)
    assert "First talk" in first and "Third talk" not in first
    assert f"?day={second_day.isoformat()}" in first
    other = client.get(f"/{slug}/schedule/?day={second_day.isoformat()}").get_data(as_text=True)
    assert "Third talk" in other and "First talk" not in other and "Lunch" not in other
    filtered = client.get(f"/{slug}/schedule/?day={second_day.isoformat()}&room={sched.big.id}").get_data(as_text=True)
    assert "Third talk" not in filtered and "Nothing on this day matches the filters." in filtered


def test_the_grid_is_served_from_memory_until_the_next_publication(client, sched):
    place_talk(sched.edition, sched.first, sched.big, sched.at(10), actor=sched.organizer)
    versions.publish_version(sched.edition, "One", actor=sched.organizer)
    db.session.commit()
    url = f"/{sched.edition.slug}/schedule/"
    ids = (sched.edition.id, sched.third.id, sched.small.id, sched.organizer.id, sched.at(11))
    assert "First talk" in client.get(url).get_data(as_text=True)
    with count_queries() as statements:
        again = client.get(url).get_data(as_text=True)
    assert "First talk" in again
    assert not any("snapshot" in str(statement).lower() for statement in statements)  # never the large column
    edition, third = db.session.get(Edition, ids[0]), db.session.get(Proposal, ids[1])
    room, organizer = db.session.get(Room, ids[2]), db.session.get(User, ids[3])
    place_talk(edition, third, room, ids[4], actor=organizer)
    db.session.commit()
    assert "Third talk" not in client.get(url).get_data(as_text=True)  # the draft does not leak
    g.pop("_schedule_infos", None)  # the test client shares the test's g: as a new request
    versions.publish_version(edition, "Two", actor=organizer)
    db.session.commit()
    assert "Third talk" in client.get(url).get_data(as_text=True)


def test_dutch_and_english_are_cached_apart(client, sched):
    place_talk(sched.edition, sched.first, sched.big, sched.at(10), actor=sched.organizer)
    versions.publish_version(sched.edition, "One", actor=sched.organizer)
    db.session.commit()
    url = f"/{sched.edition.slug}/schedule/"
    english = client.get(url).get_data(as_text=True)
    dutch = client.get(url, headers={"Accept-Language": "nl"}).get_data(as_text=True)
    assert "Download the schedule" in english and "Download the schedule" not in dutch

