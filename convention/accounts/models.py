from __future__ import annotations

import secrets
from datetime import datetime

import sqlalchemy as sa
from flask_login import UserMixin
from sqlalchemy.orm import Mapped, mapped_column

from convention.core.sealing import SealBroken, seal, unseal
from convention.core.timeutil import UTCDateTime, utcnow
from convention.extensions import db

NAME_MAX = 120
TOTP_PURPOSE = b"convention totp secrets"
EMAIL_MAX = 254


class User(UserMixin, db.Model):
    __tablename__ = "users"

    id: Mapped[int] = mapped_column(primary_key=True)
    email: Mapped[str] = mapped_column(sa.String(EMAIL_MAX), unique=True)
    name: Mapped[str] = mapped_column(sa.String(NAME_MAX))
    password_hash: Mapped[str] = mapped_column(sa.String(255))
    is_admin: Mapped[bool] = mapped_column(default=False, server_default=sa.false())
    email_confirmed_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    # Rotated on password change: the login cookie carries it, so old sessions end.
    session_token: Mapped[str] = mapped_column(
        sa.String(64), default=lambda: secrets.token_urlsafe(24)
    )
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    last_login_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    # The interface and mail language the person chose ("en", "nl", "fr"); None: the browser's.
    language: Mapped[str | None] = mapped_column(sa.String(8))
    # Two-factor sign-in (accounts/two_factor.py): the TOTP secret (base32) while being
    # set up and once on, sealed at rest (core/sealing.py: a copy of the database alone
    # does not give away the second factor); on from totp_enabled_at; the last time step a
    # code was accepted for, so one code cannot sign in twice.
    totp_secret_sealed: Mapped[bytes | None] = mapped_column(sa.LargeBinary())
    totp_enabled_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    totp_last_step: Mapped[int | None] = mapped_column(sa.BigInteger())

    def get_id(self) -> str:
        return f"{self.id}:{self.session_token}"

    @property
    def totp_secret(self) -> str | None:
        """The TOTP secret in clear; None when there is none or it cannot be opened (sealed
        under another SECRET_KEY: the person signs in with a recovery code)."""
        if self.totp_secret_sealed is None:
            return None
        try:
            return unseal(self.totp_secret_sealed, purpose=TOTP_PURPOSE, associated=self._seal_binding()).decode()
        except SealBroken:
            return None

    @totp_secret.setter
    def totp_secret(self, secret: str | None) -> None:
        self.totp_secret_sealed = (
            None if secret is None else seal(secret.encode(), purpose=TOTP_PURPOSE, associated=self._seal_binding())
        )

    def _seal_binding(self) -> bytes:
        # Bound to the row: a sealed secret copied onto another account does not open.
        if self.id is None:
            raise ValueError("an account gets a TOTP secret once it is stored")
        return b"users:%d" % self.id

    @property
    def two_factor_enabled(self) -> bool:
        return self.totp_enabled_at is not None

    @property
    def email_confirmed(self) -> bool:
        return self.email_confirmed_at is not None

    def __repr__(self) -> str:
        return f"<User {self.id} {self.email}>"


class RecoveryCode(db.Model):
    """One single-use recovery code of a person's two-factor sign-in, stored as the SHA-256
    of the code (the codes are random, 50 bits each, so a plain hash is enough)."""

    __tablename__ = "account_recovery_codes"

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(sa.ForeignKey("users.id", ondelete="CASCADE"), index=True)
    code_hash: Mapped[str] = mapped_column(sa.String(64))
    used_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
