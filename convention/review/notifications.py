"""The messages that tell speakers the committee's decision: one template per outcome, in
the organizers' words (a ``NotificationTemplate`` row) or the default below.

Placeholders are written ``{name}`` and only the five of ``PLACEHOLDERS`` exist: a text
naming another is refused when saved. Rendering replaces the known names and nothing
else (no format strings, no template language: the text is the organizers', the values
are the speakers'), and the subject stays one line (it becomes a mail header).
"""

from __future__ import annotations

import re
from dataclasses import dataclass

import sqlalchemy as sa
from flask_babel import gettext, lazy_gettext

from convention.accounts.models import User
from convention.audit.services import record_audit
from convention.cfp.models import Proposal
from convention.cfp.submission import Notification
from convention.core.errors import DomainError, Forbidden
from convention.core.urls import external_url
from convention.editions.models import Edition
from convention.extensions import db
from convention.review.models import SUBJECT_MAX, Decision, NotificationTemplate, Outcome, Review
from convention.review.permissions import can_decide
from convention.review.ranking import RANKED_STATES

PLACEHOLDERS = ("speaker_name", "title", "edition", "confirmation_link", "feedback")
BODY_MAX = 10_000
_PLACEHOLDER = re.compile(r"\{([A-Za-z_][A-Za-z0-9_]*)\}")

DEFAULTS = {
    Outcome.ACCEPT: (
        lazy_gettext("Accepted: {title}"),
        lazy_gettext(
            "Hello {speaker_name},\n\n"
            "Good news: the committee of {edition} accepted your proposal “{title}”.\n\n"
            "Please confirm that you will give it, and tell us when you are available during the convention:\n"
            "{confirmation_link}\n\n"
            "{feedback}"
        ),
    ),
    Outcome.REJECT: (
        lazy_gettext("About your proposal: {title}"),
        lazy_gettext(
            "Hello {speaker_name},\n\n"
            "Thank you for proposing “{title}” to {edition}. We received many strong proposals and, with regret, "
            "could not include yours in this year's programme.\n\n"
            "{feedback}\n\n"
            "We hope to see you at the convention, and to read your proposals again next year.\n"
            "{confirmation_link}"
        ),
    ),
}


@dataclass(frozen=True)
class TemplateText:
    outcome: Outcome
    subject: str
    body: str
    customised: bool  # a row of the organizers, not the default


def get_template(edition: Edition, outcome: Outcome) -> TemplateText:
    row = db.session.scalar(
        sa.select(NotificationTemplate).where(
            NotificationTemplate.edition_id == edition.id, NotificationTemplate.outcome == outcome
        )
    )
    if row is not None:
        return TemplateText(outcome, row.subject, row.body, True)
    subject, body = DEFAULTS[outcome]
    return TemplateText(outcome, str(subject), str(body), False)


def unknown_placeholders(text: str) -> list[str]:
    return sorted({name for name in _PLACEHOLDER.findall(text) if name not in PLACEHOLDERS})


def _ensure_known(text: str, field: str) -> None:
    unknown = unknown_placeholders(text)
    if unknown:
        raise DomainError(
            gettext("Unknown placeholder {%(name)s}. Use only: %(known)s.", name=unknown[0],
                    known=", ".join(f"{{{name}}}" for name in PLACEHOLDERS)),
            field=field,
        )


def save_template(edition: Edition, outcome: Outcome, subject: str, body: str, *, actor: User) -> NotificationTemplate:
    """Store the organizers' words for ``outcome`` (placeholders checked)."""
    if not can_decide(actor, edition):
        raise Forbidden(gettext("Only the organizers can change the notifications."))
    subject = " ".join(subject.split())
    if not subject:
        raise DomainError(gettext("Write a subject."), field="subject")
    if len(subject) > SUBJECT_MAX:
        raise DomainError(gettext("The subject is too long."), field="subject")
    if not body.strip():
        raise DomainError(gettext("Write the message."), field="body")
    if len(body) > BODY_MAX:
        raise DomainError(gettext("The message is too long."), field="body")
    _ensure_known(subject, "subject")
    _ensure_known(body, "body")
    row = db.session.scalar(
        sa.select(NotificationTemplate).where(
            NotificationTemplate.edition_id == edition.id, NotificationTemplate.outcome == outcome
        )
    )
    if row is None:
        row = NotificationTemplate(edition_id=edition.id, outcome=outcome, subject=subject, body=body)
        db.session.add(row)
    else:
        row.subject, row.body = subject, body
    db.session.flush()
    record_audit("review.notification_template", actor=actor, edition_id=edition.id, target=row,
                 data={"outcome": outcome.value})
    return row


def render_text(text: str, values: dict[str, str]) -> str:
    """``text`` with each known ``{name}`` replaced by its value (others left as written)."""
    return _PLACEHOLDER.sub(lambda match: values.get(match.group(1), match.group(0)), text)


def feedback_by_proposal(proposal_ids: list[int]) -> dict[int, str]:
    """The reviewers' feedback to the speakers, per proposal (submitted reviews, in order), one query."""
    feedback: dict[int, list[str]] = {}
    if not proposal_ids:
        return {}
    rows = db.session.execute(
        sa.select(Review.proposal_id, Review.feedback)
        .where(Review.proposal_id.in_(proposal_ids), Review.submitted_at.is_not(None), Review.feedback != "")
        .order_by(Review.proposal_id, Review.submitted_at, Review.id)
    )
    for proposal_id, text in rows:
        if text.strip():
            feedback.setdefault(proposal_id, []).append(text.strip())
    heading = gettext("What the reviewers wrote for you:")
    return {pid: heading + "\n\n" + "\n\n---\n\n".join(texts) for pid, texts in feedback.items()}


def renderer(template: TemplateText, proposal: Proposal, feedback: str):
    """The function ``set_proposal_state`` calls per speaker: their Notification."""
    edition = proposal.edition
    link = external_url("cfp.proposal", slug=edition.slug, code=proposal.code)

    def for_speaker(user: User) -> Notification:
        values = {
            "speaker_name": user.name, "title": proposal.title, "edition": edition.name,
            "confirmation_link": link, "feedback": feedback,
        }
        subject = " ".join(render_text(template.subject, values).split())[:SUBJECT_MAX]
        body = re.sub(r"\n{3,}", "\n\n", render_text(template.body, values)).strip()
        return Notification(subject=subject, body=body)

    return for_speaker


def preview_proposal(edition: Edition, outcome: Outcome) -> Proposal | None:
    """A real proposal to show the message with: one decided so, else any ranked one with speakers."""
    decided = db.session.scalar(
        sa.select(Proposal).join(Decision, Decision.proposal_id == Proposal.id)
        .where(Decision.edition_id == edition.id, Decision.outcome == outcome)
        .order_by(Decision.notified_at.is_not(None), Proposal.id).limit(1)
    )
    if decided is not None:
        return decided
    return db.session.scalar(
        sa.select(Proposal).where(Proposal.edition_id == edition.id, Proposal.state.in_(RANKED_STATES))
        .order_by(Proposal.id).limit(1)
    )


def preview(edition: Edition, template: TemplateText) -> tuple[Proposal, Notification] | None:
    """The message as the first speaker of a real proposal would read it (None: no proposal yet)."""
    proposal = preview_proposal(edition, template.outcome)
    if proposal is None or not proposal.speaker_users:
        return None
    feedback = feedback_by_proposal([proposal.id]).get(proposal.id, "")
    return proposal, renderer(template, proposal, feedback)(proposal.speaker_users[0])
