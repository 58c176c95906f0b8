"""Writing, editing and submitting proposals: services and views."""

from __future__ import annotations

from datetime import timedelta

import pytest
import sqlalchemy as sa

from convention.cfp import call, services, submission
from convention.cfp import manage_services as manage
from convention.cfp.late_grants import claim_late_grant, create_late_grant
from convention.cfp.models import ABSTRACT_MAX, Answer, Proposal
from convention.cfp.states import ProposalState
from convention.core.errors import DomainError
from convention.core.timeutil import utcnow
from convention.extensions import db as _db
from tests.cfp.helpers import all_proposals, emails_to, form_values, make_proposal, make_question, proposal_data
from tests.conftest import csrf_token_from, post_form

S = ProposalState


def close_call(edition, *, ago=timedelta(minutes=1)):
    edition.cfp_closes_at = utcnow() - ago
    _db.session.commit()


# -- services ------------------------------------------------------------------------------------


def test_create_proposal_as_draft_makes_the_submitter_its_speaker(db, edition, speaker):
    proposal, created = services.create_proposal(edition, proposal_data(edition), actor=speaker)
    assert created is True
    assert proposal.state is S.DRAFT
    assert [link.profile.user for link in proposal.speakers] == [speaker]
    assert proposal.speakers[0].is_submitter is True
    assert proposal.speakers[0].profile.display_name == "Sofia Speaker"
    assert len(proposal.code) == 10 and proposal.code.isalnum()
    assert emails_to(speaker.email, "cfp_submitted") == []


def test_create_and_submit_at_once_sends_the_confirmation(db, edition, speaker):
    proposal, _ = services.create_proposal(edition, proposal_data(edition), actor=speaker, submit=True)
    db.session.commit()
    assert proposal.state is S.SUBMITTED
    assert len(emails_to(speaker.email, "cfp_submitted")) == 1


@pytest.mark.parametrize(
    ("field", "value", "message"),
    [
        ("title", "   ", "Please give your proposal a title."),
        ("title", "x" * 201, "Titles are limited to 200 characters."),
        ("abstract", "", "Please write a short abstract."),
        ("abstract", "a" * (ABSTRACT_MAX + 1), f"The abstract is limited to {ABSTRACT_MAX} characters."),
        ("level", "guru", "Choose an audience level and a language from the lists."),
        ("language", "xx", "Choose an audience level and a language from the lists."),
    ],
)
def test_create_proposal_refuses_bad_input(db, edition, speaker, field, value, message):
    with pytest.raises(DomainError) as caught:
        services.create_proposal(edition, proposal_data(edition, **{field: value}), actor=speaker)
    assert caught.value.message == message


def test_theme_of_another_edition_is_refused(db, edition, speaker, organizer):
    from tests.factories import make_edition

    other = make_edition(organizer=organizer)
    with pytest.raises(DomainError) as caught:
        services.create_proposal(edition, proposal_data(edition, theme_id=other.themes[0].id), actor=speaker)
    assert caught.value.field == "theme_id"


def test_create_after_the_deadline_is_refused(db, edition, speaker):
    close_call(edition)
    with pytest.raises(call.CallClosed) as caught:
        services.create_proposal(edition, proposal_data(edition), actor=speaker)
    assert "The call for papers closed on" in caught.value.message


def test_create_before_the_call_opens_is_refused(db, edition, speaker):
    edition.cfp_opens_at = utcnow() + timedelta(days=2)
    db.session.commit()
    with pytest.raises(call.CallClosed) as caught:
        services.create_proposal(edition, proposal_data(edition), actor=speaker)
    assert caught.value.message.startswith("The call for papers opens on")


def test_submitting_a_draft_needs_the_required_answers(db, edition, organizer, speaker):
    proposal = make_proposal(edition, speaker)
    question = make_question(edition, organizer, required=True)
    with pytest.raises(DomainError) as caught:
        submission.set_proposal_state(proposal, S.SUBMITTED, actor=speaker)
    assert caught.value.field == f"q_{question.id}"
    assert caught.value.message == "Answer the required question “Is this your first talk?” before submitting."


