"""Proposals: write one (as a draft, or submitted at once), edit it, find a speaker's own.

Moving a proposal through its states is ``submission.set_proposal_state``; the deadline
and what may still change are in ``call``; co-speakers, files and answers have their own
modules. Every rule that depends on the deadline asks ``call.ensure_call_open`` at the
moment of the request.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime

import sqlalchemy as sa
from flask_babel import gettext

from convention.accounts.models import User
from convention.audit.services import record_audit
from convention.cfp.answers import missing_required_answers, save_answers
from convention.cfp.call import ensure_call_open, ensure_can_edit
from convention.cfp.models import (
    ABSTRACT_MAX,
    DESCRIPTION_MAX,
    NOTES_MAX,
    TITLE_MAX,
    AudienceLevel,
    Language,
    Proposal,
    ProposalSpeaker,
)
from convention.cfp.permissions import is_proposal_speaker, spoken_by
from convention.cfp.speaker_services import get_or_create_profile
from convention.cfp.states import ProposalState
from convention.cfp.submission import ensure_confirmed_to_submit, set_proposal_state
from convention.core.errors import Conflict, DomainError
from convention.core.text import check_text
from convention.core.timeutil import utcnow
from convention.editions.models import Edition, SessionFormat, Theme
from convention.extensions import db


def get_proposal(edition: Edition, code: str) -> Proposal | None:
    return db.session.scalar(sa.select(Proposal).where(Proposal.edition_id == edition.id, Proposal.code == code))


def proposals_of_speaker(edition: Edition, user: User) -> list[Proposal]:
    """The proposals ``user`` speaks in (whatever else they may see as an organizer), newest first."""
    return list(
        db.session.scalars(
            sa.select(Proposal)
            .where(Proposal.edition_id == edition.id, spoken_by(user))
            .options(sa.orm.selectinload(Proposal.speakers).joinedload(ProposalSpeaker.profile))
            .order_by(Proposal.created_at.desc(), Proposal.id.desc())
        )
    )


# -- writing a proposal ----------------------------------------------------------------------


@dataclass(frozen=True)
class ProposalData:
    title: str
    theme_id: int
    format_id: int
    level: str
    language: str
    abstract: str
    description: str = ""
    notes: str = ""
    may_record: bool = True
    answers: dict[int, str] = field(default_factory=dict)


def _clean(edition: Edition, data: ProposalData, *, draft: bool = False) -> dict:
    """The checked values of ``data``; a ``draft`` may leave its theme and format open."""
    title = " ".join((data.title or "").split())
    if not title:
        raise DomainError(gettext("Please give your proposal a title."), field="title")
    check_text(title, field="title", empty=gettext("Please give your proposal a title."))
    if len(title) > TITLE_MAX:
        raise DomainError(gettext("Titles are limited to %(max)d characters.", max=TITLE_MAX), field="title")
    theme = db.session.get(Theme, data.theme_id) if data.theme_id else None
    if (theme is None or theme.edition_id != edition.id) and (data.theme_id or not draft):
        raise DomainError(gettext("Choose one of this edition's themes."), field="theme_id")
    session_format = db.session.get(SessionFormat, data.format_id) if data.format_id else None
    if (session_format is None or session_format.edition_id != edition.id) and (data.format_id or not draft):
        raise DomainError(gettext("Choose one of this edition's formats."), field="format_id")
    try:
        level, language = AudienceLevel(data.level), Language(data.language)
    except ValueError as exc:
        raise DomainError(gettext("Choose an audience level and a language from the lists."), field="level") from exc
    abstract = check_text((data.abstract or "").strip().replace("\r\n", "\n"), field="abstract")
    if not abstract:
        raise DomainError(gettext("Please write a short abstract."), field="abstract")
    if len(abstract) > ABSTRACT_MAX:
        raise DomainError(gettext("The abstract is limited to %(max)d characters.", max=ABSTRACT_MAX), field="abstract")
    description = check_text((data.description or "").strip(), field="description")
    if len(description) > DESCRIPTION_MAX:
        raise DomainError(gettext("The description is limited to %(max)d characters.", max=DESCRIPTION_MAX), field="description")
    notes = check_text((data.notes or "").strip(), field="notes")
    if len(notes) > NOTES_MAX:
        raise DomainError(gettext("Notes are limited to %(max)d characters.", max=NOTES_MAX), field="notes")
    return {
        "title": title,
        "theme_id": theme.id if theme else None,
        "format_id": session_format.id if session_format else None,
        "level": level,
        "language": language,
        "abstract": abstract,
        "description": description,
        "notes": notes,
        "may_record": bool(data.may_record),
    }


def _proposal_with_key(idempotency_key: str) -> Proposal | None:
    return db.session.scalar(sa.select(Proposal).where(Proposal.idempotency_key == idempotency_key))


def create_proposal(
    edition: Edition,
    data: ProposalData,
    *,
    actor: User,
    submit: bool = False,
    idempotency_key: str | None = None,
    now: datetime | None = None,
) -> tuple[Proposal, bool]:
    """Create a proposal (as a draft, or submitted at once). Returns (proposal, created).

    ``idempotency_key`` is the hidden value of the form: a second POST of the same form
    (a double click, a reload) finds the first proposal instead of making another one.
    """
    now = now or utcnow()
    if idempotency_key:
        existing = _proposal_with_key(idempotency_key)
        if existing is not None:
            if not is_proposal_speaker(actor, existing):
                raise Conflict(gettext("This form was already used. Reload the page and try again."))
            return existing, False
    ensure_call_open(edition, actor, now=now)
    if submit:
        ensure_confirmed_to_submit(actor)
    values = _clean(edition, data, draft=not submit)
    try:
        with db.session.begin_nested():
            profile = get_or_create_profile(edition, actor)
            proposal = Proposal(
                edition=edition,
                idempotency_key=idempotency_key or None,
                created_by_id=actor.id,
                state=ProposalState.DRAFT,
                created_at=now,
                updated_at=now,
                state_changed_at=now,
                **values,
            )
            proposal.speakers.append(ProposalSpeaker(profile=profile, is_submitter=True, joined_at=now))
            db.session.add(proposal)
            db.session.flush()
    except sa.exc.IntegrityError:
        # A parallel request with the same form won the race (on the form's key, or on the
        # speaker profile it created first) and has committed: answer with its proposal.
        existing = _proposal_with_key(idempotency_key) if idempotency_key else None
        if existing is None or not is_proposal_speaker(actor, existing):
            raise Conflict(gettext("This form was already used. Reload the page and try again.")) from None
        return existing, False
    save_answers(proposal, data.answers)
    db.session.flush()
    record_audit("proposal.create", actor=actor, edition_id=edition.id, target=proposal, data={"code": proposal.code})
    if submit:
        set_proposal_state(proposal, ProposalState.SUBMITTED, actor=actor, now=now)
    return proposal, True


def update_proposal(
    proposal: Proposal, data: ProposalData, *, actor: User, submit: bool = False, now: datetime | None = None
) -> Proposal:
    """Save a speaker's changes, if the call is still open at this moment (or a late link
    applies); with ``submit``, a draft is then submitted in the same request."""
    now = now or utcnow()
    ensure_can_edit(proposal, actor, now=now)
    values = _clean(proposal.edition, data, draft=proposal.state is ProposalState.DRAFT)
    changed = sorted(key for key, value in values.items() if getattr(proposal, key) != value)
    for key, value in values.items():
        setattr(proposal, key, value)
    before = {a.question_id: a.value for a in proposal.answers}
    save_answers(proposal, data.answers)
    if {a.question_id: a.value for a in proposal.answers} != before:
        changed.append("answers")
    if proposal.state is not ProposalState.DRAFT and missing_required_answers(proposal):
        question = missing_required_answers(proposal)[0]
        raise DomainError(gettext("Please answer this question."), field=f"q_{question.id}")
    if changed:
        proposal.updated_at = now
    db.session.flush()
    record_audit("proposal.update", actor=actor, edition_id=proposal.edition_id, target=proposal, data={"changed": changed})
    if submit and proposal.state is ProposalState.DRAFT:
        set_proposal_state(proposal, ProposalState.SUBMITTED, actor=actor, now=now)
    return proposal


def offers_submit(proposal: Proposal | None) -> bool:
    """The proposal form shows "Submit" (besides saving) for a new proposal or a draft."""
    return proposal is None or proposal.state is ProposalState.DRAFT
