"""Password hashing parameters and strength rules."""

from __future__ import annotations

import pytest
import sqlalchemy as sa

from convention.accounts.models import User
from convention.accounts.passwords import hash_password, needs_rehash, password_problems, verify_password
from tests.factories import PASSWORD, make_user


@pytest.fixture
def default_argon2(app):
    saved = app.config.pop("ARGON2_PARAMETERS")
    yield
    app.config["ARGON2_PARAMETERS"] = saved


OWASP_PREFIX = "$argon2id$v=19$m=19456,t=2,p=1$"


def test_production_hash_is_argon2id_with_owasp_parameters(default_argon2):
    hashed = hash_password("a good long passphrase")
    assert hashed.startswith(OWASP_PREFIX)
    assert verify_password(hashed, "a good long passphrase")
    assert not verify_password(hashed, "a good long passphrasE")
    assert not needs_rehash(hashed)


def test_verify_password_garbage_hash_is_false_not_an_error():
    assert verify_password("not a hash", "whatever") is False


def test_login_rehashes_a_password_made_with_weaker_parameters(client, auth, db, default_argon2, app):
    app.config["ARGON2_PARAMETERS"] = {"time_cost": 1, "memory_cost": 1024, "parallelism": 1}
    user = make_user(email="old@example.org")
    app.config.pop("ARGON2_PARAMETERS")
    assert auth.login("old@example.org").status_code == 302
    db.session.expire_all()
    assert db.session.get(User, user.id).password_hash.startswith(OWASP_PREFIX)
    assert db.session.scalar(sa.select(sa.func.count(User.id))) == 1
    auth.logout()
    assert auth.login("old@example.org", PASSWORD).status_code == 302


def test_login_rehashes_a_password_made_with_the_old_library_defaults(client, auth, db, default_argon2, app):
    # The parameters changed the other way (64 MiB, t=3, p=4 before): still rehashed.
    app.config["ARGON2_PARAMETERS"] = {"time_cost": 3, "memory_cost": 65536, "parallelism": 4}
    user = make_user(email="old@example.org")
    app.config.pop("ARGON2_PARAMETERS")
    assert auth.login("old@example.org").status_code == 302
    db.session.expire_all()
    assert db.session.get(User, user.id).password_hash.startswith(OWASP_PREFIX)
    auth.logout()
    assert auth.login("old@example.org", PASSWORD).status_code == 302


def test_login_keeps_a_hash_made_with_the_current_parameters(client, auth, db, app):
    user = make_user(email="same@example.org")
    before = user.password_hash
    assert auth.login("same@example.org").status_code == 302
    db.session.expire_all()
    assert db.session.get(User, user.id).password_hash == before
    auth.logout()
    assert auth.login("same@example.org", PASSWORD).status_code == 302


def test_a_failed_login_does_not_rehash(client, auth, db, default_argon2, app):
    app.config["ARGON2_PARAMETERS"] = {"time_cost": 1, "memory_cost": 1024, "parallelism": 1}
    user = make_user(email="old@example.org")
    before = user.password_hash
    app.config.pop("ARGON2_PARAMETERS")
    auth.login("old@example.org", "not the password at all")
    db.session.expire_all()
    assert db.session.get(User, user.id).password_hash == before


@pytest.mark.parametrize(
    ("password", "problems"),
    [
        ("correct horse battery", []),
        ("short", ["Use at least 10 characters."]),
        ("0123456789", ["This password is too easy to guess."]),
        ("abababababab", ["This password is too easy to guess."]),
        ("x" * 257, ["Use at most 256 characters.", "This password is too easy to guess."]),
        ("zoe.martin-2026!", ["Do not use your email address in your password."]),
    ],
)
def test_password_problems(password, problems):
    assert password_problems(password, email="zoe.martin@example.org") == problems


def test_password_checks_leave_no_argon2_buffer_resident():
    """Each check takes 19 MiB; a worker that has checked passwords must not keep them
    (glibc would, from the second check on, without passwords.give_hash_memory_back)."""
    import subprocess
    import sys

    code = (
        "from convention.accounts import passwords\n"
        "def rss():\n"
        "    return next(int(l.split()[1]) for l in open('/proc/self/status') if l.startswith('VmRSS'))\n"
        "before = rss()\n"
        "hashed = passwords.hash_password('plum tractor velvet 8841')\n"  # default parameters: no app
        "for _ in range(3):  # and the dummy hash made with the hasher: five in all\n"
        "    assert passwords.verify_password(hashed, 'plum tractor velvet 8841')\n"
        "print(rss() - before)\n"
    )
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    grown_kib = int(done.stdout.strip().splitlines()[-1])
    assert grown_kib < 8 * 1024, f"RSS grew by {grown_kib} KiB over five hashes"
