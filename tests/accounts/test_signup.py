"""Sign-up: validation, normalisation, and names shown escaped everywhere."""

from __future__ import annotations

import pytest
import sqlalchemy as sa

from convention.accounts.models import User
from convention.editions.models import Role
from convention.mail.models import OutboxMessage
from tests.conftest import Auth, post_form
from tests.factories import give_role, make_edition, make_user

GOOD = {"name": "Ada Lovelace", "email": "ada@example.org", "password": "analytical engine 1843",
        "confirm": "analytical engine 1843"}


def _signup(client, **changes):
    return post_form(client, "/signup", {**GOOD, **changes})


def _user_count(db) -> int:
    return db.session.scalar(sa.select(sa.func.count(User.id)))


SIGNED_UP = "Thank you. We sent an email to that address: follow its link to confirm it, then sign in here."


def test_signup_valid_creates_account_and_queues_confirmation(client, db):
    response = _signup(client)
    assert response.status_code == 302
    assert response.headers["Location"] == "/login"
    assert SIGNED_UP in client.get("/login").get_data(as_text=True)
    user = db.session.scalar(sa.select(User))
    assert (user.name, user.email, user.email_confirmed, user.is_admin) == (
        "Ada Lovelace", "ada@example.org", False, False)
    assert user.password_hash.startswith("$argon2id$")
    messages = db.session.scalars(sa.select(OutboxMessage)).all()
    assert [(m.template, m.recipient, m.subject) for m in messages] == [
        ("confirm_email", "ada@example.org", "Confirm your email address")]
    # Not signed in: a known address could not be, and both must answer alike.
    assert client.get("/account").status_code == 302
    assert Auth(client).login("ada@example.org", GOOD["password"]).status_code == 302
    assert client.get("/account").status_code == 200


def test_signup_keeps_a_safe_next_for_the_sign_in_page(client, db):
    response = post_form(client, "/signup?next=/cfp-test/cfp/submit", GOOD)
    assert response.headers["Location"] == "/login?next=/cfp-test/cfp/submit"
    evil = post_form(client, "/signup?next=//evil.example", {**GOOD, "email": "other@example.org"})
    assert evil.headers["Location"] == "/login"


def test_signup_email_is_stored_trimmed_and_lowercase(client, db):
    assert _signup(client, email="  Ada@Example.ORG ").status_code == 302
    assert db.session.scalar(sa.select(User.email)) == "ada@example.org"


@pytest.mark.parametrize("email", ["ada@example.org", "ADA@example.org", "  Ada@Example.Org  "])
def test_signup_known_address_answers_the_same_and_tells_the_owner(app, client, db, email):
    owner = make_user(name="Ada Owner", email="ada@example.org")
    hash_before = owner.password_hash
    known = _signup(client, email=email)
    fresh = _signup(app.test_client(), email="new@example.org")
    assert (known.status_code, known.headers["Location"]) == (fresh.status_code, fresh.headers["Location"]) == (
        302, "/login")
    assert SIGNED_UP in client.get("/login").get_data(as_text=True)
    assert "already" not in client.get("/login").get_data(as_text=True)
    assert _user_count(db) == 2
    db.session.expire_all()
    assert (db.session.get(User, owner.id).name, db.session.get(User, owner.id).password_hash) == (
        "Ada Owner", hash_before)
    mails = db.session.scalars(sa.select(OutboxMessage).order_by(OutboxMessage.id)).all()
    assert [(m.template, m.recipient, m.subject) for m in mails] == [
        ("account_exists", "ada@example.org", "Your account already exists"),
        ("confirm_email", "new@example.org", "Confirm your email address")]
    assert "Hello Ada Owner," in mails[0].body_text
    assert "http://127.0.0.1:5000/login\n" in mails[0].body_text
    assert "http://127.0.0.1:5000/forgot-password\n" in mails[0].body_text
    assert client.get("/account").status_code == 302  # nobody signed in as the owner


def test_signup_known_address_with_a_bad_password_shows_the_same_form_errors(client, db):
    make_user(email="ada@example.org")
    known = _signup(client, password="short1", confirm="short1")
    assert known.status_code == 422
    assert "Use at least 10 characters." in known.get_data(as_text=True)
    assert db.session.scalar(sa.select(sa.func.count(OutboxMessage.id))) == 0


