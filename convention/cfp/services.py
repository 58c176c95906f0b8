"""Proposal rules: write, edit, submit and move a proposal through its states.

``set_proposal_state`` is the one function that changes a proposal's state; it applies the
transition table of ``states.py``, checks who asks, writes the audit entry, queues the
emails and sends the ``talk_confirmed`` / ``talk_cancelled`` signals. Every rule that
depends on the deadline asks ``ensure_call_open`` at the moment of the request.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, field
from datetime import datetime, timedelta

import sqlalchemy as sa

from convention.accounts.models import User
from convention.audit.services import record_audit
from convention.cfp import files
from convention.cfp.models import (
    ABSTRACT_MAX,
    ANSWER_MAX,
    DESCRIPTION_MAX,
    MAX_SPEAKERS,
    NOTES_MAX,
    TITLE_MAX,
    Answer,
    Attachment,
    AudienceLevel,
    Invitation,
    Language,
    LateSubmissionGrant,
    Proposal,
    ProposalSpeaker,
    Question,
    QuestionKind,
)
from convention.cfp.permissions import is_proposal_speaker
from convention.cfp.speaker_services import get_or_create_profile
from convention.cfp.states import (
    ACCEPTED_STATES,
    EDITABLE_STATES,
    JOINABLE_STATES,
    TRANSITIONS,
    Mover,
    ProposalState,
)
from convention.core.codes import new_token
from convention.core.errors import Conflict, DomainError, Forbidden, InvalidTransition
from convention.core.signals import TalkCancelled, TalkConfirmed, talk_cancelled, talk_confirmed
from convention.core.text import check_text
from convention.core.timeutil import to_local, utcnow
from convention.core.urls import external_url
from convention.editions.models import Edition, EditionRole, Role, SessionFormat, Theme
from convention.editions.permissions import can_manage_edition
from convention.extensions import db
from convention.mail.services import queue_email

INVITATION_LIFETIME = timedelta(days=14)
MAX_ATTACHMENTS = 5
YES_NO = ("yes", "no")


class CallClosed(DomainError):
    """The call for papers is not open (and no personal late link applies)."""

    status_code = 409


def hash_token(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def local_text(value: datetime | None, edition: Edition) -> str:
    local = to_local(value, edition.timezone)
    return f"{local:%A %d %B %Y at %H:%M} ({local.tzname()})" if local else ""


# -- loading -------------------------------------------------------------------------------


def get_proposal(edition: Edition, code: str) -> Proposal | None:
    return db.session.scalar(sa.select(Proposal).where(Proposal.edition_id == edition.id, Proposal.code == code))


def questions_of(edition: Edition) -> list[Question]:
    return list(
        db.session.scalars(
            sa.select(Question).where(Question.edition_id == edition.id).order_by(Question.position, Question.id)
        )
    )


def proposals_of_speaker(edition: Edition, user: User) -> list[Proposal]:
    from convention.cfp.models import SpeakerProfile

    return list(
        db.session.scalars(
            sa.select(Proposal)
            .join(ProposalSpeaker, ProposalSpeaker.proposal_id == Proposal.id)
            .join(SpeakerProfile, SpeakerProfile.id == ProposalSpeaker.profile_id)
            .where(Proposal.edition_id == edition.id, SpeakerProfile.user_id == user.id)
            .options(sa.orm.selectinload(Proposal.speakers).joinedload(ProposalSpeaker.profile))
            .order_by(Proposal.created_at.desc(), Proposal.id.desc())
        )
    )


# -- the deadline --------------------------------------------------------------------------


def active_late_grant(edition: Edition, user: User | None, *, now: datetime | None = None):
    """The personal late-submission link this user has claimed, while it lasts."""
    if user is None or not getattr(user, "is_authenticated", False):
        return None
    now = now or utcnow()
    return db.session.scalar(
        sa.select(LateSubmissionGrant)
        .where(
            LateSubmissionGrant.edition_id == edition.id,
            LateSubmissionGrant.user_id == user.id,
            LateSubmissionGrant.revoked_at.is_(None),
            LateSubmissionGrant.expires_at > now,
        )
        .order_by(LateSubmissionGrant.expires_at.desc())
        .limit(1)
    )


def call_is_open_for(edition: Edition, user: User | None, *, now: datetime | None = None) -> bool:
    now = now or utcnow()
    return edition.cfp_is_open(now) or active_late_grant(edition, user, now=now) is not None


def ensure_call_open(edition: Edition, user: User | None, *, now: datetime | None = None) -> None:
    """Refuse (with a message a person understands) when the call is not open for ``user``."""
    now = now or utcnow()
    if call_is_open_for(edition, user, now=now):
        return
    if edition.cfp_opens_at and now < edition.cfp_opens_at:
        raise CallClosed(f"The call for papers opens on {local_text(edition.cfp_opens_at, edition)}. Nothing was saved.")
    raise CallClosed(
        f"The call for papers closed on {local_text(edition.cfp_closes_at, edition)}. "
        "Your changes were not saved. If you need more time, contact the organizers."
    )


def ensure_can_edit(proposal: Proposal, actor: User, *, now: datetime | None = None) -> None:
    if not is_proposal_speaker(actor, proposal):
        raise Forbidden("Only the speakers of this proposal can change it.")
    if proposal.state not in EDITABLE_STATES:
        raise DomainError(f"This proposal is {proposal.state.label.lower()} and can no longer be changed.")
    ensure_call_open(proposal.edition, actor, now=now)


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
        raise DomainError("Please give your proposal a title.", field="title")
    check_text(title, field="title", empty="Please give your proposal a title.")
    if len(title) > TITLE_MAX:
        raise DomainError(f"Titles are limited to {TITLE_MAX} characters.", field="title")
    theme = db.session.get(Theme, data.theme_id) if data.theme_id else None
    if (theme is None or theme.edition_id != edition.id) and (data.theme_id or not draft):
        raise DomainError("Choose one of this edition's themes.", field="theme_id")
    session_format = db.session.get(SessionFormat, data.format_id) if data.format_id else None
    if (session_format is None or session_format.edition_id != edition.id) and (data.format_id or not draft):
        raise DomainError("Choose one of this edition's formats.", field="format_id")
    try:
        level, language = AudienceLevel(data.level), Language(data.language)
    except ValueError as exc:
        raise DomainError("Choose an audience level and a language from the lists.", field="level") from exc
    abstract = check_text((data.abstract or "").strip().replace("\r\n", "\n"), field="abstract")
    if not abstract:
        raise DomainError("Please write a short abstract.", field="abstract")
    if len(abstract) > ABSTRACT_MAX:
        raise DomainError(f"The abstract is limited to {ABSTRACT_MAX} characters.", field="abstract")
    description = check_text((data.description or "").strip(), field="description")
    if len(description) > DESCRIPTION_MAX:
        raise DomainError(f"The description is limited to {DESCRIPTION_MAX} characters.", field="description")
    notes = check_text((data.notes or "").strip(), field="notes")
    if len(notes) > NOTES_MAX:
        raise DomainError(f"Notes are limited to {NOTES_MAX} characters.", field="notes")
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


def _clean_answer(question: Question, raw) -> str:
    value = str(raw or "").strip()
    if not value:
        return ""
    if question.kind is QuestionKind.BOOLEAN and value not in YES_NO:
        raise DomainError("Answer yes or no.", field=f"q_{question.id}")
    if question.kind is QuestionKind.CHOICE and value not in question.choice_list:
        raise DomainError("Choose one of the listed answers.", field=f"q_{question.id}")
    if len(value) > ANSWER_MAX:
        raise DomainError(f"Answers are limited to {ANSWER_MAX} characters.", field=f"q_{question.id}")
    check_text(value, field=f"q_{question.id}")
    return value


def _save_answers(proposal: Proposal, answers: dict[int, str]) -> None:
    existing = {answer.question_id: answer for answer in proposal.answers}
    for question in questions_of(proposal.edition):
        if question.id not in answers:
            continue
        value = _clean_answer(question, answers[question.id])
        answer = existing.get(question.id)
        if value and answer is None:
            proposal.answers.append(Answer(question_id=question.id, value=value))
        elif value:
            answer.value = value
        elif answer is not None:
            proposal.answers.remove(answer)


def missing_required_answers(proposal: Proposal) -> list[Question]:
    answered = {answer.question_id for answer in proposal.answers if answer.value.strip()}
    return [q for q in questions_of(proposal.edition) if q.required and q.id not in answered]


def _proposal_with_key(idempotency_key: str) -> Proposal | None:
    return db.session.scalar(sa.select(Proposal).where(Proposal.idempotency_key == idempotency_key))


UNCONFIRMED_SUBMIT = (
    "Please confirm your email address before submitting a proposal: follow the link in the email we sent you "
    "(your account page sends a new one). You can save a draft meanwhile."
)


def ensure_confirmed_to_submit(actor: User) -> None:
    """Submitting (not saving a draft) needs a confirmed address: the call's emails go there."""
    if not actor.email_confirmed:
        raise DomainError(UNCONFIRMED_SUBMIT)


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
                raise Conflict("This form was already used. Reload the page and try again.")
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
            raise Conflict("This form was already used. Reload the page and try again.") from None
        return existing, False
    _save_answers(proposal, data.answers)
    db.session.flush()
    record_audit("proposal.create", actor=actor, edition_id=edition.id, target=proposal, data={"code": proposal.code})
    if submit:
        set_proposal_state(proposal, ProposalState.SUBMITTED, actor=actor, now=now)
    return proposal, True


