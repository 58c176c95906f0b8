"""run_automatic_assignment: from the database to the solver and back, and the organizer's page."""

from __future__ import annotations

import threading
from collections import Counter

import pytest
import sqlalchemy as sa

from convention.audit.models import AuditEntry
from convention.cfp.states import ProposalState
from convention.core.errors import DomainError
from convention.editions.models import Role
from convention.extensions import db
from convention.review.auto_assignment import (
    AUDIT_ACTION,
    assignment_overview,
    run_automatic_assignment,
    settings_row,
)
from convention.review.models import (
    Assignment,
    AssignmentSource,
    Bid,
    BidLevel,
    Conflict,
    ConflictSource,
    Decision,
    Outcome,
    Review,
    ReviewerTheme,
    ReviewSettings,
    ReviewTeam,
    ReviewTeamMember,
    ReviewTeamTheme,
)
from tests.cfp.helpers import make_proposal
from tests.conftest import csrf_token_from
from tests.factories import give_role, make_edition, make_user
from tests.fast_hashing import fast_password_hashing  # noqa: F401 (autouse)
from tests.queries import count_queries


@pytest.fixture
def organizer(db):
    return make_user(name="Olivia Organizer", email="olivia@example.org")


@pytest.fixture
def edition(organizer):
    return make_edition(organizer=organizer, slug="assign", name="Assignment Convention")


@pytest.fixture
def reviewers(edition):
    people = [make_user(name=f"Reviewer {i}", email=f"reviewer{i}@example.org") for i in range(1, 5)]
    for person in people:
        give_role(edition, person, Role.REVIEWER)
    return people


@pytest.fixture
def speaker(db):
    return make_user(name="Sofia Speaker", email="sofia@example.org")


def _submitted(edition, speaker, organizer, count, **overrides):
    proposals = [make_proposal(edition, speaker, state=ProposalState.SUBMITTED, organizer=organizer,
                               title=f"Talk {i}", **overrides) for i in range(count)]
    db.session.commit()
    return proposals


def _pairs(edition):
    return set(db.session.execute(sa.select(Assignment.proposal_id, Assignment.user_id)
                                  .where(Assignment.edition_id == edition.id)))


def _run(edition, actor, **kwargs):
    report = run_automatic_assignment(edition, actor, **kwargs)
    db.session.commit()
    return report


def test_each_submitted_proposal_gets_n_reviewers_balanced_and_recorded(edition, organizer, reviewers, speaker):
    proposals = _submitted(edition, speaker, organizer, 6)
    draft = make_proposal(edition, speaker, title="Still a draft")
    accepted = make_proposal(edition, speaker, state=ProposalState.ACCEPTED, organizer=organizer, title="Taken")
    decided = _submitted(edition, speaker, organizer, 1)[0]
    db.session.add(Decision(edition_id=edition.id, proposal_id=decided.id, outcome=Outcome.ACCEPT))
    db.session.commit()

    report = _run(edition, organizer)

    pairs = _pairs(edition)
    assert Counter(p for p, _ in pairs) == {p.id: 3 for p in proposals}  # not the draft, accepted or decided
    assert {draft.id, accepted.id, decided.id}.isdisjoint(p for p, _ in pairs)
    assert sorted(Counter(u for _, u in pairs).values()) == [4, 4, 5, 5]  # 18 over 4
    assert report.created == 18 and report.proposals == 6 and report.reviewers == 4 and report.load_spread == 1
    assert set(db.session.scalars(sa.select(Assignment.source))) == {AssignmentSource.AUTOMATIC}
    entry = db.session.scalars(sa.select(AuditEntry).where(AuditEntry.action == AUDIT_ACTION)).one()
    assert entry.actor_id == organizer.id and entry.edition_id == edition.id
    assert entry.data["created"] == 18 and entry.data["unmet_count"] == 0


def test_conflicts_conflict_bids_and_own_proposals_are_never_assigned(edition, organizer, reviewers, speaker):
    proposals = _submitted(edition, speaker, organizer, 4)
    r1, r2, r3, r4 = reviewers
    db.session.add_all([
        Conflict(edition_id=edition.id, proposal_id=proposals[0].id, user_id=r1.id, source=ConflictSource.DECLARED),
        Conflict(edition_id=edition.id, proposal_id=proposals[1].id, user_id=r2.id, source=ConflictSource.DECLARED),
        Bid(edition_id=edition.id, proposal_id=proposals[2].id, user_id=r3.id, level=BidLevel.CONFLICT),
    ])
    own = make_proposal(edition, r4, state=ProposalState.SUBMITTED, organizer=organizer, title="By a reviewer")
    db.session.commit()

    _run(edition, organizer)

    pairs = _pairs(edition)
    forbidden = {(proposals[0].id, r1.id), (proposals[1].id, r2.id), (proposals[2].id, r3.id), (own.id, r4.id)}
    assert pairs.isdisjoint(forbidden)
    assert Counter(p for p, _ in pairs) == {p.id: 3 for p in [*proposals, own]}  # the three others each


