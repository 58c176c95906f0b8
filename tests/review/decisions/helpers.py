"""Builders for the decision tests: criteria, submitted reviews with scores, decisions.

Reviews are written as rows here (the scoring service belongs to the reviewer workspace);
the proposals, people and state moves go through the real services."""

from __future__ import annotations

from convention.core.timeutil import utcnow
from convention.editions.models import Role
from convention.extensions import db
from convention.review.models import Criterion, Review, Score
from tests.factories import give_role, make_user


def make_criteria(edition, specs=(("Relevance", 1, 5, 2), ("Clarity", 1, 5, 1))):
    criteria = []
    for position, (name, low, high, weight) in enumerate(specs):
        criterion = Criterion(edition_id=edition.id, name=name, scale_min=low, scale_max=high, weight=weight,
                              position=position)
        db.session.add(criterion)
        criteria.append(criterion)
    db.session.commit()
    return criteria


def make_reviewer(edition, name):
    user = make_user(name=name, email=f"{name.split()[0].lower()}@reviewers.example.org")
    give_role(edition, user, Role.REVIEWER)
    return user


def add_review(proposal, reviewer, criteria, values, *, feedback="", comment="", submitted=True):
    review = Review(edition_id=proposal.edition_id, proposal_id=proposal.id, user_id=reviewer.id,
                    comment=comment, feedback=feedback, submitted_at=utcnow() if submitted else None)
    db.session.add(review)
    db.session.flush()
    for criterion, value in zip(criteria, values, strict=True):
        db.session.add(Score(review_id=review.id, criterion_id=criterion.id, value=value))
    db.session.commit()
    return review
