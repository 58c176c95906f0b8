"""The notification templates: defaults, the organizers' words, placeholders, preview."""

from __future__ import annotations

import pytest

from convention.cfp.states import ProposalState
from convention.core.errors import DomainError
from convention.review import decisions, notifications
from convention.review.models import Outcome
from tests.cfp.helpers import make_proposal
from tests.review.decisions.helpers import add_review, make_criteria, make_reviewer

S = ProposalState


def test_defaults_until_the_organizers_write_their_own(db, edition, organizer):
    default = notifications.get_template(edition, Outcome.ACCEPT)
    assert not default.customised and default.subject == "Accepted: {title}"
    notifications.save_template(edition, Outcome.ACCEPT, "  Yes:\n {title} ", "Hi {speaker_name}", actor=organizer)
    saved = notifications.get_template(edition, Outcome.ACCEPT)
    assert saved.customised and saved.subject == "Yes: {title}" and saved.body == "Hi {speaker_name}"
    notifications.save_template(edition, Outcome.ACCEPT, "Again {title}", "Hello", actor=organizer)
    assert notifications.get_template(edition, Outcome.ACCEPT).subject == "Again {title}"
    assert not notifications.get_template(edition, Outcome.REJECT).customised


@pytest.mark.parametrize(("subject", "body", "field", "message"), [
    ("Hi {name}", "Body", "subject", "Unknown placeholder {name}"),
    ("Hi", "Dear {speaker}, {title}", "body", "Unknown placeholder {speaker}"),
    ("   ", "Body", "subject", "Write a subject."),
    ("Hi", "  \n ", "body", "Write the message."),
    ("x" * 201, "Body", "subject", "too long"),
])
def test_bad_templates_are_refused_on_their_field(db, edition, organizer, subject, body, field, message):
    with pytest.raises(DomainError, match=message) as refusal:
        notifications.save_template(edition, Outcome.REJECT, subject, body, actor=organizer)
    assert refusal.value.field == field
    assert not notifications.get_template(edition, Outcome.REJECT).customised


def test_rendering_replaces_only_the_known_names():
    values = {"title": "{speaker_name} {{x}}", "speaker_name": "Ann"}
    # A value is never read again as a placeholder; other braces stay as written.
    assert notifications.render_text("{title} / {speaker_name} / {other} / {0}", values) == \
        "{speaker_name} {{x}} / Ann / {other} / {0}"


def test_preview_uses_a_real_proposal_and_its_feedback(db, edition, organizer, speaker):
    assert notifications.preview(edition, notifications.get_template(edition, Outcome.REJECT)) is None
    criteria = make_criteria(edition)
    reviewer = make_reviewer(edition, "Rita Reviewer")
    make_proposal(edition, speaker, state=S.SUBMITTED, title="First talk")
    rejected = make_proposal(edition, speaker, state=S.SUBMITTED, title="Second talk")
    add_review(rejected, reviewer, criteria, [2, 2], feedback="Please narrow it down.")
    add_review(rejected, make_reviewer(edition, "Remy Reviewer"), criteria, [2, 3], feedback="  ",
               comment="Not for us (committee only).")
    decisions.decide(rejected, Outcome.REJECT, actor=organizer)
    proposal, message = notifications.preview(edition, notifications.get_template(edition, Outcome.REJECT))
    assert proposal.id == rejected.id
    assert message.subject == "About your proposal: Second talk"
    assert "Hello Sofia Speaker," in message.body
    assert "What the reviewers wrote for you:\n\nPlease narrow it down." in message.body
    assert "committee only" not in message.body  # comments to the committee never reach speakers


def test_unsubmitted_review_feedback_is_not_sent(db, edition, organizer, speaker):
    criteria = make_criteria(edition)
    proposal = make_proposal(edition, speaker, state=S.SUBMITTED)
    add_review(proposal, make_reviewer(edition, "Rita Reviewer"), criteria, [4, 4], feedback="Draft thought",
               submitted=False)
    assert notifications.feedback_by_proposal([proposal.id]) == {}
