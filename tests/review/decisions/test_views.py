"""The committee's pages: ranking (with bulk decisions), a proposal's decision, the
notification templates and sending; query counts that do not grow with the data."""

from __future__ import annotations

import re

import sqlalchemy as sa

from convention.accounts.models import User
from convention.cfp.states import ProposalState
from convention.editions.models import Edition
from convention.extensions import db as _db
from convention.review import decisions, quotas
from convention.review.assignment import assign
from convention.review.models import Criterion, Decision, NotificationTemplate, Outcome
from tests.cfp.helpers import emails_to, make_proposal
from tests.conftest import csrf_token_from, post_form
from tests.queries import count_queries
from tests.review.decisions.helpers import add_review, make_criteria, make_reviewer

S = ProposalState
BASE = "/rev-test/manage/review"


def _outcomes():
    _db.session.expire_all()
    return dict(_db.session.execute(sa.select(Decision.proposal_id, Decision.outcome)).all())


def test_ranking_lists_scores_and_words_the_disagreement(client, auth, edition, organizer, speaker):
    criteria = make_criteria(edition)
    ann, bob = make_reviewer(edition, "Ann Reviewer"), make_reviewer(edition, "Bob Reviewer")
    split = make_proposal(edition, speaker, state=S.SUBMITTED, title="Split opinions")
    add_review(split, ann, criteria, [5, 5])
    add_review(split, bob, criteria, [1, 1])
    pending = make_proposal(edition, speaker, state=S.SUBMITTED, title="Still to review")
    assign(pending, ann, actor=organizer)  # (add_review assigned the reviewed ones)
    _db.session.commit()
    auth.login(organizer.email)
    html = client.get(f"{BASE}/ranking").get_data(as_text=True)
    assert "Split opinions" in html and "3.00" in html and "4.00" in html
    assert "High disagreement" in html  # in words, not only a colour
    assert 'class="review-histogram"' in html and "Score distribution" in html
    missing = html[html.index("review-missing"):]
    assert re.search(r"<td>Ann Reviewer</td><td[^>]*>1 of 2</td><td[^>]*><strong>1</strong>", missing)
    assert re.search(r"<td>Bob Reviewer</td><td[^>]*>1 of 1</td><td[^>]*>0</td>", missing)


def test_bulk_accept_from_the_ranking_keeps_the_filters(client, auth, edition, organizer, speaker):
    first = make_proposal(edition, speaker, state=S.SUBMITTED, title="First")
    second = make_proposal(edition, speaker, state=S.SUBMITTED, title="Second")
    untouched = make_proposal(edition, speaker, state=S.SUBMITTED, title="Third")
    auth.login(organizer.email)
    page = client.get(f"{BASE}/ranking?sort=code").get_data(as_text=True)
    action = re.search(r'action="([^"]*/ranking/decide[^"]*)"', page).group(1).replace("&amp;", "&")
    response = client.post(action, data={"csrf_token": csrf_token_from(page), "proposal": [first.id, second.id],
                                         "outcome": "accept"})
    assert response.status_code == 302 and response.location.endswith("/ranking?sort=code")
    assert _outcomes() == {first.id: Outcome.ACCEPT, second.id: Outcome.ACCEPT}
    assert untouched.id not in _outcomes()
    assert emails_to(speaker.email, "cfp_decision") == []  # nobody is told yet
    page = client.get(f"{BASE}/ranking?decision=untold").get_data(as_text=True)
    assert "2 proposals" in page and "(not told yet)" in page


def test_bulk_refusal_changes_nothing_and_says_why(client, auth, edition, organizer, speaker):
    ok = make_proposal(edition, speaker, state=S.SUBMITTED, title="Fine")
    gone = make_proposal(edition, speaker, state=S.WITHDRAWN, title="Gone")
    auth.login(organizer.email)
    response = post_form(client, f"{BASE}/ranking/decide", {"proposal": [ok.id, gone.id], "outcome": "reject"},
                         page=f"{BASE}/ranking", follow_redirects=True)
    assert "“Gone” is withdrawn: only submitted proposals are decided." in response.get_data(as_text=True)
    assert _outcomes() == {}
    response = post_form(client, f"{BASE}/ranking/decide", {"proposal": ["x", str(ok.id)], "outcome": "maybe"},
                         page=f"{BASE}/ranking", follow_redirects=True)
    assert response.status_code == 200 and _outcomes() == {}


def test_decide_on_the_proposal_page_then_change_then_clear(client, auth, edition, organizer, speaker):
    criteria = make_criteria(edition)
    proposal = make_proposal(edition, speaker, state=S.SUBMITTED, title="Fuzzing")
    add_review(proposal, make_reviewer(edition, "Ann Reviewer"), criteria, [4, 3], comment="Solid", feedback="Nice")
    auth.login(organizer.email)
    url = f"{BASE}/decisions/{proposal.code}"
    html = client.get(url).get_data(as_text=True)
    assert "Ann Reviewer" in html and "Solid" in html and "Nice" in html and "3.67" in html
    assert post_form(client, f"{url}/accept", {}, page=url).status_code == 302
    assert _outcomes() == {proposal.id: Outcome.ACCEPT}
    post_form(client, f"{url}/reject", {}, page=url)
    assert _outcomes() == {proposal.id: Outcome.REJECT}
    post_form(client, f"{url}/clear", {}, page=url)
    assert _outcomes() == {}
    assert client.post(f"{url}/maybe", data={"csrf_token": csrf_token_from(html)}).status_code == 404


