"""Builders for the decision tests: criteria, reviewers, reviews through review-core's
services (settings.save_criterion, assignment.assign, scoring.save_review)."""

from __future__ import annotations

from convention.accounts.models import User
from convention.editions.models import EditionRole, Role
from convention.extensions import db
from convention.review import settings as review_settings
from convention.review import totals
from convention.review.assignment import assign
from convention.review.models import Assignment, Review
from convention.review.scoring import ReviewData, save_review
from tests.factories import give_role, make_user


def make_criteria(edition, specs=(("Relevance", 1, 5, 2), ("Clarity", 1, 5, 1))):
    organizer = edition_organizer(edition)
    criteria = [
        review_settings.save_criterion(
            edition, review_settings.CriterionData(name=name, scale_min=low, scale_max=high, weight=weight),
            actor=organizer)
        for name, low, high, weight in specs
    ]
    db.session.commit()
    return criteria


def edition_organizer(edition):
    return db.session.scalars(
        db.select(User).join(EditionRole, EditionRole.user_id == User.id)
        .where(EditionRole.edition_id == edition.id, EditionRole.role == Role.ORGANIZER)
    ).first()


def make_reviewer(edition, name):
    user = make_user(name=name, email=f"{name.split()[0].lower()}@reviewers.example.org")
    give_role(edition, user, Role.REVIEWER)
    return user


def add_review(proposal, reviewer, criteria, values, *, feedback="", comment="", submitted=True):
    """Assign ``reviewer`` (if needed) and save their review; ``submitted=False`` leaves a
    review row without a submission date (as the scoring service never does: to prove such
    a row is not counted)."""
    edition = proposal.edition
    if not db.session.scalar(db.select(Assignment.id).where(Assignment.proposal_id == proposal.id,
                                                            Assignment.user_id == reviewer.id)):
        assign(proposal, reviewer, actor=edition_organizer(edition))
    review = save_review(edition, proposal, ReviewData(
        scores={c.id: v for c, v in zip(criteria, values, strict=True)}, comment=comment, feedback=feedback),
        actor=reviewer)
    if not submitted:
        review.submitted_at = None
        db.session.flush()
        totals.refresh_proposals(edition.id, [proposal.id])  # as any writer of reviews must
    db.session.commit()
    return db.session.get(Review, review.id)
