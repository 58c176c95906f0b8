"""Co-speakers: invitation by email, joining (with or without an account), limits."""

from __future__ import annotations

from datetime import timedelta

import pytest

from convention.accounts.models import User
from convention.cfp import cospeakers, models, permissions, services, submission
from convention.cfp.models import MAX_SPEAKERS
from convention.cfp.states import ProposalState
from convention.core.errors import DomainError
from convention.core.signals import TalkConfirmed, talk_confirmed
from convention.core.timeutil import utcnow
from convention.extensions import db as _db
from tests.cfp.helpers import emails_to, form_values, link_in, make_proposal
from tests.conftest import csrf_token_from, post_form
from tests.factories import make_edition, make_user


def invite(proposal, speaker, email="carl@example.org"):
    invitation = cospeakers.invite_co_speaker(proposal, email, actor=speaker)
    _db.session.commit()
    (mail,) = emails_to(email, "cfp_invitation")
    return invitation, link_in(mail)


def test_invitation_email_names_the_inviter_and_the_proposal(db, edition, speaker):
    proposal = make_proposal(edition, speaker)
    _invitation, link = invite(proposal, speaker)
    (mail,) = emails_to("carl@example.org", "cfp_invitation")
    assert mail.subject == "Sofia Speaker invites you to co-present at Security Convention 2027"
    assert proposal.title in mail.body_text
    assert link.startswith("/cfp-test/cfp/invite/")
    assert models.hash_token(link.rsplit("/", 1)[1]) == _invitation.token_hash  # only the hash is kept


def test_anonymous_visitor_is_offered_to_sign_up_and_come_back(client, db, edition, speaker):
    proposal = make_proposal(edition, speaker)
    _inv, link = invite(proposal, speaker)
    html = client.get(link).get_data(as_text=True)
    assert "You are invited to co-present" in html
    assert f'href="/signup?next={link}"' in html
    assert f'href="/login?next={link}"' in html


def test_invited_person_signs_up_then_joins_and_can_edit(client, auth, db, edition, speaker):
    proposal = make_proposal(edition, speaker, state=ProposalState.SUBMITTED)
    _inv, link = invite(proposal, speaker, "newcomer@example.org")
    signup = post_form(client, f"/signup?next={link}", {"name": "Nina Newcomer", "email": "newcomer@example.org",
                                                       "password": "a long passphrase 42", "confirm": "a long passphrase 42"},
                       page="/signup")
    assert signup.headers["Location"] == f"/login?next={link}"
    auth.login("newcomer@example.org", "a long passphrase 42")
    # Until the address is confirmed, the invitation says so and joining is refused.
    page = client.get(link).get_data(as_text=True)
    assert "Confirm your email address first" in page
    assert "Join this proposal" not in page
    refused = client.post(link, data={"csrf_token": csrf_token_from(page)})
    assert refused.headers["Location"] == link
    assert len(services.get_proposal(edition, proposal.code).speakers) == 1
    newcomer = _db.session.scalar(_db.select(User).where(User.email == "newcomer@example.org"))
    newcomer.email_confirmed_at = utcnow()  # (following the confirmation link is tested in accounts)
    _db.session.commit()
    page = client.get(link).get_data(as_text=True)
    assert "Join this proposal" in page
    joined = client.post(link, data={"csrf_token": csrf_token_from(page)})
    assert joined.headers["Location"] == f"/cfp-test/cfp/proposals/{proposal.code}"
    _db.session.expire_all()
    proposal = services.get_proposal(edition, proposal.code)
    assert [link.profile.display_name for link in proposal.speakers] == ["Sofia Speaker", "Nina Newcomer"]
    edit = post_form(client, f"/cfp-test/cfp/proposals/{proposal.code}/edit",
                     {**form_values(edition, title="Edited by the co-speaker"), "save_draft": "Save changes"})
    assert edit.status_code == 302
    _db.session.expire_all()
    assert services.get_proposal(edition, proposal.code).title == "Edited by the co-speaker"


def test_invitation_works_once(db, edition, speaker, co_speaker, other_speaker):
    proposal = make_proposal(edition, speaker)
    invitation, _ = invite(proposal, speaker)
    cospeakers.accept_invitation(invitation, actor=co_speaker)
    with pytest.raises(DomainError) as caught:
        cospeakers.accept_invitation(invitation, actor=other_speaker)
    assert caught.value.message == "This invitation has expired or has already been used. Ask for a new one."


