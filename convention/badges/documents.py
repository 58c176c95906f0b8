"""What goes on badges, read from the database: the faces of an order's badges, of one
registration's, and the rows of a print sheet, streamed.

A badge's role is the strongest of: a confirmed talk in the edition (Speaker), a place on
the programme committee (reviewer role or review team: Committee), a team role (organizer
or check-in: Staff), the free ticket type the registration holds (speaker, committee,
staff), else Attendee. The people of each role are read once per document (three
queries), never per badge.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass

import sqlalchemy as sa
from flask_babel import force_locale, lazy_gettext
from sqlalchemy.orm import Session

from convention.badges.keys import existing_code_signer
from convention.badges.models import Badge
from convention.badges.pdf import BadgeFace, render_badges
from convention.cfp.models import Proposal, ProposalSpeaker, SpeakerProfile
from convention.cfp.states import ProposalState
from convention.editions.models import Edition, EditionRole, Role
from convention.extensions import db
from convention.registration.models import Attendee, Order, OrderState, TicketCategory, TicketType
from convention.review.models import ReviewTeam, ReviewTeamMember

ROLES = ("speaker", "committee", "staff", "attendee")  # strongest first
ROLE_LABELS = {
    "speaker": lazy_gettext("Speaker"),
    "committee": lazy_gettext("Committee"),
    "staff": lazy_gettext("Staff"),
    "attendee": lazy_gettext("Attendee"),
}
_CATEGORY_ROLES = {TicketCategory.SPEAKER: "speaker", TicketCategory.COMMITTEE: "committee",
                   TicketCategory.STAFF: "staff"}
STREAM_BATCH = 500


@dataclass(frozen=True)
class RoleBook:
    """The user ids of the edition's speakers, committee and staff."""

    speakers: frozenset[int]
    committee: frozenset[int]
    staff: frozenset[int]

    def role_of(self, user_id: int | None, category: TicketCategory | str) -> str:
        found = {_CATEGORY_ROLES.get(TicketCategory(category), "attendee")}
        if user_id is not None:
            found |= {role for role, ids in (("speaker", self.speakers), ("committee", self.committee),
                                             ("staff", self.staff)) if user_id in ids}
        return next(role for role in ROLES if role in found)


def role_book(session: Session, edition_id: int) -> RoleBook:
    speakers = session.scalars(
        sa.select(SpeakerProfile.user_id)
        .join(ProposalSpeaker, ProposalSpeaker.profile_id == SpeakerProfile.id)
        .join(Proposal, Proposal.id == ProposalSpeaker.proposal_id)
        .where(Proposal.edition_id == edition_id, Proposal.state == ProposalState.CONFIRMED)
    )
    roles = session.execute(sa.select(EditionRole.user_id, EditionRole.role).where(EditionRole.edition_id == edition_id))
    reviewers = session.scalars(
        sa.select(ReviewTeamMember.user_id).join(ReviewTeam, ReviewTeam.id == ReviewTeamMember.team_id)
        .where(ReviewTeam.edition_id == edition_id)
    )
    committee, staff = set(reviewers), set()
    for user_id, role in roles:
        (committee if role == Role.REVIEWER else staff).add(user_id)
    return RoleBook(frozenset(speakers), frozenset(committee), frozenset(staff))


def _face_columns():
    return (Attendee.id, Attendee.code, Attendee.name, Attendee.organisation, Attendee.user_id, TicketType.category,
            Badge.code)


def _face(row, book: RoleBook, edition_name: str, code: str) -> BadgeFace:
    role = book.role_of(row[4], row[5])
    return BadgeFace(name=row[2], organisation=row[3] or "", role=role, role_label=str(ROLE_LABELS[role]),
                     edition_name=edition_name, code=code)


def _faces(session: Session, edition: Edition, query) -> list[BadgeFace]:
    """Faces of the (few) rows of ``query``; a registration without a badge row yet is
    signed with the edition's key now, without storing it (a GET writes nothing)."""
    rows = session.execute(query).all()
    book = role_book(session, edition.id)
    sign = None
    faces = []
    for row in rows:
        code = row[6]
        if code is None:
            sign = sign or existing_code_signer(edition.id)
            if sign is None:
                continue
            code = sign(row[1])
        faces.append(_face(row, book, edition.name, code))
    return faces


def _base_query():
    return (
        sa.select(*_face_columns())
        .join(TicketType, TicketType.id == Attendee.ticket_type_id)
        .join(Order, Order.id == Attendee.order_id)
        .outerjoin(Badge, Badge.attendee_id == Attendee.id)
        .where(Order.state == OrderState.PAID)
        .order_by(Attendee.id)
    )


def order_faces(session: Session, order: Order, edition: Edition) -> list[BadgeFace]:
    return _faces(session, edition, _base_query().where(Attendee.order_id == order.id))


def attendee_faces(session: Session, attendee: Attendee, edition: Edition) -> list[BadgeFace]:
    return _faces(session, edition, _base_query().where(Attendee.id == attendee.id))


def badge_pdf(faces: list[BadgeFace]) -> bytes | None:
    return render_badges(faces) if faces else None


def order_badges_pdf(session: Session, order_id: int, *, language: str | None = None) -> bytes:
    """The badges of an order, one per page (the confirmation email's attachment)."""
    order = session.get(Order, order_id)
    edition = session.get(Edition, order.edition_id)
    if language:
        with force_locale(language):
            return render_badges(order_faces(session, order, edition))
    return render_badges(order_faces(session, order, edition))


# -- print sheets ---------------------------------------------------------------------------


def sheet_query(edition_id: int, *, only_unprinted: bool = False, ticket_type_id: int | None = None):
    """The badges a sheet prints: of paid registrations, not revoked; with
    ``only_unprinted``, those never printed or marked for reprinting."""
    query = (
        sa.select(Badge.id, *_face_columns())
        .join(Attendee, Attendee.id == Badge.attendee_id)
        .join(TicketType, TicketType.id == Attendee.ticket_type_id)
        .join(Order, Order.id == Attendee.order_id)
        .where(Badge.edition_id == edition_id, Badge.revoked_reason.is_(None), Order.state == OrderState.PAID)
        .order_by(Attendee.name, Attendee.id)
    )
    if only_unprinted:
        query = query.where(sa.or_(Badge.printed_at.is_(None), Badge.needs_reprint.is_(True)))
    if ticket_type_id is not None:
        query = query.where(Attendee.ticket_type_id == ticket_type_id)
    return query


def count_sheet(edition_id: int, **options) -> int:
    return db.session.scalar(sa.select(sa.func.count()).select_from(sheet_query(edition_id, **options).subquery()))


def stream_sheet(edition: Edition, **options) -> Iterator[tuple[int, BadgeFace]]:
    """(badge id, face) of every badge on the sheet, fetched ``STREAM_BATCH`` rows at a time."""
    book = role_book(db.session, edition.id)
    result = db.session.execute(sheet_query(edition.id, **options).execution_options(yield_per=STREAM_BATCH))
    for row in result:
        yield row[0], _face(row[1:], book, edition.name, row[7])
