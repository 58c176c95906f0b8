"""Each edition's retention date: after it, its attendee data is anonymised (orders stay,
without names, for the accounts). ``anonymise_due`` runs from cron
(``flask privacy anonymise-due``) or as an RQ job (``jobs.py``)."""

from __future__ import annotations

from datetime import date, datetime

import sqlalchemy as sa
from flask_babel import gettext

from convention.audit.models import AuditClientAddress
from convention.audit.services import record_audit
from convention.core.errors import DomainError
from convention.core.timeutil import to_local, utcnow
from convention.editions.models import Edition
from convention.extensions import db
from convention.mail.models import OutboxMessage
from convention.privacy.models import PrivacySettings
from convention.registration.models import Attendee, Order, WaitingListEntry

ANONYMOUS = "anonymised"  # what a name becomes (not translated: it is data, not a sentence)


def get_privacy_settings(edition: Edition) -> PrivacySettings:
    """The edition's row, or unsaved defaults (reading never writes)."""
    return db.session.get(PrivacySettings, edition.id) or PrivacySettings(edition_id=edition.id)


def set_retention(edition: Edition, until: date | None, *, actor) -> PrivacySettings:
    settings = get_privacy_settings(edition)
    if until is not None and until < edition.ends_on:
        raise DomainError(gettext("Keep the data at least until the convention has ended."), field="retention_until")
    before = settings.retention_until
    if sa.inspect(settings).transient:
        db.session.add(settings)
    settings.retention_until = until
    db.session.flush()
    record_audit(
        "privacy.retention",
        actor=actor,
        edition_id=edition.id,
        target=settings,
        before={"retention_until": before.isoformat() if before else None},
        after={"retention_until": until.isoformat() if until else None},
    )
    return settings


def anonymise_attendee_rows(where_orders, where_attendees) -> None:
    """Names, addresses and organisations out of the matching orders and attendees (the
    attendees first: their condition may name the orders as they are)."""
    db.session.execute(
        sa.update(Attendee)
        .where(where_attendees)
        .values(name=ANONYMOUS, email="", organisation="", user_id=None)
        .execution_options(synchronize_session=False)
    )
    db.session.execute(
        sa.update(Order)
        .where(where_orders)
        .values(email="", buyer_name="", user_id=None)
        .execution_options(synchronize_session=False)
    )


def anonymise_edition(edition: Edition, *, now: datetime | None = None, actor=None) -> dict:
    """Every attendee, buyer and waiting-list entry of the edition anonymised, and the
    client addresses of its audit entries deleted. Safe to run twice."""
    now = now or utcnow()
    orders = db.session.scalar(sa.select(sa.func.count()).select_from(Order).where(Order.edition_id == edition.id))
    anonymise_attendee_rows(Order.edition_id == edition.id, Attendee.edition_id == edition.id)
    waiting = db.session.execute(sa.delete(WaitingListEntry).where(WaitingListEntry.edition_id == edition.id)).rowcount
    db.session.execute(
        sa.delete(OutboxMessage).where(
            OutboxMessage.edition_id == edition.id, OutboxMessage.template.startswith("registration")
        )
    )
    db.session.execute(sa.delete(AuditClientAddress).where(AuditClientAddress.edition_id == edition.id))
    settings = get_privacy_settings(edition)
    if sa.inspect(settings).transient:
        db.session.add(settings)
    settings.anonymised_at = now
    db.session.flush()
    db.session.expire_all()
    summary = {"orders": orders, "waiting_list": waiting}
    record_audit("privacy.anonymised", actor=actor, edition_id=edition.id, target=edition, data=summary)
    return summary


def anonymise_due(now: datetime | None = None) -> int:
    """Anonymise every edition whose retention date has passed (in its time zone) and that
    was not anonymised after that date. Returns how many editions."""
    now = now or utcnow()
    rows = db.session.execute(
        sa.select(Edition, PrivacySettings)
        .join(PrivacySettings, PrivacySettings.edition_id == Edition.id)
        .where(PrivacySettings.retention_until.is_not(None))
    ).all()
    done = 0
    for edition, settings in rows:
        if settings.retention_until >= to_local(now, edition.timezone).date():
            continue
        if settings.anonymised_at is not None and (
            to_local(settings.anonymised_at, edition.timezone).date() > settings.retention_until
        ):
            continue  # done after this date already
        anonymise_edition(edition, now=now)
        done += 1
    return done
