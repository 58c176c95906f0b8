"""Theme quotas: how many proposals of each theme the committee means to accept. The
ranking's dashboard sets the accepted so far against them; they lock nothing."""

from __future__ import annotations

import sqlalchemy as sa
from flask_babel import gettext

from convention.accounts.models import User
from convention.audit.services import record_audit
from convention.core.errors import DomainError, Forbidden
from convention.editions.models import Edition
from convention.extensions import db
from convention.review.models import ThemeQuota
from convention.review.permissions import can_decide

QUOTA_MAX = 10_000


def get_quotas(edition: Edition) -> dict[int, int]:
    """theme id -> quota, for the themes that have one."""
    return dict(db.session.execute(
        sa.select(ThemeQuota.theme_id, ThemeQuota.quota).where(ThemeQuota.edition_id == edition.id)
    ).all())


def save_quotas(edition: Edition, quotas: dict[int, int | None], *, actor: User) -> dict[int, int]:
    """Set each theme's quota (None: no quota). Themes of other editions are refused."""
    if not can_decide(actor, edition):
        raise Forbidden(gettext("Only the organizers can set the quotas."))
    theme_ids = {theme.id for theme in edition.themes}
    for theme_id, quota in quotas.items():
        if theme_id not in theme_ids:
            raise DomainError(gettext("This theme is not one of the edition's."))
        if quota is not None and not 0 <= quota <= QUOTA_MAX:
            raise DomainError(gettext("A quota is a number from 0 to %(max)d.", max=QUOTA_MAX), field=f"t_{theme_id}")
    rows = {row.theme_id: row for row in db.session.scalars(
        sa.select(ThemeQuota).where(ThemeQuota.edition_id == edition.id))}
    for theme_id, quota in quotas.items():
        row = rows.get(theme_id)
        if quota is None and row is not None:
            db.session.delete(row)
        elif quota is not None and row is None:
            db.session.add(ThemeQuota(edition_id=edition.id, theme_id=theme_id, quota=quota))
        elif quota is not None:
            row.quota = quota
    db.session.flush()
    saved = get_quotas(edition)
    record_audit("review.quotas", actor=actor, edition_id=edition.id, target=edition,
                 data={str(k): v for k, v in sorted(saved.items())})
    return saved
