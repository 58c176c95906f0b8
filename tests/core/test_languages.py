"""The interface language: the footer switcher (a cookie), Accept-Language, <html lang>,
and pages actually rendered in Dutch and French."""

from __future__ import annotations

import re
from datetime import date, datetime

import pytest
from flask_babel import refresh

from convention.core.i18n import LANGUAGE_COOKIE
from convention.site.templating import format_day, format_local, format_money_local
from tests.conftest import post_form


def _cookie(client):
    cookie = client.get_cookie(LANGUAGE_COOKIE)
    return cookie.value if cookie else None


def _html_lang(response) -> str:
    match = re.search(r'<html lang="([^"]+)">', response.get_data(as_text=True))
    assert match, "the page has no <html lang>"
    return match.group(1)


@pytest.mark.parametrize("code", ["nl", "fr", "en"])
def test_switcher_sets_the_cookie_and_goes_back_to_the_page(client, code):
    response = client.get(f"/language/{code}?next=/login%3Fnext%3D/account")
    assert response.status_code == 303
    assert response.headers["Location"] == "/login?next=/account"
    assert _cookie(client) == code
    set_cookie = response.headers["Set-Cookie"]
    assert "HttpOnly" in set_cookie and "SameSite=Lax" in set_cookie
    assert _html_lang(client.get("/login")) == code


@pytest.mark.parametrize("target", [
    "//evil.example", "//evil.example/login", "https://evil.example", "https://evil.example/login",
    "/\\evil.example", "\\\\evil.example", "javascript:alert(1)", "evil.example", "",
])
def test_switcher_never_leaves_the_site(client, target):
    response = client.get("/language/fr", query_string={"next": target})
    assert response.status_code == 303
    assert response.headers["Location"] == "/"
    assert _cookie(client) == "fr"  # the choice still counts; only the target is refused


def test_switcher_links_go_back_to_the_page_path_only(client):
    page = client.get("/login?next=/account&_method=POST").get_data(as_text=True)
    assert 'href="/language/nl?next=/login"' in page and 'href="/language/fr?next=/login"' in page
    assert "_method" not in page
    assert 'lang="en" aria-current="true"' in page


def test_switcher_without_next_goes_home(client):
    response = client.get("/language/nl")
    assert (response.status_code, response.headers["Location"]) == (303, "/")


@pytest.mark.parametrize("code", ["de", "xx", "EN", "nl-BE", "..%2F"])
def test_unknown_language_sets_nothing(client, code):
    response = client.get(f"/language/{code}?next=/login")
    assert response.status_code in (303, 404)
    assert "Set-Cookie" not in response.headers or LANGUAGE_COOKIE + "=" not in response.headers["Set-Cookie"]
    assert _cookie(client) is None
    assert _html_lang(client.get("/login")) == "en"


def test_a_forged_cookie_value_is_ignored(client):
    client.set_cookie(LANGUAGE_COOKIE, "de")
    assert _html_lang(client.get("/login", headers={"Accept-Language": "fr"})) == "fr"
    client.set_cookie(LANGUAGE_COOKIE, "<script>")
    assert _html_lang(client.get("/login")) == "en"


@pytest.mark.parametrize(("header", "expected"), [
    ("nl-BE,nl;q=0.9,en;q=0.5", "nl"),
    ("fr-BE, fr;q=0.9", "fr"),
    ("de-DE,fr;q=0.7,nl;q=0.5", "fr"),
    ("de-DE,de;q=0.9", "en"),
    ("", "en"),
])
def test_accept_language_picks_the_language(client, header, expected):
    assert _html_lang(client.get("/login", headers={"Accept-Language": header})) == expected


def test_the_cookie_beats_accept_language(client):
    client.get("/language/fr")
    response = client.get("/login", headers={"Accept-Language": "nl-BE,nl;q=0.9"})
    assert _html_lang(response) == "fr"
    assert "Se connecter" in response.get_data(as_text=True)
    client.get("/language/en")
    response = client.get("/login", headers={"Accept-Language": "nl-BE,nl;q=0.9"})
    assert _html_lang(response) == "en"
    assert "Forgot your password?" in response.get_data(as_text=True)


@pytest.mark.parametrize(("language", "expected", "english"), [
    ("nl", ["Aanmelden", "Wachtwoord vergeten?", "Een account aanmaken", "Wachtwoord", "Aangemeld blijven op dit toestel"],
     ["Forgot your password?", "Create an account", "Keep me signed in on this device"]),
    ("fr", ["Se connecter", "Mot de passe oublié ?", "Créer un compte", "Mot de passe", "Rester connecté sur cet appareil"],
     ["Forgot your password?", "Create an account", "Keep me signed in on this device"]),
])
def test_sign_in_page_is_rendered_in_the_language(client, language, expected, english):
    page = client.get("/login", headers={"Accept-Language": language}).get_data(as_text=True)
    for text in expected:
        assert text in page, text
    for text in english:
        assert text not in page, text


@pytest.mark.parametrize(("language", "message"), [
    ("nl", "Ongeldig e-mailadres of wachtwoord."),
    ("fr", "Adresse e-mail ou mot de passe incorrect."),
])
def test_a_refusal_is_in_the_language_too(client, language, message):
    # A wrong password: the service's refusal and the form's messages are translated as well.
    client.get(f"/language/{language}")
    response = post_form(client, "/login", {"email": "nobody@example.org", "password": "wrong password"})
    assert response.status_code == 401
    assert message in response.get_data(as_text=True)


def test_error_pages_speak_the_language(client):
    response = client.get("/no/such/page/here", headers={"Accept-Language": "nl"})
    assert response.status_code == 404
    page = response.get_data(as_text=True)
    assert "Niet gevonden" in page and "Terug naar de startpagina" in page
    response = client.get("/no/such/page/here", headers={"Accept-Language": "fr", "Accept": "application/json"})
    assert response.get_json()["error"] == "Introuvable"


@pytest.mark.parametrize(("language", "day", "moment"), [
    ("en", "Tuesday 30 March 2027", "Mon 11 Jan 2027, 20:00 (CET)"),
    ("nl", "dinsdag 30 maart 2027", "ma 11 jan 2027, 20:00 (CET)"),
    ("fr", "mardi 30 mars 2027", "lun. 11 janv. 2027, 20:00 (CET)"),
])
def test_dates_are_written_in_the_language(app, language, day, moment):
    with app.test_request_context(headers={"Accept-Language": language}):
        refresh()  # the test's app context is shared: forget the locale of an earlier request
        assert format_day(date(2027, 3, 30), "%A %d %B %Y") == day
        assert format_local(datetime(2027, 1, 11, 19, 0), "Europe/Brussels") == moment
    refresh()


def test_english_dates_are_what_strftime_wrote(app):
    moment = datetime(2027, 9, 6, 8, 5)
    with app.test_request_context():
        refresh()
        for fmt in ("%a %d %b %Y, %H:%M", "%A %d %B %Y", "%d %b %H:%M", "%d %b %Y"):
            assert format_day(moment, fmt) == moment.strftime(fmt)
    refresh()


@pytest.mark.parametrize(("language", "amounts"), [
    ("en", ["€1,234.56", "-€5.00"]),
    ("nl", ["€\xa01.234,56", "€\xa0-5,00"]),
    ("fr", ["1\u202f234,56\xa0€", "-5,00\xa0€"]),
])
def test_amounts_are_written_in_the_language(app, language, amounts):
    with app.test_request_context(headers={"Accept-Language": language}):
        refresh()
        assert [format_money_local(123456, "EUR"), format_money_local(-500, "eur")] == amounts
    refresh()
