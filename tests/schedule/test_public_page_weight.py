"""Issue 11: the public day page stays light — each talk written once (the phone's list is
the same table, laid out by CSS), no repeated attributes, the usual language and level said
once above the grid instead of under every talk."""

from __future__ import annotations

from convention.cfp.models import AudienceLevel, Language
from convention.extensions import db
from convention.schedule import versions
from convention.schedule.placement import place_talk


def _published_page(client, sched):
    place_talk(sched.edition, sched.first, sched.big, sched.at(10), actor=sched.organizer)
    place_talk(sched.edition, sched.second, sched.big, sched.at(11), actor=sched.organizer)
    place_talk(sched.edition, sched.third, sched.small, sched.at(11), actor=sched.organizer)
    versions.publish_version(sched.edition, "One", actor=sched.organizer)
    db.session.commit()
    return client.get(f"/{sched.edition.slug}/schedule/").get_data(as_text=True)


def test_each_talk_is_written_once_with_its_link_and_speakers(client, sched):
    html = _published_page(client, sched)
    for title in ("First talk", "Second talk", "Third talk"):
        assert html.count(f">{title}</a>") == 1
    assert html.count('class="schedule-entry"') == 3 and "data-guid" not in html
    assert "schedule-list" not in html and "d-md-none" not in html
    snapshot = versions.latest_version(sched.edition).snapshot
    guid = next(t["guid"] for t in snapshot["talks"] if t["title"] == "Third talk")
    assert (
        f'<td data-room="Lab"><div class="schedule-entry"><a href="/{sched.edition.slug}/talk/{guid}">Third talk</a>'
        in html
    )
    assert '<small class="schedule-who">Omar Other</small>' in html


def test_the_usual_language_and_level_are_said_once_and_the_others_marked(client, sched):
    sched.third.language = Language.DUTCH
    sched.third.level = AudienceLevel.EXPERT
    db.session.commit()
    html = _published_page(client, sched)
    assert "Unless marked otherwise, talks are in English, level: Intermediate." in html
    grid = html[html.index('aria-labelledby="schedule-day"') : html.index("</section>")]
    assert grid.count("English") == 1 and grid.count("Intermediate") == 1  # that sentence only, not each talk
    third_theme = sched.third.theme.name
    assert f"11:00–11:30 · {third_theme} · Dutch · Expert</small>" in html


def test_the_page_is_laid_out_as_a_list_on_a_phone_by_css(client, sched):
    css = client.get("/static/css/schedule.css").get_data(as_text=True)
    assert "@media (max-width: 767.98px)" in css and ".schedule-public-grid td:empty { display: none; }" in css
    assert "td[data-room]::before { content: attr(data-room)" in css


def test_theme_names_follow_the_readers_language_on_public_pages(client, sched):
    theme = sched.third.theme
    theme.translations = {"nl": {"name": "Dreigingsinformatie"}}
    db.session.commit()
    english_name = theme.name
    _published_page(client, sched)
    slug = sched.edition.slug
    client.set_cookie("language", "nl")
    dutch = client.get(f"/{slug}/schedule/").get_data(as_text=True)
    assert "11:00–11:30 · Dreigingsinformatie</small>" in dutch
    assert f'<option value="{theme.id}">Dreigingsinformatie</option>' in dutch
    guid = next(
        t["guid"] for t in versions.latest_version(sched.edition).snapshot["talks"] if t["title"] == "Third talk"
    )
    assert "<dd>Dreigingsinformatie</dd>" in client.get(f"/{slug}/talk/{guid}").get_data(as_text=True)
    client.set_cookie("language", "fr")  # no French name: English
    assert f"11:00–11:30 · {english_name}</small>" in client.get(f"/{slug}/schedule/").get_data(as_text=True)
    assert f"<track>{english_name}</track>" in client.get(f"/{slug}/schedule.xml").get_data(as_text=True)
