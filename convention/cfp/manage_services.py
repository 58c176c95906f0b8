"""Organizer rules of the call for papers: the proposal table, counts, history, CSV
export and custom questions (personal late-submission links are in ``late_grants``)."""

from __future__ import annotations

import csv
import io
import itertools
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import datetime

import sqlalchemy as sa
from flask_babel import gettext, ngettext
from sqlalchemy.orm import joinedload

from convention.accounts.models import User
from convention.audit.services import record_audit
from convention.cfp.answers import questions_of
from convention.cfp.models import (
    Answer,
    AudienceLevel,
    Language,
    Proposal,
    ProposalSpeaker,
    Question,
    QuestionKind,
    SpeakerProfile,
)
from convention.cfp.permissions import proposals_visible_to
from convention.cfp.states import ProposalState
from convention.core.errors import DomainError
from convention.core.pagination import Page, fetch_page
from convention.core.search import contains, contains_pattern
from convention.core.signals import ItemInUse, item_in_use
from convention.core.text import check_text
from convention.editions.models import Edition, SessionFormat, Theme
from convention.extensions import db

# -- the proposal table -----------------------------------------------------------------------

SORT_COLUMNS = {
    "title": sa.func.lower(Proposal.title),
    "code": Proposal.code,
    "theme": Theme.position,
    "format": SessionFormat.duration_minutes,
    "state": Proposal.state,
    "language": Proposal.language,
    "level": Proposal.level,
    "submitted": Proposal.submitted_at,
    "updated": Proposal.updated_at,
}


@dataclass(frozen=True)
class ProposalFilter:
    theme_id: int | None = None
    format_id: int | None = None
    state: ProposalState | None = None
    language: Language | None = None
    level: AudienceLevel | None = None
    search: str = ""
    sort: str = "updated"
    descending: bool = True


def _filtered(edition: Edition, flt: ProposalFilter, viewer: User):
    query = (
        sa.select(Proposal)
        # Outer joins: a draft may have no theme or format yet, and is listed all the same.
        .outerjoin(Theme, Theme.id == Proposal.theme_id)
        .outerjoin(SessionFormat, SessionFormat.id == Proposal.format_id)
        .where(proposals_visible_to(viewer, edition))
    )
    if flt.theme_id:
        query = query.where(Proposal.theme_id == flt.theme_id)
    if flt.format_id:
        query = query.where(Proposal.format_id == flt.format_id)
    if flt.state:
        query = query.where(Proposal.state == flt.state)
    if flt.language:
        query = query.where(Proposal.language == flt.language)
    if flt.level:
        query = query.where(Proposal.level == flt.level)
    if flt.search.strip():
        # One select per table, so that each uses its trigram indexes (core/search.py).
        pattern = contains_pattern(flt.search)
        query = query.where(Proposal.id.in_(sa.union(
            sa.select(Proposal.id).where(Proposal.edition_id == edition.id,
                                         sa.or_(contains(Proposal.title, pattern), contains(Proposal.code, pattern))),
            sa.select(ProposalSpeaker.proposal_id)
            .join(SpeakerProfile, SpeakerProfile.id == ProposalSpeaker.profile_id)
            .where(SpeakerProfile.edition_id == edition.id, contains(SpeakerProfile.display_name, pattern)),
        )))
    column = SORT_COLUMNS.get(flt.sort, Proposal.updated_at)
    order = column.desc() if flt.descending else column.asc()
    return query.order_by(order, Proposal.id.desc() if flt.descending else Proposal.id)


def list_proposals(edition: Edition, flt: ProposalFilter, *, viewer: User) -> list[Proposal]:
    """The filtered, sorted proposals ``viewer`` may see, with their theme, format and
    speakers, in one query."""
    query = _filtered(edition, flt, viewer).options(
        joinedload(Proposal.theme),
        joinedload(Proposal.format),
        joinedload(Proposal.speakers).joinedload(ProposalSpeaker.profile).joinedload(SpeakerProfile.user),
    )
    return list(db.session.scalars(query).unique())


TABLE_PAGE_SIZE = 50


@dataclass(frozen=True)
class ProposalRow:
    """One line of the organizer's table: only the columns it shows (no speaker accounts)."""

    code: str
    title: str
    state: ProposalState
    level: AudienceLevel
    language: Language
    updated_at: datetime
    theme_name: str | None
    format_name: str | None
    speaker_names: str = ""