def test_expired_invitation_is_refused_and_its_page_says_so(client, db, edition, speaker, co_speaker):
    proposal = make_proposal(edition, speaker)
    invitation, link = invite(proposal, speaker)
    with pytest.raises(DomainError):
        cospeakers.accept_invitation(invitation, actor=co_speaker, now=utcnow() + timedelta(days=15))
    invitation.expires_at = utcnow() - timedelta(seconds=1)
    _db.session.commit()
    response = client.get(link)
    assert response.status_code == 404
    assert "This invitation link does not work" in response.get_data(as_text=True)


def test_invitation_of_another_edition_is_not_found(client, db, edition, organizer, speaker):
    proposal = make_proposal(edition, speaker)
    _inv, link = invite(proposal, speaker)
    other = make_edition(organizer=organizer, slug="other-edition")
    assert client.get(link.replace("/cfp-test/", f"/{other.slug}/")).status_code == 404


def test_inviting_a_current_speaker_or_twice_is_refused(db, edition, speaker, co_speaker):
    proposal = make_proposal(edition, speaker, co_speakers=[co_speaker])
    with pytest.raises(DomainError) as caught:
        cospeakers.invite_co_speaker(proposal, "CARL@example.org", actor=speaker)
    assert caught.value.message == "This person is already a speaker of this proposal."
    cospeakers.invite_co_speaker(proposal, "dora@example.org", actor=speaker)
    with pytest.raises(DomainError) as caught:
        cospeakers.invite_co_speaker(proposal, "dora@example.org", actor=speaker)
    assert caught.value.message == "An invitation to this address is already waiting for an answer."


def test_a_proposal_has_at_most_five_speakers(db, edition, speaker):
    proposal = make_proposal(edition, speaker)
    for n in range(MAX_SPEAKERS - 1):
        cospeakers.invite_co_speaker(proposal, f"friend{n}@example.org", actor=speaker)
    with pytest.raises(DomainError) as caught:
        cospeakers.invite_co_speaker(proposal, "one-too-many@example.org", actor=speaker)
    assert caught.value.message == "A proposal has at most 5 speakers."


def test_invite_form_error_is_shown_on_the_proposal_page(client, auth, db, edition, speaker):
    proposal = make_proposal(edition, speaker)
    auth.login(speaker.email)
    response = post_form(client, f"/cfp-test/cfp/proposals/{proposal.code}/invite", {"email": "sofia@example.org"},
                         page=f"/cfp-test/cfp/proposals/{proposal.code}")
    assert response.status_code == 422
    assert "This person is already a speaker of this proposal." in response.get_data(as_text=True)


def test_joining_a_confirmed_talk_sends_talk_confirmed(db, edition, organizer, speaker, co_speaker):
    proposal = make_proposal(edition, speaker, state=ProposalState.CONFIRMED, organizer=organizer)
    invitation, _ = invite(proposal, speaker)
    received = []
    record = received.append  # one object: disconnect must get the same one
    talk_confirmed.connect(record)
    try:
        cospeakers.accept_invitation(invitation, actor=co_speaker)
    finally:
        talk_confirmed.disconnect(record)
    assert received == [TalkConfirmed(edition.id, proposal.id, (co_speaker.id,), actor_id=co_speaker.id)]


def test_withdrawing_revokes_pending_invitations(client, auth, db, edition, speaker, co_speaker):
    proposal = make_proposal(edition, speaker)
    invitation, link = invite(proposal, speaker)
    submission.set_proposal_state(proposal, ProposalState.WITHDRAWN, actor=speaker)
    _db.session.commit()
    assert invitation.revoked_at is not None
    with pytest.raises(DomainError) as caught:
        cospeakers.accept_invitation(invitation, actor=co_speaker)
    assert caught.value.message == "This invitation was cancelled."
    auth.login(co_speaker.email)
    response = client.get(link)
    assert response.status_code == 404
    assert "Join this proposal" not in response.get_data(as_text=True)
    assert "This invitation link does not work" in response.get_data(as_text=True)