def test_templates_edit_preview_and_send(client, auth, edition, organizer, speaker):
    proposal = make_proposal(edition, speaker, state=S.SUBMITTED, title="Fuzzing")
    auth.login(organizer.email)
    post_form(client, f"{BASE}/decisions/{proposal.code}/accept", {}, page=f"{BASE}/decisions/{proposal.code}")
    page = client.get(f"{BASE}/notifications/").get_data(as_text=True)
    assert "Accepted: Fuzzing" in page and "Hello Sofia Speaker," in page  # the default, previewed
    edit = f"{BASE}/notifications/accept"
    response = post_form(client, edit, {"subject": "Yes! {title}", "body": "Dear {speaker_name} {nope}",
                                        "submit": "Save"})
    assert response.status_code == 422 and "Unknown placeholder {nope}" in response.get_data(as_text=True)
    response = post_form(client, edit, {"subject": "Yes! {title}", "body": "Dear {speaker_name}", "preview": "Preview"})
    assert response.status_code == 200 and "Yes! Fuzzing" in response.get_data(as_text=True)
    assert _db.session.scalar(sa.select(sa.func.count(NotificationTemplate.id))) == 0  # a preview saves nothing
    response = post_form(client, edit, {"subject": "Yes! {title}", "body": "Dear {speaker_name}", "submit": "Save"})
    assert response.status_code == 302
    response = post_form(client, f"{BASE}/notifications/send", {}, page=f"{BASE}/notifications/",
                         follow_redirects=True)
    assert "Notifications sent: 1 accepted, 0 not accepted." in response.get_data(as_text=True)
    (message,) = emails_to(speaker.email, "cfp_decision")
    assert (message.subject, message.body_text) == ("Yes! Fuzzing", "Dear Sofia Speaker\n")
    _db.session.expire_all()
    assert proposal.state is S.ACCEPTED
    html = client.get(f"{BASE}/decisions/{proposal.code}").get_data(as_text=True)
    assert "the decision is final" in html and f"{proposal.code}/reject" not in html
    assert client.get(f"{BASE}/notifications/maybe").status_code == 404


def test_ranking_query_count_does_not_grow(client, auth, edition, organizer, speaker):
    criteria = make_criteria(edition)
    reviewer_ids = [make_reviewer(edition, f"R{n} Reviewer").id for n in range(3)]
    edition_id, speaker_id, criterion_ids = edition.id, speaker.id, [c.id for c in criteria]

    def add(n):  # count_queries starts a fresh session: load everything again
        current, author = _db.session.get(Edition, edition_id), _db.session.get(User, speaker_id)
        scale = [_db.session.get(Criterion, cid) for cid in criterion_ids]
        for i in range(n):
            proposal = make_proposal(current, author, state=S.SUBMITTED, title=f"Talk {i}")
            for reviewer_id in reviewer_ids:
                add_review(proposal, _db.session.get(User, reviewer_id), scale, [1 + i % 5, 2])

    auth.login(organizer.email)
    add(2)
    with count_queries() as few:
        assert client.get(f"{BASE}/ranking").status_code == 200
    add(6)
    with count_queries() as more:
        assert client.get(f"{BASE}/ranking").status_code == 200
    assert len(more) == len(few), more
    with count_queries() as proposal_page:
        assert client.get(f"{BASE}/notifications/").status_code == 200
    assert len(proposal_page) < 25


def test_speakers_and_reviewers_are_kept_out(client, auth, edition, speaker):
    proposal = make_proposal(edition, speaker, state=S.SUBMITTED)
    reviewer = make_reviewer(edition, "Rita Reviewer")
    for who in (speaker, reviewer):
        auth.login(who.email)
        for url in (f"{BASE}/ranking", f"{BASE}/decisions/{proposal.code}", f"{BASE}/notifications/"):
            assert client.get(url).status_code == 403
        auth.logout()


def test_theme_quotas_are_set_and_shown_against_the_accepted(client, auth, edition, organizer, speaker):
    theme = edition.themes[0]
    for n in range(3):
        proposal = make_proposal(edition, speaker, state=S.SUBMITTED, title=f"T{n}", theme_id=theme.id)
        if n < 2:
            decisions.decide(proposal, Outcome.ACCEPT, actor=organizer)
    _db.session.commit()
    auth.login(organizer.email)
    url = f"{BASE}/quotas"
    assert post_form(client, url, {f"t_{theme.id}": "-1"}).status_code == 422
    assert post_form(client, url, {f"t_{theme.id}": "1"}).status_code == 302
    html = client.get(f"{BASE}/ranking").get_data(as_text=True)
    themes = html[html.index("review-themes"):html.index("review-formats")]
    assert re.search(rf">{re.escape(theme.name)}</a></td>\s*<td[^>]*>3</td>\s*<td[^>]*>2 of 1 <strong>over quota</strong>",
                     themes)
    assert post_form(client, url, {f"t_{theme.id}": ""}).status_code == 302  # empty: no quota any more
    assert quotas.get_quotas(_db.session.get(Edition, edition.id)) == {}


def test_the_speaker_sees_nothing_until_the_notifications_are_sent(client, auth, edition, organizer, speaker):
    proposal = make_proposal(edition, speaker, state=S.SUBMITTED, title="Fuzzing")
    decisions.decide(proposal, Outcome.REJECT, actor=organizer)
    _db.session.commit()
    auth.login(speaker.email)
    for url in (f"/rev-test/cfp/proposals/{proposal.code}", "/rev-test/cfp/proposals/"):
        html = client.get(url).get_data(as_text=True)
        assert "Not accepted" not in html and "reject" not in html.lower()
    assert emails_to(speaker.email, "cfp_decision") == []
