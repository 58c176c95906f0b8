"""Two-factor sign-in, the rules (convention/accounts/two_factor.py): setup, codes,
replays refused, recovery codes single-use and stored hashed, turning it off."""

from __future__ import annotations

import hashlib
import time

import pyotp
import pytest
import sqlalchemy as sa

from convention.accounts import two_factor
from convention.accounts.models import RecoveryCode
from convention.audit.models import AuditEntry
from convention.core.errors import Conflict, DomainError
from convention.extensions import db
from tests.factories import make_user

NOW = 1_900_000_000.0  # a fixed moment: a step of 30 s starts here (divisible by 30)


def _code(secret: str, at: float = NOW) -> str:
    return pyotp.TOTP(secret).at(int(at))


def _actions(user) -> list[str]:
    return list(
        db.session.scalars(
            sa.select(AuditEntry.action).where(AuditEntry.object_id == str(user.id)).order_by(AuditEntry.id)
        )
    )


def _enabled_user():
    user = make_user()
    secret = two_factor.start_setup(user)
    codes = two_factor.confirm_setup(user, _code(secret), now=NOW)
    db.session.commit()
    return user, secret, codes


def test_setup_is_off_until_a_code_from_the_secret_confirms_it():
    user = make_user()
    secret = two_factor.start_setup(user)
    assert len(secret) == 32 and not user.two_factor_enabled
    with pytest.raises(DomainError) as refused:
        two_factor.confirm_setup(user, "000000" if _code(secret) != "000000" else "111111", now=NOW)
    assert refused.value.field == "code" and not user.two_factor_enabled
    codes = two_factor.confirm_setup(user, _code(secret), now=NOW)
    assert user.two_factor_enabled
    assert len(codes) == 10 and len(set(codes)) == 10
    assert "account.two_factor_enabled" in _actions(user)


def test_provisioning_uri_names_the_issuer_and_the_account():
    user = make_user(email="olivia@example.org")
    secret = two_factor.start_setup(user)
    uri = two_factor.provisioning_uri(user)
    assert uri.startswith("otpauth://totp/") and f"secret={secret}" in uri and "olivia%40example.org" in uri


def test_confirming_ends_the_other_sessions():
    user = make_user()
    before = user.session_token
    secret = two_factor.start_setup(user)
    two_factor.confirm_setup(user, _code(secret), now=NOW)
    assert user.session_token != before


def test_recovery_codes_are_stored_hashed_never_in_clear():
    user, _secret, codes = _enabled_user()
    stored = set(db.session.scalars(sa.select(RecoveryCode.code_hash).where(RecoveryCode.user_id == user.id)))
    assert stored == {hashlib.sha256(code.replace("-", "").encode()).hexdigest() for code in codes}
    assert not any(code in value for code in codes for value in stored)


def test_a_code_of_the_previous_or_next_step_is_accepted_but_not_two_away():
    user, secret, _codes = _enabled_user()
    assert two_factor.verify_second_factor(user, _code(secret, NOW + 30), now=NOW) == "totp"
    with pytest.raises(DomainError):
        two_factor.verify_second_factor(user, _code(secret, NOW + 90), now=NOW)


def test_a_code_cannot_be_used_twice_nor_an_older_one_after_it():
    user, secret, _codes = _enabled_user()
    # confirm_setup used the code of NOW's step: it cannot sign in.
    with pytest.raises(DomainError):
        two_factor.verify_second_factor(user, _code(secret, NOW), now=NOW)
    assert two_factor.verify_second_factor(user, _code(secret, NOW + 30), now=NOW + 30) == "totp"
    with pytest.raises(DomainError):
        two_factor.verify_second_factor(user, _code(secret, NOW + 30), now=NOW + 30)
    with pytest.raises(DomainError):  # the previous step is within the drift window, but older
        two_factor.verify_second_factor(user, _code(secret, NOW), now=NOW + 30)


