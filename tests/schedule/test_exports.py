"""The exports: valid against the official schemas, the calendar read back right, served
from the published version only, with ETag/Last-Modified, 304s and few queries."""

from __future__ import annotations

import json
from datetime import datetime

import icalendar
import pytest

from convention.extensions import db
from convention.schedule import exports, versions
from convention.schedule.placement import place_talk
from tests.queries import count_queries
from tests.schedule.shared_data import json_errors, xml_errors

FORMATS = ("xml", "json", "ics")


@pytest.fixture(autouse=True)
def _cold_cache():
    exports.clear_cache()
    yield
    exports.clear_cache()


def _publish(sched, name="First"):
    version = versions.publish_version(sched.edition, name, actor=sched.organizer)
    db.session.commit()
    return version


@pytest.fixture
def published(sched):
    place_talk(sched.edition, sched.first, sched.big, sched.at(10), actor=sched.organizer)
    place_talk(sched.edition, sched.third, sched.small, sched.at(10), actor=sched.organizer)
    place_talk(sched.edition, sched.second, sched.big, sched.at(14, 30), actor=sched.organizer)
    sched.version = _publish(sched)
    return sched


def _get(client, sched, fmt, **headers):
    return client.get(f"/{sched.edition.slug}/schedule.{fmt}", headers=headers)


def test_nothing_published_answers_404(client, sched):
    place_talk(sched.edition, sched.first, sched.big, sched.at(10), actor=sched.organizer)
    db.session.commit()  # a draft only
    for fmt in FORMATS:
        assert _get(client, sched, fmt).status_code == 404
    assert client.get(f"/{sched.edition.slug}/talk/{sched.first.id}.ics").status_code == 404


def test_xml_is_valid_frab_with_every_talk(client, published):
    response = _get(client, published, "xml")
    assert response.status_code == 200 and response.mimetype == "application/xml"
    assert xml_errors(response.data) == []
    text = response.get_data(as_text=True)
    for talk in published.version.snapshot["talks"]:
        assert f'guid="{talk["guid"]}"' in text and f"<title>{talk['title']}</title>" in text
    assert "<time_zone_name>Europe/Brussels</time_zone_name>" in text
    assert "<date>" in text and "+0" in text  # local times with their offset


def test_json_is_valid_c3voc_with_local_times(client, published):
    response = _get(client, published, "json")
    assert response.status_code == 200 and response.mimetype == "application/json"
    document = response.get_json()
    assert json_errors(document) == []
    conference = document["schedule"]["conference"]
    events = [e for day in conference["days"] for room in day["rooms"].values() for e in room]
    assert sorted(e["title"] for e in events) == ["First talk", "Second talk", "Third talk"]
    first = next(e for e in events if e["title"] == "First talk")
    assert first["start"] == "10:00" and first["duration"] == "00:30" and first["room"] == "Auditorium"
    assert datetime.fromisoformat(first["date"]) == published.at(10)
    assert first["persons"][0]["name"] and {r["name"] for r in conference["rooms"]} == {"Auditorium", "Lab"}


def test_calendar_parses_back_with_every_talk_in_the_editions_zone(client, published):
    response = _get(client, published, "ics")
    assert response.status_code == 200 and response.mimetype == "text/calendar"
    calendar = icalendar.Calendar.from_ical(response.data)
    assert [str(tz["TZID"]) for tz in calendar.walk("VTIMEZONE")] == ["Europe/Brussels"]
    found = {str(event["UID"]).split("@")[0]: event for event in calendar.walk("VEVENT")}
    talks = published.version.snapshot["talks"]
    assert set(found) == {talk["guid"] for talk in talks}
    for talk in talks:
        event = found[talk["guid"]]
        assert str(event["SUMMARY"]) == talk["title"] and str(event["LOCATION"]) == talk["room"]
        assert event["DTSTART"].params["TZID"] == "Europe/Brussels"
        assert event["DTSTART"].dt == datetime.fromisoformat(talk["starts_at"])
        assert event["DTEND"].dt == datetime.fromisoformat(talk["ends_at"])
        assert str(event["DTSTART"].dt.tzinfo) == "Europe/Brussels"
    assert f"{found[talks[0]['guid']]['DTSTART'].dt:%H:%M}" == "10:00"  # the local clock


def test_one_talk_calendar_by_guid_or_number(client, published):
    talk = published.version.snapshot["talks"][0]
    for ident in (talk["guid"], str(talk["id"])):
        response = client.get(f"/{published.edition.slug}/talk/{ident}.ics")
        assert response.status_code == 200
        (event,) = icalendar.Calendar.from_ical(response.data).walk("VEVENT")
        assert str(event["SUMMARY"]) == talk["title"]
    assert client.get(f"/{published.edition.slug}/talk/nope.ics").status_code == 404
    # A confirmed talk that is not in the published version has no calendar either.
    assert client.get(f"/{published.edition.slug}/talk/999999.ics").status_code == 404


