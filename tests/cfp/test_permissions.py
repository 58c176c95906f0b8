"""Who sees which call-for-papers page: role x page -> status.

Speaker pages answer 404 to everyone but the proposal's speakers (so codes cannot be
probed); organizer pages answer 403 to signed-in people without the role; anonymous
visitors are sent to sign in, except on hidden objects where they get 404 too.
"""

from __future__ import annotations

import io

import pytest
import sqlalchemy as sa

from convention.cfp import attachments, services
from convention.cfp import manage_services as manage
from convention.cfp.models import Proposal
from convention.cfp.permissions import can_view_proposal, proposals_visible_to
from convention.cfp.speaker_services import ProfileData, update_speaker_profile
from convention.cfp.states import ProposalState
from convention.extensions import db
from tests.cfp.helpers import make_proposal, make_question, pdf_bytes, png_bytes
from tests.factories import make_edition

ROLES = ["anonymous", "speaker", "co_speaker", "other_speaker", "reviewer", "organizer", "admin"]

# page -> expected status for each role, in the order of ROLES.
MATRIX = {
    "/{slug}/cfp/":                                    (200, 200, 200, 200, 200, 200, 200),
    "/{slug}/cfp/submit":                              (302, 200, 200, 200, 200, 200, 200),
    "/{slug}/cfp/proposals/":                          (302, 200, 200, 200, 200, 200, 200),
    "/{slug}/cfp/profile":                             (302, 200, 200, 200, 200, 200, 200),
    "/{slug}/cfp/proposals/{code}":                    (404, 200, 200, 404, 404, 404, 404),
    "/{slug}/cfp/proposals/{code}/edit":               (404, 200, 200, 404, 404, 404, 404),
    "/{slug}/cfp/proposals/{code}/state/withdraw":     (404, 200, 200, 404, 404, 404, 404),
    "/{slug}/cfp/proposals/{code}/files/{file}":       (404, 200, 200, 404, 404, 200, 200),
    "/{slug}/cfp/speakers/{profile}/photo":            (404, 200, 200, 404, 404, 200, 200),
    "/{slug}/cfp/availability":                        (302, 200, 200, 403, 403, 403, 403),
    "/{slug}/manage/proposals/":                       (302, 403, 403, 403, 403, 200, 200),
    "/{slug}/manage/proposals/{code}":                 (302, 403, 403, 403, 403, 200, 200),
    "/{slug}/manage/proposals/export.csv":             (302, 403, 403, 403, 403, 200, 200),
    "/{slug}/manage/proposals/questions/":             (302, 403, 403, 403, 403, 200, 200),
    "/{slug}/manage/proposals/questions/new":          (302, 403, 403, 403, 403, 200, 200),
    "/{slug}/manage/proposals/questions/{question}":   (302, 403, 403, 403, 403, 200, 200),
    "/{slug}/manage/proposals/late-links":             (302, 403, 403, 403, 403, 200, 200),
}


@pytest.fixture
def world(edition, organizer, speaker, co_speaker, other_speaker, reviewer, admin):
    proposal = make_proposal(edition, speaker, state=ProposalState.CONFIRMED, organizer=organizer, co_speakers=[co_speaker])
    make_proposal(edition, other_speaker, state=ProposalState.SUBMITTED, title="Another talk")
    attachment = attachments.add_attachment(proposal, io.BytesIO(pdf_bytes()), filename="slides.pdf", actor=speaker)
    profile = update_speaker_profile(edition, ProfileData(display_name="Sofia Speaker"), actor=speaker,
                                     photo=io.BytesIO(png_bytes()))
    question = make_question(edition, organizer)
    db.session.commit()
    users = {"speaker": speaker, "co_speaker": co_speaker, "other_speaker": other_speaker, "reviewer": reviewer,
             "organizer": organizer, "admin": admin}
    values = {"slug": edition.slug, "code": proposal.code, "file": attachment.code, "profile": profile.code,
              "question": question.id}
    return users, values


