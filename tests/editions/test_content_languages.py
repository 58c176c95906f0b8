"""Issue 13: an edition's name, tagline, description, call text and themes written per
language, shown in the reader's language with English as the fallback."""

from __future__ import annotations

import sqlalchemy as sa

from convention.core.errors import DomainError
from convention.core.i18n import clean_translations, localized
from convention.core.text import check_text
from convention.editions.models import Edition, Theme
from convention.extensions import db
from tests.conftest import post_form
from tests.queries import count_queries

SETTINGS = {
    "name": "Cyber Security Convention 2027",
    "slug": "csc-2027",
    "tagline": "Defend the small",
    "description": "Two days of practical security.",
    "starts_on": "2027-02-15",
    "ends_on": "2027-02-16",
    "timezone": "Europe/Brussels",
    "call_text": "Tell us what you learned the hard way.",
}
DUTCH = {
    "name_nl": "Cyberveiligheidscongres 2027",
    "tagline_nl": "Verdedig de kleintjes",
    "call_text_nl": "Vertel ons wat je op de harde manier leerde.",
}
FRENCH = {"name_fr": "Congrès de cybersécurité 2027", "description_fr": "Deux jours de sécurité pratique."}


def _page(client, url, language):
    client.set_cookie("language", language)
    return client.get(url).get_data(as_text=True)


def _save_settings(client, **extra):
    return post_form(client, "/csc-2027/manage/", {**SETTINGS, **extra})


def test_edition_settings_save_dutch_and_french_and_show_them_back(as_organizer, edition):
    response = _save_settings(as_organizer, **DUTCH, **FRENCH)
    assert response.status_code == 302
    db.session.expire_all()
    assert edition.translations == {
        "nl": {"name": DUTCH["name_nl"], "tagline": DUTCH["tagline_nl"], "call_text": DUTCH["call_text_nl"]},
        "fr": {"name": FRENCH["name_fr"], "description": FRENCH["description_fr"]},
    }
    form = as_organizer.get("/csc-2027/manage/").get_data(as_text=True)
    assert 'value="Cyberveiligheidscongres 2027"' in form and 'lang="nl"' in form
    assert "Deux jours de sécurité pratique.</textarea>" in form


def test_landing_page_speaks_the_readers_language_and_falls_back_to_english(as_organizer, client, edition):
    _save_settings(as_organizer, **DUTCH, **FRENCH)
    dutch = _page(client, "/csc-2027/", "nl")
    assert '<h1 class="display-5 fw-bold">Cyberveiligheidscongres 2027</h1>' in dutch
    assert "Verdedig de kleintjes" in dutch
    assert "Two days of practical security." in dutch  # no Dutch description: English
    french = _page(client, "/csc-2027/", "fr")
    assert "Congrès de cybersécurité 2027" in french and "Deux jours de sécurité pratique." in french
    assert "Defend the small" in french  # no French tagline: English
    english = _page(client, "/csc-2027/", "en")
    assert "Cyber Security Convention 2027" in english and "Cyberveiligheidscongres" not in english


def test_call_page_shows_the_call_text_and_themes_in_the_readers_language(as_organizer, client, edition):
    _save_settings(as_organizer, **DUTCH)
    theme = edition.themes[0]
    response = post_form(
        as_organizer,
        f"/csc-2027/manage/themes/{theme.id}",
        {
            "name": theme.name,
            "description": theme.description,
            "position": "0",
            "name_nl": "KMO-beveiliging",
            "description_fr": "La sécurité des PME.",
        },
    )
    assert response.status_code == 302
    dutch = _page(client, "/csc-2027/cfp/", "nl")
    assert "Vertel ons wat je op de harde manier leerde." in dutch and "KMO-beveiliging" in dutch
    french = _page(client, "/csc-2027/cfp/", "fr")
    assert "Tell us what you learned the hard way." in french  # no French call text: English
    assert "SME security" in french and "La sécurité des PME." in french


def test_theme_choices_of_the_proposal_form_are_localized(as_organizer, edition):
    theme = edition.themes[0]
    theme.translations = {"fr": {"name": "Sécurité des PME"}}
    db.session.commit()
    french = _page(as_organizer, "/csc-2027/cfp/submit", "fr")
    assert f'<option value="{theme.id}">Sécurité des PME</option>' in french


