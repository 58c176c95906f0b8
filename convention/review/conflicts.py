"""Conflicts of interest: who must not review (nor see) which proposal.

A reviewer declares a conflict (or bids "conflict"), and three rules find the obvious
ones: the reviewer speaks on the proposal, shares an organisation with one of its
speakers (the organisations of the reviewer's own speaker profiles, any edition), or
shares an email domain with one of them, unless the domain is a public mail provider
(``PUBLIC_MAIL_PROVIDERS``: thousands of strangers share gmail.com).

The rules are evaluated live, in SQL, by ``conflicted_proposal_ids`` (so a new speaker
profile counts at once, whatever was stored), and ``refresh_automatic_conflicts`` stores
them as rows for the organizers' pages and the automatic assignment.
"""

from __future__ import annotations

import sqlalchemy as sa
from flask_babel import gettext

from convention.accounts.models import User
from convention.audit.services import record_audit
from convention.cfp.models import Proposal, ProposalSpeaker, SpeakerProfile
from convention.core.errors import DomainError
from convention.core.pagination import fetch_page
from convention.editions.models import Edition, EditionRole, Role
from convention.extensions import db
from convention.review.models import Bid, BidLevel, Conflict, ConflictSource

AUTOMATIC_SOURCES = (ConflictSource.SPEAKER, ConflictSource.ORGANISATION, ConflictSource.EMAIL_DOMAIN)

# Domains shared by people who have nothing else in common: no conflict from these.
PUBLIC_MAIL_PROVIDERS = frozenset({
    "gmail.com", "googlemail.com", "outlook.com", "hotmail.com", "hotmail.be", "hotmail.fr", "live.com",
    "live.be", "live.fr", "msn.com", "yahoo.com", "yahoo.fr", "yahoo.co.uk", "ymail.com", "icloud.com", "me.com",
    "mac.com", "aol.com", "proton.me", "protonmail.com", "pm.me", "gmx.com", "gmx.net", "gmx.de", "web.de",
    "mail.com", "zoho.com", "yandex.com", "yandex.ru", "tutanota.com", "tuta.io", "fastmail.com", "hey.com",
    "telenet.be", "skynet.be", "proximus.be", "scarlet.be", "orange.fr", "free.fr", "laposte.net", "sfr.fr",
    "wanadoo.fr", "ziggo.nl", "kpnmail.nl", "planet.nl", "xs4all.nl", "qq.com", "163.com",
})
# Names reserved for documentation and tests (RFC 2606): they identify no organisation.
RESERVED_DOMAINS = frozenset({"example.org", "example.com", "example.net"})
RESERVED_SUFFIXES = (".example", ".test", ".invalid", ".localhost")


def email_domain(email: str) -> str | None:
    """The part after @, lower-case, or None for a public mail provider (or no domain)."""
    domain = email.rpartition("@")[2].strip().lower()
    if not domain or domain in PUBLIC_MAIL_PROVIDERS or domain in RESERVED_DOMAINS:
        return None
    return None if domain.endswith(RESERVED_SUFFIXES) or "." not in domain else domain


def _organisations_of(user) -> list[str]:
    return [org for org in db.session.scalars(
        sa.select(sa.func.lower(sa.func.trim(SpeakerProfile.organisation))).distinct()
        .where(SpeakerProfile.user_id == user.id, SpeakerProfile.organisation != "")
    ) if org]


def _like_escape(text: str) -> str:
    return text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")


def _rule_conditions(user) -> dict[ConflictSource, sa.ColumnElement]:
    """For each automatic rule that can apply to ``user``, the condition on a speaker
    (SpeakerProfile joined with its User) that makes a conflict."""
    conditions = {ConflictSource.SPEAKER: SpeakerProfile.user_id == user.id}
    organisations = _organisations_of(user)
    if organisations:
        conditions[ConflictSource.ORGANISATION] = sa.and_(
            sa.func.lower(sa.func.trim(SpeakerProfile.organisation)).in_(organisations),
            SpeakerProfile.user_id != user.id)
    domain = email_domain(user.email)
    if domain:
        conditions[ConflictSource.EMAIL_DOMAIN] = sa.and_(
            sa.func.lower(User.email).like(f"%@{_like_escape(domain)}", escape="\\"), User.id != user.id)
    return conditions


def _speakers_matching(edition: Edition, condition) -> sa.Select:
    return (
        sa.select(ProposalSpeaker.proposal_id)
        .join(SpeakerProfile, SpeakerProfile.id == ProposalSpeaker.profile_id)
        .join(User, User.id == SpeakerProfile.user_id)
        .where(SpeakerProfile.edition_id == edition.id, condition)
    )


def conflicted_proposal_ids(user, edition: Edition) -> sa.Select:
    """The ids of ``edition``'s proposals ``user`` is in conflict with: the stored
    conflicts (declared, or found earlier) and the automatic rules, evaluated now."""
    stored = sa.select(Conflict.proposal_id).where(Conflict.user_id == user.id, Conflict.edition_id == edition.id)
    live = _speakers_matching(edition, sa.or_(*_rule_conditions(user).values()))
    return sa.union(stored, live)


