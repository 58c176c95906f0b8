"""The three parts of review together: core (workspace, blind review), the automatic
assignment and the decisions.

- Every organizer review page (/<slug>/manage/review/..., whichever part added it) refuses
  a reviewer and a speaker, for GET and POST, and a refused POST writes nothing.
- After the automatic assignment ran and decisions were taken (one told, one not), the walk
  of every reviewer page still finds no speaker's name, email, organisation or file name.
- A told speaker reads the decision on their proposal, never the committee's comments,
  scores or reviewers' names.
"""

from __future__ import annotations

import pytest
import sqlalchemy as sa

from convention.accounts.models import User
from convention.cfp.answers import save_answers
from convention.cfp.states import ProposalState
from convention.review import decisions
from convention.review.auto_assignment import run_automatic_assignment
from convention.review.models import Assignment, AssignmentSource, Criterion, Decision, Outcome, Review
from tests.cfp.helpers import make_question
from tests.conftest import Auth, csrf_token_from
from tests.review.helpers import reviewer
from tests.review.test_blind_and_access import _leaks, _reviewer_pages
from tests.review.test_blind_and_access import blind_world as blind_world  # the fixture, used below

MANAGE_REVIEW = "/<slug>/manage/review/"
ARGUMENTS = {"code": None, "word": "accept", "outcome": "accept", "criterion_id": 1, "team_id": 1,
             "assignment_id": 1}


def _login(client, email):
    assert Auth(client).login(email).status_code == 302


def _manage_review_requests(app, world):
    edition = world["edition"]
    values = {**ARGUMENTS, "slug": edition.slug, "code": world["proposals"][0].code}
    for rule in app.url_map.iter_rules():
        if not rule.rule.startswith(MANAGE_REVIEW):
            continue
        url = rule.build({name: values[name] for name in rule.arguments}, append_unknown=False)[1]
        for method in ("GET", "POST"):
            if method in rule.methods:
                yield method, url


def _written(db):
    return tuple(db.session.scalar(sa.select(sa.func.count(model.id)))
                 for model in (Assignment, Review, Decision, Criterion))


@pytest.fixture
def decided_world(db, blind_world):  # noqa: F811 (the imported fixture)
    """``blind_world`` after the automatic assignment and two decisions: the reviewed
    proposal accepted and told, the other rejected and not told yet."""
    edition, organizer = blind_world["edition"], blind_world["organizer"]
    reviewer(edition, name="Una Unassigned", email="una@reviewers.be")
    report = run_automatic_assignment(edition, organizer, reviews_per_proposal=3)
    db.session.commit()
    assert report.created == 2  # Una gets both proposals: each now has three reviewers
    reviewed, other = blind_world["proposals"]
    decisions.decide(reviewed, Outcome.ACCEPT, actor=organizer)
    decisions.send_notifications(edition, actor=organizer)
    decisions.decide(other, Outcome.REJECT, actor=organizer)
    db.session.commit()
    return blind_world


@pytest.mark.parametrize("who", ["reviewer", "speaker"])
def test_no_organizer_review_page_lets_a_reviewer_or_a_speaker_in(app, client, db, decided_world, who):
    person = decided_world["rita"] if who == "reviewer" else decided_world["proposals"][0].speakers[0].profile.user
    _login(client, person.email)
    token = csrf_token_from(client.get("/").get_data(as_text=True))
    before = _written(db)
    requests = list(_manage_review_requests(app, decided_world))
    # settings, criteria, teams, assignments, automatic assignment, conflicts, ranking,
    # decisions, notifications and quotas: every part's pages are in the walk
    assert {url.split("/manage/review/")[1].split("/")[0] for _method, url in requests} >= {
        "", "criteria", "teams", "assignments", "assignment", "conflicts", "ranking", "decisions", "notifications",
        "quotas"}
    for method, url in requests:
        if method == "GET":
            answer = client.get(url)
        else:
            answer = client.post(url, data={"csrf_token": token, "reviews_per_proposal": "5", "outcome": "accept",
                                            "proposal_ids": [p.id for p in decided_world["proposals"]]})
        assert answer.status_code == 403, (method, url, answer.status_code)
    assert _written(db) == before


def test_the_blind_walk_still_finds_no_speaker_after_assignment_and_decisions(app, client, db, decided_world):
    una_assignments = db.session.scalars(sa.select(Assignment.source).join(User, User.id == Assignment.user_id)
                                         .where(User.email == "una@reviewers.be")).all()
    assert una_assignments == [AssignmentSource.AUTOMATIC] * 2
    for email in (decided_world["rita"].email, "una@reviewers.be"):
        _login(client, email)
        pages = list(_reviewer_pages(app, decided_world))
        for path in pages:
            response = client.get(path)
            assert response.status_code == 200, (email, path, response.status_code)
            assert _leaks(response.get_data(as_text=True), decided_world["secrets"]) == [], (email, path)
        Auth(client).logout()


def test_a_told_speaker_reads_the_decision_but_no_review(client, db, decided_world):
    accepted, rejected = decided_world["proposals"]
    assert accepted.state is ProposalState.ACCEPTED and rejected.state is ProposalState.SUBMITTED
    zeb = accepted.speakers[0].profile.user
    _login(client, zeb.email)
    edition = decided_world["edition"]
    for proposal, state in ((accepted, "Accepted"), (rejected, "Submitted")):
        html = client.get(f"/{edition.slug}/cfp/proposals/{proposal.code}").get_data(as_text=True)
        assert state in html  # the untold rejection does not show yet
        for secret in ("Fine", "Good", "Relevance", "Quality", "Rita Reviewer", "Remy Reviewer", "Una Unassigned",
                       "rita@reviewers.be"):
            assert secret not in html, (proposal.title, secret)


def test_the_reviewer_reads_a_yes_no_answer_in_their_language(client, db, blind_world):
    edition, organizer = blind_world["edition"], blind_world["organizer"]
    proposal = blind_world["proposals"][0]
    question = make_question(edition, organizer, label="Is this your first talk?")
    save_answers(proposal, {question.id: "yes"})
    db.session.commit()
    _login(client, blind_world["rita"].email)
    url = f"/{edition.slug}/review/proposals/{proposal.code}"
    english = client.get(url).get_data(as_text=True)
    assert "Is this your first talk?</span> Yes</p>" in english
    dutch = client.get(url, headers={"Accept-Language": "nl"}).get_data(as_text=True)
    assert "Is this your first talk?</span> Ja</p>" in dutch


def test_every_organizer_review_page_shows_the_one_review_menu(client, db, decided_world):
    edition = decided_world["edition"]
    _login(client, decided_world["organizer"].email)
    code = decided_world["proposals"][1].code
    for path, lit in (("", "Settings and criteria"), ("assignment/automatic", "Automatic assignment"),
                      ("ranking", "Ranking"), (f"decisions/{code}", "Ranking"), ("notifications/", "Notifications"),
                      ("notifications/accept", "Notifications"), ("quotas", "Theme quotas")):
        html = client.get(f"/{edition.slug}/manage/review/{path}").get_data(as_text=True)
        menu = html.split('class="nav nav-pills mb-3 small review-subnav"')[1].split("</ul>")[0]
        assert menu.count("<li") == 8, path
        assert f'aria-current="page">{lit}</a>' in menu, path