def update_proposal(proposal: Proposal, data: ProposalData, *, actor: User, now: datetime | None = None) -> Proposal:
    """Save a speaker's changes, if the call is still open at this moment (or a late link applies)."""
    now = now or utcnow()
    ensure_can_edit(proposal, actor, now=now)
    values = _clean(proposal.edition, data, draft=proposal.state is ProposalState.DRAFT)
    changed = sorted(key for key, value in values.items() if getattr(proposal, key) != value)
    for key, value in values.items():
        setattr(proposal, key, value)
    before = {a.question_id: a.value for a in proposal.answers}
    _save_answers(proposal, data.answers)
    if {a.question_id: a.value for a in proposal.answers} != before:
        changed.append("answers")
    if proposal.state is not ProposalState.DRAFT and missing_required_answers(proposal):
        question = missing_required_answers(proposal)[0]
        raise DomainError("Please answer this question.", field=f"q_{question.id}")
    if changed:
        proposal.updated_at = now
    db.session.flush()
    record_audit("proposal.update", actor=actor, edition_id=proposal.edition_id, target=proposal, data={"changed": changed})
    return proposal


# -- the state machine -------------------------------------------------------------------------


def _may_move(actor: User, proposal: Proposal, mover: Mover) -> bool:
    if mover is Mover.SPEAKER:
        return is_proposal_speaker(actor, proposal)
    return can_manage_edition(actor, proposal.edition)