@pytest.mark.parametrize(
    ("changes", "message"),
    [
        ({"password": "", "confirm": ""}, "Please choose a password."),
        ({"password": "short1", "confirm": "short1"}, "Use at least 10 characters."),
        ({"password": "password123", "confirm": "password123"}, "This password is too easy to guess."),
        ({"password": "aaaaaaaaaaaa", "confirm": "aaaaaaaaaaaa"}, "This password is too easy to guess."),
        ({"password": "ada-rocks-2026", "confirm": "ada-rocks-2026", "email": "ada-rocks@example.org"},
         "Do not use your email address in your password."),
        ({"confirm": "something else entirely"}, "The passwords differ."),
        ({"name": ""}, "Please enter your name."),
        ({"name": "   "}, "Please enter your name."),
        ({"name": "x" * 121}, "Names are limited to 120 characters."),
        ({"name": "Eve\u202eevil"}, "Your name contains characters that cannot be shown."),
        ({"email": ""}, "Please enter your email address."),
        ({"email": "not-an-address"}, "This is not a valid email address."),
        ({"email": "a" * 250 + "@example.org"}, "Field cannot be longer than 254 characters."),
    ],
)
def test_signup_invalid_input_shows_message_and_creates_nothing(client, db, changes, message):
    response = _signup(client, **changes)
    assert response.status_code == 422
    assert message in response.get_data(as_text=True)
    assert _user_count(db) == 0
    assert db.session.scalar(sa.select(sa.func.count(OutboxMessage.id))) == 0
    assert client.get("/account").status_code == 302  # not signed in


def test_signup_name_of_exactly_120_characters_is_accepted(client, db):
    assert _signup(client, name="y" * 120).status_code == 302
    assert db.session.scalar(sa.select(User.name)) == "y" * 120


@pytest.mark.parametrize("name", ["Zoë Ó Súilleabháin", "李小龍", "محمد‌رضا شجریان", "Ñandú  Ärger"])
def test_signup_unicode_names_are_accepted(client, db, name):
    assert _signup(client, name=name).status_code == 302
    assert db.session.scalar(sa.select(User.name)) == " ".join(name.split())
    Auth(client).login(GOOD["email"], GOOD["password"])
    assert " ".join(name.split()) in client.get("/account").get_data(as_text=True)


def test_signup_without_csrf_token_is_refused_and_creates_nothing(client, db):
    response = client.post("/signup", data=GOOD)
    assert response.status_code == 400
    body = response.get_data(as_text=True)
    assert "The form had expired or was not sent from this site." in body
    assert 'class="error-code"' in body
    assert _user_count(db) == 0


def test_signup_nul_character_refused_with_400(client, db):
    response = _signup(client, name="Ada\x00Lovelace")
    assert response.status_code == 400
    assert "not allowed (NUL)" in response.get_data(as_text=True)
    assert _user_count(db) == 0


HOSTILE = '<script>alert("x")</script><b>Bold</b>'
ESCAPED = "&lt;script&gt;alert(&#34;x&#34;)&lt;/script&gt;&lt;b&gt;Bold&lt;/b&gt;"


def test_signup_html_in_name_is_stored_as_typed_and_shown_escaped(client, auth, db):
    assert _signup(client, name=HOSTILE).status_code == 302
    auth.login(GOOD["email"], GOOD["password"])
    user = db.session.scalar(sa.select(User))
    assert user.name == HOSTILE
    edition = make_edition()
    give_role(edition, user, Role.REVIEWER)
    organizer = make_user(name="Olga Organizer")
    give_role(edition, organizer, Role.ORGANIZER)

    for url in ("/account", "/"):  # profile form value and the navigation bar
        body = client.get(url).get_data(as_text=True)
        assert HOSTILE not in body
        assert "<script>alert" not in body
        assert ESCAPED in body

    auth.logout()
    auth.login(organizer.email)
    team_page = client.get(f"/{edition.slug}/manage/team").get_data(as_text=True)
    assert "<script>alert" not in team_page
    assert ESCAPED in team_page


def test_signup_shows_every_mistake_at_once(client, db):
    response = _signup(client, email="nope", password="short", confirm="other")
    body = response.get_data(as_text=True)
    assert response.status_code == 422
    for message in ("This is not a valid email address.", "Use at least 10 characters.", "The passwords differ."):
        assert message in body
    assert body.count("Use at least 10 characters.") == 1
