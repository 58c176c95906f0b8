"""The schedule's pages in Dutch: no English left in what the schedule itself says."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from babel.support import Translations

from convention.extensions import db
from convention.schedule import versions
from convention.schedule.placement import place_talk
from tests.conftest import Auth

DUTCH = {"Accept-Language": "nl"}


def _text(html: str) -> str:
    html = re.sub(r"<(script|style)[^>]*>.*?</\1>", " ", html, flags=re.S)
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", html))


def test_editor_and_public_pages_in_dutch(app, client, sched):
    catalogue = Translations.load(str(Path(app.root_path) / "translations"), ["nl"])
    if catalogue.gettext("Unscheduled talks") == "Unscheduled talks":
        pytest.skip("the Dutch catalogue lacks the schedule's strings: run /work/wt/tr/apply.py first")
    place_talk(sched.edition, sched.first, sched.big, sched.at(10), actor=sched.organizer)
    place_talk(sched.edition, sched.second, sched.small, sched.at(10), actor=sched.organizer)
    versions.publish_version(sched.edition, "Eerste", actor=sched.organizer)
    db.session.commit()
    slug = sched.edition.slug
    public = _text(client.get(f"/{slug}/schedule/", headers=DUTCH).get_data(as_text=True))
    assert "Alleen mijn favorieten" in public and "Tijd" in public and "Zaal" in public
    assert "Schedule of" not in public and "Only my favourites" not in public
    Auth(client).login(sched.organizer.email)
    editor = _text(client.get(f"/{slug}/manage/schedule/", headers=DUTCH).get_data(as_text=True))
    assert "Niet-ingeplande lezingen" in editor and "Een spreker geeft op dat moment ook" in editor
    for english in ("Unscheduled talks", "A speaker also gives", "Drag a talk", "Place with the form"):
        assert english not in editor
    setup_page = _text(client.get(f"/{slug}/manage/schedule/setup", headers=DUTCH).get_data(as_text=True))
    assert "Dagen en openingsuren" in setup_page and "Pauze" in setup_page
