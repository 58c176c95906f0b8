"""Privacy notices with versions, and each edition's retention date."""

from __future__ import annotations

from datetime import date, datetime

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column

from convention.core.timeutil import UTCDateTime, utcnow
from convention.editions.models import EditionScoped
from convention.extensions import db

LABEL_MAX = 40  # as registration_settings.privacy_version and orders.consent_version


class PrivacyNotice(EditionScoped, db.Model):
    """One version of an edition's privacy notice. Never edited: a change is a new version.

    A consent names its version by ``label``: ``orders.consent_version`` and
    ``waiting_list_entries.consent_version`` hold the label of the notice the person
    accepted (registration's settings carry the current label, set when a version is
    published here)."""

    __tablename__ = "privacy_notices"

    id: Mapped[int] = mapped_column(primary_key=True)
    version: Mapped[int] = mapped_column()
    label: Mapped[str] = mapped_column(sa.String(LABEL_MAX))
    text: Mapped[str] = mapped_column(sa.Text)
    published_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    published_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id", ondelete="SET NULL"))

    __table_args__ = (
        sa.UniqueConstraint("edition_id", "version"),
        sa.UniqueConstraint("edition_id", "label"),
    )


class PrivacySettings(db.Model):
    """When an edition's attendee data is anonymised (``retention_until``), and when it was."""

    __tablename__ = "privacy_settings"

    edition_id: Mapped[int] = mapped_column(sa.ForeignKey("editions.id", ondelete="CASCADE"), primary_key=True)
    retention_until: Mapped[date | None] = mapped_column(sa.Date)
    anonymised_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
