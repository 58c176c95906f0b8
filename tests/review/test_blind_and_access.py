"""Blind review leaks nothing, conflicts hide a proposal, speakers never reach reviews.

The walk takes every GET route of the reviewer area (/<slug>/review/...) from the URL map,
so a page added later is walked too, fills its arguments with each proposal of the
edition, and searches each answer for every speaker's name, email, organisation,
biography and file names.
"""

from __future__ import annotations

import io

import pytest

from convention.cfp import attachments
from convention.editions.models import Role
from convention.review.conflicts import declare_conflict
from convention.review.models import Review
from tests.cfp.helpers import pdf_bytes
from tests.conftest import Auth, csrf_token_from
from tests.factories import give_role
from tests.review.helpers import (
    assigned,
    review_edition,
    reviewer,
    score,
    set_phase,
    speaker_with_profile,
    submitted,
)

REVIEWER_AREA = "/<slug>/review/"


@pytest.fixture
def blind_world(db, app, tmp_path, monkeypatch):
    monkeypatch.setitem(app.config, "UPLOAD_FOLDER", str(tmp_path / "uploads"))
    edition, organizer, (relevance, quality), rita, zeb, proposal = review_edition()
    cora = speaker_with_profile(edition, name="Cordelia Vanstraelen", email="cordelia@vanstraelen-consult.be",
                                organisation="Vanstraelen Consulting", biography="Former ISP engineer at Belnet.")
    second = submitted(edition, cora, title="Anycast for everyone", co_speakers=(zeb,))
    attachments.add_attachment(proposal, io.BytesIO(pdf_bytes()), filename="quartermain-slides.pdf", actor=zeb)
    remy = reviewer(edition, name="Remy Reviewer", email="remy@reviewers.be")
    for user in (rita, remy):
        assigned(proposal, user, organizer)
        assigned(second, user, organizer)
    score(edition, proposal, remy, {relevance.id: 4, quality.id: 7}, comment="Fine")
    score(edition, proposal, rita, {relevance.id: 3, quality.id: 5}, comment="Good")
    secrets = ["Zebulon", "Quartermain", "zeb@quartermain-labs.be", "quartermain-labs", "Speaks often",
               "Cordelia", "Vanstraelen", "cordelia@", "Former ISP engineer", "quartermain-slides"]
    return {"edition": edition, "organizer": organizer, "rita": rita, "proposals": [proposal, second],
            "criteria": (relevance, quality), "secrets": secrets}


def _login(client, email):
    assert Auth(client).login(email).status_code == 302


def _reviewer_pages(app, world):
    edition = world["edition"]
    for rule in app.url_map.iter_rules():
        if not rule.rule.startswith(REVIEWER_AREA) or "GET" not in rule.methods:
            continue
        for proposal in world["proposals"] if "code" in rule.arguments else [None]:
            values = {"slug": edition.slug, **({"code": proposal.code} if proposal else {})}
            if set(rule.arguments) - set(values):
                continue
            yield rule.build(values, append_unknown=False)[1]


def _leaks(html: str, secrets) -> list[str]:
    lowered = html.lower()
    return [secret for secret in secrets if secret.lower() in lowered]


def test_no_reviewer_page_names_a_speaker_while_blind(app, client, blind_world):
    _login(client, blind_world["rita"].email)
    pages = list(_reviewer_pages(app, blind_world))
    assert len(pages) >= 7  # landing, queue, bids, conflicts, themes, and each proposal's page and scoring page
    shown = 0
    for path in pages:
        for query in ("", "?page=2", "?theme=1"):
            response = client.get(path + query)
            assert response.status_code < 500, path
            shown += response.status_code == 200
            assert _leaks(response.get_data(as_text=True), blind_world["secrets"]) == [], path + query
    assert shown >= len(pages)
    # A refused score renders the page again: still blind.
    proposal = blind_world["proposals"][0]
    url = f"/{blind_world['edition'].slug}/review/proposals/{proposal.code}/score"
    token = csrf_token_from(client.get(url).get_data(as_text=True))
    refused = client.post(url, data={"csrf_token": token, "score_1": "99"})
    assert refused.status_code == 422
    assert _leaks(refused.get_data(as_text=True), blind_world["secrets"]) == []


def test_the_walk_would_see_the_names_when_the_review_is_not_blind(app, client, blind_world):
    set_phase(blind_world["edition"], blind_world["organizer"], blind=False)
    _login(client, blind_world["rita"].email)
    proposal = blind_world["proposals"][0]
    html = client.get(f"/{blind_world['edition'].slug}/review/proposals/{proposal.code}").get_data(as_text=True)
    assert {"Zebulon", "Quartermain Labs", "Speaks often", "quartermain-slides"} <= set(
        _leaks(html, blind_world["secrets"] + ["Quartermain Labs"]))


def test_a_conflicted_reviewer_gets_404_on_the_proposal_and_its_score(app, client, blind_world, db):
    rita, edition = blind_world["rita"], blind_world["edition"]
    proposal = blind_world["proposals"][1]
    declare_conflict(proposal, actor=rita)
    db.session.commit()
    _login(client, rita.email)
    base = f"/{edition.slug}/review/proposals/{proposal.code}"
    token = csrf_token_from(client.get(f"/{edition.slug}/review/").get_data(as_text=True))
    assert client.get(base).status_code == 404
    assert client.get(base + "/score").status_code == 404
    relevance, quality = blind_world["criteria"]
    answer = client.post(base + "/score", data={"csrf_token": token, f"score_{relevance.id}": "3",
                                                f"score_{quality.id}": "3"})
    assert answer.status_code == 404
    assert db.session.query(Review).filter_by(proposal_id=proposal.id, user_id=rita.id).count() == 0
    for path in (f"/{edition.slug}/review/", f"/{edition.slug}/review/queue", f"/{edition.slug}/review/bids"):
        assert proposal.title not in client.get(path).get_data(as_text=True)


def test_a_reviewer_who_speaks_on_a_proposal_cannot_open_it(client, blind_world, db):
    edition = blind_world["edition"]
    zeb_proposal = blind_world["proposals"][0]
    zeb = zeb_proposal.speakers[0].profile.user
    give_role(edition, zeb, Role.REVIEWER)
    _login(client, zeb.email)
    for proposal in blind_world["proposals"]:  # submitter of one, co-speaker of the other
        assert client.get(f"/{edition.slug}/review/proposals/{proposal.code}").status_code == 404
        assert client.get(f"/{edition.slug}/review/proposals/{proposal.code}/score").status_code == 404
    html = client.get(f"/{edition.slug}/review/bids").get_data(as_text=True)
    assert "Resolvers at scale" not in html and "Good" not in html


def test_a_speaker_never_reaches_reviews_or_scores(app, client, blind_world):
    edition = blind_world["edition"]
    zeb = blind_world["proposals"][0].speakers[0].profile.user
    _login(client, zeb.email)
    for path in _reviewer_pages(app, blind_world):
        assert client.get(path).status_code == 403, path
    own = client.get(f"/{edition.slug}/cfp/proposals/{blind_world['proposals'][0].code}").get_data(as_text=True)
    assert "Fine" not in own and "Good" not in own and "Relevance" not in own