def test_answers_are_stored_checked_and_cleared(db, edition, organizer, speaker):
    yes_no = make_question(edition, organizer)
    choice = make_question(edition, organizer, label="Sector", kind="choice", choices="Health\nFinance")
    proposal, _ = services.create_proposal(
        edition, proposal_data(edition, answers={yes_no.id: "yes", choice.id: "Finance"}), actor=speaker
    )
    assert {a.question_id: a.value for a in proposal.answers} == {yes_no.id: "yes", choice.id: "Finance"}
    services.update_proposal(proposal, proposal_data(edition, answers={yes_no.id: "no", choice.id: ""}), actor=speaker)
    db.session.commit()
    assert db.session.execute(sa.select(Answer.question_id, Answer.value)).all() == [(yes_no.id, "no")]
    with pytest.raises(DomainError) as caught:
        services.update_proposal(proposal, proposal_data(edition, answers={choice.id: "Retail"}), actor=speaker)
    assert caught.value.message == "Choose one of the listed answers."


def test_update_after_the_deadline_is_refused(db, edition, speaker):
    proposal = make_proposal(edition, speaker, state=S.SUBMITTED)
    close_call(edition)
    with pytest.raises(call.CallClosed):
        services.update_proposal(proposal, proposal_data(edition, title="New title"), actor=speaker)


def test_update_of_a_withdrawn_proposal_is_refused(db, edition, speaker):
    proposal = make_proposal(edition, speaker, state=S.WITHDRAWN)
    with pytest.raises(DomainError) as caught:
        services.update_proposal(proposal, proposal_data(edition, title="New title"), actor=speaker)
    assert caught.value.message == "This proposal is withdrawn and can no longer be changed."


def test_update_records_what_changed_and_when(db, edition, speaker):
    proposal = make_proposal(edition, speaker, state=S.SUBMITTED)
    before = proposal.updated_at
    services.update_proposal(proposal, proposal_data(edition, title="A better title"), actor=speaker)
    db.session.commit()
    assert proposal.title == "A better title"
    assert proposal.updated_at > before


def test_late_grant_lets_one_speaker_in_after_the_deadline(db, edition, organizer, speaker, other_speaker):
    close_call(edition)
    grant, link = create_late_grant(edition, speaker.email, utcnow() + timedelta(days=2), actor=organizer)
    claim_late_grant(grant, actor=speaker)
    db.session.commit()
    proposal, _ = services.create_proposal(edition, proposal_data(edition), actor=speaker, submit=True)
    assert proposal.state is S.SUBMITTED
    with pytest.raises(call.CallClosed):
        services.create_proposal(edition, proposal_data(edition), actor=other_speaker)
    with pytest.raises(DomainError):
        claim_late_grant(grant, actor=other_speaker)
    (mail,) = emails_to(speaker.email, "cfp_late_link")
    assert link in mail.body_text


def test_expired_late_grant_no_longer_opens_the_call(db, edition, organizer, speaker):
    close_call(edition)
    grant, _ = create_late_grant(edition, speaker.email, utcnow() + timedelta(hours=1), actor=organizer)
    claim_late_grant(grant, actor=speaker)
    db.session.commit()
    assert call.call_is_open_for(edition, speaker) is True
    assert call.call_is_open_for(edition, speaker, now=utcnow() + timedelta(hours=2)) is False


# -- views -----------------------------------------------------------------------------------------


def test_submit_form_creates_a_submitted_proposal_and_redirects(client, auth, edition, speaker):
    auth.login(speaker.email)
    response = post_form(client, "/cfp-test/cfp/submit", {**form_values(edition), "submit": "Submit proposal"})
    (proposal,) = all_proposals()
    assert response.status_code == 302
    assert response.headers["Location"] == f"/cfp-test/cfp/proposals/{proposal.code}"
    assert proposal.state is S.SUBMITTED


