"""Conflicts found by the rules, declared ones, bids, teams and manual assignment."""

from __future__ import annotations

import pytest
import sqlalchemy as sa

from convention.cfp.speaker_services import ProfileData, update_speaker_profile
from convention.core.errors import Conflict as Refused
from convention.core.errors import DomainError
from convention.extensions import db as _db
from convention.review import bids, conflicts, expertise
from convention.review.assignment import assign, eligible, unassign
from convention.review.models import Bid, BidLevel, Conflict, ConflictSource
from convention.review.permissions import can_open_review_proposal, team_theme_limit
from tests.conftest import Auth, csrf_token_from
from tests.review.helpers import assigned, review_edition, reviewer, score, speaker_with_profile, submitted


@pytest.fixture
def setup(db):
    return review_edition()


def test_email_domain_ignores_public_providers_and_reserved_names():
    assert conflicts.email_domain("Ann@Acme.BE") == "acme.be"
    for address in ("x@gmail.com", "x@telenet.be", "x@example.org", "x@demo.example", "x@localhost"):
        assert conflicts.email_domain(address) is None


def test_the_rules_find_speaker_organisation_and_domain_conflicts(setup, db):
    edition, organizer, _criteria, _rita, zeb, proposal = setup
    colleague = reviewer(edition, name="Colleague", email="boss@quartermain-labs.be")
    same_org = reviewer(edition, name="Org mate", email="orgmate@gmail.com")
    speaker_with_profile(edition, name="Org mate", email=None, organisation=" quartermain labs ")  # another account
    # The reviewer's own speaker profile carries their organisation.
    update_speaker_profile(edition, ProfileData(display_name="Org mate", organisation="QUARTERMAIN LABS"),
                           actor=same_org)
    stranger = reviewer(edition, name="Stranger", email="someone@gmail.com")
    as_speaker = reviewer(edition, name="Speaker too", email="speaker-too@elsewhere.be")
    own = submitted(edition, as_speaker, title="My own talk")
    db.session.commit()

    assert conflicts.conflict_reasons(colleague, proposal) == [ConflictSource.EMAIL_DOMAIN]
    assert conflicts.conflict_reasons(same_org, proposal) == [ConflictSource.ORGANISATION]
    assert conflicts.conflict_reasons(stranger, proposal) == []
    assert conflicts.conflict_reasons(as_speaker, own) == [ConflictSource.SPEAKER]
    assert not can_open_review_proposal(colleague, edition, proposal)
    assert can_open_review_proposal(stranger, edition, proposal)

    found = conflicts.refresh_automatic_conflicts(edition, actor=organizer)
    db.session.commit()
    rows = {(row.user_id, row.proposal_id, row.source) for row in db.session.scalars(sa.select(Conflict))}
    assert rows == {(colleague.id, proposal.id, ConflictSource.EMAIL_DOMAIN),
                    (same_org.id, proposal.id, ConflictSource.ORGANISATION),
                    (as_speaker.id, own.id, ConflictSource.SPEAKER)}
    assert found == 3
    assert conflicts.refresh_automatic_conflicts(edition, actor=organizer) == 3  # idempotent
    assert db.session.scalar(sa.select(sa.func.count(Conflict.id))) == 3


def test_manual_assignment_refuses_conflicts_and_strangers(setup, db):
    edition, organizer, _criteria, rita, zeb, proposal = setup
    colleague = reviewer(edition, name="Colleague", email="boss@quartermain-labs.be")
    with pytest.raises(Refused, match="conflict of interest"):
        assign(proposal, colleague, actor=organizer)
    _db.session.rollback()
    with pytest.raises(Refused, match="not on the committee"):
        assign(proposal, zeb, actor=organizer)
    _db.session.rollback()
    row = assigned(proposal, rita, organizer)
    with pytest.raises(Refused, match="already reviews"):
        assign(proposal, rita, actor=organizer)
    _db.session.rollback()
    unassign(row, actor=organizer)
    _db.session.commit()
    row = assigned(proposal, rita, organizer)
    relevance, quality = _criteria
    score(edition, proposal, rita, {relevance.id: 1, quality.id: 1})
    with pytest.raises(DomainError, match="already reviewed"):
        unassign(row, actor=organizer)


