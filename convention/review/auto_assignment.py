"""The automatic assignment: read the edition's review data, run the solver, store the pairs.

``run_automatic_assignment`` is the one rule; ``assignment_overview`` is the organizer page's
query. The method itself (a min-cost flow) lives in ``assignment_solver.py``, free of the
database, so that it is tested and benchmarked alone.

What is fed to the solver:

* proposals: the edition's *submitted* proposals that have no decision yet;
* reviewers: the people with the edition role ``reviewer`` (confirmed address), the themes
  they marked as known, and their team limits: a reviewer whose teams are all limited to
  themes is only given proposals of those themes (one team without themes lifts the limit);
* forbidden pairs: every conflict (declared, or found by the rules of ``conflicts.py``,
  refreshed as rows first), a ``conflict`` bid, and — checked here again, whatever the rows
  say — being a speaker of the proposal;
* bids as preferences; existing assignments and reviews as fixed pairs (kept, counted).
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import datetime

import sqlalchemy as sa
from flask_babel import gettext, lazy_gettext

from convention.accounts.models import User
from convention.audit.models import AuditEntry
from convention.audit.services import record_audit
from convention.cfp.models import Proposal, ProposalSpeaker, SpeakerProfile
from convention.cfp.states import ProposalState
from convention.core.errors import Conflict as ConflictError
from convention.core.errors import DomainError
from convention.editions.models import Edition, EditionRole, Role
from convention.extensions import db
from convention.review import assignment_solver as solver
from convention.review.conflicts import refresh_automatic_conflicts
from convention.review.models import (
    Assignment,
    AssignmentSource,
    Bid,
    Conflict,
    Decision,
    Review,
    ReviewerTheme,
    ReviewSettings,
    ReviewTeam,
    ReviewTeamMember,
    ReviewTeamTheme,
)
from convention.review.settings import REVIEWS_PER_PROPOSAL_MAX, get_settings

AUDIT_ACTION = "review.auto_assign"
REVIEWS_MIN, REVIEWS_MAX = 1, REVIEWS_PER_PROPOSAL_MAX  # as the review_settings check constraint
UNMET_KEPT = 200  # unmet proposals named in the audit entry (the count is always there)
UNMET_REASONS = {
    solver.UNMET_TOO_FEW_ELIGIBLE: lazy_gettext("Too few reviewers may review it (conflicts, team themes)."),
    solver.UNMET_CAPACITY: lazy_gettext("The reviewers who may review it have reached their maximum load."),
}


@dataclass
class RunReport:
    """What one run did, as kept in its audit entry."""

    created: int
    reviews_per_proposal: int
    proposals: int
    reviewers: int
    load_spread: int
    preferred_share: float
    unmet: list[dict] = field(default_factory=list)  # {"proposal_id", "missing", "eligible", "reason"}
    unmet_count: int = 0
    kept_conflicts: int = 0

    def as_data(self) -> dict:
        return dict(self.__dict__)


def assignable_proposals(edition: Edition):
    """The where-clause of the proposals the assignment serves: submitted, not yet decided."""
    decided = sa.select(Decision.id).where(Decision.proposal_id == Proposal.id).exists()
    return sa.and_(Proposal.edition_id == edition.id, Proposal.state == ProposalState.SUBMITTED, ~decided)


def reviewer_ids(edition: Edition) -> list[int]:
    """People who hold the reviewer role of the edition with a confirmed address."""
    return list(db.session.scalars(
        sa.select(EditionRole.user_id).join(User, User.id == EditionRole.user_id)
        .where(EditionRole.edition_id == edition.id, EditionRole.role == Role.REVIEWER,
               User.email_confirmed_at.is_not(None))
        .order_by(EditionRole.user_id)
    ))


def settings_row(edition: Edition, *, lock: bool = False) -> ReviewSettings:
    """The edition's settings row, created with the defaults when missing (flushed).
    ``lock`` takes a row lock (PostgreSQL) so that two runs of one edition queue up."""
    query = sa.select(ReviewSettings).where(ReviewSettings.edition_id == edition.id)
    row = db.session.scalar(query.with_for_update() if lock else query)
    if row is None:
        try:
            with db.session.begin_nested():
                db.session.add(ReviewSettings.with_defaults(edition.id))
        except sa.exc.IntegrityError:
            pass  # another request created it meanwhile: read theirs
        row = db.session.scalar(query.with_for_update() if lock else query)
    return row


def run_automatic_assignment(edition: Edition, actor, *, reviews_per_proposal: int | None = None) -> RunReport:
    """Give every assignable proposal up to N reviewers (N from the settings, or the given
    one, which is saved); existing assignments and reviews are kept. Flushes, one audit entry."""
    if reviews_per_proposal is not None and not REVIEWS_MIN <= reviews_per_proposal <= REVIEWS_MAX:
        raise DomainError(gettext("Choose between %(min)s and %(max)s reviews per proposal.",
                                  min=REVIEWS_MIN, max=REVIEWS_MAX), field="reviews_per_proposal")
    settings = settings_row(edition, lock=True)
    if reviews_per_proposal is not None:
        settings.reviews_per_proposal = reviews_per_proposal
    n = settings.reviews_per_proposal
    refresh_automatic_conflicts(edition, actor=actor)  # the rules' conflicts, stored as rows, as of now
    inputs = _solver_inputs(edition)
    result = solver.solve_assignment(inputs.proposals, inputs.reviewers, reviews_per_proposal=n,
                                     conflicts=inputs.conflicts, bids=inputs.bids, existing=inputs.existing)
    rows = [{"edition_id": edition.id, "proposal_id": p, "user_id": r, "source": AssignmentSource.AUTOMATIC}
            for p, r in result.pairs]
    if rows:
        try:
            with db.session.begin_nested():
                db.session.execute(sa.insert(Assignment), rows)
        except sa.exc.IntegrityError as error:  # someone assigned the same pair meanwhile (SQLite, no row lock)
            raise ConflictError(gettext("The assignments changed while the assignment ran. Please run it again.")) \
                from error
    report = RunReport(
        created=len(rows), reviews_per_proposal=n, proposals=len(inputs.proposals), reviewers=len(inputs.reviewers),
        load_spread=result.load_spread, preferred_share=round(result.preferred_share, 4),
        unmet=[u.__dict__ for u in result.unmet[:UNMET_KEPT]], unmet_count=len(result.unmet),
        kept_conflicts=len(result.kept_conflicts),
    )
    record_audit(AUDIT_ACTION, actor=actor, edition_id=edition.id, target=edition, data=report.as_data())
    db.session.flush()
    return report


@dataclass
class _Inputs:
    proposals: list[solver.ProposalIn]
    reviewers: list[solver.ReviewerIn]
    conflicts: set[tuple[int, int]]
    bids: dict[tuple[int, int], str]
    existing: set[tuple[int, int]]


def _solver_inputs(edition: Edition) -> _Inputs:
    """Everything the solver needs, in a fixed number of queries whatever the size."""
    proposals = [solver.ProposalIn(id=pid, theme_id=tid) for pid, tid in db.session.execute(
        sa.select(Proposal.id, Proposal.theme_id).where(assignable_proposals(edition)).order_by(Proposal.id))]
    ids = reviewer_ids(edition)
    reviewer_set = set(ids)
    in_edition = [Proposal.edition_id == edition.id]

    themes = defaultdict(set)
    for user_id, theme_id in db.session.execute(
            sa.select(ReviewerTheme.user_id, ReviewerTheme.theme_id).where(ReviewerTheme.edition_id == edition.id)):
        themes[user_id].add(theme_id)
    team_themes = defaultdict(set)  # team -> its themes (none: not limited)
    for team_id, theme_id in db.session.execute(
            sa.select(ReviewTeamTheme.team_id, ReviewTeamTheme.theme_id).join(ReviewTeam)
            .where(ReviewTeam.edition_id == edition.id)):
        team_themes[team_id].add(theme_id)
    limits: dict[int, set[int] | None] = {}
    for user_id, team_id in db.session.execute(
            sa.select(ReviewTeamMember.user_id, ReviewTeamMember.team_id).join(ReviewTeam)
            .where(ReviewTeam.edition_id == edition.id)):
        limited = team_themes.get(team_id)
        if not limited:
            limits[user_id] = None  # a team without themes: every proposal
        elif limits.get(user_id, set()) is not None:
            limits[user_id] = limits.get(user_id, set()) | limited
    reviewers = [solver.ReviewerIn(id=uid, themes=frozenset(themes[uid]),
                                   allowed_themes=frozenset(limits[uid]) if limits.get(uid) else None)
                 for uid in ids]

    conflicts = set(db.session.execute(
        sa.select(Conflict.proposal_id, Conflict.user_id).where(Conflict.edition_id == edition.id)))
    conflicts |= {(p, u) for p, u in db.session.execute(
        sa.select(ProposalSpeaker.proposal_id, SpeakerProfile.user_id)
        .join(SpeakerProfile, SpeakerProfile.id == ProposalSpeaker.profile_id)
        .join(Proposal, Proposal.id == ProposalSpeaker.proposal_id).where(*in_edition)) if u in reviewer_set}
    bids = {(p, u): str(level) for p, u, level in db.session.execute(
        sa.select(Bid.proposal_id, Bid.user_id, Bid.level).where(Bid.edition_id == edition.id))}
    existing = set(db.session.execute(
        sa.select(Assignment.proposal_id, Assignment.user_id).where(Assignment.edition_id == edition.id)))
    existing |= set(db.session.execute(
        sa.select(Review.proposal_id, Review.user_id).where(Review.edition_id == edition.id)))
    return _Inputs(proposals, reviewers, conflicts, bids, existing)


# -- the organizer page ---------------------------------------------------------------------------


@dataclass(frozen=True)
class ReviewerLoad:
    user_id: int
    name: str
    manual: int
    automatic: int
    reviewed: int  # reviews submitted

    @property
    def total(self) -> int:
        return self.manual + self.automatic


@dataclass(frozen=True)
class ShortProposal:
    code: str
    title: str
    assigned: int


@dataclass(frozen=True)
class UnmetProposal:
    code: str
    title: str
    missing: int
    eligible: int
    reason: str  # for people


@dataclass(frozen=True)
class LastRun:
    at: datetime
    actor_name: str | None
    report: dict
    unmet: list[UnmetProposal]


@dataclass(frozen=True)
class Overview:
    reviews_per_proposal: int
    proposals: int  # assignable
    loads: list[ReviewerLoad]
    short: list[ShortProposal]  # the first SHORT_SHOWN assignable proposals below N
    short_count: int
    last_run: LastRun | None

    @property
    def load_spread(self) -> int:
        totals = [load.total for load in self.loads]
        return max(totals) - min(totals) if totals else 0


SHORT_SHOWN = 50


def assignment_overview(edition: Edition) -> Overview:
    """The page's figures, in a fixed number of queries: the settings' N, each reviewer's
    load (manual / automatic / reviewed), the assignable proposals still below N, the last run."""
    n = get_settings(edition).reviews_per_proposal
    ids = reviewer_ids(edition)
    counts = defaultdict(int)
    for user_id, source, count in db.session.execute(
            sa.select(Assignment.user_id, Assignment.source, sa.func.count())
            .where(Assignment.edition_id == edition.id).group_by(Assignment.user_id, Assignment.source)):
        counts[(user_id, AssignmentSource(source))] = count
    reviewed = dict(db.session.execute(
        sa.select(Review.user_id, sa.func.count()).where(Review.edition_id == edition.id,
                                                          Review.submitted_at.is_not(None)).group_by(Review.user_id)
    ).all())
    names = dict(db.session.execute(sa.select(User.id, User.name).where(User.id.in_(ids))).all()) if ids else {}
    loads = [ReviewerLoad(uid, names.get(uid, ""), counts[(uid, AssignmentSource.MANUAL)],
                          counts[(uid, AssignmentSource.AUTOMATIC)], reviewed.get(uid, 0)) for uid in ids]
    loads.sort(key=lambda load: (load.name.casefold(), load.user_id))

    # The reviewers a proposal has, as the solver counts them: its assignments, and reviews
    # written without one.
    with_assignment = sa.select(Assignment.id).where(Assignment.proposal_id == Review.proposal_id,
                                                     Assignment.user_id == Review.user_id).exists()
    assigned = (sa.select(sa.func.count()).select_from(Assignment)
                .where(Assignment.proposal_id == Proposal.id).correlate(Proposal).scalar_subquery()
                + sa.select(sa.func.count()).select_from(Review)
                .where(Review.proposal_id == Proposal.id, ~with_assignment).correlate(Proposal).scalar_subquery())
    proposals = db.session.scalar(sa.select(sa.func.count()).select_from(Proposal).where(assignable_proposals(edition)))
    short_query = sa.select(Proposal.code, Proposal.title, assigned.label("assigned"), sa.func.count().over()) \
        .where(assignable_proposals(edition), assigned < n).order_by(assigned, Proposal.id).limit(SHORT_SHOWN)
    short_rows = db.session.execute(short_query).all()
    short = [ShortProposal(code, title, count) for code, title, count, _total in short_rows]

    entry = db.session.scalars(
        sa.select(AuditEntry).where(AuditEntry.edition_id == edition.id, AuditEntry.action == AUDIT_ACTION)
        .order_by(AuditEntry.id.desc()).limit(1)).first()
    last_run = None if entry is None else _last_run(entry)
    return Overview(reviews_per_proposal=n, proposals=proposals or 0, loads=loads, short=short,
                    short_count=short_rows[0][3] if short_rows else 0, last_run=last_run)


def _last_run(entry: AuditEntry) -> LastRun:
    report = entry.data or {}
    actor = db.session.get(User, entry.actor_id) if entry.actor_id else None
    unmet_rows = [u for u in report.get("unmet", []) if isinstance(u, dict) and "proposal_id" in u]
    found = {pid: (code, title) for pid, code, title in db.session.execute(
        sa.select(Proposal.id, Proposal.code, Proposal.title)
        .where(Proposal.id.in_([u["proposal_id"] for u in unmet_rows]))
    )} if unmet_rows else {}
    unmet = [UnmetProposal(code=found[u["proposal_id"]][0], title=found[u["proposal_id"]][1],
                           missing=u.get("missing", 0), eligible=u.get("eligible", 0),
                           reason=str(UNMET_REASONS.get(u.get("reason"), "")))
             for u in unmet_rows if u["proposal_id"] in found]
    return LastRun(at=entry.created_at, actor_name=actor.name if actor else None, report=report, unmet=unmet)
