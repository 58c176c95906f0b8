"""A reviewer's work: their queue with its progress, one review (a score per criterion, a
comment for the committee, optional feedback for the speakers), saved and changed until
the phase closes, and the other reviewers' scores once one's own is in."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime

import sqlalchemy as sa
from flask_babel import gettext

from convention.audit.services import record_audit
from convention.cfp.models import Proposal
from convention.core.errors import Conflict, DomainError, Forbidden
from convention.core.timeutil import utcnow
from convention.editions.models import Edition, SessionFormat, Theme
from convention.extensions import db
from convention.review import totals
from convention.review.models import Criterion, Review, Score
from convention.review.permissions import assigned_to, can_score_proposal, proposals_reviewable_by
from convention.review.settings import criteria_of, get_settings

COMMENT_MAX = 5_000
FEEDBACK_MAX = 3_000


@dataclass(frozen=True)
class QueueItem:
    code: str
    title: str
    theme: str | None
    format: str | None
    submitted_at: datetime | None  # of the reviewer's own review; None: still to do

    @property
    def done(self) -> bool:
        return self.submitted_at is not None


@dataclass(frozen=True)
class Queue:
    items: list[QueueItem]

    @property
    def total(self) -> int:
        return len(self.items)

    @property
    def done(self) -> int:
        return sum(item.done for item in self.items)

    @property
    def to_do(self) -> int:
        return self.total - self.done

    @property
    def percent(self) -> int:
        return round(100 * self.done / self.total) if self.total else 0

    def next_to_do(self, after_code: str | None = None) -> str | None:
        """The next proposal still to review after ``after_code`` (going round), or None."""
        start = next((i + 1 for i, item in enumerate(self.items) if item.code == after_code), 0)
        for item in self.items[start:] + self.items[:start]:
            if not item.done and item.code != after_code:
                return item.code
        return None


def queue_of(user, edition: Edition) -> Queue:
    """The proposals assigned to ``user`` that they may open, by title, with their own
    review's state: one query, whatever the queue's length."""
    rows = db.session.execute(
        sa.select(Proposal.code, Proposal.title, Theme.name, SessionFormat.name, Review.submitted_at)
        .outerjoin(Theme, Theme.id == Proposal.theme_id)
        .outerjoin(SessionFormat, SessionFormat.id == Proposal.format_id)
        .outerjoin(Review, sa.and_(Review.proposal_id == Proposal.id, Review.user_id == user.id))
        .where(proposals_reviewable_by(user, edition), assigned_to(user))
        .order_by(Proposal.title, Proposal.id)
    ).all()
    return Queue([QueueItem(*row) for row in rows])


def next_to_review(user, edition: Edition, after_code: str | None = None) -> str | None:
    """The code of the next proposal of the queue still to review (after ``after_code``,
    going round), or None when everything is reviewed."""
    return queue_of(user, edition).next_to_do(after_code)


def review_of(user, proposal: Proposal) -> Review | None:
    return db.session.scalar(sa.select(Review).where(Review.proposal_id == proposal.id, Review.user_id == user.id))


@dataclass
class ReviewData:
    scores: dict[int, int | None]  # criterion id -> value
    comment: str = ""
    feedback: str = ""


def score_field(criterion: Criterion) -> str:
    """The name of a criterion's input on the scoring form (and of the refusal's field)."""
    return f"score_{criterion.id}"


def ensure_can_change_reviews(edition: Edition, now: datetime | None = None) -> None:
    settings = get_settings(edition)
    now = now or utcnow()
    if settings.opens_at and now < settings.opens_at:
        raise Conflict(gettext("The review has not opened yet."))
    if settings.closes_at and now >= settings.closes_at:
        raise Conflict(gettext("The review is closed: reviews can no longer change."))


def save_review(edition: Edition, proposal: Proposal, data: ReviewData, *, actor) -> Review:
    """Save (or change) ``actor``'s review of ``proposal``: every criterion scored within
    its scale, while the phase is open and the proposal is in their queue."""
    if not can_score_proposal(actor, edition, proposal):
        raise Forbidden(gettext("This proposal is not in your queue."))
    ensure_can_change_reviews(edition)
    criteria = criteria_of(edition)
    if not criteria:
        raise Conflict(gettext("The organizers have not set the scoring criteria yet."))
    for criterion in criteria:
        value = data.scores.get(criterion.id)
        if value is None:
            raise DomainError(gettext("Give a score for “%(name)s”.", name=criterion.name), field=score_field(criterion))
        if not criterion.scale_min <= value <= criterion.scale_max:
            raise DomainError(gettext("“%(name)s” is scored from %(low)d to %(high)d.", name=criterion.name,
                                      low=criterion.scale_min, high=criterion.scale_max), field=score_field(criterion))
    comment, feedback = data.comment.strip(), data.feedback.strip()
    if len(comment) > COMMENT_MAX:
        raise DomainError(gettext("At most %(max)d characters.", max=COMMENT_MAX), field="comment")
    if len(feedback) > FEEDBACK_MAX:
        raise DomainError(gettext("At most %(max)d characters.", max=FEEDBACK_MAX), field="feedback")
    now = utcnow()
    totals.lock_proposals([proposal.id])  # before the review: see review.totals
    review = review_of(actor, proposal)
    try:
        # A double click sends the first review twice at once: the second one meets the
        # unique (proposal, reviewer) in its SAVEPOINT and is refused, not a 500.
        with db.session.begin_nested():
            if review is None:
                review = Review(edition_id=edition.id, proposal_id=proposal.id, user_id=actor.id)
                db.session.add(review)
            review.comment, review.feedback, review.updated_at = comment, feedback, now
            review.submitted_at = review.submitted_at or now
            by_criterion = {score.criterion_id: score for score in review.scores}
            for criterion in criteria:
                score = by_criterion.get(criterion.id)
                if score is None:
                    review.scores.append(Score(criterion_id=criterion.id, value=data.scores[criterion.id]))
                else:
                    score.value = data.scores[criterion.id]
            db.session.flush()
    except sa.exc.IntegrityError as exc:
        raise Conflict(gettext("This review was just saved from another window: reload the page.")) from exc
    totals.review_saved(review)
    record_audit("review.save", actor=actor, edition_id=edition.id, target=review,
                 data={"proposal": proposal.code, "scores": {str(k): v for k, v in data.scores.items()}})
    return review


def weighted_total(review: Review, criteria: list[Criterion]) -> float | None:
    """The weighted mean of the review's scores (None if a criterion is unscored)."""
    values = {score.criterion_id: score.value for score in review.scores}
    if not criteria or any(c.id not in values for c in criteria):
        return None
    return sum(values[c.id] * c.weight for c in criteria) / sum(c.weight for c in criteria)


@dataclass
class OtherReview:
    label: str  # "Reviewer 1": reviewers do not see each other's names
    total: float | None
    scores: dict[int, int] = field(default_factory=dict)
    comment: str = ""


def others_reviews(user, edition: Edition, proposal: Proposal) -> list[OtherReview] | None:
    """The other reviewers' submitted reviews of ``proposal``, or None while ``user`` may
    not see them yet (the setting "only after submitting one's own")."""
    settings = get_settings(edition)
    own = review_of(user, proposal)
    if settings.scores_visible_after_own and (own is None or own.submitted_at is None):
        return None
    criteria = criteria_of(edition)
    reviews = db.session.scalars(
        sa.select(Review).where(Review.proposal_id == proposal.id, Review.user_id != user.id,
                                Review.submitted_at.is_not(None))
        .options(sa.orm.selectinload(Review.scores)).order_by(Review.id)
    ).all()
    return [
        OtherReview(label=gettext("Reviewer %(number)d", number=number), total=weighted_total(review, criteria),
                    scores={s.criterion_id: s.value for s in review.scores}, comment=review.comment)
        for number, review in enumerate(reviews, start=1)
    ]
