"""Issue 11: the imported event type (frab <type>, C3VOC "type") is kept and exported back."""

from __future__ import annotations

import re
from collections import Counter

import pytest

from convention.cfp.models import Proposal
from convention.extensions import db
from convention.schedule import exports
from convention.schedule.import_parse import parse_schedule
from convention.schedule.importer import import_schedule
from tests.schedule.shared_data import data_file, json_errors, xml_errors
from tests.schedule.test_import import FOSDEM_LIKE


@pytest.fixture(autouse=True)
def _cold_cache():
    exports.clear_cache()
    yield
    exports.clear_cache()


def test_imported_type_is_kept_and_exported_in_xml_and_json(client):
    body = FOSDEM_LIKE.replace(b"%PERSONS%", b"").replace(b"<type>devroom</type>", b"<type>workshop</type>", 1)
    result = import_schedule(parse_schedule(body), "tiny-2025")
    db.session.commit()
    types = {p.title: p.external_type for p in db.session.query(Proposal).filter_by(edition_id=result.edition.id)}
    assert types == {"All night": "workshop", "After midnight, nobody": "devroom"}
    xml = client.get("/tiny-2025/schedule.xml").data
    assert xml_errors(xml) == []
    assert re.findall(rb"<type>([^<]*)</type>", xml) == [b"workshop", b"devroom"]
    document = client.get("/tiny-2025/schedule.json").get_json()
    assert json_errors(document) == []
    events = [e for d in document["schedule"]["conference"]["days"] for r in d["rooms"].values() for e in r]
    assert [e["type"] for e in events] == ["workshop", "devroom"]


def test_a_talk_of_this_site_exports_its_format_as_type(client, sched):
    from convention.schedule import versions
    from convention.schedule.placement import place_talk

    place_talk(sched.edition, sched.first, sched.big, sched.at(10), actor=sched.organizer)
    versions.publish_version(sched.edition, "One", actor=sched.organizer)
    db.session.commit()
    xml = client.get(f"/{sched.edition.slug}/schedule.xml").data
    assert re.findall(rb"<type>([^<]*)</type>", xml)[-1:] == [b"Talk (30 min)"]


def test_fosdem_types_survive_import_and_export(client):
    path = data_file("schedules/fosdem-2025.schedule.xml")
    source = Counter(re.findall(rb"<type>([^<]*)</type>", path.read_bytes()))
    import_schedule(parse_schedule(path.read_bytes()), "fosdem-2025")
    db.session.commit()
    exported = Counter(re.findall(rb"<type>([^<]*)</type>", client.get("/fosdem-2025/schedule.xml").data))
    assert exported == source == Counter({b"devroom": 925, b"junior": 18})
