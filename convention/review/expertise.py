"""What reviewers know and which team they review in: the themes a reviewer marks as
their expertise (a preference for the assignment), and review teams, which may be
limited to some themes (their members only see and get proposals of those themes)."""

from __future__ import annotations

import sqlalchemy as sa
from flask_babel import gettext

from convention.accounts.models import User
from convention.audit.services import record_audit
from convention.core.errors import DomainError
from convention.editions.models import Edition, Theme
from convention.extensions import db
from convention.review.conflicts import reviewer_users
from convention.review.models import TEAM_NAME_MAX, ReviewerTheme, ReviewTeam, ReviewTeamMember, ReviewTeamTheme


def _edition_theme_ids(edition: Edition, theme_ids) -> set[int]:
    wanted = {int(t) for t in theme_ids}
    known = set(db.session.scalars(sa.select(Theme.id).where(Theme.edition_id == edition.id, Theme.id.in_(wanted))))
    if wanted - known:
        raise DomainError(gettext("Choose themes of this edition."), field="themes")
    return known


def themes_of(user, edition: Edition) -> set[int]:
    return set(db.session.scalars(sa.select(ReviewerTheme.theme_id).where(
        ReviewerTheme.user_id == user.id, ReviewerTheme.edition_id == edition.id)))


def set_reviewer_themes(edition: Edition, theme_ids, *, actor) -> set[int]:
    """``actor`` marks the themes they know (replacing their previous choice)."""
    chosen = _edition_theme_ids(edition, theme_ids)
    current = themes_of(actor, edition)
    if chosen - current:
        db.session.add_all(ReviewerTheme(edition_id=edition.id, user_id=actor.id, theme_id=theme_id)
                           for theme_id in chosen - current)
    if current - chosen:
        db.session.execute(sa.delete(ReviewerTheme).where(
            ReviewerTheme.user_id == actor.id, ReviewerTheme.edition_id == edition.id,
            ReviewerTheme.theme_id.in_(current - chosen)))
    db.session.flush()
    record_audit("review.themes", actor=actor, edition_id=edition.id, data={"themes": sorted(chosen)})
    return chosen


# -- teams ---------------------------------------------------------------------------------------


def teams_of(edition: Edition) -> list[ReviewTeam]:
    return list(db.session.scalars(
        sa.select(ReviewTeam).where(ReviewTeam.edition_id == edition.id).order_by(ReviewTeam.name)
        .options(sa.orm.selectinload(ReviewTeam.members).joinedload(ReviewTeamMember.user),
                 sa.orm.selectinload(ReviewTeam.themes).joinedload(ReviewTeamTheme.theme))
    ))


def save_team(edition: Edition, name: str, theme_ids, member_ids, *, actor, team: ReviewTeam | None = None) -> ReviewTeam:
    """Create or change a team: its name, its themes (none: every theme) and its members
    (reviewers of the edition)."""
    name = " ".join(name.split())
    if not name or len(name) > TEAM_NAME_MAX:
        raise DomainError(gettext("Give the team a name (at most %(max)d characters).", max=TEAM_NAME_MAX),
                          field="name")
    clash = db.session.scalar(sa.select(ReviewTeam.id).where(
        ReviewTeam.edition_id == edition.id, sa.func.lower(ReviewTeam.name) == name.lower(),
        ReviewTeam.id != (team.id if team else -1)))
    if clash is not None:
        raise DomainError(gettext("There is already a team with that name."), field="name")
    themes = _edition_theme_ids(edition, theme_ids)
    reviewers = {user.id for user in reviewer_users(edition)}
    members = {int(m) for m in member_ids}
    if members - reviewers:
        raise DomainError(gettext("Only the edition's reviewers can be team members."), field="members")
    if team is None:
        team = ReviewTeam(edition_id=edition.id)
        db.session.add(team)
    team.name = name
    team.themes = [link for link in team.themes if link.theme_id in themes] + [
        ReviewTeamTheme(theme_id=t) for t in sorted(themes - {link.theme_id for link in team.themes})]
    team.members = [link for link in team.members if link.user_id in members] + [
        ReviewTeamMember(user_id=u) for u in sorted(members - {link.user_id for link in team.members})]
    db.session.flush()
    record_audit("review.team.save", actor=actor, edition_id=edition.id, target=team,
                 data={"name": name, "themes": sorted(themes), "members": sorted(members)})
    return team


def delete_team(team: ReviewTeam, *, actor) -> None:
    record_audit("review.team.delete", actor=actor, edition_id=team.edition_id, target=team, data={"name": team.name})
    db.session.delete(team)
    db.session.flush()


def reviewers_with_themes(edition: Edition) -> list[tuple[User, list[str]]]:
    """Each reviewer and the names of the themes they marked (two queries)."""
    users = reviewer_users(edition)
    names: dict[int, list[str]] = {}
    for user_id, theme in db.session.execute(
        sa.select(ReviewerTheme.user_id, Theme.name).join(Theme, Theme.id == ReviewerTheme.theme_id)
        .where(ReviewerTheme.edition_id == edition.id).order_by(Theme.position, Theme.id)
    ):
        names.setdefault(user_id, []).append(theme)
    return [(user, names.get(user.id, [])) for user in users]
