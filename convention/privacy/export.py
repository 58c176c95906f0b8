"""Everything the system holds about one person, as one JSON document (GDPR art. 15/20)."""

from __future__ import annotations

import enum
from datetime import date, datetime

import sqlalchemy as sa

from convention.accounts.models import User
from convention.audit.models import AuditClientAddress, AuditEntry
from convention.audit.services import record_audit
from convention.cfp.models import (
    Answer,
    Attachment,
    Availability,
    Invitation,
    Proposal,
    ProposalSpeaker,
    SpeakerProfile,
)
from convention.core.timeutil import utcnow
from convention.editions.models import Edition, EditionRole
from convention.extensions import db
from convention.mail.models import OutboxMessage
from convention.registration.models import Attendee, Order, WaitingListEntry
from convention.review.models import Bid, Conflict, Review, Score

FORMAT_VERSION = 1
# Secrets are not the person's data to carry elsewhere: they unlock things.
SECRET_COLUMNS = {"password_hash", "session_token", "secret", "token_hash", "idempotency_key", "stored_name", "nonce"}


def _value(value):
    if isinstance(value, datetime | date):
        return value.isoformat()
    if isinstance(value, enum.Enum):
        return value.value
    return value


def _row(obj) -> dict:
    return {
        column.key: _value(getattr(obj, column.key))
        for column in sa.inspect(obj.__class__).column_attrs
        if column.key not in SECRET_COLUMNS
    }


def _rows(query) -> list[dict]:
    return [_row(obj) for obj in db.session.scalars(query)]


def export_person(user: User, *, actor: User) -> dict:
    """The person's rows from every table that holds personal data (see personal.py)."""
    email = user.email.strip().lower()
    profiles = sa.select(SpeakerProfile.id).where(SpeakerProfile.user_id == user.id)
    proposals = sa.select(ProposalSpeaker.proposal_id).where(ProposalSpeaker.profile_id.in_(profiles))
    my_orders = sa.or_(Order.user_id == user.id, sa.func.lower(Order.email) == email)
    reviews = sa.select(Review.id).where(Review.user_id == user.id)
    editions = dict(db.session.execute(sa.select(Edition.id, Edition.slug)).all())
    document = {
        "format": FORMAT_VERSION,
        "generated_at": utcnow().isoformat(),
        "editions": editions,
        "account": _row(user),
        "roles": _rows(sa.select(EditionRole).where(EditionRole.user_id == user.id)),
        "speaker_profiles": _rows(sa.select(SpeakerProfile).where(SpeakerProfile.id.in_(profiles))),
        "availability": _rows(sa.select(Availability).where(Availability.profile_id.in_(profiles))),
        "proposals": _rows(sa.select(Proposal).where(Proposal.id.in_(proposals)).order_by(Proposal.id)),
        "answers": _rows(sa.select(Answer).where(Answer.proposal_id.in_(proposals))),
        "attachments": _rows(sa.select(Attachment).where(Attachment.proposal_id.in_(proposals))),
        "invitations": _rows(sa.select(Invitation).where(sa.func.lower(Invitation.email) == email)),
        "reviews": _rows(sa.select(Review).where(Review.user_id == user.id)),
        "scores": _rows(sa.select(Score).where(Score.review_id.in_(reviews))),
        "bids": _rows(sa.select(Bid).where(Bid.user_id == user.id)),
        "conflicts": _rows(sa.select(Conflict).where(Conflict.user_id == user.id)),
        "orders": _rows(sa.select(Order).where(my_orders).order_by(Order.id)),
        "tickets": _rows(
            sa.select(Attendee).where(
                sa.or_(
                    Attendee.user_id == user.id,
                    sa.func.lower(Attendee.email) == email,
                    Attendee.order_id.in_(sa.select(Order.id).where(my_orders)),
                )
            )
        ),
        "waiting_list": _rows(sa.select(WaitingListEntry).where(sa.func.lower(WaitingListEntry.email) == email)),
        "mail": _rows(
            sa.select(OutboxMessage)
            .where(sa.func.lower(OutboxMessage.recipient).contains(email))
            .order_by(OutboxMessage.id)
        ),
        "audit": _rows(sa.select(AuditEntry).where(AuditEntry.actor_id == user.id).order_by(AuditEntry.id)),
        "client_addresses": _rows(sa.select(AuditClientAddress).where(AuditClientAddress.actor_id == user.id)),
    }
    record_audit(
        "privacy.export",
        actor=actor,
        target=user,
        data={key: len(value) for key, value in document.items() if isinstance(value, list)},
    )
    return document
