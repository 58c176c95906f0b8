"""Builders for call-for-papers tests: proposals in any state, through the real services."""

from __future__ import annotations

import io
import re

from fpdf import FPDF

from convention.cfp import services, submission
from convention.cfp.manage_services import QuestionData, save_question
from convention.cfp.models import Proposal, ProposalSpeaker
from convention.cfp.speaker_services import get_or_create_profile
from convention.cfp.states import ProposalState
from convention.extensions import db
from convention.mail.models import OutboxMessage

S = ProposalState

# The moves (and who makes them) that bring a fresh draft to each state.
PATH_TO = {
    S.DRAFT: [],
    S.SUBMITTED: [("speaker", S.SUBMITTED)],
    S.ACCEPTED: [("speaker", S.SUBMITTED), ("organizer", S.ACCEPTED)],
    S.REJECTED: [("speaker", S.SUBMITTED), ("organizer", S.REJECTED)],
    S.CONFIRMED: [("speaker", S.SUBMITTED), ("organizer", S.ACCEPTED), ("speaker", S.CONFIRMED)],
    S.DECLINED: [("speaker", S.SUBMITTED), ("organizer", S.ACCEPTED), ("speaker", S.DECLINED)],
    S.WITHDRAWN: [("speaker", S.WITHDRAWN)],
    S.CANCELLED: [("speaker", S.SUBMITTED), ("organizer", S.ACCEPTED), ("speaker", S.CONFIRMED),
                  ("organizer", S.CANCELLED)],
}


def proposal_data(edition, **overrides) -> services.ProposalData:
    values = {
        "title": "Hardening DNS resolvers for small ISPs",
        "theme_id": edition.themes[0].id,
        "format_id": edition.formats[0].id,
        "level": "intermediate",
        "language": "en",
        "abstract": "What we changed on our resolvers after an amplification attack.",
        "description": "Some **Markdown**.",
        "notes": "I can also give it in Dutch.",
        "may_record": True,
        "answers": {},
    }
    values.update(overrides)
    return services.ProposalData(**values)


def make_proposal(edition, speaker, *, state: ProposalState = S.DRAFT, organizer=None, co_speakers=(), **overrides):
    """A proposal by ``speaker`` (plus ``co_speakers``), moved to ``state`` through the state service."""
    proposal, _ = services.create_proposal(edition, proposal_data(edition, **overrides), actor=speaker)
    for user in co_speakers:
        proposal.speakers.append(ProposalSpeaker(profile=get_or_create_profile(edition, user)))
    db.session.flush()
    actors = {"speaker": speaker, "organizer": organizer}
    for who, target in PATH_TO[state]:
        assert actors[who] is not None, f"reaching {state} needs an organizer"
        submission.set_proposal_state(proposal, target, actor=actors[who])
    db.session.commit()
    return proposal


def make_question(edition, organizer, *, label="Is this your first talk?", kind="boolean", required=False, choices=""):
    question = save_question(
        edition, QuestionData(label=label, kind=kind, required=required, choices=choices), actor=organizer
    )
    db.session.commit()
    return question


def form_values(edition, **overrides) -> dict:
    """What the browser posts for the proposal form."""
    values = {
        "title": "Hardening DNS resolvers for small ISPs",
        "theme_id": str(edition.themes[0].id),
        "format_id": str(edition.formats[0].id),
        "level": "intermediate",
        "language": "en",
        "abstract": "What we changed on our resolvers after an amplification attack.",
        "description": "",
        "notes": "",
        "may_record": "y",
    }
    values.update(overrides)
    return values


def pdf_bytes(text: str = "Slides", pages: int = 1) -> bytes:
    pdf = FPDF()
    pdf.set_font("Helvetica", size=16)
    for n in range(pages):
        pdf.add_page()
        pdf.cell(text=f"{text} {n + 1}")
    return bytes(pdf.output())


def png_bytes(size=(40, 30), color=(20, 184, 166)) -> bytes:
    from PIL import Image

    out = io.BytesIO()
    Image.new("RGB", size, color).save(out, format="PNG")
    return out.getvalue()


def all_proposals() -> list[Proposal]:
    return list(db.session.scalars(db.select(Proposal)))


def emails_to(address: str, template: str | None = None) -> list[OutboxMessage]:
    query = db.select(OutboxMessage).where(OutboxMessage.recipient == address).order_by(OutboxMessage.id)
    if template:
        query = query.where(OutboxMessage.template == template)
    return list(db.session.scalars(query))


LINK = re.compile(r"http://\S+")


def link_in(message: OutboxMessage) -> str:
    """The path of the first link in an email body."""
    url = LINK.search(message.body_text).group(0)
    return "/" + url.split("/", 3)[3]