def test_conflicts_found_by_the_rules_are_refreshed_and_respected(edition, organizer, reviewers):
    colleague = make_user(name="Cora Colleague", email="cora@acme.be")
    give_role(edition, colleague, Role.REVIEWER)
    speaker = make_user(name="Sam Speaker", email="sam@acme.be")  # the same company's address
    proposals = _submitted(edition, speaker, organizer, 3)

    _run(edition, organizer, reviews_per_proposal=4)

    assert colleague.id not in {u for _, u in _pairs(edition)}
    assert db.session.scalar(sa.select(sa.func.count()).select_from(Conflict).where(
        Conflict.user_id == colleague.id, Conflict.source == ConflictSource.EMAIL_DOMAIN)) == len(proposals)


def test_every_automatic_pair_passes_the_manual_assignment_rule(edition, organizer, reviewers, speaker):
    """The automatic assignment gives nobody what review-core's ``eligible`` would refuse by hand."""
    from convention.accounts.models import User
    from convention.cfp.models import Proposal
    from convention.review.assignment import eligible

    security, other = edition.themes[0], edition.themes[1]
    proposals = (_submitted(edition, speaker, organizer, 4, theme_id=security.id)
                 + _submitted(edition, speaker, organizer, 4, theme_id=other.id))
    team = ReviewTeam(edition_id=edition.id, name="Security only")
    team.members.append(ReviewTeamMember(user_id=reviewers[0].id))
    team.themes.append(ReviewTeamTheme(theme_id=security.id))
    db.session.add_all([team,
                        Conflict(edition_id=edition.id, proposal_id=proposals[0].id, user_id=reviewers[1].id,
                                 source=ConflictSource.DECLARED),
                        Bid(edition_id=edition.id, proposal_id=proposals[5].id, user_id=reviewers[2].id,
                            level=BidLevel.CONFLICT)])
    db.session.commit()

    _run(edition, organizer, reviews_per_proposal=3)

    pairs = _pairs(edition)
    # 8 proposals x 3, but proposal 5 (theme "other") has only two reviewers left: reviewer 0's
    # team is limited to security and reviewer 2 bid "conflict".
    assert len(pairs) == 23
    for proposal_id, user_id in pairs:
        assert eligible(db.session.get(User, user_id), db.session.get(Proposal, proposal_id)) is None


def test_bids_and_known_themes_are_preferred(edition, organizer, reviewers, speaker):
    security, other = edition.themes[0], edition.themes[1]
    on_security = _submitted(edition, speaker, organizer, 2, theme_id=security.id)
    on_other = _submitted(edition, speaker, organizer, 2, theme_id=other.id)
    r1, r2, r3, r4 = reviewers
    db.session.add_all([ReviewerTheme(edition_id=edition.id, user_id=u.id, theme_id=security.id) for u in (r1, r2)]
                       + [ReviewerTheme(edition_id=edition.id, user_id=u.id, theme_id=other.id) for u in (r3, r4)])
    db.session.add(Bid(edition_id=edition.id, proposal_id=on_security[0].id, user_id=r3.id, level=BidLevel.EAGER))
    db.session.commit()

    _run(edition, organizer, reviews_per_proposal=1)

    pairs = _pairs(edition)
    assert (on_security[0].id, r3.id) in pairs  # the eager bid wins over r1/r2's theme
    theme_of = {p.id: p.theme_id for p in [*on_security, *on_other]}
    known = {r1.id: security.id, r2.id: security.id, r3.id: other.id, r4.id: other.id}
    # One each (balance): after r3's bid, one security proposal is left for r1 and r2, so one of
    # them takes an "other" one; the rest match: the security one and r4's.
    assert sum(1 for p, u in pairs if theme_of[p] == known[u]) == 2
    security_reviewers = {u for p, u in pairs if theme_of[p] == security.id}
    assert r3.id in security_reviewers and len(security_reviewers & {r1.id, r2.id}) == 1
    assert (on_other[0].id, r4.id) in pairs or (on_other[1].id, r4.id) in pairs



