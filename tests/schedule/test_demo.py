"""The demo edition has a schedule: days with breaks, every confirmed talk placed without a
hard problem, and a published first version."""

from __future__ import annotations

import sqlalchemy as sa

from convention.cfp.models import Proposal
from convention.cfp.states import ProposalState
from convention.demo import DOMAIN_SEEDERS, seed_demo
from convention.editions.models import Edition
from convention.schedule import grid, versions
from convention.schedule.checks import all_problems


def test_demo_schedule_is_published_and_clean(db, client):
    assert "convention.schedule.demo:seed" in DOMAIN_SEEDERS
    seed_demo()
    db.session.commit()
    edition = db.session.scalar(sa.select(Edition).where(Edition.slug == "demo"))
    confirmed = db.session.scalar(sa.select(sa.func.count(Proposal.id)).where(
        Proposal.edition_id == edition.id, Proposal.state == ProposalState.CONFIRMED))
    version = versions.latest_version(edition)
    assert version.number == 1 and len(version.snapshot["talks"]) == confirmed > 0
    problems = all_problems(grid.load_plan(edition))
    assert not any(p.hard for found in problems.values() for p in found)
    assert client.get("/demo/schedule/").status_code == 200