def test_wrong_codes_are_refused():
    user, secret, _codes = _enabled_user()
    wrong = f"{(int(_code(secret, NOW + 30)) + 1) % 1_000_000:06d}"
    for typed in (wrong, "", "abcdef", "12345", "1234567"):
        with pytest.raises(DomainError):
            two_factor.verify_second_factor(user, typed, now=NOW + 30)


def test_recovery_codes_work_once_each_with_their_audit_entry():
    user, _secret, codes = _enabled_user()
    assert two_factor.verify_second_factor(user, codes[0].upper(), now=NOW) == "recovery"
    assert two_factor.recovery_codes_left(user) == 9
    with pytest.raises(DomainError):
        two_factor.verify_second_factor(user, codes[0], now=NOW)
    assert two_factor.verify_second_factor(user, " " + codes[1].replace("-", "") + " ", now=NOW) == "recovery"
    assert _actions(user).count("account.recovery_code_used") == 2


def test_another_persons_recovery_code_is_refused():
    user, _secret, _codes = _enabled_user()
    _other, _other_secret, other_codes = _enabled_user()
    with pytest.raises(DomainError):
        two_factor.verify_second_factor(user, other_codes[0], now=NOW)


def test_disabling_needs_a_code_and_removes_secret_and_recovery_codes():
    user, secret, codes = _enabled_user()
    with pytest.raises(DomainError):
        two_factor.disable_two_factor(user, "not a code", now=NOW + 30)
    assert user.two_factor_enabled
    two_factor.disable_two_factor(user, _code(secret, NOW + 30), now=NOW + 30)
    db.session.commit()
    assert not user.two_factor_enabled and user.totp_secret is None
    assert db.session.scalar(sa.select(sa.func.count()).select_from(RecoveryCode)) == 0
    assert _actions(user)[-1] == "account.two_factor_disabled"
    with pytest.raises(Conflict):
        two_factor.verify_second_factor(user, codes[2], now=NOW)


def test_new_recovery_codes_replace_the_old_ones():
    user, secret, codes = _enabled_user()
    fresh = two_factor.regenerate_recovery_codes(user, _code(secret, NOW + 30), now=NOW + 30)
    assert set(fresh).isdisjoint(codes)
    with pytest.raises(DomainError):
        two_factor.verify_second_factor(user, codes[3], now=NOW + 60)
    assert two_factor.verify_second_factor(user, fresh[3], now=NOW + 60) == "recovery"


def test_setup_cannot_restart_once_on():
    user, _secret, _codes = _enabled_user()
    with pytest.raises(Conflict):
        two_factor.start_setup(user)


def test_the_real_clock_is_used_without_now():
    user = make_user()
    secret = two_factor.start_setup(user)
    two_factor.confirm_setup(user, pyotp.TOTP(secret).at(int(time.time())))
    assert user.two_factor_enabled


def test_sign_out_everywhere_changes_the_session_token_and_is_audited():
    user = make_user()
    before = user.session_token
    two_factor.sign_out_everywhere(user)
    assert user.session_token != before
    assert _actions(user)[-1] == "account.sign_out_everywhere"


def test_the_secret_is_sealed_at_rest_and_bound_to_its_account(app):
    user, secret, _codes = _enabled_user()
    stored = db.session.execute(sa.text("select totp_secret_sealed from users where id = :id"), {"id": user.id}).scalar_one()
    assert secret.encode() not in bytes(stored)
    assert user.totp_secret == secret
    other = make_user()
    other.totp_secret_sealed = bytes(stored)  # copied onto another row: does not open there
    assert other.totp_secret is None


def test_a_secret_sealed_under_another_secret_key_does_not_open(app):
    user, secret, _codes = _enabled_user()
    original = app.config["SECRET_KEY"]
    app.config["SECRET_KEY"] = "another-secret-key-that-is-long-enough-9876543210"
    try:
        assert user.totp_secret is None
        with pytest.raises(DomainError):
            two_factor.verify_second_factor(user, _code(secret, NOW + 60), now=NOW + 60)
    finally:
        app.config["SECRET_KEY"] = original
    assert two_factor.verify_second_factor(user, _code(secret, NOW + 60), now=NOW + 60) == "totp"
