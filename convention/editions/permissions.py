"""Named predicates about editions. Every organizer view uses ``can_manage_edition``."""

from __future__ import annotations

import sqlalchemy as sa
from flask import g, has_request_context

from convention.editions.models import Edition, EditionRole, Role
from convention.extensions import db


def _confirmed(user) -> bool:
    """Signed in with a confirmed address. A role granted to an account takes effect only
    then: anyone can sign up with an address that is not theirs."""
    return user is not None and getattr(user, "is_authenticated", False) and bool(user.email_confirmed)


def roles_of(user, edition: Edition) -> frozenset[Role]:
    """The user's effective roles in ``edition`` (none until the address is confirmed),
    read once per request."""
    if not _confirmed(user):
        return frozenset()
    cache = g.setdefault("_edition_roles", {}) if has_request_context() else {}
    key = (user.id, edition.id)
    if key not in cache:
        cache[key] = frozenset(
            db.session.scalars(
                sa.select(EditionRole.role).where(
                    EditionRole.user_id == user.id, EditionRole.edition_id == edition.id
                )
            )
        )
    return cache[key]


def _is_admin(user) -> bool:
    return bool(user is not None and getattr(user, "is_authenticated", False) and user.is_admin)


def can_manage_edition(user, edition: Edition, **_objects) -> bool:
    return _is_admin(user) or Role.ORGANIZER in roles_of(user, edition)


def can_review_edition(user, edition: Edition, **_objects) -> bool:
    return Role.REVIEWER in roles_of(user, edition) or can_manage_edition(user, edition)


def can_check_in(user, edition: Edition, **_objects) -> bool:
    return Role.CHECKIN in roles_of(user, edition) or can_manage_edition(user, edition)


def can_create_edition(user, **_objects) -> bool:
    """Site admins and anyone who already organizes an edition."""
    if _is_admin(user):
        return True
    if not _confirmed(user):
        return False
    return (
        db.session.scalar(
            sa.select(EditionRole.id).where(EditionRole.user_id == user.id, EditionRole.role == Role.ORGANIZER).limit(1)
        )
        is not None
    )


def is_team_member(user, edition: Edition, **_objects) -> bool:
    """Anyone with a role in the edition (organizer, committee, door), and site admins."""
    return _is_admin(user) or bool(roles_of(user, edition))


def can_see_edition(user, edition: Edition, **_objects) -> bool:
    """A published edition is public; a draft is seen only by its team."""
    return edition.published or is_team_member(user, edition)


def can_view_edition(user, edition: Edition, **_objects) -> bool:
    """Edition landing pages are public (a draft's pages answer 404 to strangers
    before this runs: ``get_edition_or_404`` applies ``can_see_edition``)."""
    return True
