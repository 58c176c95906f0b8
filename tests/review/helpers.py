"""Review test data, built through the services."""

from __future__ import annotations

from datetime import timedelta

from convention.cfp.speaker_services import ProfileData, update_speaker_profile
from convention.cfp.states import ProposalState
from convention.core.timeutil import utcnow
from convention.editions.models import Role
from convention.extensions import db
from convention.review import settings as review_settings
from convention.review.assignment import assign
from convention.review.scoring import ReviewData, save_review
from tests.cfp.helpers import make_proposal
from tests.factories import give_role, make_edition, make_user


def make_criteria(edition, organizer):
    relevance = review_settings.save_criterion(
        edition, review_settings.CriterionData(name="Relevance", scale_min=1, scale_max=5, weight=2), actor=organizer)
    quality = review_settings.save_criterion(
        edition, review_settings.CriterionData(name="Quality", scale_min=0, scale_max=10, weight=1), actor=organizer)
    db.session.commit()
    return relevance, quality


def set_phase(edition, organizer, *, opens_in=None, closes_in=None, blind=True, after_own=True, per_proposal=3):
    now = utcnow()
    review_settings.save_settings(edition, review_settings.SettingsData(
        opens_at=now + opens_in if opens_in is not None else None,
        closes_at=now + closes_in if closes_in is not None else None,
        blind=blind, scores_visible_after_own=after_own, reviews_per_proposal=per_proposal), actor=organizer)
    db.session.commit()


def reviewer(edition, name="Rita Reviewer", email=None):
    user = make_user(name=name, email=email)
    give_role(edition, user, Role.REVIEWER)
    return user


def speaker_with_profile(edition, *, name, email, organisation="", biography="Speaks often."):
    user = make_user(name=name, email=email)
    update_speaker_profile(edition, ProfileData(display_name=name, organisation=organisation, biography=biography),
                           actor=user)
    db.session.commit()
    return user


def submitted(edition, speaker, **overrides):
    return make_proposal(edition, speaker, state=ProposalState.SUBMITTED, **overrides)


def score(edition, proposal, user, values, comment=""):
    review = save_review(edition, proposal, ReviewData(scores=values, comment=comment), actor=user)
    db.session.commit()
    return review


def assigned(proposal, user, organizer):
    row = assign(proposal, user, actor=organizer)
    db.session.commit()
    return row


def review_edition():
    """An edition with two criteria, an open blind review, a reviewer and a submitted proposal."""
    organizer = make_user(name="Olga Organizer")
    edition = make_edition(organizer=organizer)
    criteria = make_criteria(edition, organizer)
    set_phase(edition, organizer, closes_in=timedelta(days=7))
    rita = reviewer(edition, email="rita@reviewers.be")
    speaker = speaker_with_profile(edition, name="Zebulon Quartermain", email="zeb@quartermain-labs.be",
                                   organisation="Quartermain Labs")
    proposal = submitted(edition, speaker, title="Resolvers at scale")
    return edition, organizer, criteria, rita, speaker, proposal
