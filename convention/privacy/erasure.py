"""A person deletes their own account: everything about them removed or anonymised.

- The ``users`` row stays as an empty tombstone (no name, no address, no usable password):
  its id is the pseudonymous id the audit log and other rows keep (see audit/models.py).
- Proposals of a published programme (in a published schedule version) stay, with the
  name the speaker chose to publish (the profile keeps ``display_name`` only); their other
  proposals are deleted, unless a co-speaker remains (then only they leave it).
- Their reviews, bids, conflicts, assignments and committee memberships are deleted (the
  proposals' review totals are summed again); their roles end.
- Orders are anonymised, not deleted (accounting): the buyer's name and address go, and
  so do theirs as an attendee (by account, address, or their name on their own order).
  Other people's tickets on their orders are left alone: those people still come.
- Waiting-list entries, invitations, late-submission links and mail to them are deleted,
  with the client addresses of the changes they made.
"""

from __future__ import annotations

import secrets

import sqlalchemy as sa
from flask_babel import gettext

from convention.accounts.models import User
from convention.accounts.passwords import verify_password
from convention.audit.models import AuditClientAddress
from convention.audit.services import record_audit
from convention.cfp import files
from convention.cfp.models import Attachment, Invitation, LateSubmissionGrant, Proposal, ProposalSpeaker, SpeakerProfile
from convention.core.errors import DomainError
from convention.core.search import contains, contains_pattern
from convention.editions.models import EditionRole
from convention.extensions import db
from convention.mail.models import OutboxMessage
from convention.privacy.retention import anonymise_attendee_rows
from convention.registration.models import Attendee, Order, WaitingListEntry
from convention.review.models import Assignment, Bid, Conflict, Review, ReviewerTheme, ReviewTeamMember
from convention.review.totals import refresh_proposals
from convention.schedule.models import ScheduleVersion

UNUSABLE_PASSWORD = "!"  # noqa: S105 - not a password: no hash verifies against it


def published_proposal_ids(edition_ids: set[int]) -> set[int]:
    """Proposals that appear in any published schedule version of these editions."""
    if not edition_ids:
        return set()
    snapshots = db.session.scalars(
        sa.select(ScheduleVersion.snapshot).where(ScheduleVersion.edition_id.in_(edition_ids))
    )
    return {talk["id"] for snapshot in snapshots for talk in (snapshot or {}).get("talks", [])}


def _delete_with_dependents(table: sa.Table, ids: list) -> None:
    """Delete rows of ``table`` by primary key, and first every row that points at them
    (following the foreign keys of the metadata: SQLite does not enforce ON DELETE)."""
    if not ids:
        return
    key = next(iter(table.primary_key.columns))
    for child in db.metadata.sorted_tables:
        for fk in child.foreign_keys:
            if fk.column.table is table and fk.column is key and child is not table:
                if fk.ondelete == "SET NULL":
                    db.session.execute(sa.update(child).where(fk.parent.in_(ids)).values({fk.parent.name: None}))
                    continue
                child_key = list(child.primary_key.columns)
                if len(child_key) == 1:
                    child_ids = list(db.session.scalars(sa.select(child_key[0]).where(fk.parent.in_(ids))))
                    _delete_with_dependents(child, child_ids)
                else:
                    db.session.execute(sa.delete(child).where(fk.parent.in_(ids)))
    db.session.execute(sa.delete(table).where(key.in_(ids)))


def _speaker_side(user: User) -> dict:
    profiles = list(db.session.scalars(sa.select(SpeakerProfile).where(SpeakerProfile.user_id == user.id)))
    links = (
        list(
            db.session.scalars(
                sa.select(ProposalSpeaker).where(ProposalSpeaker.profile_id.in_([p.id for p in profiles]))
            )
        )
        if profiles
        else []
    )
    published = published_proposal_ids({p.edition_id for p in profiles})
    kept_profiles, gone_proposals, left = set(), [], 0
    for link in links:
        proposal = link.proposal
        if proposal.id in published:
            kept_profiles.add(link.profile_id)
        elif len(proposal.speakers) > 1:
            db.session.delete(link)
            left += 1
        else:
            gone_proposals.append(proposal)
    for proposal in gone_proposals:
        for attachment in proposal.attachments:
            files.delete_after_commit(files.attachment_path(attachment.stored_name))
    db.session.flush()
    _delete_with_dependents(Proposal.__table__, [p.id for p in gone_proposals])
    for profile in profiles:
        if profile.photo_name:
            files.delete_after_commit(files.photo_path(profile.photo_name))
        if profile.id in kept_profiles:  # the published name only
            profile.biography = profile.organisation = profile.job_title = profile.links = ""
            profile.photo_name = None
    db.session.flush()
    _delete_with_dependents(SpeakerProfile.__table__, [p.id for p in profiles if p.id not in kept_profiles])
    # Files they uploaded to proposals that stay keep their (random) stored name; the
    # original file name is theirs.
    db.session.execute(
        sa.update(Attachment).where(Attachment.uploaded_by_id == user.id).values(filename="attachment.pdf")
    )
    return {"proposals_deleted": len(gone_proposals), "proposals_left": left, "proposals_kept": len(kept_profiles)}


