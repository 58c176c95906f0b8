"""Assignments: which reviewers review which proposal. Organizers assign and unassign by
hand here; a person is assigned only if they are on the committee and may open the
proposal (no conflict, within their teams' themes). ``eligible`` is the same rule for
one pair, for whoever builds assignments (the automatic one included)."""

from __future__ import annotations

from dataclasses import dataclass

import sqlalchemy as sa
from flask_babel import gettext

from convention.accounts.models import User
from convention.audit.services import record_audit
from convention.cfp.models import Proposal
from convention.core.errors import Conflict, DomainError
from convention.core.pagination import Page, fetch_page
from convention.editions.models import Edition, EditionRole, Role
from convention.extensions import db
from convention.review.conflicts import conflict_reasons
from convention.review.models import Assignment, AssignmentSource, Review
from convention.review.permissions import REVIEWABLE_STATES, team_theme_limit

ASSIGNMENTS_PER_PAGE = 25


def is_committee_member(user, edition: Edition) -> bool:
    return db.session.scalar(sa.select(EditionRole.id).where(
        EditionRole.edition_id == edition.id, EditionRole.user_id == user.id, EditionRole.role == Role.REVIEWER
    )) is not None


def eligible(user, proposal: Proposal) -> str | None:
    """None when ``user`` may be assigned ``proposal``; otherwise why not (a sentence)."""
    edition = proposal.edition
    if not is_committee_member(user, edition):
        return gettext("%(name)s is not on the committee of this edition.", name=user.name)
    if proposal.state not in REVIEWABLE_STATES:
        return gettext("This proposal is not under review.")
    reasons = conflict_reasons(user, proposal)
    if reasons:
        return gettext("%(name)s has a conflict of interest with this proposal (%(why)s).", name=user.name,
                       why=", ".join(reason.label for reason in reasons))
    limit = team_theme_limit(user, edition)
    if limit is not None and proposal.theme_id not in limit:
        return gettext("%(name)s reviews in a team limited to other themes.", name=user.name)
    return None


def assign(proposal: Proposal, user: User, *, actor, source: AssignmentSource = AssignmentSource.MANUAL) -> Assignment:
    why_not = eligible(user, proposal)
    if why_not:
        raise Conflict(why_not, field="reviewer")
    existing = db.session.scalar(sa.select(Assignment).where(
        Assignment.proposal_id == proposal.id, Assignment.user_id == user.id))
    if existing is not None:
        raise Conflict(gettext("%(name)s already reviews this proposal.", name=user.name), field="reviewer")
    try:
        with db.session.begin_nested():  # the same assignment made twice at once: refused, not a 500
            row = Assignment(edition_id=proposal.edition_id, proposal_id=proposal.id, user_id=user.id, source=source)
            db.session.add(row)
            db.session.flush()
    except sa.exc.IntegrityError as exc:
        raise Conflict(gettext("%(name)s already reviews this proposal.", name=user.name), field="reviewer") from exc
    record_audit("review.assign", actor=actor, edition_id=proposal.edition_id, target=row,
                 data={"proposal": proposal.code, "reviewer": user.id, "source": source.value})
    return row


def unassign(assignment: Assignment, *, actor) -> None:
    """Take a proposal out of a reviewer's queue; a review already written stays (and
    counts), so only an unreviewed assignment can go."""
    reviewed = db.session.scalar(sa.select(Review.id).where(
        Review.proposal_id == assignment.proposal_id, Review.user_id == assignment.user_id))
    if reviewed is not None:
        raise DomainError(gettext("This reviewer has already reviewed the proposal: the assignment stays."))
    record_audit("review.unassign", actor=actor, edition_id=assignment.edition_id, target=assignment,
                 data={"proposal_id": assignment.proposal_id, "reviewer": assignment.user_id})
    db.session.delete(assignment)
    db.session.flush()


@dataclass(frozen=True)
class AssignedReviewer:
    assignment_id: int
    name: str
    reviewed: bool


@dataclass(frozen=True)
class AssignmentRow:
    code: str
    title: str
    reviewers: list[AssignedReviewer]


def assignment_page(edition: Edition, *, page: int = 1, missing_only: bool = False, wanted: int = 3) -> Page:
    """One page of the proposals under review with their reviewers (two queries)."""
    count = (sa.select(sa.func.count(Assignment.id)).where(Assignment.proposal_id == Proposal.id)
             .correlate(Proposal).scalar_subquery())
    query = (sa.select(Proposal.id, Proposal.code, Proposal.title)
             .where(Proposal.edition_id == edition.id, Proposal.state.in_(REVIEWABLE_STATES))
             .order_by(Proposal.title, Proposal.id))
    if missing_only:
        query = query.where(count < wanted)
    result = fetch_page(query, page, ASSIGNMENTS_PER_PAGE)
    ids = [row[0] for row in result.items]
    reviewers: dict[int, list[AssignedReviewer]] = {}
    for assignment_id, proposal_id, name, review_id in db.session.execute(
        sa.select(Assignment.id, Assignment.proposal_id, User.name, Review.id)
        .join(User, User.id == Assignment.user_id)
        .outerjoin(Review, sa.and_(Review.proposal_id == Assignment.proposal_id, Review.user_id == Assignment.user_id))
        .where(Assignment.proposal_id.in_(ids)).order_by(User.name)
    ):
        reviewers.setdefault(proposal_id, []).append(AssignedReviewer(assignment_id, name, review_id is not None))
    rows = [AssignmentRow(code, title, reviewers.get(proposal_id, [])) for proposal_id, code, title in result.items]
    return Page(items=rows, total=result.total, page=result.page, per_page=result.per_page)


def loads(edition: Edition) -> list[tuple[User, int, int]]:
    """Each committee member with their number of assignments and of reviews written."""
    assigned = (sa.select(sa.func.count(Assignment.id)).where(
        Assignment.user_id == User.id, Assignment.edition_id == edition.id).correlate(User).scalar_subquery())
    written = (sa.select(sa.func.count(Review.id)).where(
        Review.user_id == User.id, Review.edition_id == edition.id, Review.submitted_at.is_not(None))
        .correlate(User).scalar_subquery())
    return [tuple(row) for row in db.session.execute(
        sa.select(User, assigned, written).join(EditionRole, EditionRole.user_id == User.id)
        .where(EditionRole.edition_id == edition.id, EditionRole.role == Role.REVIEWER).order_by(User.name))]