def proposal_page(edition: Edition, flt: ProposalFilter, *, viewer: User, page: int = 1,
                  per_page: int = TABLE_PAGE_SIZE) -> Page[ProposalRow]:
    """One page of the filtered, sorted table: the page and the total count in one query, the
    page's speaker names in a second (two queries, however many proposals match)."""
    columns = (Proposal.id, Proposal.code, Proposal.title, Proposal.state, Proposal.level, Proposal.language,
               Proposal.updated_at, Theme.name, SessionFormat.name)
    found = fetch_page(_filtered(edition, flt, viewer).with_only_columns(*columns), page, per_page)
    rows = found.items
    names: dict[int, list[str]] = {}
    if rows:
        for proposal_id, name in db.session.execute(
            sa.select(ProposalSpeaker.proposal_id, SpeakerProfile.display_name)
            .join(SpeakerProfile, SpeakerProfile.id == ProposalSpeaker.profile_id)
            .where(ProposalSpeaker.proposal_id.in_([row[0] for row in rows]))
            .order_by(ProposalSpeaker.id)
        ):
            names.setdefault(proposal_id, []).append(name)
    items = [ProposalRow(*row[1:9], speaker_names=", ".join(names.get(row[0], []))) for row in rows]
    return Page(items, found.total, found.page, per_page)


@dataclass(frozen=True)
class Counts:
    total: int
    by_state: dict[ProposalState, int]
    by_theme: list[tuple[Theme, int]]
    by_format: list[tuple[SessionFormat, int]]


def proposal_counts(edition: Edition) -> Counts:
    """Counts per state, theme and format (drafts are not counted per theme or format)."""
    by_state = dict(
        db.session.execute(
            sa.select(Proposal.state, sa.func.count(Proposal.id))
            .where(Proposal.edition_id == edition.id)
            .group_by(Proposal.state)
        ).all()
    )
    live = sa.and_(Proposal.edition_id == edition.id, Proposal.state != ProposalState.DRAFT)
    theme_counts = dict(
        db.session.execute(sa.select(Proposal.theme_id, sa.func.count(Proposal.id)).where(live).group_by(Proposal.theme_id)).all()
    )
    format_counts = dict(
        db.session.execute(sa.select(Proposal.format_id, sa.func.count(Proposal.id)).where(live).group_by(Proposal.format_id)).all()
    )
    return Counts(
        total=sum(by_state.values()),
        by_state=by_state,
        by_theme=[(theme, theme_counts.get(theme.id, 0)) for theme in edition.themes],
        by_format=[(fmt, format_counts.get(fmt.id, 0)) for fmt in edition.formats],
    )


# -- CSV export -----------------------------------------------------------------------------------

FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def csv_safe(value) -> str:
    """A cell a spreadsheet will not run: text starting like a formula gets a leading quote."""
    text = "" if value is None else str(value)
    return "'" + text if text.startswith(FORMULA_STARTS) else text


def _iso(value: datetime | None) -> str:
    return value.isoformat(timespec="seconds") if value else ""


EXPORT_BATCH = 500  # rows fetched from the database at a time by the CSV export


def export_rows(edition: Edition, flt: ProposalFilter, *, viewer: User) -> Iterator[list[str]]:
    """The header, then a row per proposal, from ONE statement streamed EXPORT_BATCH rows
    at a time: a row per proposal and speaker (joined in the speakers' order), the answers
    as one sub-select per question. Memory stays flat and the statement count constant
    whatever the number of proposals.

    The questions and the statement are prepared now (they need ``edition`` and
    ``viewer``); the rows are read when the lines are, which for a streamed response is
    after the view has returned, in the session of that moment."""
    questions = questions_of(edition)
    header = [
        "code", "title", "state", "theme", "format", "duration_minutes", "level", "language", "speakers",
        "speaker_emails", "abstract", "description", "notes", "may_record", "submitted_at_utc", "updated_at_utc",
        *[q.label for q in questions],
    ]
    answers = [
        sa.select(Answer.value).where(Answer.proposal_id == Proposal.id, Answer.question_id == q.id)
        .correlate(Proposal).scalar_subquery()
        for q in questions
    ]
    filtered = _filtered(edition, flt, viewer)
    query = (
        filtered.with_only_columns(
            Proposal.id, Proposal.code, Proposal.title, Proposal.state, Theme.name, SessionFormat.name,
            SessionFormat.duration_minutes, Proposal.level, Proposal.language, SpeakerProfile.display_name,
            User.email, Proposal.abstract, Proposal.description, Proposal.notes, Proposal.may_record,
            Proposal.submitted_at, Proposal.updated_at, *answers,
        )
        .outerjoin(ProposalSpeaker, ProposalSpeaker.proposal_id == Proposal.id)
        .outerjoin(SpeakerProfile, SpeakerProfile.id == ProposalSpeaker.profile_id)
        .outerjoin(User, User.id == SpeakerProfile.user_id)
        .order_by(ProposalSpeaker.id)  # after the table's own order: a proposal's speakers in joining order
    )
    return itertools.chain([header], _export_body(query))