def _committee_side(user: User) -> dict:
    reviewed = db.session.execute(
        sa.select(Review.edition_id, Review.proposal_id).where(Review.user_id == user.id)
    ).all()
    _delete_with_dependents(
        Review.__table__, list(db.session.scalars(sa.select(Review.id).where(Review.user_id == user.id)))
    )
    for model in (Bid, Conflict, Assignment, ReviewerTheme, ReviewTeamMember, EditionRole):
        db.session.execute(sa.delete(model).where(model.user_id == user.id))
    for edition_id in {edition_id for edition_id, _ in reviewed}:
        refresh_proposals(edition_id, [proposal_id for e, proposal_id in reviewed if e == edition_id])
    return {"reviews_deleted": len(reviewed)}


def _registration_side(user: User, email: str) -> dict:
    mine = sa.or_(Order.user_id == user.id, sa.func.lower(Order.email) == email)
    orders = db.session.scalar(sa.select(sa.func.count()).select_from(Order).where(mine))
    herself_on_her_orders = sa.and_(
        Attendee.order_id.in_(sa.select(Order.id).where(mine)),
        sa.func.lower(Attendee.name) == user.name.strip().lower(),
    )
    anonymise_attendee_rows(
        mine, sa.or_(Attendee.user_id == user.id, sa.func.lower(Attendee.email) == email, herself_on_her_orders)
    )
    db.session.execute(sa.delete(WaitingListEntry).where(sa.func.lower(WaitingListEntry.email) == email))
    return {"orders_anonymised": orders}


def _mail_about(user: User, email: str):
    """Our copies of the mail sent to them, and of mail to others that names them."""
    mentions = [email, *([user.name] if len(user.name.strip()) >= 4 else [])]
    return sa.or_(
        *(
            contains(column, contains_pattern(text))
            for text in mentions
            for column in (OutboxMessage.recipient, OutboxMessage.subject, OutboxMessage.body_text)
        )
    )


def delete_account(user: User, password: str, *, actor: User) -> dict:
    """Delete ``user``'s account (only they may: ``actor`` is ``user``, confirmed by their password)."""
    if actor is None or actor.id != user.id:
        raise DomainError(gettext("Only the owner of an account can delete it."))
    if not verify_password(user.password_hash, password or ""):
        raise DomainError(gettext("The password is not correct."), field="password")
    email = user.email.strip().lower()
    summary = {**_speaker_side(user), **_committee_side(user), **_registration_side(user, email)}
    db.session.execute(sa.delete(Invitation).where(sa.func.lower(Invitation.email) == email))
    db.session.execute(
        sa.delete(LateSubmissionGrant).where(
            sa.or_(sa.func.lower(LateSubmissionGrant.email) == email, LateSubmissionGrant.user_id == user.id)
        )
    )
    db.session.execute(sa.delete(OutboxMessage).where(_mail_about(user, email)))
    db.session.execute(sa.delete(AuditClientAddress).where(AuditClientAddress.actor_id == user.id))
    user.email = f"deleted-{user.id}-{secrets.token_hex(4)}@invalid"
    user.name = ""
    user.password_hash = UNUSABLE_PASSWORD
    user.session_token = secrets.token_urlsafe(24)  # ends every session
    user.language = None
    user.is_admin = False
    user.email_confirmed_at = None
    user.last_login_at = None
    db.session.flush()
    db.session.expire_all()
    record_audit("privacy.account_deleted", actor=user, target=user, data=summary, with_client_address=False)
    return summary
