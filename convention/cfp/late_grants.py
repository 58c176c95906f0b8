"""Personal late-submission links: an organizer gives one person until a moment of
their choosing to submit and edit after the deadline; the first person to open the link
signed in makes it theirs (``call.active_late_grant`` then keeps the call open for them)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

import sqlalchemy as sa
from flask_babel import gettext
from sqlalchemy.orm import joinedload

from convention.accounts.models import User
from convention.audit.services import record_audit
from convention.cfp.call import local_text
from convention.cfp.models import LateSubmissionGrant, hash_token
from convention.core.codes import new_token
from convention.core.errors import DomainError
from convention.core.timeutil import utcnow
from convention.core.urls import external_url
from convention.editions.models import Edition
from convention.extensions import db
from convention.mail.services import queue_email


def list_late_grants(edition: Edition) -> list[LateSubmissionGrant]:
    return list(
        db.session.scalars(
            sa.select(LateSubmissionGrant)
            .where(LateSubmissionGrant.edition_id == edition.id)
            .options(joinedload(LateSubmissionGrant.user))
            .order_by(LateSubmissionGrant.created_at.desc(), LateSubmissionGrant.id.desc())
        )
    )


def create_late_grant(
    edition: Edition, email: str, expires_at: datetime, *, actor: User, now: datetime | None = None
) -> tuple[LateSubmissionGrant, str]:
    """Email one person a link that lets them submit and edit until ``expires_at``; returns (grant, link)."""
    now = now or utcnow()
    email = (email or "").strip().lower()
    if "@" not in email:
        raise DomainError(gettext("Give a valid email address."), field="email")
    if expires_at <= now:
        raise DomainError(gettext("The link must stay valid until a moment in the future."), field="expires_at")
    token = new_token()
    grant = LateSubmissionGrant(
        edition_id=edition.id, email=email, token_hash=hash_token(token), expires_at=expires_at,
        created_by_id=actor.id, created_at=now,
    )
    db.session.add(grant)
    db.session.flush()
    link = external_url("cfp.late_link", slug=edition.slug, token=token)
    queue_email(
        "cfp_late_link",
        to=email,
        context={"edition": edition, "link": link, "expires": local_text(expires_at, edition)},
        edition_id=edition.id,
    )
    record_audit("cfp_late_grant.create", actor=actor, edition_id=edition.id, target=grant,
                 data={"expires_at": expires_at.isoformat()})
    return grant, link


def revoke_late_grant(edition: Edition, grant: LateSubmissionGrant, *, actor: User, now: datetime | None = None) -> None:
    if grant.revoked_at is None:
        grant.revoked_at = now or utcnow()
        db.session.flush()
        record_audit("cfp_late_grant.revoke", actor=actor, edition_id=edition.id, target=grant)


def find_late_grant(edition: Edition, token: str) -> LateSubmissionGrant | None:
    grant = db.session.scalar(sa.select(LateSubmissionGrant).where(LateSubmissionGrant.token_hash == hash_token(token or "")))
    return grant if grant is not None and grant.edition_id == edition.id else None


def claim_late_grant(grant: LateSubmissionGrant, *, actor: User, now: datetime | None = None) -> LateSubmissionGrant:
    """The person who opens the link signed in makes it theirs; nobody else can use it after."""
    now = now or utcnow()
    if not grant.is_active(now):
        raise DomainError(gettext("This link has expired or was withdrawn. Ask the organizers for a new one."))
    if grant.user_id is not None and grant.user_id != actor.id:
        raise DomainError(gettext("This link has already been used by someone else."))
    if grant.user_id is None:
        grant.user_id = actor.id
        grant.claimed_at = now
        db.session.flush()
        record_audit("cfp_late_grant.claim", actor=actor, edition_id=grant.edition_id, target=grant)
    return grant


def usable_by(grant: LateSubmissionGrant, user: User, *, now: datetime | None = None) -> bool:
    """The link still works and is free, or already this person's."""
    return grant.is_active(now) and grant.user_id in (None, user.id)


@dataclass(frozen=True)
class GrantRow:
    """One line of the organizers' table: exactly one of withdrawn / expired / active."""

    grant: LateSubmissionGrant
    withdrawn: bool
    expired: bool
    active: bool  # may still be withdrawn


def late_grant_rows(edition: Edition, *, now: datetime | None = None) -> list[GrantRow]:
    now = now or utcnow()
    rows = []
    for grant in list_late_grants(edition):
        withdrawn = grant.revoked_at is not None
        expired = not withdrawn and grant.expires_at <= now
        rows.append(GrantRow(grant=grant, withdrawn=withdrawn, expired=expired, active=not withdrawn and not expired))
    return rows
