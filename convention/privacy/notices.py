"""An edition's privacy notice: every change is a new version, and a consent names the
version it accepted (orders and waiting-list entries keep its label)."""

from __future__ import annotations

from dataclasses import dataclass

import sqlalchemy as sa
from flask_babel import gettext

from convention.audit.services import record_audit
from convention.core.errors import DomainError
from convention.editions.models import Edition
from convention.extensions import db
from convention.privacy.models import PrivacyNotice
from convention.registration.catalog import update_registration_settings
from convention.registration.models import Order, WaitingListEntry
from convention.registration.settings import get_settings

TEXT_MAX = 20000


@dataclass(frozen=True)
class NoticeVersion:
    label: str
    text: str
    published_at: object | None  # None: the registration settings' notice, never published here
    consents: int


def list_notices(edition: Edition) -> list[PrivacyNotice]:
    """Every version, newest first."""
    return list(
        db.session.scalars(
            sa.select(PrivacyNotice)
            .where(PrivacyNotice.edition_id == edition.id)
            .order_by(PrivacyNotice.version.desc())
        )
    )


def current_notice(edition: Edition) -> NoticeVersion:
    """The notice people accept now: the newest published version, or (before any) the text
    and label kept in the registration settings."""
    settings = get_settings(edition)
    notice = db.session.scalar(
        sa.select(PrivacyNotice).where(
            PrivacyNotice.edition_id == edition.id, PrivacyNotice.label == settings.privacy_version
        )
    )
    if notice is not None:
        return NoticeVersion(notice.label, notice.text, notice.published_at, 0)
    return NoticeVersion(settings.privacy_version, settings.privacy_notice, None, 0)


def consent_counts(edition: Edition) -> dict[str, int]:
    """How many orders and waiting-list entries accepted each version (by label)."""
    counts: dict[str, int] = {}
    for model in (Order, WaitingListEntry):
        rows = db.session.execute(
            sa.select(model.consent_version, sa.func.count())
            .where(model.edition_id == edition.id, model.consent_version.is_not(None))
            .group_by(model.consent_version)
        )
        for label, count in rows:
            counts[label] = counts.get(label, 0) + count
    return counts


def publish_notice(edition: Edition, text: str, *, actor) -> PrivacyNotice:
    """A new version of the notice; from now on people accept this one."""
    text = (text or "").strip()
    if not text:
        raise DomainError(gettext("Write the privacy notice."), field="text")
    if len(text) > TEXT_MAX:
        raise DomainError(gettext("The notice is too long."), field="text")
    settings = get_settings(edition)
    previous = db.session.scalar(
        sa.select(PrivacyNotice)
        .where(PrivacyNotice.edition_id == edition.id)
        .order_by(PrivacyNotice.version.desc())
        .limit(1)
        .with_for_update()
    )
    if previous is not None and previous.text == text:
        raise DomainError(gettext("The notice has not changed."), field="text")
    old_label = settings.privacy_version
    number = (previous.version + 1) if previous else 1
    label = f"v{number}"
    if label == settings.privacy_version:  # an organizer typed "v1" by hand before
        label = f"v{number}-{edition.id}"
    notice = PrivacyNotice(
        edition_id=edition.id, version=number, label=label, text=text, published_by_id=getattr(actor, "id", None)
    )
    db.session.add(notice)
    db.session.flush()
    update_registration_settings(settings, {"privacy_version": label, "privacy_notice": text}, actor=actor)
    record_audit(
        "privacy.notice_published",
        actor=actor,
        edition_id=edition.id,
        target=notice,
        data={"version": number},
        before={"label": old_label},
        after={"label": label},
    )
    return notice