def test_a_team_limited_to_themes_only_gets_those_themes(edition, organizer, reviewers, speaker):
    security = edition.themes[0]
    _submitted(edition, speaker, organizer, 3, theme_id=security.id)
    others = _submitted(edition, speaker, organizer, 3, theme_id=edition.themes[1].id)
    team = ReviewTeam(edition_id=edition.id, name="Crypto")
    team.members.append(ReviewTeamMember(user_id=reviewers[0].id))
    team.themes.append(ReviewTeamTheme(theme_id=security.id))
    db.session.add(team)
    db.session.commit()

    _run(edition, organizer, reviews_per_proposal=2)

    assert {p for p, u in _pairs(edition) if u == reviewers[0].id}.isdisjoint(p.id for p in others)
    assert Counter(p for p, _ in _pairs(edition)) == {p: 2 for p, _ in _pairs(edition)}


def test_rerunning_keeps_manual_assignments_and_reviews_and_only_fills_gaps(edition, organizer, reviewers, speaker):
    proposals = _submitted(edition, speaker, organizer, 3)
    r1, r2, *_ = reviewers
    db.session.add(Assignment(edition_id=edition.id, proposal_id=proposals[0].id, user_id=r1.id,
                              source=AssignmentSource.MANUAL))
    db.session.add(Review(edition_id=edition.id, proposal_id=proposals[1].id, user_id=r2.id))  # reviewed unasked
    db.session.commit()

    first = _run(edition, organizer, reviews_per_proposal=2)
    second = _run(edition, organizer)

    pairs = _pairs(edition)
    assert first.created == 4 and second.created == 0  # 3 x 2 wanted, 2 there
    assert (proposals[0].id, r1.id) in pairs
    assert db.session.scalar(sa.select(Assignment.source).where(Assignment.user_id == r1.id,
                                                                 Assignment.proposal_id == proposals[0].id)) == "manual"
    assert (proposals[1].id, r2.id) not in pairs  # the review counts, no assignment is added for it
    assert Counter(p for p, _ in pairs)[proposals[1].id] == 1
    assert assignment_overview(edition).short == []  # nor does the page count it as missing

    third = _run(edition, organizer, reviews_per_proposal=3)  # raising N tops up
    assert third.created == 3
    assert db.session.scalar(sa.select(ReviewSettings.reviews_per_proposal)) == 3


def test_a_proposal_nobody_may_review_is_reported(edition, organizer, reviewers, speaker):
    lonely, fine = _submitted(edition, speaker, organizer, 2)
    db.session.add_all([Conflict(edition_id=edition.id, proposal_id=lonely.id, user_id=u.id,
                                 source=ConflictSource.DECLARED) for u in reviewers[:3]])
    db.session.commit()

    report = _run(edition, organizer)

    assert report.unmet == [{"proposal_id": lonely.id, "missing": 2, "eligible": 1, "reason": "too_few_eligible"}]
    overview = assignment_overview(edition)
    assert [(u.code, u.missing, u.eligible) for u in overview.last_run.unmet] == [(lonely.code, 2, 1)]
    assert [(s.code, s.assigned) for s in overview.short] == [(lonely.code, 1)]
    assert overview.short_count == 1


def test_only_confirmed_reviewers_are_given_proposals(edition, organizer, speaker):
    confirmed = make_user(name="Ready")
    unconfirmed = make_user(name="Not yet", confirmed=False)
    for person in (confirmed, unconfirmed):
        give_role(edition, person, Role.REVIEWER)
    _submitted(edition, speaker, organizer, 2)

    _run(edition, organizer)

    assert {u for _, u in _pairs(edition)} == {confirmed.id}


@pytest.mark.parametrize("n", [0, 21, -1])
def test_a_number_of_reviews_out_of_range_is_refused_and_nothing_is_written(edition, organizer, reviewers,
                                                                             speaker, n):
    _submitted(edition, speaker, organizer, 2)
    with pytest.raises(DomainError) as refused:
        run_automatic_assignment(edition, organizer, reviews_per_proposal=n)
    assert refused.value.field == "reviews_per_proposal"
    db.session.rollback()
    assert _pairs(edition) == set()


def test_the_overview_reads_a_fixed_number_of_queries(edition, organizer, reviewers, speaker):
    from convention.accounts.models import User
    from convention.editions.models import Edition

    ids = {"edition": edition.id, "organizer": organizer.id, "speaker": speaker.id}
    _submitted(edition, speaker, organizer, 3)
    _run(edition, organizer)
    with count_queries() as few:
        assignment_overview(db.session.get(Edition, ids["edition"]))
    edition = db.session.get(Edition, ids["edition"])
    organizer, speaker = db.session.get(User, ids["organizer"]), db.session.get(User, ids["speaker"])
    _submitted(edition, speaker, organizer, 6)
    for i in range(3):
        give_role(edition, make_user(name=f"More {i}"), Role.REVIEWER)
    _run(edition, organizer)
    with count_queries() as more:
        overview = assignment_overview(db.session.get(Edition, ids["edition"]))
    assert len(more) == len(few)
    assert overview.proposals == 9 and len(overview.loads) == 7
    assert sum(load.automatic for load in overview.loads) == 27


