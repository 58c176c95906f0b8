"""``flask schedule import``: real frab XML and C3VOC JSON in, valid exports out, every
event, room and person kept; again = update; FOSDEM's habits tolerated; unsafe XML refused."""

from __future__ import annotations

import json
import re
from collections import Counter
from xml.etree import ElementTree

import pytest
import sqlalchemy as sa

from convention.accounts.models import User
from convention.cfp.models import Proposal, SpeakerProfile
from convention.extensions import db
from convention.schedule import exports
from convention.schedule.import_parse import ImportFormatError, parse_schedule
from convention.schedule.importer import import_schedule
from convention.schedule.models import ScheduleDay, ScheduleVersion, Slot
from tests.schedule.shared_data import data_file, json_errors, xml_errors


@pytest.fixture(autouse=True)
def _cold_cache():
    exports.clear_cache()
    yield
    exports.clear_cache()


def _count(model) -> int:
    return db.session.scalar(sa.select(sa.func.count()).select_from(model))


def _frab_counts(body: bytes) -> tuple[int, set[str], set[str], int]:
    """Events, room names, person keys (guid, id or name) and distinct guids of a frab XML."""
    root = ElementTree.fromstring(body)  # noqa: S314 - our own export or the trusted test file
    events = [e for day in root.findall("day") for room in day.findall("room") for e in room.findall("event")]
    rooms = {room.get("name") for day in root.findall("day") for room in day.findall("room")}
    people = {p.get("guid") or p.get("id") or p.text for e in events for p in e.iter("person")}
    return len(events), rooms, people, len({e.get("guid") for e in events})


def test_fosdem_import_then_export_keeps_every_event_room_and_person(client, runner):
    path = data_file("schedules/fosdem-2025.schedule.xml")
    source_events, source_rooms, source_people, _ = _frab_counts(path.read_bytes())
    assert (source_events, len(source_rooms), len(source_people)) == (943, 40, 992)

    result = runner.invoke(args=["schedule", "import", str(path), "--edition", "fosdem-2025"])
    assert result.exit_code == 0, result.output
    assert "Importing 943 talks" in result.output and "Published version 1." in result.output

    xml = client.get("/fosdem-2025/schedule.xml")
    assert xml.status_code == 200 and xml_errors(xml.data) == []
    events, rooms, people, guids = _frab_counts(xml.data)
    assert (events, guids) == (943, 943) and rooms == source_rooms and len(people) == 992
    source_guids = set(re.findall(rb'<event guid="([0-9a-f-]{36})"', path.read_bytes()))
    assert set(re.findall(rb'<event guid="([0-9a-f-]{36})"', xml.data)) == source_guids

    document = client.get("/fosdem-2025/schedule.json").get_json()
    assert json_errors(document) == []
    json_events = [e for d in document["schedule"]["conference"]["days"] for r in d["rooms"].values() for e in r]
    assert len(json_events) == 943 and len({p["guid"] for e in json_events for p in e["persons"]}) == 992
    # Saturday's events stay on day 1, Sunday's on day 2; abstracts arrive as sanitised text.
    days = document["schedule"]["conference"]["days"]
    assert [d["date"] for d in days] == ["2025-02-01", "2025-02-02"]
    assert all(e["date"].startswith(d["date"]) for d in days for r in d["rooms"].values() for e in r)
    llvm = next(e for e in json_events if e["guid"] == "852280ac-61d3-588c-b74c-8d87f9d9d2c6")
    assert llvm["start"] == "10:35" and llvm["duration"] == "00:25" and llvm["room"] == "K.3.201"
    assert llvm["abstract"].startswith("Currently LLVM saves") and "<p>" not in llvm["abstract"]
    assert llvm["persons"][0]["name"] == "Mikhail Gudim"
    assert client.get("/fosdem-2025/schedule.ics").status_code == 200


