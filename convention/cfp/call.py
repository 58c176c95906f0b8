"""The call's deadline, and what a speaker may still change: every rule that depends on
the moment asks here (``ensure_call_open``, ``ensure_can_edit``), and the pages get the
same answers as ready values (``call_status``, ``can_edit_proposal``, ``can_attach_files``).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime

import sqlalchemy as sa
from babel import Locale
from babel.dates import format_date
from flask_babel import get_locale, gettext

from convention.accounts.models import User
from convention.cfp.models import LateSubmissionGrant, Proposal
from convention.cfp.permissions import is_proposal_speaker
from convention.cfp.states import EDITABLE_STATES, is_accepted
from convention.core.errors import DomainError, Forbidden
from convention.core.timeutil import to_local, utcnow
from convention.editions.models import Edition
from convention.extensions import db


class CallClosed(DomainError):
    """The call for papers is not open (and no personal late link applies)."""

    status_code = 409


def day_text(day: date, pattern: str = "EEEE dd MMMM yyyy") -> str:
    """A day in words of the current language ("Wednesday 30 December 2026"; English
    outside a request); ``pattern`` is a CLDR date pattern."""
    return format_date(day, pattern, locale=get_locale() or Locale("en"))


def local_text(value: datetime | None, edition: Edition) -> str:
    local = to_local(value, edition.timezone)
    if not local:
        return ""
    return gettext("%(day)s at %(time)s (%(zone)s)", day=day_text(local), time=f"{local:%H:%M}", zone=local.tzname())


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


@dataclass(frozen=True)
class CallStatus:
    """What the public call page says: exactly one of upcoming / open / closed for everyone,
    and whether this person may submit now (a personal late link keeps it open for them)."""

    is_upcoming: bool
    is_open: bool
    is_closed: bool
    open_for_me: bool
    late_grant: LateSubmissionGrant | None
    days_left: int | None  # whole days until the deadline, while the call is open


def call_status(edition: Edition, user: User | None, *, now: datetime | None = None) -> CallStatus:
    now = now or utcnow()
    upcoming = bool(edition.cfp_opens_at and now < edition.cfp_opens_at)
    is_open = not upcoming and edition.cfp_is_open(now)
    late_grant = active_late_grant(edition, user, now=now)
    return CallStatus(
        is_upcoming=upcoming,
        is_open=is_open,
        is_closed=not upcoming and not is_open,
        open_for_me=edition.cfp_is_open(now) or late_grant is not None,  # call_is_open_for, grant already read
        late_grant=late_grant,
        days_left=(edition.cfp_closes_at - now).days if edition.cfp_closes_at and is_open else None,
    )


def ensure_call_open(edition: Edition, user: User | None, *, now: datetime | None = None) -> None:
    """Refuse (with a message a person understands) when the call is not open for ``user``."""
    now = now or utcnow()
    if call_is_open_for(edition, user, now=now):
        return
    if edition.cfp_opens_at and now < edition.cfp_opens_at:
        raise CallClosed(gettext("The call for papers opens on %(opens)s. Nothing was saved.",
                                 opens=local_text(edition.cfp_opens_at, edition)))
    raise CallClosed(gettext(
        "The call for papers closed on %(closed)s. Your changes were not saved. If you need more time, contact the organizers.",
        closed=local_text(edition.cfp_closes_at, edition),
    ))


# -- what a speaker may still change ------------------------------------------------------


def ensure_can_edit(proposal: Proposal, actor: User, *, now: datetime | None = None) -> None:
    if not is_proposal_speaker(actor, proposal):
        raise Forbidden(gettext("Only the speakers of this proposal can change it."))
    if proposal.state not in EDITABLE_STATES:
        raise DomainError(gettext("This proposal is %(state)s and can no longer be changed.", state=proposal.state.label.lower()))
    ensure_call_open(proposal.edition, actor, now=now)


def can_edit_proposal(proposal: Proposal, actor: User | None, *, now: datetime | None = None) -> bool:
    """``ensure_can_edit`` as a yes/no, for the page's Edit and Invite buttons."""
    try:
        ensure_can_edit(proposal, actor, now=now)
    except DomainError:
        return False
    return True


def is_locked(proposal: Proposal) -> bool:
    """No longer changeable whatever the deadline (withdrawn, rejected, declined, cancelled)."""
    return proposal.state not in EDITABLE_STATES


def ensure_can_attach(proposal: Proposal, actor: User, *, now: datetime | None = None) -> None:
    """Files follow the editing rules, except that accepted talks may add slides after the deadline."""
    if is_accepted(proposal.state) and is_proposal_speaker(actor, proposal):
        return
    ensure_can_edit(proposal, actor, now=now)


def can_attach_files(proposal: Proposal, actor: User | None, *, now: datetime | None = None) -> bool:
    try:
        ensure_can_attach(proposal, actor, now=now)
    except DomainError:
        return False
    return True
