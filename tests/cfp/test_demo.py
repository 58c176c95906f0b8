"""The demo edition's call for papers looks like a real one."""

from __future__ import annotations

import sqlalchemy as sa

from convention.cfp.models import Answer, Availability, Proposal, ProposalSpeaker, SpeakerProfile
from convention.cfp.states import ProposalState
from convention.demo import DOMAIN_SEEDERS, seed_demo
from convention.editions.models import Edition


def test_demo_has_60_proposals_in_every_theme_and_state(db):
    assert "convention.cfp.demo:seed" in DOMAIN_SEEDERS
    seed_demo()
    db.session.commit()
    edition = db.session.scalar(sa.select(Edition).where(Edition.slug == "demo"))
    proposals = db.session.scalars(sa.select(Proposal).where(Proposal.edition_id == edition.id)).all()
    assert len(proposals) >= 60
    assert {p.state for p in proposals} == set(ProposalState)
    assert {p.theme_id for p in proposals} == {t.id for t in edition.themes}
    assert {p.format_id for p in proposals} == {f.id for f in edition.formats}
    with_co_speakers = db.session.scalar(
        sa.select(sa.func.count()).select_from(
            sa.select(ProposalSpeaker.proposal_id).group_by(ProposalSpeaker.proposal_id)
            .having(sa.func.count(ProposalSpeaker.id) > 1).subquery()
        )
    )
    assert with_co_speakers >= 10
    assert db.session.scalar(sa.select(sa.func.count(Answer.id))) >= 60
    assert db.session.scalar(sa.select(sa.func.count(SpeakerProfile.id))) >= 25
    assert db.session.scalar(sa.select(sa.func.count(Availability.id))) >= 5
    sofia = db.session.scalars(
        sa.select(Proposal).join(ProposalSpeaker).join(SpeakerProfile).where(SpeakerProfile.display_name == "Sofia Speaker")
    ).all()
    assert {p.state for p in sofia} >= {ProposalState.CONFIRMED, ProposalState.SUBMITTED, ProposalState.DRAFT}