def test_etag_last_modified_and_304(client, published):
    for fmt in FORMATS:
        first = _get(client, published, fmt)
        etag = first.headers["ETag"]
        assert first.headers["Last-Modified"] and "no-cache" in first.headers["Cache-Control"]
        again = _get(client, published, fmt, **{"If-None-Match": etag})
        assert again.status_code == 304 and again.data == b"" and again.headers["ETag"] == etag
        since = _get(client, published, fmt, **{"If-Modified-Since": first.headers["Last-Modified"]})
        assert since.status_code == 304
        assert _get(client, published, fmt, **{"If-None-Match": '"other"'}).status_code == 200


def test_unpublished_changes_never_reach_the_exports(client, published):
    before = {fmt: _get(client, published, fmt) for fmt in FORMATS}
    # The draft changes a lot: a talk moved, another placed, a room and a title renamed.
    place_talk(published.edition, published.first, published.small, published.at(15), actor=published.organizer)
    published.big.name = "Renamed hall"
    published.third.title = "Retitled talk"
    db.session.commit()
    exports.clear_cache()  # as a freshly started worker: rebuilt from the database
    for fmt in FORMATS:
        assert _get(client, published, fmt).data == before[fmt].data
    assert b"Renamed hall" not in before["json"].data

    _publish(published, "Second")  # the next publication shows it, with a new ETag
    for fmt in FORMATS:
        after = _get(client, published, fmt, **{"If-None-Match": before[fmt].headers["ETag"]})
        assert after.status_code == 200 and after.headers["ETag"] != before[fmt].headers["ETag"]
        assert "Renamed hall" in after.get_data(as_text=True) and "Retitled talk" in after.get_data(as_text=True)


def test_a_cached_export_reads_only_the_versions_id(client, published):
    for fmt in FORMATS:
        _get(client, published, fmt)  # built and cached
        with count_queries() as statements:
            response = _get(client, published, fmt)
        assert response.status_code == 200
        assert len(statements) <= 3, statements
        assert not any("snapshot" in s for s in statements), statements


def test_a_draft_editions_exports_are_hidden(client, published):
    published.edition.published = False
    db.session.commit()
    for fmt in FORMATS:
        assert _get(client, published, fmt).status_code == 404


def test_empty_schedule_is_still_a_valid_document(client, sched):
    _publish(sched)  # published with nothing placed
    assert xml_errors(_get(client, sched, "xml").data) == []
    assert json_errors(json.loads(_get(client, sched, "json").data)) == []
    calendar = icalendar.Calendar.from_ical(_get(client, sched, "ics").data)
    assert list(calendar.walk("VEVENT")) == []


def test_the_public_pages_link_to_the_exports(client, published):
    talk = published.version.snapshot["talks"][0]
    page = client.get(f"/{published.edition.slug}/talk/{talk['guid']}").get_data(as_text=True)
    assert f'href="/{published.edition.slug}/talk/{talk["guid"]}.ics"' in page and "Add to calendar" in page
    grid = client.get(f"/{published.edition.slug}/schedule/").get_data(as_text=True)
    for fmt in FORMATS:
        assert f'href="/{published.edition.slug}/schedule.{fmt}"' in grid


def test_the_demo_editions_exports_are_valid(client, db):
    from convention.demo import seed_demo

    seed_demo()
    db.session.commit()
    xml = client.get("/demo/schedule.xml")
    document = client.get("/demo/schedule.json").get_json()
    assert xml.status_code == 200 and xml_errors(xml.data) == [] and json_errors(document) == []
    talks = [e for d in document["schedule"]["conference"]["days"] for r in d["rooms"].values() for e in r]
    calendar = icalendar.Calendar.from_ical(client.get("/demo/schedule.ics").data)
    assert len(talks) == len(list(calendar.walk("VEVENT"))) > 0


def test_keynotes_and_social_blocks_are_exported_breaks_are_not(client, published):
    from datetime import time

    from convention.schedule import setup

    day = published.day
    setup.save_block(published.edition, setup.BlockData("keynote", "Opening keynote", day, time(9), time(9, 45),
                                                        None, True), actor=published.organizer)
    setup.save_block(published.edition, setup.BlockData("social", "Drinks", day, time(17), time(18),
                                                        published.small.id, False), actor=published.organizer)
    db.session.commit()
    _publish(published, "With blocks")
    document = _get(client, published, "json").get_json()
    assert json_errors(document) == [] and xml_errors(_get(client, published, "xml").data) == []
    events = {e["title"]: e for d in document["schedule"]["conference"]["days"] for r in d["rooms"].values() for e in r}
    assert "Lunch" not in events
    assert events["Opening keynote"]["room"] == "Auditorium" and events["Opening keynote"]["type"] == "keynote"
    assert events["Drinks"]["room"] == "Lab" and events["Drinks"]["start"] == "17:00"
    summaries = {str(e["SUMMARY"]) for e in icalendar.Calendar.from_ical(_get(client, published, "ics").data).walk("VEVENT")}
    assert {"Opening keynote", "Drinks", "First talk"} <= summaries and "Lunch" not in summaries
    assert client.get(f"/{published.edition.slug}/talk/{events['Drinks']['guid']}.ics").status_code == 404
