from __future__ import annotations

import enum
from datetime import date, datetime

import sqlalchemy as sa
from flask_babel import lazy_gettext
from sqlalchemy.orm import Mapped, mapped_column, relationship

from convention.core.timeutil import DEFAULT_TIMEZONE, UTCDateTime, utcnow
from convention.extensions import db


class Role(enum.StrEnum):
    """Per-edition roles. Speakers and attendees are whoever submits or registers."""

    ORGANIZER = "organizer"
    REVIEWER = "reviewer"
    CHECKIN = "checkin"

    @property
    def label(self):
        """The role's name for people, in the interface language (lazy: form choices
        are built at import time)."""
        return ROLE_LABELS[self.value]


ROLE_LABELS = {
    "organizer": lazy_gettext("Organizer"),
    "reviewer": lazy_gettext("Committee member"),
    "checkin": lazy_gettext("Check-in staff"),
}


class EditionScoped:
    """Mixin for a row that belongs to one edition (deleted with it, indexed for the
    edition's lists): ``class Theme(EditionScoped, db.Model)``. Declares ``edition_id``
    only; each model keeps its own ``edition`` relationship, if it needs one."""

    edition_id: Mapped[int] = mapped_column(sa.ForeignKey("editions.id", ondelete="CASCADE"), index=True)


class Positioned:
    """Mixin for a row that organizers put in order (lower first; ties by id)."""

    position: Mapped[int] = mapped_column(default=0, server_default="0")


class Translatable:
    """Mixin for a row whose texts organizers may also write in Dutch and French:
    ``translations`` holds ``{"nl": {"name": ...}, "fr": {...}}``; English is the column
    itself. Pages read it with ``core.i18n.localized(obj, "name")`` (the ``localized``
    filter), which falls back to English."""

    translations: Mapped[dict] = mapped_column(sa.JSON, default=dict, server_default="{}")


class Edition(Translatable, db.Model):
    __tablename__ = "editions"

    id: Mapped[int] = mapped_column(primary_key=True)
    slug: Mapped[str] = mapped_column(sa.String(40), unique=True)
    name: Mapped[str] = mapped_column(sa.String(160))
    tagline: Mapped[str] = mapped_column(sa.String(255), default="", server_default="")
    description: Mapped[str] = mapped_column(sa.Text, default="", server_default="")
    starts_on: Mapped[date]
    ends_on: Mapped[date]
    timezone: Mapped[str] = mapped_column(sa.String(64), default=DEFAULT_TIMEZONE)
    venue_name: Mapped[str] = mapped_column(sa.String(160), default="", server_default="")
    venue_address: Mapped[str] = mapped_column(sa.String(255), default="", server_default="")
    # The call for papers' own words, shown on the call page above the themes.
    call_text: Mapped[str] = mapped_column(sa.Text, default="", server_default="")
    cfp_opens_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    cfp_closes_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    # A new edition is a draft that only its team sees until an organizer publishes it.
    # (The server default publishes the editions that existed before drafts did.)
    published: Mapped[bool] = mapped_column(default=False, server_default=sa.true())
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)

    themes: Mapped[list[Theme]] = relationship(
        back_populates="edition", order_by="Theme.position, Theme.id", cascade="all, delete-orphan"
    )
    formats: Mapped[list[SessionFormat]] = relationship(
        back_populates="edition",
        order_by="SessionFormat.duration_minutes, SessionFormat.id",
        cascade="all, delete-orphan",
    )
    rooms: Mapped[list[Room]] = relationship(
        back_populates="edition", order_by="Room.position, Room.id", cascade="all, delete-orphan"
    )

    __table_args__ = (sa.CheckConstraint("ends_on >= starts_on", name="dates_in_order"),)

    def cfp_is_open(self, now: datetime | None = None) -> bool:
        now = now or utcnow()
        if self.cfp_opens_at and now < self.cfp_opens_at:
            return False
        return self.cfp_closes_at is None or now < self.cfp_closes_at

    def __repr__(self) -> str:
        return f"<Edition {self.slug}>"


class Theme(EditionScoped, Positioned, Translatable, db.Model):
    __tablename__ = "themes"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(sa.String(120))
    description: Mapped[str] = mapped_column(sa.Text, default="", server_default="")

    edition: Mapped[Edition] = relationship(back_populates="themes")

    __table_args__ = (sa.UniqueConstraint("edition_id", "name"),)


class SessionFormat(EditionScoped, db.Model):
    __tablename__ = "session_formats"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(sa.String(80))
    duration_minutes: Mapped[int]
    description: Mapped[str] = mapped_column(sa.Text, default="", server_default="")

    edition: Mapped[Edition] = relationship(back_populates="formats")

    __table_args__ = (
        sa.UniqueConstraint("edition_id", "name"),
        sa.CheckConstraint("duration_minutes > 0 AND duration_minutes <= 720", name="duration_range"),
    )


class Room(EditionScoped, Positioned, db.Model):
    __tablename__ = "rooms"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(sa.String(80))
    capacity: Mapped[int]
    description: Mapped[str] = mapped_column(sa.Text, default="", server_default="")

    edition: Mapped[Edition] = relationship(back_populates="rooms")

    __table_args__ = (
        sa.UniqueConstraint("edition_id", "name"),
        sa.CheckConstraint("capacity > 0", name="capacity_positive"),
    )


class EditionRole(EditionScoped, db.Model):
    """A person's role in one edition (organizer, reviewer, check-in staff)."""

    __tablename__ = "edition_roles"

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(sa.ForeignKey("users.id", ondelete="CASCADE"), index=True)
    role: Mapped[Role] = mapped_column(sa.Enum(Role, native_enum=False, length=20, values_callable=lambda e: [m.value for m in e]))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)

    edition: Mapped[Edition] = relationship()
    user: Mapped[User] = relationship()  # noqa: F821

    __table_args__ = (sa.UniqueConstraint("edition_id", "user_id", "role"),)


from convention.accounts.models import User  # noqa: E402,F401  (relationship target)
