"""The language saved on the account: it picks the pages' language after the switcher's
choice, and mail to that person is written in it, whoever's request sends it."""

from __future__ import annotations

import pytest

from convention.accounts.services import update_profile
from convention.core.errors import DomainError
from convention.core.i18n import LANGUAGE_COOKIE
from convention.extensions import db
from convention.mail.services import queue_email
from tests.conftest import post_form
from tests.factories import make_user


def test_the_profile_saves_a_language_and_refuses_others(app):
    user = make_user()
    update_profile(user, name=user.name, language="fr")
    assert user.language == "fr"
    update_profile(user, name=user.name, language="")
    assert user.language is None
    with pytest.raises(DomainError) as refused:
        update_profile(user, name=user.name, language="de")
    assert refused.value.field == "language"
    assert user.language is None


def test_the_account_page_saves_the_language_and_the_pages_follow_it(client, auth):
    user = make_user()
    auth.login(user.email)
    response = post_form(
        client, "/account", {"profile-name": user.name, "profile-language": "nl", "profile-submit": "1"},
        follow_redirects=True,
    )
    assert response.status_code == 200
    db.session.refresh(user)
    assert user.language == "nl"
    # No cookie, an English browser: the account's language wins over Accept-Language...
    page = client.get("/account", headers={"Accept-Language": "en"}).get_data(as_text=True)
    assert '<html lang="nl">' in page
    # ...and the switcher's choice on this browser wins over the account's.
    client.set_cookie(LANGUAGE_COOKIE, "fr")
    assert '<html lang="fr">' in client.get("/account").get_data(as_text=True)


def test_a_forged_language_on_the_account_form_is_refused(client, auth):
    user = make_user()
    auth.login(user.email)
    response = post_form(client, "/account", {"profile-name": user.name, "profile-language": "xx<script>",
                                              "profile-submit": "1"})
    assert response.status_code in (200, 422)
    db.session.refresh(user)
    assert user.language is None


def test_mail_is_written_in_the_recipients_saved_language(app):
    french = make_user(email="francoise@example.org")
    update_profile(french, name="Françoise", language="fr")
    db.session.commit()
    context = {"user": french, "minutes": 30, "link": "https://convention.example/reset/x"}
    with app.test_request_context("/", headers={"Accept-Language": "nl"}):
        to_french = queue_email("reset_password", to="Francoise@example.org", context=context)
        to_stranger = queue_email("reset_password", to="nobody@example.org", context=context)
        forced = queue_email("reset_password", to="francoise@example.org", context=context, language="en")
    assert to_french.subject == "Réinitialisez votre mot de passe"
    assert "Bonjour Françoise" in to_french.body_text
    # No account for the address: the language of the request that sends it.
    assert to_stranger.subject == "Stel uw wachtwoord opnieuw in"
    assert forced.subject == "Reset your password"
