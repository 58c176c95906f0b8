"""Two-factor sign-in: TOTP (RFC 6238, authenticator apps) and single-use recovery codes.

The life of it: ``start_setup`` gives the account a new secret (not yet on);
``confirm_setup`` turns it on once the person typed a code their app computed from it,
and returns the recovery codes, shown once; ``verify_second_factor`` checks the code
typed at sign-in (a TOTP code or a recovery code); ``disable_two_factor`` needs a code
too. A TOTP code is accepted for one time step either side of now (clock drift), and
never for a step at or before the last one accepted, so a code seen over a shoulder
cannot be used again. Every change writes its audit entry.
"""

from __future__ import annotations

import hashlib
import secrets
import time
from datetime import UTC, datetime

import pyotp
import sqlalchemy as sa
from flask import current_app
from flask_babel import gettext, lazy_gettext

from convention.accounts.models import RecoveryCode, User
from convention.accounts.services import end_sessions
from convention.audit.services import record_audit
from convention.core.errors import Conflict, DomainError
from convention.core.timeutil import utcnow
from convention.extensions import db

RECOVERY_CODE_COUNT = 10
# Crockford-like alphabet without look-alikes (no 0/O, 1/I/L): read off paper and typed.
RECOVERY_ALPHABET = "23456789abcdefghjkmnpqrstuvwxyz"
RECOVERY_GROUP = 5
DRIFT_STEPS = 1  # codes of the previous and next 30 s are accepted too

CODE_REFUSED = lazy_gettext("That code is not valid. Type the current code from your authenticator app.")


def issuer_name() -> str:
    return current_app.config.get("TOTP_ISSUER") or "Convention"


def provisioning_uri(user: User) -> str:
    """The otpauth:// address an authenticator app reads from the QR code."""
    if not user.totp_secret:
        raise Conflict(gettext("Start the setup of two-factor sign-in first."))
    return pyotp.TOTP(user.totp_secret).provisioning_uri(name=user.email, issuer_name=issuer_name())


def start_setup(user: User) -> str:
    """A new secret for ``user`` (replacing an unfinished one); two-factor is not on yet."""
    if user.two_factor_enabled:
        raise Conflict(gettext("Two-factor sign-in is already on."))
    user.totp_secret = pyotp.random_base32()
    user.totp_last_step = None
    return user.totp_secret


def _normalize(code: str) -> str:
    return "".join((code or "").split()).replace("-", "").lower()


def _accept_totp(user: User, code: str, *, now: float | None = None) -> bool:
    """True, and the step remembered, when ``code`` is the TOTP code of a step near now
    that is later than the last step accepted."""
    if not user.totp_secret or not code.isdigit() or len(code) != 6:
        return False
    totp = pyotp.TOTP(user.totp_secret)
    current = totp.timecode(datetime.fromtimestamp(now if now is not None else time.time(), tz=UTC))
    for step in range(current - DRIFT_STEPS, current + DRIFT_STEPS + 1):
        if secrets.compare_digest(totp.generate_otp(step), code):
            if user.totp_last_step is not None and step <= user.totp_last_step:
                return False  # already used: a replay
            user.totp_last_step = step
            return True
    return False


def _hash_code(code: str) -> str:
    return hashlib.sha256(_normalize(code).encode()).hexdigest()


def new_recovery_code() -> str:
    groups = ("".join(secrets.choice(RECOVERY_ALPHABET) for _ in range(RECOVERY_GROUP)) for _ in range(2))
    return "-".join(groups)


def _replace_recovery_codes(user: User) -> list[str]:
    db.session.execute(sa.delete(RecoveryCode).where(RecoveryCode.user_id == user.id))
    codes = [new_recovery_code() for _ in range(RECOVERY_CODE_COUNT)]
    db.session.add_all(RecoveryCode(user_id=user.id, code_hash=_hash_code(code)) for code in codes)
    db.session.flush()
    return codes


def _use_recovery_code(user: User, code: str) -> bool:
    """Spend one unused recovery code: one conditional UPDATE, so two requests with the
    same code cannot both succeed."""
    normalized = _normalize(code)
    if len(normalized) != 2 * RECOVERY_GROUP:
        return False
    spent = db.session.execute(
        sa.update(RecoveryCode)
        .where(
            RecoveryCode.user_id == user.id,
            RecoveryCode.code_hash == _hash_code(normalized),
            RecoveryCode.used_at.is_(None),
        )
        .values(used_at=utcnow())
        .execution_options(synchronize_session=False)
    )
    if spent.rowcount != 1:
        return False
    record_audit("account.recovery_code_used", actor=user, target=user, data={"left": recovery_codes_left(user)})
    return True


def recovery_codes_left(user: User) -> int:
    return db.session.scalar(
        sa.select(sa.func.count()).where(RecoveryCode.user_id == user.id, RecoveryCode.used_at.is_(None))
    )


def confirm_setup(user: User, code: str, *, now: float | None = None) -> list[str]:
    """Turn two-factor sign-in on with the first code from the app; returns the recovery
    codes (shown once, stored hashed). Every other session of the person ends: those
    were opened without the second factor."""
    if user.two_factor_enabled:
        raise Conflict(gettext("Two-factor sign-in is already on."))
    if not user.totp_secret:
        raise Conflict(gettext("Start the setup of two-factor sign-in first."))
    if not _accept_totp(user, _normalize(code), now=now):
        raise DomainError(CODE_REFUSED, field="code")
    user.totp_enabled_at = utcnow()
    codes = _replace_recovery_codes(user)
    end_sessions(user)
    record_audit("account.two_factor_enabled", actor=user, target=user)
    return codes


def verify_second_factor(user: User, code: str, *, now: float | None = None) -> str:
    """Check the code typed at sign-in: "totp" or "recovery" for the kind accepted, or a
    refusal (the same for a wrong, an old and a reused code)."""
    if not user.two_factor_enabled:
        raise Conflict(gettext("Two-factor sign-in is not on for this account."))
    normalized = _normalize(code)
    if _accept_totp(user, normalized, now=now):
        return "totp"
    if _use_recovery_code(user, normalized):
        return "recovery"
    raise DomainError(CODE_REFUSED, field="code")


def disable_two_factor(user: User, code: str, *, now: float | None = None) -> None:
    """Turn two-factor sign-in off; needs a current code (or a recovery code)."""
    verify_second_factor(user, code, now=now)
    user.totp_secret = None
    user.totp_enabled_at = None
    user.totp_last_step = None
    db.session.execute(sa.delete(RecoveryCode).where(RecoveryCode.user_id == user.id))
    record_audit("account.two_factor_disabled", actor=user, target=user)


def regenerate_recovery_codes(user: User, code: str, *, now: float | None = None) -> list[str]:
    """New recovery codes (the old ones stop working); needs a current code."""
    verify_second_factor(user, code, now=now)
    codes = _replace_recovery_codes(user)
    record_audit("account.recovery_codes_replaced", actor=user, target=user)
    return codes


def two_factor_required(user: User) -> bool:
    """Whether ``user`` must turn two-factor sign-in on before organizer and admin pages
    (the areas decide who is an organizer; this answers for the setting and the account)."""
    return bool(current_app.config.get("REQUIRE_ORGANIZER_2FA", True)) and not user.two_factor_enabled


def sign_out_everywhere(user: User) -> None:
    """End every session of ``user`` (the caller signs the current one in again)."""
    end_sessions(user)
    record_audit("account.sign_out_everywhere", actor=user, target=user)