def is_conflicted(user, proposal: Proposal) -> bool:
    ids = conflicted_proposal_ids(user, proposal.edition).subquery()
    return db.session.scalar(sa.select(ids.c[0]).where(ids.c[0] == proposal.id).limit(1)) is not None


def conflict_reasons(user, proposal: Proposal) -> list[ConflictSource]:
    """Why ``user`` may not review ``proposal`` (empty: no conflict)."""
    reasons = set(db.session.scalars(sa.select(Conflict.source).where(
        Conflict.user_id == user.id, Conflict.proposal_id == proposal.id)))
    for source, condition in _rule_conditions(user).items():
        found = db.session.scalar(_speakers_matching(proposal.edition, condition)
                                  .where(ProposalSpeaker.proposal_id == proposal.id).limit(1))
        if found is not None:
            reasons.add(source)
    return sorted(reasons)


def reviewer_users(edition: Edition) -> list[User]:
    """The edition's committee (role reviewer), by name."""
    return list(db.session.scalars(
        sa.select(User).join(EditionRole, EditionRole.user_id == User.id)
        .where(EditionRole.edition_id == edition.id, EditionRole.role == Role.REVIEWER)
        .order_by(User.name, User.id)
    ))


def refresh_automatic_conflicts(edition: Edition, *, actor=None) -> int:
    """Store the automatic conflicts of every reviewer of ``edition`` as rows (adding the
    new ones, dropping those whose reason went away). Returns how many rows there are."""
    total = 0
    for user in reviewer_users(edition):
        found = {(source, proposal_id) for source, condition in _rule_conditions(user).items()
                 for proposal_id in db.session.scalars(_speakers_matching(edition, condition))}
        stored = {(row.source, row.proposal_id): row for row in db.session.scalars(sa.select(Conflict).where(
            Conflict.user_id == user.id, Conflict.edition_id == edition.id, Conflict.source.in_(AUTOMATIC_SOURCES)))}
        for key in found - stored.keys():
            db.session.add(Conflict(edition_id=edition.id, user_id=user.id, source=key[0], proposal_id=key[1]))
        for key in stored.keys() - found:
            db.session.delete(stored[key])
        total += len(found)
    db.session.flush()
    record_audit("review.conflicts.refresh", actor=actor, edition_id=edition.id, data={"automatic": total})
    return total


def declare_conflict(proposal: Proposal, *, actor) -> Conflict:
    """The reviewer (``actor``) says they must not review ``proposal``; a bid becomes "conflict"."""
    row = db.session.scalar(sa.select(Conflict).where(
        Conflict.proposal_id == proposal.id, Conflict.user_id == actor.id, Conflict.source == ConflictSource.DECLARED))
    if row is None:
        row = Conflict(edition_id=proposal.edition_id, proposal_id=proposal.id, user_id=actor.id,
                       source=ConflictSource.DECLARED)
        db.session.add(row)
    bid = db.session.scalar(sa.select(Bid).where(Bid.proposal_id == proposal.id, Bid.user_id == actor.id))
    if bid is None:
        db.session.add(Bid(edition_id=proposal.edition_id, proposal_id=proposal.id, user_id=actor.id,
                           level=BidLevel.CONFLICT))
    else:
        bid.level = BidLevel.CONFLICT
    db.session.flush()
    record_audit("review.conflict.declare", actor=actor, edition_id=proposal.edition_id, target=proposal)
    return row


def withdraw_conflict(row: Conflict, *, actor) -> None:
    """The reviewer takes back a conflict they declared (the rules' conflicts stay)."""
    if row.user_id != actor.id or row.source != ConflictSource.DECLARED:
        raise DomainError(gettext("This conflict cannot be withdrawn."))
    edition_id = row.edition_id
    db.session.execute(sa.delete(Bid).where(
        Bid.proposal_id == row.proposal_id, Bid.user_id == actor.id, Bid.level == BidLevel.CONFLICT))
    record_audit("review.conflict.withdraw", actor=actor, edition_id=edition_id, target=row.proposal)
    db.session.delete(row)
    db.session.flush()


def declared_conflicts(user, edition: Edition) -> list[tuple[Conflict, str, str]]:
    """The conflicts ``user`` declared: (row, proposal code, title)."""
    return [tuple(row) for row in db.session.execute(
        sa.select(Conflict, Proposal.code, Proposal.title).join(Proposal, Proposal.id == Conflict.proposal_id)
        .where(Conflict.user_id == user.id, Conflict.edition_id == edition.id,
               Conflict.source == ConflictSource.DECLARED).order_by(Proposal.title))]


CONFLICTS_PER_PAGE = 50


def conflict_page(edition: Edition, *, page: int = 1):
    """One page of the stored conflicts of ``edition`` for the organizers: (reviewer name,
    proposal code, title, source), by reviewer then title."""
    query = (
        sa.select(User.name, Proposal.code, Proposal.title, Conflict.source)
        .join(User, User.id == Conflict.user_id).join(Proposal, Proposal.id == Conflict.proposal_id)
        .where(Conflict.edition_id == edition.id).order_by(User.name, Proposal.title, Conflict.id)
    )
    return fetch_page(query, page, CONFLICTS_PER_PAGE)