def test_a_declared_conflict_hides_the_proposal_until_withdrawn(setup, db):
    edition, _organizer, _criteria, rita, _zeb, proposal = setup
    row = conflicts.declare_conflict(proposal, actor=rita)
    db.session.commit()
    assert not can_open_review_proposal(rita, edition, proposal)
    assert db.session.scalar(sa.select(Bid.level).where(Bid.user_id == rita.id)) is BidLevel.CONFLICT
    assert "conflict of interest" in eligible(rita, proposal)
    conflicts.withdraw_conflict(row, actor=rita)
    db.session.commit()
    assert can_open_review_proposal(rita, edition, proposal)
    assert db.session.scalar(sa.select(sa.func.count(Bid.id))) == 0


def test_bids_are_saved_from_the_blind_list(setup, db):
    edition, _organizer, _criteria, rita, zeb, proposal = setup
    other = submitted(edition, zeb, title="Other")
    page = bids.bid_page(rita, edition)
    assert [row.code for row in page.items] == [other.code, proposal.code]  # by title
    assert bids.set_bids(edition, {proposal.code: "eager", other.code: "not_willing"}, actor=rita) == 2
    assert bids.set_bids(edition, {proposal.code: "eager", other.code: ""}, actor=rita) == 1
    db.session.commit()
    assert {b.proposal_id: b.level for b in db.session.scalars(sa.select(Bid))} == {proposal.id: BidLevel.EAGER}
    with pytest.raises(DomainError):
        bids.set_bids(edition, {proposal.code: "very"}, actor=rita)
    _db.session.rollback()
    bids.set_bids(edition, {other.code: "conflict"}, actor=rita)
    db.session.commit()
    assert [row.code for row in bids.bid_page(rita, edition).items] == [proposal.code]
    with pytest.raises(DomainError, match="Unknown proposal"):
        bids.set_bids(edition, {other.code: "eager"}, actor=rita)


def test_a_team_limited_to_themes_sees_only_those(setup, db):
    edition, organizer, _criteria, rita, zeb, proposal = setup
    other_theme = edition.themes[1]
    elsewhere = submitted(edition, zeb, title="Other theme", theme_id=other_theme.id)
    assert team_theme_limit(rita, edition) is None
    team = expertise.save_team(edition, "Networks", [edition.themes[0].id], [rita.id], actor=organizer)
    db.session.commit()
    assert team_theme_limit(rita, edition) == {edition.themes[0].id}
    assert can_open_review_proposal(rita, edition, proposal)
    assert not can_open_review_proposal(rita, edition, elsewhere)
    with pytest.raises(Refused, match="team limited"):
        assign(elsewhere, rita, actor=organizer)
    _db.session.rollback()
    with pytest.raises(DomainError):
        expertise.save_team(edition, "Outsiders", [], [zeb.id], actor=organizer)
    _db.session.rollback()
    expertise.save_team(edition, "Networks", [], [rita.id], actor=organizer, team=team)
    db.session.commit()
    assert can_open_review_proposal(rita, edition, elsewhere)


def test_organizer_assigns_through_the_page(setup, client, db):
    edition, organizer, _criteria, rita, _zeb, proposal = setup
    assert Auth(client).login(organizer.email).status_code == 302
    url = f"/{edition.slug}/manage/review/assignments"
    token = csrf_token_from(client.get(url).get_data(as_text=True))
    bad = client.post(url, data={"csrf_token": token, "code": "NOPE", "reviewer": str(rita.id)})
    assert bad.status_code == 422 and "No proposal has this code" in bad.get_data(as_text=True)
    ok = client.post(url, data={"csrf_token": token, "code": proposal.code.lower(), "reviewer": str(rita.id)})
    assert ok.status_code == 302
    page = client.get(url).get_data(as_text=True)
    assert "Rita Reviewer" in page and proposal.title in page