def test_importing_again_updates_instead_of_duplicating(client, runner, tmp_path):
    path = data_file("schedules/39c3-himmel.schedule.json")
    assert runner.invoke(args=["schedule", "import", str(path), "--edition", "39c3"]).exit_code == 0
    counts = {model: _count(model) for model in (Proposal, Slot, User, SpeakerProfile, ScheduleDay)}
    assert counts[Proposal] == 186 and counts[Slot] == 186

    document = json.loads(path.read_bytes())
    day = document["schedule"]["conference"]["days"][0]
    room, events = next((name, events) for name, events in day["rooms"].items() if events)
    changed, dropped = events[0], events[1]
    changed["title"] = "A new title"
    events.remove(dropped)
    again = tmp_path / "39c3.json"
    again.write_text(json.dumps(document))
    result = runner.invoke(args=["schedule", "import", str(again), "--edition", "39c3"])
    assert result.exit_code == 0, result.output
    assert "0 talks added, 185 updated, 1 taken off the grid" in result.output
    assert {model: _count(model) for model in counts} == {**counts, Slot: 185}
    assert _count(ScheduleVersion) == 2
    latest = db.session.scalar(sa.select(ScheduleVersion).order_by(ScheduleVersion.number.desc()).limit(1))
    assert [t["guid"] for t in latest.changelog["cancelled"]] == [dropped["guid"]]
    export = client.get("/39c3/schedule.json").get_json()
    titles = Counter(e["title"] for d in export["schedule"]["conference"]["days"] for r in d["rooms"].values() for e in r)
    assert titles["A new title"] == 1 and sum(titles.values()) == 185


@pytest.mark.parametrize("name", ["schedules/39c3-himmel.schedule.json", "schedules/39c3-himmel.schedule.xml",
                                  "examples/pretalx-rc3.schedule.json", "examples/frab-camp2019.schedule.json",
                                  "examples/pretalx-democon.schedule.json"])
def test_real_schedules_import_and_export_valid(client, name):
    body = data_file(name).read_bytes()
    source = parse_schedule(body)
    import_schedule(source, "moved")
    db.session.commit()
    document = client.get("/moved/schedule.json").get_json()
    assert json_errors(document) == []
    assert xml_errors(client.get("/moved/schedule.xml").data) == []
    exported = [e for d in document["schedule"]["conference"]["days"] for r in d["rooms"].values() for e in r]
    assert len(exported) == len({e.guid for e in source.events})
    assert {p["name"] for e in exported for p in e["persons"]} == {p.name for e in source.events for p in e.persons}


FOSDEM_LIKE = b"""<?xml version="1.0" encoding="UTF-8"?>
<schedule>
  <version>v1</version>
  <conference><acronym>tiny-2025</acronym><title>Tiny</title><venue>ULB</venue><city>Brussels</city>
    <start>2025-02-01</start><end>2025-02-01</end><days>1</days><day_change>09:00:00</day_change>
    <timeslot_duration>00:05:00</timeslot_duration><time_zone_name>Europe/Brussels</time_zone_name></conference>
  <tracks><track online_qa="false">Late night</track></tracks>
  <day index="1" date="2025-02-01" start="2025-02-01T09:00:00+01:00" end="2025-02-02T08:59:00+01:00">
    <room name="Hall" slug="hall">
      <event guid="11111111-1111-4111-8111-111111111111" id="1">
        <date>2025-02-01T23:30:00+01:00</date><start>23:30</start><duration>12:00</duration><room>Hall</room>
        <title>All night</title><track>Late night</track><type>devroom</type><language>de, en</language>
        <abstract>&lt;p&gt;Hello &lt;script&gt;alert(1)&lt;/script&gt;&lt;b&gt;world&lt;/b&gt;&lt;/p&gt;</abstract>
        <description></description>
        <persons>%PERSONS%</persons>
      </event>
      <event guid="22222222-2222-4222-8222-222222222222" id="2">
        <date>2025-02-02T00:30:00+01:00</date><start>00:30</start><duration>00:05</duration><room>Hall</room>
        <title>After midnight, nobody</title><track>Late night</track><type>devroom</type><language>xx</language>
        <abstract></abstract><description></description><persons></persons>
      </event>
    </room>
  </day>
</schedule>"""


