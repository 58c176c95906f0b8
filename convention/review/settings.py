"""The review phase of an edition and its scoring criteria: read, change, and the rules
that keep scores meaningful (a criterion that has scores keeps its scale)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

import sqlalchemy as sa
from flask_babel import gettext

from convention.audit.services import record_audit
from convention.core.errors import Conflict, DomainError
from convention.core.timeutil import utcnow
from convention.editions.models import Edition
from convention.extensions import db
from convention.review import totals
from convention.review.models import CRITERION_NAME_MAX, Criterion, ReviewSettings, Score

REVIEWS_PER_PROPOSAL_MAX = 20
SCALE_LIMIT = 100
WEIGHT_MAX = 100


def get_settings(edition: Edition) -> ReviewSettings:
    """The edition's review settings: its row, or the defaults (not added to the session)."""
    row = db.session.scalar(sa.select(ReviewSettings).where(ReviewSettings.edition_id == edition.id))
    return row or ReviewSettings.with_defaults(edition.id)


def review_is_open(edition: Edition, now: datetime | None = None) -> bool:
    return get_settings(edition).is_open(now)


def phase_state(settings: ReviewSettings, now: datetime | None = None) -> str:
    """"not_yet", "open" or "closed" (machine words; templates get a sentence)."""
    now = now or utcnow()
    if settings.opens_at and now < settings.opens_at:
        return "not_yet"
    if settings.closes_at and now >= settings.closes_at:
        return "closed"
    return "open"


@dataclass(frozen=True)
class SettingsData:
    opens_at: datetime | None
    closes_at: datetime | None
    blind: bool
    scores_visible_after_own: bool
    reviews_per_proposal: int


def save_settings(edition: Edition, data: SettingsData, *, actor) -> ReviewSettings:
    if data.opens_at and data.closes_at and data.closes_at <= data.opens_at:
        raise DomainError(gettext("The review must close after it opens."), field="closes_at")
    if not 1 <= data.reviews_per_proposal <= REVIEWS_PER_PROPOSAL_MAX:
        raise DomainError(
            gettext("Between 1 and %(max)d reviews per proposal.", max=REVIEWS_PER_PROPOSAL_MAX),
            field="reviews_per_proposal",
        )
    row = db.session.scalar(sa.select(ReviewSettings).where(ReviewSettings.edition_id == edition.id))
    if row is None:
        row = ReviewSettings(edition_id=edition.id)
        db.session.add(row)
    old = _settings_values(row)
    row.opens_at, row.closes_at = data.opens_at, data.closes_at
    row.blind, row.scores_visible_after_own = data.blind, data.scores_visible_after_own
    row.reviews_per_proposal = data.reviews_per_proposal
    db.session.flush()
    new = _settings_values(row)
    changed = [key for key in new if old[key] != new[key]]
    record_audit("review.settings", actor=actor, edition_id=edition.id, target=row, data=new,
                 before={key: old[key] for key in changed}, after={key: new[key] for key in changed})
    return row


def _settings_values(row: ReviewSettings) -> dict:
    return {
        "opens_at": row.opens_at.isoformat() if row.opens_at else None,
        "closes_at": row.closes_at.isoformat() if row.closes_at else None,
        "blind": row.blind, "scores_visible_after_own": row.scores_visible_after_own,
        "reviews_per_proposal": row.reviews_per_proposal,
    }


# -- criteria ------------------------------------------------------------------------------------


@dataclass(frozen=True)
class CriterionData:
    name: str
    description: str = ""
    scale_min: int = 1
    scale_max: int = 5
    weight: int = 1


def criteria_of(edition: Edition) -> list[Criterion]:
    return list(db.session.scalars(
        sa.select(Criterion).where(Criterion.edition_id == edition.id).order_by(Criterion.position, Criterion.id)
    ))


def criterion_has_scores(criterion: Criterion) -> bool:
    return db.session.scalar(sa.select(Score.id).where(Score.criterion_id == criterion.id).limit(1)) is not None


def _check_criterion(edition: Edition, data: CriterionData, criterion: Criterion | None) -> str:
    name = " ".join(data.name.split())
    if not name or len(name) > CRITERION_NAME_MAX:
        raise DomainError(gettext("Give the criterion a name (at most %(max)d characters).", max=CRITERION_NAME_MAX),
                          field="name")
    if not (-SCALE_LIMIT <= data.scale_min < data.scale_max <= SCALE_LIMIT):
        raise DomainError(gettext("The scale must go up: its lowest score below its highest, both between "
                                  "-%(limit)d and %(limit)d.", limit=SCALE_LIMIT), field="scale_max")
    if not 1 <= data.weight <= WEIGHT_MAX:
        raise DomainError(gettext("The weight is a whole number from 1 to %(max)d.", max=WEIGHT_MAX), field="weight")
    clash = db.session.scalar(sa.select(Criterion.id).where(
        Criterion.edition_id == edition.id, sa.func.lower(Criterion.name) == name.lower(),
        Criterion.id != (criterion.id if criterion else -1)))
    if clash is not None:
        raise DomainError(gettext("There is already a criterion with that name."), field="name")
    if criterion is not None and (data.scale_min, data.scale_max) != (criterion.scale_min, criterion.scale_max) \
            and criterion_has_scores(criterion):
        raise Conflict(gettext("Reviewers have already scored on this scale: it can no longer change."),
                       field="scale_min")
    return name


def save_criterion(edition: Edition, data: CriterionData, *, actor, criterion: Criterion | None = None) -> Criterion:
    """Create a criterion (placed last) or change one."""
    name = _check_criterion(edition, data, criterion)
    if criterion is None:
        last = db.session.scalar(sa.select(sa.func.max(Criterion.position)).where(Criterion.edition_id == edition.id))
        criterion = Criterion(edition_id=edition.id, position=(last or 0) + 1)
        db.session.add(criterion)
    reweighted = criterion.id is not None and criterion.weight != data.weight
    criterion.name, criterion.description = name, data.description.strip()
    criterion.scale_min, criterion.scale_max, criterion.weight = data.scale_min, data.scale_max, data.weight
    db.session.flush()
    if reweighted:  # the reviews' totals and the ranking follow the new weight
        totals.recompute_edition(edition.id)
    record_audit("review.criterion.save", actor=actor, edition_id=edition.id, target=criterion,
                 data={"name": name, "scale": [data.scale_min, data.scale_max], "weight": data.weight})
    return criterion


def delete_criterion(criterion: Criterion, *, actor) -> None:
    if criterion_has_scores(criterion):
        raise Conflict(gettext("Reviewers have already scored this criterion: it cannot be deleted."))
    record_audit("review.criterion.delete", actor=actor, edition_id=criterion.edition_id, target=criterion,
                 data={"name": criterion.name})
    db.session.delete(criterion)
    db.session.flush()