def test_save_draft_button_keeps_a_draft(client, auth, edition, speaker):
    auth.login(speaker.email)
    post_form(client, "/cfp-test/cfp/submit", {**form_values(edition), "save_draft": "Save as draft"})
    (proposal,) = all_proposals()
    assert proposal.state is S.DRAFT


def test_double_submit_creates_one_proposal(client, auth, edition, speaker):
    auth.login(speaker.email)
    page = client.get("/cfp-test/cfp/submit").get_data(as_text=True)
    token = csrf_token_from(page)
    key = page.split('name="submission_key" type="hidden" value="')[1].split('"')[0]
    data = {**form_values(edition), "submit": "Submit proposal", "csrf_token": token, "submission_key": key}
    first = client.post("/cfp-test/cfp/submit", data=data)
    second = client.post("/cfp-test/cfp/submit", data=data)
    (proposal,) = all_proposals()
    assert first.headers["Location"] == second.headers["Location"] == f"/cfp-test/cfp/proposals/{proposal.code}"
    assert len(emails_to(speaker.email, "cfp_submitted")) == 1


def test_two_forms_create_two_proposals(client, auth, edition, speaker):
    auth.login(speaker.email)
    for _ in range(2):
        page = client.get("/cfp-test/cfp/submit").get_data(as_text=True)
        key = page.split('name="submission_key" type="hidden" value="')[1].split('"')[0]
        client.post("/cfp-test/cfp/submit", data={**form_values(edition), "csrf_token": csrf_token_from(page),
                                                  "submission_key": key, "submit": "Submit proposal"})
    assert len(all_proposals()) == 2


def test_submit_form_shows_errors_and_saves_nothing(client, auth, edition, speaker):
    auth.login(speaker.email)
    response = post_form(client, "/cfp-test/cfp/submit", {**form_values(edition, title="", theme_id="0"),
                                                         "submit": "Submit proposal"})
    html = response.get_data(as_text=True)
    assert response.status_code == 422
    assert "Choose a theme." in html
    assert all_proposals() == []


def test_required_custom_question_on_the_form(client, auth, edition, organizer, speaker):
    question = make_question(edition, organizer, label="Which sector?", kind="choice", choices="Health\nFinance", required=True)
    auth.login(speaker.email)
    page = client.get("/cfp-test/cfp/submit").get_data(as_text=True)
    assert "Which sector?" in page and '<option value="Finance">Finance</option>' in page
    missing = post_form(client, "/cfp-test/cfp/submit", {**form_values(edition), "submit": "Submit proposal"})
    assert missing.status_code == 422
    assert "Please answer this question." in missing.get_data(as_text=True)
    post_form(client, "/cfp-test/cfp/submit", {**form_values(edition), f"q_{question.id}": "Finance", "submit": "Submit proposal"})
    (proposal,) = all_proposals()
    assert [(a.question_id, a.value) for a in proposal.answers] == [(question.id, "Finance")]


def test_deadline_passing_mid_edit_is_refused_and_nothing_saved(client, auth, edition, speaker):
    proposal = make_proposal(edition, speaker, state=S.SUBMITTED)
    auth.login(speaker.email)
    url = f"/cfp-test/cfp/proposals/{proposal.code}/edit"
    page = client.get(url).get_data(as_text=True)  # the form is open...
    close_call(edition)  # ...the deadline passes while the speaker types...
    response = client.post(url, data={**form_values(edition, title="Changed too late"), "csrf_token": csrf_token_from(page)})
    html = response.get_data(as_text=True)
    assert response.status_code == 422
    assert "The call for papers closed on" in html
    assert "Your changes were not saved." in html
    _db.session.expire_all()
    assert _db.session.get(Proposal, proposal.id).title == "Hardening DNS resolvers for small ISPs"


