"""Command-line contracts: `flask users create-admin` and `flask demo` (safe to run twice)."""

from __future__ import annotations

import sqlalchemy as sa

from convention.accounts.models import User
from convention.audit.models import AuditEntry
from convention.demo import DEMO_PEOPLE
from convention.editions.models import Edition, EditionRole, Role, Room, SessionFormat, Theme
from convention.extensions import db as _db
from tests.conftest import Auth
from tests.factories import make_user

ADMIN = ["users", "create-admin", "--email", " Ada@Example.org", "--name", "Ada Admin", "--password",
         "a long admin passphrase"]


def _users(db):
    db.session.expire_all()
    return db.session.scalars(sa.select(User).order_by(User.id)).all()


def test_create_admin_creates_confirmed_admin_who_can_sign_in(runner, db, client):
    result = runner.invoke(args=ADMIN)
    assert result.exit_code == 0, result.output
    assert result.output == "Created site admin ada@example.org.\n"
    (user,) = _users(db)
    assert (user.email, user.name, user.is_admin, user.email_confirmed) == ("ada@example.org", "Ada Admin", True, True)
    assert Auth(client).login("ada@example.org", "a long admin passphrase").status_code == 302
    assert client.get("/admin/outbox/").status_code == 200


def test_create_admin_twice_changes_nothing(runner, db):
    runner.invoke(args=ADMIN)
    before = [(u.id, u.password_hash, u.session_token) for u in _users(db)]
    audits = db.session.scalar(sa.select(sa.func.count(AuditEntry.id)))
    result = runner.invoke(args=[*ADMIN[:-1], "a different passphrase"])
    assert result.exit_code == 0
    assert result.output == "ada@example.org is already a site admin; nothing changed.\n"
    assert [(u.id, u.password_hash, u.session_token) for u in _users(db)] == before
    assert db.session.scalar(sa.select(sa.func.count(AuditEntry.id))) == audits


def test_create_admin_promotes_confirmed_account_and_keeps_its_password(runner, db, client):
    existing = make_user(email="ada@example.org", name="Ada")
    result = runner.invoke(args=ADMIN)
    assert result.output == "ada@example.org is now a site admin.\n"
    (user,) = _users(db)
    assert (user.id, user.is_admin, user.password_hash) == (existing.id, True, existing.password_hash)
    assert db.session.scalar(sa.select(AuditEntry.action).where(AuditEntry.action == "account.make_admin"))


def test_create_admin_takes_over_unconfirmed_account(runner, db, app):
    # Someone signed up with the admin's address before the admin did: their password
    # and sessions must not survive the promotion.
    squatter_hash = make_user(email="ada@example.org", name="Squatter", confirmed=False).password_hash
    squatter_client = app.test_client()
    Auth(squatter_client).login("ada@example.org")
    result = runner.invoke(args=ADMIN)
    assert result.output == "ada@example.org is now a site admin.\n"
    (user,) = _users(db)
    assert user.is_admin and user.email_confirmed
    assert user.password_hash != squatter_hash
    assert squatter_client.get("/account").status_code == 302
    assert Auth(app.test_client()).login("ada@example.org").status_code == 401


def test_create_admin_weak_password_fails_cleanly(runner, db):
    result = runner.invoke(args=[*ADMIN[:-1], "short"])
    assert result.exit_code == 1
    assert "Error: Use at least 10 characters." in result.output
    assert _users(db) == []


def test_create_admin_prompts_for_missing_options(runner, db):
    result = runner.invoke(args=["users", "create-admin"],
                           input="ada@example.org\nAda Admin\na long admin passphrase\na long admin passphrase\n")
    assert result.exit_code == 0, result.output
    assert "Created site admin ada@example.org." in result.output
    assert [u.email for u in _users(db)] == ["ada@example.org"]


def _counts():
    return {name: _db.session.scalar(sa.select(sa.func.count()).select_from(table))
            for name, table in _db.metadata.tables.items()}


def test_demo_seeds_believable_edition_and_prints_logins(runner, db):
    result = runner.invoke(args=["demo", "--no-migrate"])
    assert result.exit_code == 0, result.output
    lines = result.output.splitlines()
    assert lines[0] == "Demo edition created at /demo/."
    for _role, _key, _name, email, password in DEMO_PEOPLE:
        assert any(email in line and password in line for line in lines), email
    edition = db.session.scalar(sa.select(Edition).where(Edition.slug == "demo"))
    assert edition.timezone == "Europe/Brussels"
    assert edition.cfp_is_open()
    assert db.session.scalar(sa.select(sa.func.count(Theme.id))) == 6
    assert db.session.scalar(sa.select(sa.func.count(SessionFormat.id))) == 5
    assert [r.name for r in db.session.scalars(sa.select(Room).order_by(Room.position))] == [
        "Auditorium", "Room Leuven", "Room Gent", "Workshop lab"]
    roles = sorted((g.user.email, g.role.value) for g in db.session.scalars(sa.select(EditionRole)))
    assert [r for r in roles if r[1] != "reviewer"] == [("organizer@demo.example", "organizer"),
                                                         ("staff@demo.example", "checkin")]
    assert len([r for r in roles if r[1] == Role.REVIEWER.value]) == 3
    assert all(u.email_confirmed for u in _users(db))
    assert [u.email for u in _users(db) if u.is_admin] == ["admin@demo.example"]


def test_demo_second_run_changes_nothing(runner, db):
    runner.invoke(args=["demo", "--no-migrate"])
    before = _counts()
    result = runner.invoke(args=["demo", "--no-migrate"])
    assert result.exit_code == 0
    assert result.output.splitlines()[0] == "The demo edition is already there."
    assert _counts() == before


def test_demo_logins_work(runner, client):
    runner.invoke(args=["demo", "--no-migrate"])
    assert Auth(client).login("organizer@demo.example", "demo-pass-olivia-2026").status_code == 302
    assert client.get("/demo/manage/").status_code == 200


def test_demo_edition_speaks_dutch_and_french(runner, client):
    runner.invoke(args=["demo", "--no-migrate"])
    client.set_cookie("language", "nl")
    dutch = client.get("/demo/cfp/").get_data(as_text=True)
    assert "Cyberbeveiligingscongres" in dutch and "Dreigingsinformatie" in dutch and "op de harde manier" in dutch
    client.set_cookie("language", "fr")
    french = client.get("/demo/").get_data(as_text=True)
    assert "Congrès de cybersécurité" in french and "Sécurité des PME" in french
    # Compliance has no French name in the demo: English.
    assert "Compliance: GDPR, NIS2 and the Cybersecurity Act" in french