def test_fosdem_habits_are_tolerated(client):
    persons = "".join(f'<person id="{n}">Speaker {n}</person>' for n in range(1, 9))
    result = import_schedule(parse_schedule(FOSDEM_LIKE.replace(b"%PERSONS%", persons.encode())), "tiny-2025")
    db.session.commit()
    assert result.edition.timezone == "Europe/Brussels" and result.version.number == 1
    talks = {t["title"]: t for t in result.version.snapshot["talks"]}
    night = talks["All night"]
    assert night["language"] == "de" and talks["After midnight, nobody"]["language"] == "en"
    assert "script" not in night["abstract"] and night["abstract"] == "Hello world"
    assert len(night["speakers"]) == 8 and talks["After midnight, nobody"]["speakers"] == []
    document = client.get("/tiny-2025/schedule.json").get_json()
    assert json_errors(document) == []
    (day,) = document["schedule"]["conference"]["days"]  # both on the conference day of 1 February
    assert day["date"] == "2025-02-01" and [e["duration"] for e in day["rooms"]["Hall"]] == ["12:00", "00:05"]
    assert xml_errors(client.get("/tiny-2025/schedule.xml").data) == []


def test_a_draft_import_publishes_nothing(client, runner, tmp_path):
    path = tmp_path / "tiny.xml"
    path.write_bytes(FOSDEM_LIKE.replace(b"%PERSONS%", b""))
    result = runner.invoke(args=["schedule", "import", str(path), "--edition", "tiny", "--draft"])
    assert result.exit_code == 0 and "Draft only" in result.output
    assert _count(Slot) == 2 and _count(ScheduleVersion) == 0
    assert client.get("/tiny/schedule.xml").status_code == 404  # a draft edition: hidden too


ENTITY_BOMB = b"""<?xml version="1.0"?>
<!DOCTYPE lolz [<!ENTITY lol "lol"><!ENTITY lol2 "&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;">]>
<schedule><version>&lol2;</version><conference><title>x</title></conference></schedule>"""
EXTERNAL = b"""<?xml version="1.0"?>
<!DOCTYPE s [<!ENTITY secret SYSTEM "file:///etc/passwd">]>
<schedule><version>&secret;</version><conference><title>x</title></conference></schedule>"""


@pytest.mark.parametrize("body", [ENTITY_BOMB, EXTERNAL, b"<schedule><broken", b"not a schedule",
                                  b'{"schedule": {}}', b"<other/>"])
def test_unsafe_or_foreign_files_are_refused(body):
    with pytest.raises(ImportFormatError):
        parse_schedule(body)


def test_the_command_says_why_it_refuses(runner, tmp_path):
    path = tmp_path / "bomb.xml"
    path.write_bytes(ENTITY_BOMB)
    result = runner.invoke(args=["schedule", "import", str(path), "--edition", "bomb"])
    assert result.exit_code == 1 and "cannot be imported" in result.output and "Traceback" not in result.output
    assert _count(Proposal) == 0


def test_a_moved_imported_talk_mails_nobody(tmp_path):
    from convention.mail.models import OutboxMessage

    import_schedule(parse_schedule(FOSDEM_LIKE.replace(b"%PERSONS%", b'<person id="1">Ann</person>')), "tiny")
    moved = FOSDEM_LIKE.replace(b"%PERSONS%", b'<person id="1">Ann</person>').replace(b"23:30", b"22:30")
    second = import_schedule(parse_schedule(moved), "tiny")
    db.session.commit()
    assert [t["title"] for t in second.version.changelog["moved"]] == ["All night"]
    assert _count(OutboxMessage) == 0  # the speaker's address is an .invalid one


@pytest.mark.parametrize("slug", ["login", "Not A Slug", "-x"])
def test_the_command_refuses_a_bad_or_reserved_slug(runner, tmp_path, slug):
    path = tmp_path / "tiny.xml"
    path.write_bytes(FOSDEM_LIKE.replace(b"%PERSONS%", b""))
    result = runner.invoke(args=["schedule", "import", str(path), "--edition", slug])
    assert result.exit_code == 1 and "Traceback" not in result.output
    assert _count(Proposal) == 0