def test_new_proposal_posted_after_the_deadline_is_refused(client, auth, edition, speaker):
    auth.login(speaker.email)
    page = client.get("/cfp-test/cfp/submit").get_data(as_text=True)
    close_call(edition)
    key = page.split('name="submission_key" type="hidden" value="')[1].split('"')[0]
    response = client.post("/cfp-test/cfp/submit", data={**form_values(edition), "csrf_token": csrf_token_from(page),
                                                         "submission_key": key, "submit": "Submit proposal"})
    assert response.status_code == 422
    assert "The call for papers closed on" in response.get_data(as_text=True)
    assert all_proposals() == []


def test_closed_call_shows_no_form(client, auth, edition, speaker):
    close_call(edition)
    auth.login(speaker.email)
    html = client.get("/cfp-test/cfp/submit").get_data(as_text=True)
    assert "The call for papers is closed" in html
    assert 'name="title"' not in html


def test_public_call_page_shows_themes_formats_and_deadline(client, edition):
    html = client.get("/cfp-test/cfp/").get_data(as_text=True)
    for theme in edition.themes:
        assert theme.name.replace("&", "&amp;") in html
    assert "Workshop" in html and "90 min" in html
    assert "The call is <strong>open</strong> until" in html
    assert "(CET)" in html or "(CEST)" in html
    assert 'data-deadline="' in html


def test_public_call_page_after_the_deadline(client, auth, edition, speaker):
    close_call(edition)
    auth.login(speaker.email)
    html = client.get("/cfp-test/cfp/").get_data(as_text=True)
    assert "The call closed on" in html
    assert "/cfp-test/cfp/submit" not in html


def test_speaker_withdraws_after_confirming_on_a_page(client, auth, edition, speaker):
    proposal = make_proposal(edition, speaker, state=S.SUBMITTED)
    auth.login(speaker.email)
    url = f"/cfp-test/cfp/proposals/{proposal.code}/state/withdraw"
    confirm = client.get(url)
    assert confirm.status_code == 200
    assert "The committee will be told" in confirm.get_data(as_text=True)
    _db.session.expire_all()
    assert _db.session.get(Proposal, proposal.id).state is S.SUBMITTED  # a GET changes nothing
    response = client.post(url, data={"csrf_token": csrf_token_from(confirm.get_data(as_text=True))})
    assert response.status_code == 302
    _db.session.expire_all()
    assert _db.session.get(Proposal, proposal.id).state is S.WITHDRAWN


def test_state_change_without_csrf_changes_nothing(client, auth, edition, speaker):
    proposal = make_proposal(edition, speaker, state=S.SUBMITTED)
    auth.login(speaker.email)
    response = client.post(f"/cfp-test/cfp/proposals/{proposal.code}/state/withdraw", data={})
    assert response.status_code == 400
    _db.session.expire_all()
    assert _db.session.get(Proposal, proposal.id).state is S.SUBMITTED


def test_speaker_cannot_use_an_organizer_move_url(client, auth, edition, speaker):
    proposal = make_proposal(edition, speaker, state=S.SUBMITTED)
    auth.login(speaker.email)
    page = client.get(f"/cfp-test/cfp/proposals/{proposal.code}").get_data(as_text=True)
    assert client.post(f"/cfp-test/cfp/proposals/{proposal.code}/state/accept",
                       data={"csrf_token": csrf_token_from(page)}).status_code == 404
    assert client.post(f"/cfp-test/manage/proposals/{proposal.code}/state/accept",
                       data={"csrf_token": csrf_token_from(page)}).status_code == 403
    _db.session.expire_all()
    assert _db.session.get(Proposal, proposal.id).state is S.SUBMITTED


def test_organizer_cancels_through_the_manage_page(client, auth, edition, organizer, speaker):
    # Accept and reject are decided in the review (tests/cfp/test_decision_notification.py).
    proposal = make_proposal(edition, speaker, state=S.CONFIRMED, organizer=organizer)
    auth.login(organizer.email)
    page = client.get(f"/cfp-test/manage/proposals/{proposal.code}").get_data(as_text=True)
    response = client.post(f"/cfp-test/manage/proposals/{proposal.code}/state/cancel", data={"csrf_token": csrf_token_from(page)})
    assert response.status_code == 302
    _db.session.expire_all()
    assert _db.session.get(Proposal, proposal.id).state is S.CANCELLED