def test_clearing_a_translation_brings_back_english(as_organizer, client, edition):
    _save_settings(as_organizer, **DUTCH, **FRENCH)
    _save_settings(as_organizer, **FRENCH, name_nl="", tagline_nl="   ", call_text_nl="")
    db.session.expire_all()
    assert edition.translations == {"fr": {"name": FRENCH["name_fr"], "description": FRENCH["description_fr"]}}
    dutch = _page(client, "/csc-2027/", "nl")
    assert "Cyber Security Convention 2027" in dutch and "Cyberveiligheidscongres" not in dutch


def test_theme_translation_is_cleared_with_its_field(as_organizer, edition):
    theme = edition.themes[0]
    theme.translations = {"nl": {"name": "KMO-beveiliging"}}
    db.session.commit()
    form = as_organizer.get(f"/csc-2027/manage/themes/{theme.id}").get_data(as_text=True)
    assert 'value="KMO-beveiliging"' in form
    post_form(
        as_organizer,
        f"/csc-2027/manage/themes/{theme.id}",
        {"name": theme.name, "description": "", "position": "0", "name_nl": ""},
    )
    db.session.expire_all()
    assert db.session.get(Theme, theme.id).translations == {}


def test_markup_in_a_translation_is_escaped_like_the_english_text(as_organizer, client, edition):
    attack = '<script>alert("nl")</script><img src=x onerror=alert(1)>'
    _save_settings(as_organizer, name_nl=attack, call_text_nl=attack)
    edition.themes[0].translations = {"nl": {"description": attack}}
    db.session.commit()
    dutch = _page(client, "/csc-2027/cfp/", "nl")
    assert "<script>alert" not in dutch and "<img src=x" not in dutch
    assert "&lt;script&gt;alert(&#34;nl&#34;)&lt;/script&gt;" in dutch


def test_unreadable_translation_is_refused_on_its_field(as_organizer, edition):
    response = _save_settings(as_organizer, name_fr="Congr\u202ees")  # a right-to-left override
    assert response.status_code == 422
    assert 'id="name_fr"' in response.get_data(as_text=True) and 'aria-invalid="true"' in response.get_data(
        as_text=True
    )
    too_long = _save_settings(as_organizer, tagline_nl="x" * 256)
    assert too_long.status_code == 422
    db.session.expire_all()
    assert edition.translations == {}


def test_service_refuses_what_the_form_would_have_refused():
    try:
        clean_translations({"nl": {"name": "x" * 200}}, {"name": 160}, check_text)
    except DomainError as error:
        assert error.field == "name_nl"
    else:
        raise AssertionError("a 200-character name was kept")
    assert clean_translations(
        {"nl": {"name": "  A   B ", "other": "dropped"}, "de": {"name": "Nein"}}, {"name": 160}
    ) == {"nl": {"name": "A B"}}


def test_localized_reads_the_language_asked_and_falls_back_to_english(edition):
    edition.translations = {"nl": {"name": "Congres"}, "fr": {"name": ""}}
    assert localized(edition, "name", "nl") == "Congres"
    assert localized(edition, "name", "fr") == edition.name  # empty: English
    assert localized(edition, "tagline", "nl") == edition.tagline
    assert localized(edition, "name", "en") == edition.name


def test_landing_page_query_count_does_not_grow_with_translated_themes(client, edition):
    def queries():
        with count_queries() as statements:
            assert client.get("/csc-2027/").status_code == 200
        return len(statements)

    edition_id = edition.id
    client.set_cookie("language", "nl")
    few = queries()
    for n in range(12):
        db.session.add(
            Theme(
                edition_id=edition_id,
                name=f"Theme {n}",
                position=10 + n,
                translations={"nl": {"name": f"Thema {n}"}, "fr": {"name": f"Thème {n}"}},
            )
        )
    db.session.get(Edition, edition_id).translations = {"nl": {"name": "Congres"}}
    db.session.commit()
    assert queries() == few
    assert "Thema 11" in client.get("/csc-2027/").get_data(as_text=True)
    assert db.session.scalar(sa.select(sa.func.count(Theme.id))) > 12