def allowed_moves(proposal: Proposal, actor: User | None, mover: Mover) -> list[ProposalState]:
    """The states ``actor`` may move the proposal to, acting as ``mover`` (for the buttons)."""
    if actor is None or not _may_move(actor, proposal, mover):
        return []
    return [to for (frm, to), who in TRANSITIONS.items() if frm is proposal.state and who is mover]


def set_proposal_state(
    proposal: Proposal, new_state: ProposalState, *, actor: User, now: datetime | None = None, reason: str = ""
) -> Proposal:
    """Move ``proposal`` to ``new_state``: check, change, audit, email, signal."""
    now = now or utcnow()
    old_state = proposal.state
    mover = TRANSITIONS.get((old_state, new_state))
    if mover is None:
        raise InvalidTransition(
            f"A proposal that is {old_state.label.lower()} cannot become {new_state.label.lower()}."
        )
    if not _may_move(actor, proposal, mover):
        who = "its speakers" if mover is Mover.SPEAKER else "the organizers"
        raise Forbidden(f"Only {who} can make this proposal {new_state.label.lower()}.")
    if new_state is ProposalState.SUBMITTED:
        ensure_call_open(proposal.edition, actor, now=now)
        ensure_confirmed_to_submit(actor)
        _ensure_complete(proposal)
        missing = missing_required_answers(proposal)
        if missing:
            raise DomainError(
                f"Answer the required question “{missing[0].label}” before submitting.", field=f"q_{missing[0].id}"
            )
        proposal.submitted_at = now
    proposal.state = new_state
    proposal.state_changed_at = now
    proposal.updated_at = now
    if new_state not in JOINABLE_STATES:
        _revoke_pending_invitations(proposal, now)
    db.session.flush()
    audit_data = {"from": old_state.value, "to": new_state.value}
    if reason:
        audit_data["reason"] = reason[:500]
    record_audit(f"proposal.{new_state.value}", actor=actor, edition_id=proposal.edition_id, target=proposal, data=audit_data)
    _notify(proposal, old_state, new_state, actor=actor)
    speaker_ids = tuple(user.id for user in proposal.speaker_users)
    if new_state is ProposalState.CONFIRMED:
        talk_confirmed.send(TalkConfirmed(proposal.edition_id, proposal.id, speaker_ids, actor_id=actor.id))
    elif old_state is ProposalState.CONFIRMED:  # cancelled or withdrawn
        talk_cancelled.send(TalkCancelled(proposal.edition_id, proposal.id, speaker_ids, actor_id=actor.id))
    return proposal


