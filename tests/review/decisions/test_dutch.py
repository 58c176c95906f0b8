"""The committee's pages in Dutch (Accept-Language: nl): the review's own words are translated."""

from __future__ import annotations

import re

from convention.cfp.states import ProposalState
from convention.review import decisions
from convention.review.models import Outcome
from tests.cfp.helpers import make_proposal
from tests.review.decisions.helpers import add_review, make_criteria, make_reviewer

NL = {"Accept-Language": "nl"}


def _text(html: str) -> str:
    html = re.sub(r"<(script|style)[^>]*>.*?</\1>", " ", html, flags=re.S)
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", html))


def test_ranking_and_notifications_in_dutch(client, auth, edition, organizer, speaker):
    criteria = make_criteria(edition)
    proposal = make_proposal(edition, speaker, state=ProposalState.SUBMITTED, title="Fuzzing")
    add_review(proposal, make_reviewer(edition, "Ann Reviewer"), criteria, [5, 5])
    add_review(proposal, make_reviewer(edition, "Bob Reviewer"), criteria, [1, 1])
    decisions.decide(proposal, Outcome.ACCEPT, actor=organizer)
    auth.login(organizer.email)
    ranking = _text(client.get("/rev-test/manage/review/ranking", headers=NL).get_data(as_text=True))
    for dutch in ("Rangschikking", "Grote onenigheid", "Verdeling van de scores", "(nog niet meegedeeld)",
                  "Beslissing wissen", "Aangevinkte voorstellen:"):
        assert dutch in ranking
    for english in ("High disagreement", "Score distribution", "not told yet", "Ticked proposals"):
        assert english not in ranking
    page = _text(client.get("/rev-test/manage/review/notifications/", headers=NL).get_data(as_text=True))
    assert "Aanvaard: Fuzzing" in page and "Beste Sofia Speaker," in page and "Berichten versturen" in page
