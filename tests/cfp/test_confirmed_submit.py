"""Submitting a proposal needs a confirmed address; saving a draft does not (issue 7, item 3)."""

from __future__ import annotations

import pytest

from convention.cfp import services, submission
from convention.cfp.states import ProposalState
from convention.core.errors import DomainError
from tests.cfp.helpers import all_proposals, form_values, proposal_data
from tests.conftest import post_form
from tests.factories import make_user

REFUSAL = ("Please confirm your email address before submitting a proposal: follow the link in the email we sent "
           "you (your account page sends a new one). You can save a draft meanwhile.")


@pytest.fixture
def newcomer(db):
    return make_user(name="Nina Newcomer", email="nina@example.org", confirmed=False)


def test_unconfirmed_speaker_saves_a_draft_but_cannot_submit_it(db, edition, newcomer):
    proposal, _ = services.create_proposal(edition, proposal_data(edition), actor=newcomer)
    db.session.commit()
    assert proposal.state is ProposalState.DRAFT
    with pytest.raises(DomainError) as refused:
        submission.set_proposal_state(proposal, ProposalState.SUBMITTED, actor=newcomer)
    assert refused.value.message == REFUSAL
    db.session.rollback()
    assert proposal.state is ProposalState.DRAFT


def test_unconfirmed_speaker_cannot_create_and_submit_at_once(db, edition, newcomer):
    with pytest.raises(DomainError, match="Please confirm your email address before submitting"):
        services.create_proposal(edition, proposal_data(edition), actor=newcomer, submit=True)
    db.session.rollback()
    assert all_proposals() == []


def test_submit_form_of_an_unconfirmed_speaker_shows_the_refusal_and_keeps_the_input(client, auth, edition, newcomer):
    auth.login(newcomer.email)
    response = post_form(client, "/cfp-test/cfp/submit", {**form_values(edition), "submit": "Submit proposal"})
    assert response.status_code == 422
    html = response.get_data(as_text=True)
    assert REFUSAL in html
    assert 'value="Hardening DNS resolvers for small ISPs"' in html
    assert all_proposals() == []
    draft = post_form(client, "/cfp-test/cfp/submit", {**form_values(edition), "save_draft": "Save as draft"})
    assert draft.status_code == 302
    assert [p.state for p in all_proposals()] == [ProposalState.DRAFT]