def test_last_changed_time_is_shown(client, auth, edition, speaker):
    proposal = make_proposal(edition, speaker, state=S.SUBMITTED)
    auth.login(speaker.email)
    html = client.get(f"/cfp-test/cfp/proposals/{proposal.code}").get_data(as_text=True)
    assert "Last changed" in html


# -- a draft may leave its theme and format open ----------------------------------------------------


def test_save_as_draft_without_theme_and_format(client, auth, edition, speaker, organizer):
    auth.login(speaker.email)
    response = post_form(client, "/cfp-test/cfp/submit",
                         {**form_values(edition, theme_id="0", format_id="0"), "save_draft": "Save as draft"})
    (proposal,) = all_proposals()
    assert response.headers["Location"] == f"/cfp-test/cfp/proposals/{proposal.code}"
    assert (proposal.state, proposal.theme_id, proposal.format_id) == (S.DRAFT, None, None)
    page = client.get(response.headers["Location"]).get_data(as_text=True)
    assert page.count("Not chosen yet") == 2
    # The organizers' table and CSV list it too (no theme to join on).
    assert manage.list_proposals(edition, manage.ProposalFilter(), viewer=organizer) == [proposal]
    assert f"{proposal.code},{proposal.title},draft,,,," in manage.export_csv(edition, manage.ProposalFilter(), viewer=organizer)


def test_submitting_needs_a_theme_and_a_format(client, auth, db, edition, speaker):
    draft, _ = services.create_proposal(edition, proposal_data(edition, theme_id=0, format_id=0), actor=speaker)
    with pytest.raises(DomainError) as caught:
        submission.set_proposal_state(draft, S.SUBMITTED, actor=speaker)
    assert (caught.value.field, caught.value.message) == ("theme_id", "Choose a theme before submitting.")
    _db.session.rollback()
    with pytest.raises(DomainError) as caught:
        services.create_proposal(edition, proposal_data(edition, format_id=0), actor=speaker, submit=True)
    assert (caught.value.field, caught.value.message) == ("format_id", "Choose one of this edition's formats.")
    _db.session.rollback()
    # On the form: the submit button asks for both, and nothing is kept.
    auth.login(speaker.email)
    response = post_form(client, "/cfp-test/cfp/submit",
                         {**form_values(edition, theme_id="0", format_id="0"), "submit": "Submit proposal"})
    assert response.status_code == 422
    html = response.get_data(as_text=True)
    assert "Choose a theme." in html and "Choose a format." in html
    assert all_proposals() == []


def test_a_draft_without_theme_gets_one_then_is_submitted(client, auth, db, edition, speaker):
    draft, _ = services.create_proposal(edition, proposal_data(edition, theme_id=0, format_id=0), actor=speaker)
    _db.session.commit()
    auth.login(speaker.email)
    url = f"/cfp-test/cfp/proposals/{draft.code}/edit"
    refused = post_form(client, url, {**form_values(edition, theme_id="0"), "submit": "Submit proposal"})
    assert refused.status_code == 422
    _db.session.expire_all()
    assert services.get_proposal(edition, draft.code).state is S.DRAFT
    done = post_form(client, url, {**form_values(edition), "submit": "Submit proposal"})
    assert done.status_code == 302
    _db.session.expire_all()
    proposal = services.get_proposal(edition, draft.code)
    assert (proposal.state, proposal.theme_id, proposal.format_id) == (
        S.SUBMITTED, edition.themes[0].id, edition.formats[0].id)


def test_a_submitted_proposal_keeps_its_theme(db, edition, speaker):
    proposal = make_proposal(edition, speaker, state=S.SUBMITTED)
    with pytest.raises(DomainError) as caught:
        services.update_proposal(proposal, proposal_data(edition, theme_id=0), actor=speaker)
    assert caught.value.field == "theme_id"