def _ensure_complete(proposal: Proposal) -> None:
    """A draft may leave its theme and format open; a submitted proposal has both."""
    if proposal.theme_id is None:
        raise DomainError("Choose a theme before submitting.", field="theme_id")
    if proposal.format_id is None:
        raise DomainError("Choose a format before submitting.", field="format_id")


def committee_members(edition: Edition) -> list[User]:
    """Organizers and reviewers of the edition, each once."""
    return list(
        db.session.scalars(
            sa.select(User)
            .join(EditionRole, EditionRole.user_id == User.id)
            .where(EditionRole.edition_id == edition.id, EditionRole.role.in_([Role.ORGANIZER, Role.REVIEWER]))
            .distinct()
            .order_by(User.id)
        )
    )


def organizers(edition: Edition) -> list[User]:
    return list(
        db.session.scalars(
            sa.select(User)
            .join(EditionRole, EditionRole.user_id == User.id)
            .where(EditionRole.edition_id == edition.id, EditionRole.role == Role.ORGANIZER)
            .order_by(User.id)
        )
    )


# Which email goes to whom after each move.
SPEAKER_MAILS = {
    ProposalState.SUBMITTED: "cfp_submitted",
    ProposalState.ACCEPTED: "cfp_accepted",
    ProposalState.REJECTED: "cfp_rejected",
    ProposalState.CONFIRMED: "cfp_confirmed",
    ProposalState.CANCELLED: "cfp_cancelled",
    ProposalState.WITHDRAWN: "cfp_withdrawn_speaker",
}


def _notify(proposal: Proposal, old_state: ProposalState, new_state: ProposalState, *, actor: User) -> None:
    edition = proposal.edition
    context = {
        "proposal": proposal,
        "edition": edition,
        "actor": actor,
        "old_state": old_state,
        "link": external_url("cfp.proposal", slug=edition.slug, code=proposal.code),
        "deadline": local_text(edition.cfp_closes_at, edition),
    }
    template = SPEAKER_MAILS.get(new_state)
    if template:
        for user in proposal.speaker_users:
            queue_email(template, to=user.email, context={**context, "user": user}, edition_id=edition.id)
    if new_state in (ProposalState.WITHDRAWN, ProposalState.DECLINED):
        manage_link = external_url("cfp_manage.proposal", slug=edition.slug, code=proposal.code)
        recipients = committee_members(edition) if new_state is ProposalState.WITHDRAWN else organizers(edition)
        for user in recipients:
            queue_email(
                "cfp_committee_notice",
                to=user.email,
                context={**context, "user": user, "link": manage_link},
                edition_id=edition.id,
            )


# -- co-speakers ---------------------------------------------------------------------------------


