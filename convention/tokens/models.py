"""An edition's API tokens. Only a hash of each secret is stored (see ``services.py``)."""

from __future__ import annotations

import enum
from datetime import datetime

import sqlalchemy as sa
from flask_babel import lazy_gettext
from sqlalchemy.orm import Mapped, mapped_column

from convention.core.timeutil import UTCDateTime, utcnow
from convention.editions.models import EditionScoped
from convention.extensions import db


class TokenScope(enum.StrEnum):
    """What a token may do; one scope per token (a door device does not read orders)."""

    CHECKIN = "checkin"
    SCHEDULE_READ = "schedule:read"
    ORDERS_READ = "orders:read"


SCOPE_LABELS = {
    TokenScope.CHECKIN: lazy_gettext("Check-in (scan API, offline scanning)"),
    TokenScope.SCHEDULE_READ: lazy_gettext("Read the schedule"),
    TokenScope.ORDERS_READ: lazy_gettext("Read orders"),
}


class ApiToken(EditionScoped, db.Model):
    __tablename__ = "api_tokens"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(sa.String(60))  # the device or client, logged with each scan
    scope: Mapped[str] = mapped_column(sa.String(20))  # a TokenScope value
    # sha256 of the whole secret, hex: what a bearer's token is looked up by.
    token_hash: Mapped[str] = mapped_column(sa.String(64), unique=True)
    prefix: Mapped[str] = mapped_column(sa.String(16))  # the secret's first characters, shown to tell tokens apart
    created_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id", ondelete="SET NULL"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    revoked_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    last_used_at: Mapped[datetime | None] = mapped_column(UTCDateTime())

    @property
    def is_active(self) -> bool:
        return self.revoked_at is None

    def __repr__(self) -> str:
        return f"<ApiToken {self.prefix}… {self.scope} edition={self.edition_id}>"