def _export_body(query) -> Iterator[list[str]]:
    rows = db.session.execute(query.execution_options(yield_per=EXPORT_BATCH))
    for _id, lines in itertools.groupby(rows, key=lambda row: row[0]):
        lines = list(lines)  # one proposal's speakers: a few rows
        (_, code, title, state, theme, session_format, minutes, level, language, _, _, abstract, description, notes,
         may_record, submitted_at, updated_at, *answers) = lines[0]
        yield [
            code, title, state.value, theme or "", session_format or "", str(minutes) if minutes is not None else "",
            level.value, language.value, ", ".join(line[9] for line in lines if line[9] is not None),
            ", ".join(line[10] for line in lines if line[10] is not None),
            abstract, description, notes, "yes" if may_record else "no", _iso(submitted_at), _iso(updated_at),
            *[answer or "" for answer in answers],
        ]


def export_csv_lines(edition: Edition, flt: ProposalFilter, *, viewer: User) -> Iterator[str]:
    """The proposals CSV a line at a time (for a streamed download), cells formula-safe."""
    return _csv_lines(export_rows(edition, flt, viewer=viewer))


def _csv_lines(rows: Iterator[list[str]]) -> Iterator[str]:
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    for row in rows:
        writer.writerow([csv_safe(cell) for cell in row])
        yield out.getvalue()
        out.seek(0)
        out.truncate()


def export_csv(edition: Edition, flt: ProposalFilter, *, viewer: User) -> str:
    return "".join(export_csv_lines(edition, flt, viewer=viewer))


# -- custom questions ---------------------------------------------------------------------------


@dataclass(frozen=True)
class QuestionData:
    label: str
    kind: str
    help_text: str = ""
    choices: str = ""
    required: bool = False
    position: int = 0


def save_question(edition: Edition, data: QuestionData, *, actor: User, question: Question | None = None) -> Question:
    label = " ".join((data.label or "").split())
    if not label:
        raise DomainError(gettext("Write the question."), field="label")
    if len(label) > 200:
        raise DomainError(gettext("Questions are limited to %(max)d characters.", max=200), field="label")
    check_text(label, field="label", empty=gettext("Write the question."))
    check_text(" ".join((data.help_text or "").split()), field="help_text")
    try:
        kind = QuestionKind(data.kind)
    except ValueError as exc:
        raise DomainError(gettext("Choose a kind of answer."), field="kind") from exc
    choices = [check_text(line.strip(), field="choices") for line in (data.choices or "").splitlines() if line.strip()]
    if kind is QuestionKind.CHOICE and len(choices) < 2:
        raise DomainError(gettext("Give at least two choices, one a line."), field="choices")
    if len(choices) > 30 or any(len(choice) > 120 for choice in choices):
        raise DomainError(gettext("At most %(count)d choices of at most %(max)d characters each.", count=30, max=120), field="choices")
    action = "update" if question is not None else "create"
    if question is None:
        question = Question(edition_id=edition.id)
        db.session.add(question)
    question.label = label
    question.kind = kind
    question.help_text = " ".join((data.help_text or "").split())[:500]
    question.choices = "\n".join(choices) if kind is QuestionKind.CHOICE else ""
    question.required = bool(data.required)
    question.position = int(data.position or 0)
    db.session.flush()
    record_audit(f"cfp_question.{action}", actor=actor, edition_id=edition.id, target=question, data={"label": label})
    return question


def proposals_using(question: ItemInUse) -> str | None:
    """Receiver of ``item_in_use``: how many proposals (in any state, drafts included)
    have this theme or format."""
    column = {"themes": Proposal.theme_id, "formats": Proposal.format_id}.get(question.kind)
    if column is None:
        return None
    count = db.session.scalar(
        sa.select(sa.func.count(Proposal.id)).where(Proposal.edition_id == question.edition_id,
                                                    column == question.item_id)
    )
    return ngettext("%(num)d proposal", "%(num)d proposals", count) if count else None


def connect_receivers() -> None:
    """Called by the app factory (connecting twice changes nothing)."""
    item_in_use.connect(proposals_using)


def answer_count(question: Question) -> int:
    return db.session.scalar(sa.select(sa.func.count(Answer.id)).where(Answer.question_id == question.id)) or 0


def delete_question(edition: Edition, question: Question, *, actor: User) -> None:
    """Delete a question and its answers (the audit entry keeps how many there were)."""
    record_audit(
        "cfp_question.delete", actor=actor, edition_id=edition.id, target=question,
        data={"label": question.label, "answers": answer_count(question)},
    )
    db.session.execute(sa.delete(Answer).where(Answer.question_id == question.id))
    db.session.delete(question)
    db.session.flush()