# -- the page -------------------------------------------------------------------------------------

PAGE = "/assign/manage/review/assignment/automatic"


def test_the_organizer_runs_it_from_the_page(client, auth, edition, organizer, reviewers, speaker):
    _submitted(edition, speaker, organizer, 4)
    auth.login("olivia@example.org")
    page = client.get(PAGE)
    assert page.status_code == 200
    html = page.get_data(as_text=True)
    assert "The automatic assignment has not run yet." in html
    assert 'value="3"' in html  # the settings' default N

    response = client.post(PAGE, data={"csrf_token": csrf_token_from(html), "reviews_per_proposal": "2"})

    assert response.status_code == 302 and response.headers["Location"].endswith(PAGE)
    assert len(_pairs(edition)) == 8
    html = client.get(PAGE).get_data(as_text=True)
    assert "The automatic assignment added 8 assignments." in html
    assert '<dd class="col-sm-5" id="run-created">8</dd>' in html
    for person in reviewers:
        assert f"<td>{person.name}</td>" in html


def test_a_wrong_number_is_refused_on_the_form(client, auth, edition, organizer, reviewers, speaker):
    _submitted(edition, speaker, organizer, 1)
    auth.login("olivia@example.org")
    token = csrf_token_from(client.get(PAGE).get_data(as_text=True))
    for value, message in (("0", "Choose between 1 and 20 reviews per proposal."),
                           ("", "Say how many reviews each proposal should get.")):
        response = client.post(PAGE, data={"csrf_token": token, "reviews_per_proposal": value})
        assert response.status_code == 422
        assert message in response.get_data(as_text=True)
    assert _pairs(edition) == set()


def test_reviewers_and_speakers_cannot_run_it(client, auth, edition, organizer, reviewers, speaker):
    _submitted(edition, speaker, organizer, 1)
    for email in ("reviewer1@example.org", "sofia@example.org"):
        auth.login(email)
        assert client.get(PAGE).status_code == 403
        auth.logout()
    assert _pairs(edition) == set()


RUNS = 4


@pytest.mark.postgres
@pytest.mark.parametrize("settings_exist", [True, False], ids=["settings-row", "no-settings-row"])
def test_parallel_runs_assign_each_pair_once(app, client, auth, edition, organizer, reviewers, speaker,
                                             settings_exist):
    """Organizers who press "run" at the same moment: the runs queue up (a row lock on the
    settings), nothing is assigned twice. Only meaningful on PostgreSQL (SQLite lets one
    writer in at a time): each run is a thread with its own client, released by a barrier."""
    if db.engine.dialect.name != "postgresql":
        pytest.skip("needs DATABASE_URL pointing to PostgreSQL: SQLite serialises writers and would hide the race")
    proposals = _submitted(edition, speaker, organizer, 5)
    assert auth.login("olivia@example.org").status_code == 302
    token = csrf_token_from(client.get(PAGE).get_data(as_text=True))
    if settings_exist:
        settings_row(edition)
        db.session.commit()
    clients = []
    for _ in range(RUNS):
        twin = app.test_client()
        twin.set_cookie("session", client.get_cookie("session").value)
        clients.append(twin)
    barrier = threading.Barrier(RUNS, timeout=60)
    outcomes: list = [None] * RUNS

    def run(i):
        try:
            barrier.wait()
            response = clients[i].post(PAGE, data={"csrf_token": token, "reviews_per_proposal": "3"})
            outcomes[i] = response.status_code
        except Exception as exc:  # noqa: BLE001 - reported by the assertions
            outcomes[i] = repr(exc)

    threads = [threading.Thread(target=run, args=(i,)) for i in range(RUNS)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)

    db.session.expire_all()
    assert outcomes == [302] * RUNS
    pairs = list(db.session.execute(sa.select(Assignment.proposal_id, Assignment.user_id)))
    assert Counter(p for p, _ in pairs) == {p.id: 3 for p in proposals}
    created = [entry.data["created"] for entry in db.session.scalars(
        sa.select(AuditEntry).where(AuditEntry.action == AUDIT_ACTION).order_by(AuditEntry.id))]
    assert sorted(created) == [0] * (RUNS - 1) + [15]  # the first run did it all, the others found nothing to do