@pytest.mark.parametrize("role", ROLES)
def test_role_page_matrix(client, auth, world, role):
    users, values = world
    if role != "anonymous":
        auth.login(users[role].email)
    actual = {page: client.get(page.format(**values)).status_code for page in MATRIX}
    expected = {page: statuses[ROLES.index(role)] for page, statuses in MATRIX.items()}
    assert actual == expected


def test_anonymous_is_sent_to_sign_in_and_back(client, world):
    _users, values = world
    response = client.get(f"/{values['slug']}/cfp/submit")
    assert response.headers["Location"] == f"/login?next=/{values['slug']}/cfp/submit"


def test_unknown_proposal_code_is_404_like_a_foreign_one(client, auth, world):
    users, values = world
    auth.login(users["other_speaker"].email)
    assert client.get(f"/{values['slug']}/cfp/proposals/ZZZZZZZZZZ").status_code == 404
    assert client.get(f"/{values['slug']}/cfp/proposals/{values['code']}").status_code == 404


def test_other_speaker_cannot_post_to_a_foreign_proposal(client, auth, world, edition):
    from tests.conftest import csrf_token_from

    users, values = world
    auth.login(users["other_speaker"].email)
    token = csrf_token_from(client.get(f"/{values['slug']}/cfp/profile").get_data(as_text=True))
    base = f"/{values['slug']}/cfp/proposals/{values['code']}"
    for url, data in [
        (f"{base}/edit", {"title": "Hijacked"}),
        (f"{base}/state/withdraw", {}),
        (f"{base}/invite", {"email": "x@example.org"}),
        (f"{base}/files/{values['file']}/delete", {}),
    ]:
        assert client.post(url, data={**data, "csrf_token": token}).status_code == 404, url
    db.session.expire_all()
    proposal = services.get_proposal(edition, values["code"])
    assert (proposal.title, proposal.state, len(proposal.attachments)) == (
        "Hardening DNS resolvers for small ISPs", ProposalState.CONFIRMED, 1)


def test_every_cfp_route_is_guarded_or_public(app):
    for rule in app.url_map.iter_rules():
        if rule.endpoint.startswith(("cfp.", "cfp_manage.")):
            view = app.view_functions[rule.endpoint]
            assert getattr(view, "access_rule", None), rule.rule


# -- the list form: which proposals a query may return to whom ----------------------------------------


def _visible(user, edition) -> set[str]:
    return set(db.session.scalars(sa.select(Proposal.code).where(proposals_visible_to(user, edition))))


def test_proposals_visible_to_organizers_all_speakers_their_own_others_none(
    edition, organizer, admin, speaker, co_speaker, other_speaker, reviewer
):
    mine = make_proposal(edition, speaker, co_speakers=[co_speaker])
    theirs = make_proposal(edition, other_speaker)
    elsewhere = make_proposal(make_edition(slug="other-edition"), speaker)  # never listed for this edition
    assert _visible(organizer, edition) == _visible(admin, edition) == {mine.code, theirs.code}
    assert _visible(speaker, edition) == _visible(co_speaker, edition) == {mine.code}
    assert _visible(other_speaker, edition) == {theirs.code}
    assert _visible(reviewer, edition) == set()  # reviewers get their own list with blind review
    assert _visible(None, edition) == set()
    assert elsewhere.code not in _visible(speaker, edition)


def test_the_list_filter_agrees_with_the_yes_no_predicate(edition, organizer, speaker, co_speaker, other_speaker, reviewer):
    proposals = [make_proposal(edition, speaker, co_speakers=[co_speaker]), make_proposal(edition, other_speaker)]
    for user in (organizer, speaker, co_speaker, other_speaker, reviewer):
        listed = _visible(user, edition)
        assert {p.code for p in proposals if can_view_proposal(user, edition, p)} == listed


def test_the_proposal_table_lists_only_what_the_viewer_may_see(edition, organizer, speaker, other_speaker):
    mine = make_proposal(edition, speaker)
    theirs = make_proposal(edition, other_speaker)
    every = manage.list_proposals(edition, manage.ProposalFilter(sort="code"), viewer=organizer)
    assert {p.code for p in every} == {mine.code, theirs.code}
    assert manage.list_proposals(edition, manage.ProposalFilter(), viewer=speaker) == [mine]

