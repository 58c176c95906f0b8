"""The edition's ticket signing keys.

Each key pair is Ed25519; the public key is stored as its 32 raw bytes, the private key
encrypted at rest with AES-GCM under a key derived from SECRET_KEY (``keys.py``). An
edition signs with its newest unrevoked key; older keys still verify until revoked.
"""

from __future__ import annotations

from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column

from convention.core.timeutil import UTCDateTime, utcnow
from convention.editions.models import EditionScoped
from convention.extensions import db


class TicketKey(EditionScoped, db.Model):
    __tablename__ = "ticket_keys"

    id: Mapped[int] = mapped_column(primary_key=True)  # the key id written into every code
    public_key: Mapped[bytes] = mapped_column(sa.LargeBinary(32))
    private_key_sealed: Mapped[bytes] = mapped_column(sa.LargeBinary(128))  # nonce + AES-GCM ciphertext
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    revoked_at: Mapped[datetime | None] = mapped_column(UTCDateTime())

    def __repr__(self) -> str:
        return f"<TicketKey {self.id} edition={self.edition_id}{' revoked' if self.revoked_at else ''}>"