def invite_co_speaker(proposal: Proposal, email: str, *, actor: User, now: datetime | None = None) -> Invitation:
    """Email an invitation link; whoever opens it signed in (once, before it expires) joins."""
    now = now or utcnow()
    ensure_can_edit(proposal, actor, now=now)
    email = (email or "").strip().lower()
    if "@" not in email or len(email) > 254:
        raise DomainError("Give a valid email address.", field="email")
    if any(user.email == email for user in proposal.speaker_users):
        raise DomainError("This person is already a speaker of this proposal.", field="email")
    pending = [inv for inv in proposal.invitations if inv.is_pending(now)]
    if any(inv.email == email for inv in pending):
        raise DomainError("An invitation to this address is already waiting for an answer.", field="email")
    if len(proposal.speakers) + len(pending) >= MAX_SPEAKERS:
        raise DomainError(f"A proposal has at most {MAX_SPEAKERS} speakers.", field="email")
    token = new_token()
    invitation = Invitation(
        proposal=proposal, email=email, token_hash=hash_token(token), invited_by_id=actor.id,
        created_at=now, expires_at=now + INVITATION_LIFETIME,
    )
    db.session.add(invitation)
    db.session.flush()
    inviter = next(link.profile for link in proposal.speakers if link.profile.user_id == actor.id)
    queue_email(
        "cfp_invitation",
        to=email,
        context={
            "proposal": proposal,
            "edition": proposal.edition,
            "inviter": inviter,
            "link": external_url("cfp.invitation", slug=proposal.edition.slug, token=token),
            "expires": local_text(invitation.expires_at, proposal.edition),
        },
        edition_id=proposal.edition_id,
    )
    record_audit("proposal.invite", actor=actor, edition_id=proposal.edition_id, target=proposal, data={"email": email})
    return invitation


def find_invitation(edition: Edition, token: str) -> Invitation | None:
    invitation = db.session.scalar(sa.select(Invitation).where(Invitation.token_hash == hash_token(token or "")))
    if invitation is None or invitation.proposal.edition_id != edition.id:
        return None
    return invitation


def invitation_refusal(invitation: Invitation, actor: User | None, *, now: datetime | None = None) -> str | None:
    """Why ``actor`` cannot accept ``invitation`` now, or None. An invitation is bound to
    the address it was sent to: only the account whose confirmed email is that address
    may accept it (a forwarded or leaked link gives nobody else a seat on the proposal)."""
    now = now or utcnow()
    proposal = invitation.proposal
    if invitation.revoked_at is not None:
        return "This invitation was cancelled."
    if not invitation.is_pending(now):
        return "This invitation has expired or has already been used. Ask for a new one."
    if proposal.state not in JOINABLE_STATES:
        return f"This proposal is {proposal.state.label.lower()}; nobody can join it any more."
    if actor is None or not getattr(actor, "is_authenticated", False):
        return "Sign in to join this proposal."
    if is_proposal_speaker(actor, proposal):
        return "You are already a speaker of this proposal."
    if actor.email != invitation.email:
        return ("This invitation was sent to another email address. Sign in with the account of that address "
                "(or create one with it) to join.")
    if actor.email_confirmed_at is None:
        return "Confirm your email address first (follow the link we emailed you), then open this invitation again."
    return None


def accept_invitation(invitation: Invitation, *, actor: User, now: datetime | None = None) -> Proposal:
    now = now or utcnow()
    proposal = invitation.proposal
    refusal = invitation_refusal(invitation, actor, now=now)
    if refusal:
        raise DomainError(refusal)
    if len(proposal.speakers) >= MAX_SPEAKERS:
        raise DomainError(f"A proposal has at most {MAX_SPEAKERS} speakers.")
    profile = get_or_create_profile(proposal.edition, actor)
    proposal.speakers.append(ProposalSpeaker(profile=profile, joined_at=now))
    invitation.accepted_at = now
    invitation.accepted_by_id = actor.id
    proposal.updated_at = now
    db.session.flush()
    record_audit(
        "proposal.speaker_join", actor=actor, edition_id=proposal.edition_id, target=proposal,
        data={"user_id": actor.id, "invited": invitation.email},
    )
    if proposal.state is ProposalState.CONFIRMED:
        talk_confirmed.send(TalkConfirmed(proposal.edition_id, proposal.id, (actor.id,), actor_id=actor.id))
    return proposal


def may_remove_speaker(proposal: Proposal, link: ProposalSpeaker, actor: User | None) -> bool:
    """Anyone may leave; the submitter is removed by nobody but themselves."""
    if actor is None or link.proposal_id != proposal.id or len(proposal.speakers) <= 1:
        return False
    return link.profile.user_id == actor.id or not link.is_submitter


