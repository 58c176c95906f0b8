"""Door staff land on the door page when they sign in (core/signals.py: LandingAsked).

Only people whose sole work is the door: check-in staff of an edition who organize and
review nothing (organizers and reviewers keep the home page, which lists their work).
The edition is the one of their check-in roles that starts last.
"""

from __future__ import annotations

import sqlalchemy as sa

from convention.accounts.models import User
from convention.core.signals import LandingAsked, landing_asked
from convention.editions.models import Edition, EditionRole, Role
from convention.extensions import db


def door_landing(event: LandingAsked) -> tuple[str, dict] | None:
    user = db.session.get(User, event.user_id)
    if user is None or user.is_admin:
        return None
    roles = db.session.execute(
        sa.select(EditionRole.role, Edition.slug)
        .join(Edition, Edition.id == EditionRole.edition_id)
        .where(EditionRole.user_id == user.id)
        .order_by(Edition.starts_on.desc(), Edition.id.desc())
    ).all()
    if not roles or any(role != Role.CHECKIN for role, _slug in roles):
        return None
    return "checkin.door", {"slug": roles[0].slug}


def connect_receivers() -> None:
    landing_asked.connect(door_landing)