def test_rejecting_revokes_pending_invitations_too(db, edition, organizer, speaker):
    proposal = make_proposal(edition, speaker, state=ProposalState.SUBMITTED)
    invitation, _ = invite(proposal, speaker)
    submission.set_proposal_state(proposal, ProposalState.REJECTED, actor=organizer)
    assert invitation.revoked_at is not None
    assert not invitation.is_pending()


# -- an invitation is bound to the invited address ------------------------------------------------


def test_an_account_with_another_address_cannot_accept(client, auth, db, edition, speaker, other_speaker):
    proposal = make_proposal(edition, speaker)
    invitation, link = invite(proposal, speaker, "carl@example.org")
    with pytest.raises(DomainError) as caught:
        cospeakers.accept_invitation(invitation, actor=other_speaker)
    assert caught.value.message.startswith("This invitation was sent to another email address.")
    auth.login(other_speaker.email)
    page = client.get(link).get_data(as_text=True)
    assert "This invitation was sent to another email address." in page
    assert "Join this proposal" not in page
    response = client.post(link, data={"csrf_token": csrf_token_from(page)})
    assert response.headers["Location"] == link
    _db.session.expire_all()
    assert [s.profile.user_id for s in services.get_proposal(edition, proposal.code).speakers] == [speaker.id]
    assert invitation.accepted_at is None


def test_the_invited_address_must_be_confirmed(db, edition, speaker):
    proposal = make_proposal(edition, speaker)
    invitation, _ = invite(proposal, speaker, "unconfirmed@example.org")
    holder = make_user(email="unconfirmed@example.org", confirmed=False)
    with pytest.raises(DomainError) as caught:
        cospeakers.accept_invitation(invitation, actor=holder)
    assert caught.value.message == (
        "Confirm your email address first (follow the link we emailed you), then open this invitation again.")
    holder.email_confirmed_at = utcnow()
    cospeakers.accept_invitation(invitation, actor=holder)
    assert [s.profile.user_id for s in proposal.speakers] == [speaker.id, holder.id]


# -- the submitter keeps their proposal; pending invitations can be cancelled ---------------------


def test_a_co_speaker_cannot_remove_the_submitter(client, auth, db, edition, speaker, co_speaker):
    proposal = make_proposal(edition, speaker, co_speakers=[co_speaker])
    submitter_link = proposal.speakers[0]
    with pytest.raises(DomainError) as caught:
        cospeakers.remove_speaker(proposal, submitter_link, actor=co_speaker)
    assert caught.value.message == (
        "The person who submitted this proposal can leave it, but nobody else can remove them.")
    _db.session.rollback()
    auth.login(co_speaker.email)
    url = f"/cfp-test/cfp/proposals/{proposal.code}/speakers/{submitter_link.profile.code}/remove"
    page = client.get(f"/cfp-test/cfp/proposals/{proposal.code}").get_data(as_text=True)
    assert f'action="{url}"' not in page  # no button offered
    response = client.post(url, data={"csrf_token": csrf_token_from(page)})
    assert response.status_code == 302
    _db.session.expire_all()
    proposal = services.get_proposal(edition, proposal.code)
    assert [s.profile.user_id for s in proposal.speakers] == [speaker.id, co_speaker.id]
    assert permissions.is_proposal_speaker(speaker, proposal)


def test_the_submitter_may_leave_and_the_next_speaker_becomes_submitter(db, edition, speaker, co_speaker):
    proposal = make_proposal(edition, speaker, co_speakers=[co_speaker])
    cospeakers.remove_speaker(proposal, proposal.speakers[0], actor=speaker)
    assert [(s.profile.user_id, s.is_submitter) for s in proposal.speakers] == [(co_speaker.id, True)]


def test_submitter_cancels_a_pending_invitation(client, auth, db, edition, speaker, co_speaker):
    proposal = make_proposal(edition, speaker)
    invitation, link = invite(proposal, speaker)
    auth.login(speaker.email)
    page = f"/cfp-test/cfp/proposals/{proposal.code}"
    url = f"/cfp-test/cfp/proposals/{proposal.code}/invitations/{invitation.id}/cancel"
    assert f'action="{url}"' in client.get(page).get_data(as_text=True)
    response = post_form(client, url, {}, page=page)
    assert response.headers["Location"] == f"{page}#speakers"
    _db.session.expire_all()
    assert invitation.revoked_at is not None
    assert "Invitations waiting for an answer" not in client.get(page).get_data(as_text=True)
    auth.logout()
    auth.login(co_speaker.email)
    assert client.get(link).status_code == 404
    with pytest.raises(DomainError) as caught:
        cospeakers.accept_invitation(invitation, actor=co_speaker)
    assert caught.value.message == "This invitation was cancelled."