def remove_speaker(proposal: Proposal, link: ProposalSpeaker, *, actor: User, now: datetime | None = None) -> None:
    """A speaker leaves, or removes a co-speaker; a proposal keeps at least one speaker,
    and a co-speaker cannot remove the submitter (who would lose their own proposal)."""
    now = now or utcnow()
    ensure_can_edit(proposal, actor, now=now)
    if link.proposal_id != proposal.id:
        raise DomainError("This person is not a speaker of this proposal.")
    if len(proposal.speakers) <= 1:
        raise DomainError("A proposal keeps at least one speaker; withdraw it instead.")
    if link.is_submitter and link.profile.user_id != actor.id:
        raise Forbidden("The person who submitted this proposal can leave it, but nobody else can remove them.")
    user = link.profile.user
    proposal.speakers.remove(link)
    if link.is_submitter:  # the submitter left: the longest-standing co-speaker takes over
        proposal.speakers[0].is_submitter = True
    proposal.updated_at = now
    db.session.flush()
    record_audit("proposal.speaker_remove", actor=actor, edition_id=proposal.edition_id, target=proposal, data={"user_id": user.id})
    if proposal.state is ProposalState.CONFIRMED:
        talk_cancelled.send(TalkCancelled(proposal.edition_id, proposal.id, (user.id,), actor_id=actor.id))


def cancel_invitation(invitation: Invitation, *, actor: User, now: datetime | None = None) -> Invitation:
    """The submitter (or whoever sent it) takes back an invitation nobody has answered."""
    now = now or utcnow()
    proposal = invitation.proposal
    submitter = next((link for link in proposal.speakers if link.is_submitter), None)
    if actor.id != invitation.invited_by_id and (submitter is None or submitter.profile.user_id != actor.id):
        raise Forbidden("Only the submitter of this proposal, or the person who sent the invitation, can cancel it.")
    if not invitation.is_pending(now):
        raise Conflict("This invitation is no longer waiting for an answer.")
    invitation.revoked_at = now
    db.session.flush()
    record_audit("proposal.invitation_cancel", actor=actor, edition_id=proposal.edition_id, target=proposal,
                 data={"email": invitation.email})
    return invitation


def _revoke_pending_invitations(proposal: Proposal, now: datetime) -> None:
    """A proposal nobody can join any more (withdrawn, rejected...) keeps no open invitation."""
    for invitation in proposal.invitations:
        if invitation.is_pending(now):
            invitation.revoked_at = now


# -- attachments ------------------------------------------------------------------------------------


def _ensure_can_attach(proposal: Proposal, actor: User, now: datetime) -> None:
    """Files follow the editing rules, except that accepted talks may add slides after the deadline."""
    if proposal.state in ACCEPTED_STATES and is_proposal_speaker(actor, proposal):
        return
    ensure_can_edit(proposal, actor, now=now)


def add_attachment(proposal: Proposal, upload, *, filename: str, actor: User, now: datetime | None = None) -> Attachment:
    """Keep an uploaded PDF (checked by content) for the proposal's speakers and organizers."""
    now = now or utcnow()
    _ensure_can_attach(proposal, actor, now)
    if len(proposal.attachments) >= MAX_ATTACHMENTS:
        raise DomainError(f"A proposal has at most {MAX_ATTACHMENTS} files; delete one first.", field="file")
    stored = files.store_pdf(upload)
    attachment = Attachment(
        proposal=proposal,
        filename=files.safe_ascii_filename(filename, suffix=".pdf", fallback=f"{proposal.code}-attachment"),
        stored_name=stored.name,
        size_bytes=stored.size,
        pages=stored.pages,
        uploaded_by_id=actor.id,
        created_at=now,
    )
    db.session.add(attachment)
    proposal.updated_at = now
    db.session.flush()
    record_audit(
        "proposal.attachment_add", actor=actor, edition_id=proposal.edition_id, target=proposal,
        data={"file": attachment.filename, "bytes": stored.size},
    )
    return attachment


def delete_attachment(attachment: Attachment, *, actor: User, now: datetime | None = None) -> None:
    now = now or utcnow()
    proposal = attachment.proposal
    _ensure_can_attach(proposal, actor, now)
    record_audit(
        "proposal.attachment_delete", actor=actor, edition_id=proposal.edition_id, target=proposal,
        data={"file": attachment.filename},
    )
    proposal.attachments.remove(attachment)
    proposal.updated_at = now
    db.session.flush()
    files.delete_after_commit(files.attachment_path(attachment.stored_name))
