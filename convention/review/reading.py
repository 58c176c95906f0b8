"""What a reviewer reads of a proposal, built here and only here, so that a blind review
cannot leak through a template: while the review is blind the view holds no speaker (name,
email, organisation, biography, photo), no organizers' notes and no file names."""

from __future__ import annotations

from dataclasses import dataclass

from flask_babel import gettext

from convention.cfp.answers import questions_with_answers
from convention.cfp.models import Proposal, QuestionKind


@dataclass(frozen=True)
class SpeakerView:
    name: str
    organisation: str
    job_title: str
    biography: str


@dataclass(frozen=True)
class ProposalView:
    code: str
    title: str
    theme: str | None
    format: str | None
    level: str
    language: str
    abstract: str
    description: str
    answers: list[tuple[str, str]]
    blind: bool
    speakers: list[SpeakerView]  # empty while blind
    notes: str  # "" while blind: speakers write things like "I spoke at ... last year"
    attachment_count: int
    attachment_names: list[str]  # empty while blind (a file name often names its author)


def _answer_text(question, answer: str) -> str:
    """A yes/no question's answer is stored as "yes"/"no": shown in the reader's language."""
    if question.kind is QuestionKind.BOOLEAN:
        return gettext("Yes") if answer == "yes" else gettext("No")
    return answer


def proposal_view(proposal: Proposal, *, blind: bool) -> ProposalView:
    answers = [(question.label, _answer_text(question, answer))
               for question, answer in questions_with_answers(proposal) if answer]
    speakers = [] if blind else [
        SpeakerView(link.profile.display_name, link.profile.organisation, link.profile.job_title,
                    link.profile.biography)
        for link in proposal.speakers
    ]
    return ProposalView(
        code=proposal.code,
        title=proposal.title,
        theme=proposal.theme.name if proposal.theme else None,
        format=proposal.format.name if proposal.format else None,
        level=str(proposal.level.label),
        language=str(proposal.language.label),
        abstract=proposal.abstract,
        description=proposal.description,
        answers=answers,
        blind=blind,
        speakers=speakers,
        notes="" if blind else proposal.notes,
        attachment_count=len(proposal.attachments),
        attachment_names=[] if blind else [a.filename for a in proposal.attachments],
    )
