"""The demo edition's review: open and blind, four criteria, the committee's themes, a
queue for each of Ravi, Rosa and Remy (some reviewed, some still to do), conflicts
(Ravi declares two; Rosa works at the same company as Sofia Speaker), and decisions on a
few fully reviewed proposals: two already told to their speakers, two not told yet (so the
organizer's Notifications page has something to preview and send). Sofia's own proposals
are left undecided: the README's tour shows her submitted one as submitted."""

from __future__ import annotations

import random
from datetime import timedelta

import sqlalchemy as sa

from convention.cfp.models import Proposal
from convention.cfp.speaker_services import ProfileData, update_speaker_profile
from convention.cfp.states import ProposalState
from convention.core.timeutil import utcnow
from convention.extensions import db
from convention.review import conflicts, decisions, expertise, settings
from convention.review.assignment import assign, eligible
from convention.review.models import Outcome, Review
from convention.review.permissions import REVIEWABLE_STATES
from convention.review.scoring import ReviewData, queue_of, save_review

CRITERIA = [
    ("Relevance to the themes", "Does it matter to the people who defend networks, code and companies?", 2),
    ("Technical quality", "Is it accurate, deep enough for its level, and backed by real experience?", 2),
    ("Originality", "Would the audience learn something they cannot find in every other conference?", 1),
    ("Speaker's expertise", "Judge the proposal's text only: the review is blind.", 1),
]
COMMENTS = [
    "Clear scope and a realistic demo; fits the theme well.",
    "Solid but familiar material; would work as a short talk.",
    "The abstract promises more than the description delivers.",
    "Strong practical angle; the audience will take something home.",
    "Good topic, but the level seems higher than stated.",
]
FEEDBACK = ["", "", "Consider adding a concrete case study.", "A shorter title would help the programme."]
REVIEWERS = ("reviewer1", "reviewer2", "reviewer3")
PER_PROPOSAL = 2
SHARE_REVIEWED = {"reviewer1": 0.7, "reviewer2": 0.5, "reviewer3": 0.35}


def seed(edition, people) -> None:
    rng = random.Random(4242)
    organizer = people["organizer"]
    now = utcnow()
    closes = (edition.cfp_closes_at or now) + timedelta(days=21)
    settings.save_settings(edition, settings.SettingsData(
        opens_at=now - timedelta(days=7), closes_at=closes, blind=True, scores_visible_after_own=True,
        reviews_per_proposal=PER_PROPOSAL), actor=organizer)
    criteria = [settings.save_criterion(edition, settings.CriterionData(name=name, description=text, scale_min=1,
                                                                         scale_max=5, weight=weight), actor=organizer)
                for name, text, weight in CRITERIA]
    themes = [theme.id for theme in edition.themes]
    committee = [people[key] for key in REVIEWERS]
    for index, user in enumerate(committee):
        expertise.set_reviewer_themes(edition, themes[index * 2:index * 2 + 2], actor=user)

    # Rosa spoke for Kanaal Cloud, Sofia's company, last year: a conflict the rules find.
    update_speaker_profile(edition, ProfileData(display_name="Rosa Reviewer", organisation="Kanaal Cloud",
                                                biography="Programme committee member."), actor=people["reviewer2"])
    proposals = list(db.session.scalars(
        sa.select(Proposal).where(Proposal.edition_id == edition.id, Proposal.state.in_(REVIEWABLE_STATES))
        .order_by(Proposal.id)))
    for proposal in proposals[3:5]:
        conflicts.declare_conflict(proposal, actor=people["reviewer1"])
    conflicts.refresh_automatic_conflicts(edition, actor=organizer)

    start = 0
    for proposal in proposals:
        chosen = 0
        for offset in range(len(committee)):
            user = committee[(start + offset) % len(committee)]
            if chosen < PER_PROPOSAL and eligible(user, proposal) is None:
                assign(proposal, user, actor=organizer)
                chosen += 1
        start += 1
    db.session.flush()

    for key, user in zip(REVIEWERS, committee, strict=True):
        for code in _queue_codes(user, edition):
            if rng.random() >= SHARE_REVIEWED[key]:
                continue
            proposal = db.session.scalar(sa.select(Proposal).where(Proposal.code == code))
            scores = {c.id: min(5, max(1, round(rng.gauss(3.4, 1.0)))) for c in criteria}
            save_review(edition, proposal, ReviewData(scores=scores, comment=rng.choice(COMMENTS),
                                                      feedback=rng.choice(FEEDBACK)), actor=user)
    db.session.flush()
    _decide(edition, organizer, people["speaker"])


def _decide(edition, organizer, sofia) -> None:
    """Accept one and reject one fully reviewed proposal and tell their speakers; then decide
    two more without telling anyone yet."""
    reviewed = (sa.select(Review.proposal_id).where(Review.submitted_at.is_not(None))
                .group_by(Review.proposal_id).having(sa.func.count(Review.id) >= PER_PROPOSAL))
    ready = [proposal for proposal in db.session.scalars(
        sa.select(Proposal).where(Proposal.edition_id == edition.id, Proposal.state == ProposalState.SUBMITTED,
                                  Proposal.id.in_(reviewed)).order_by(Proposal.id))
        if all(link.profile.user_id != sofia.id for link in proposal.speakers)][:4]
    outcomes = [Outcome.ACCEPT, Outcome.REJECT]
    for proposal, outcome in zip(ready[:2], outcomes, strict=False):
        decisions.decide(proposal, outcome, actor=organizer)
    if ready[:2]:
        decisions.send_notifications(edition, actor=organizer)
    for proposal, outcome in zip(ready[2:], outcomes, strict=False):
        decisions.decide(proposal, outcome, actor=organizer)
    db.session.flush()


def _queue_codes(user, edition) -> list[str]:
    return [item.code for item in queue_of(user, edition).items]