def test_a_co_speaker_cannot_cancel_the_submitters_invitation(db, edition, speaker, co_speaker):
    proposal = make_proposal(edition, speaker, co_speakers=[co_speaker])
    invitation, _ = invite(proposal, speaker, "dora@example.org")
    with pytest.raises(DomainError) as caught:
        cospeakers.cancel_invitation(invitation, actor=co_speaker)
    assert caught.value.status_code == 403
    assert invitation.revoked_at is None


def test_each_speaker_keeps_their_own_profile(db, edition, speaker, co_speaker):
    from convention.cfp.speaker_services import ProfileData, update_speaker_profile

    proposal = make_proposal(edition, speaker, co_speakers=[co_speaker])
    update_speaker_profile(edition, ProfileData(display_name="Carl C.", biography="Carl's bio"), actor=co_speaker)
    profiles = {link.profile.user_id: link.profile for link in proposal.speakers}
    assert (profiles[speaker.id].display_name, profiles[speaker.id].biography) == ("Sofia Speaker", "")
    assert (profiles[co_speaker.id].display_name, profiles[co_speaker.id].biography) == ("Carl C.", "Carl's bio")


def test_speaker_removes_a_co_speaker_but_not_the_last_speaker(db, edition, speaker, co_speaker):
    proposal = make_proposal(edition, speaker, co_speakers=[co_speaker])
    cospeakers.remove_speaker(proposal, proposal.speakers[1], actor=speaker)
    assert [link.profile.user for link in proposal.speakers] == [speaker]
    with pytest.raises(DomainError) as caught:
        cospeakers.remove_speaker(proposal, proposal.speakers[0], actor=speaker)
    assert caught.value.message == "A proposal keeps at least one speaker; withdraw it instead."


def test_co_speaker_of_one_edition_is_a_stranger_in_another(db, edition, organizer, speaker, co_speaker):
    other = make_edition(organizer=organizer, slug="next-year")
    proposal = make_proposal(edition, speaker, co_speakers=[co_speaker])
    stranger = make_user(email="stranger@example.org")
    assert services.get_proposal(other, proposal.code) is None
    assert not permissions.is_proposal_speaker(stranger, proposal)


def test_invitations_are_rate_limited_per_speaker(app, client, auth, db, edition, speaker):
    proposal = make_proposal(edition, speaker)
    auth.login(speaker.email)
    default, app.config["INVITE_RATE_LIMIT"] = app.config["INVITE_RATE_LIMIT"], "2 per hour"
    try:
        url = f"/cfp-test/cfp/proposals/{proposal.code}/invite"
        page = f"/cfp-test/cfp/proposals/{proposal.code}"
        answers = [post_form(client, url, {"email": f"guest{n}@example.org"}, page=page).status_code for n in range(3)]
    finally:
        app.config["INVITE_RATE_LIMIT"] = default
    assert answers == [302, 302, 429]
    assert [len(emails_to(f"guest{n}@example.org", "cfp_invitation")) for n in range(3)] == [1, 1, 0]


def test_invitation_email_writes_its_expiry_in_the_invitees_language(db, edition, speaker):
    """The expiry is formatted when the mail is rendered, in the recipient's language, not
    in the inviter's (who may read English while the invitee reads French)."""
    from babel.dates import format_skeleton

    from convention.core.timeutil import to_local

    make_user(email="claire@example.org").language = "fr"
    _db.session.commit()
    proposal = make_proposal(edition, speaker)
    invitation, _link = invite(proposal, speaker, email="claire@example.org")
    (mail,) = emails_to("claire@example.org", "cfp_invitation")
    local = to_local(invitation.expires_at, edition.timezone)
    assert format_skeleton("yMMMEd", local, locale="fr").split()[0] in mail.body_text  # "lun." style day
    assert f"{local:%H:%M}" in mail.body_text
    assert local.strftime("%A") not in mail.body_text  # no English weekday
