"""Bids: before the assignment, a reviewer says which proposals they are eager, willing
or not willing to review (or in conflict with), from a blind list of titles and abstracts."""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass

import sqlalchemy as sa
from flask_babel import gettext

from convention.audit.services import record_audit
from convention.cfp.models import Proposal
from convention.core.errors import Conflict, DomainError
from convention.core.pagination import Page, fetch_page
from convention.editions.models import Edition, SessionFormat, Theme
from convention.extensions import db
from convention.review.conflicts import declare_conflict
from convention.review.models import Bid, BidLevel
from convention.review.permissions import proposals_reviewable_by

BIDS_PER_PAGE = 25


@dataclass(frozen=True)
class BidRow:
    code: str
    title: str
    abstract: str
    theme: str | None
    format: str | None
    level: BidLevel | None


def bid_page(user, edition: Edition, *, page: int = 1, theme_id: int | None = None) -> Page:
    """One page of the proposals ``user`` may bid on, with their current bid (blind: only
    what the proposal says, never who wrote it)."""
    query = (
        sa.select(Proposal.code, Proposal.title, Proposal.abstract, Theme.name, SessionFormat.name, Bid.level)
        .outerjoin(Theme, Theme.id == Proposal.theme_id)
        .outerjoin(SessionFormat, SessionFormat.id == Proposal.format_id)
        .outerjoin(Bid, sa.and_(Bid.proposal_id == Proposal.id, Bid.user_id == user.id))
        .where(proposals_reviewable_by(user, edition))
        .order_by(Proposal.title, Proposal.id)
    )
    if theme_id is not None:
        query = query.where(Proposal.theme_id == theme_id)
    result = fetch_page(query, page, BIDS_PER_PAGE)
    return dataclasses.replace(result, items=[BidRow(*row) for row in result.items])


def set_bids(edition: Edition, levels: dict[str, str], *, actor) -> int:
    """Save ``actor``'s bids (proposal code -> level word; "" removes a bid). A proposal
    the bidder may not see is refused as unknown. Returns how many changed."""
    if not levels:
        return 0
    proposals = {p.code: p for p in db.session.scalars(sa.select(Proposal).where(
        Proposal.code.in_(levels), proposals_reviewable_by(actor, edition)))}
    current = {bid.proposal_id: bid for bid in db.session.scalars(sa.select(Bid).where(
        Bid.user_id == actor.id, Bid.proposal_id.in_([p.id for p in proposals.values()])))}
    changed = 0
    try:
        with db.session.begin_nested():  # two windows saving at once: refused, not a 500
            for code, word in levels.items():
                proposal = proposals.get(code)
                if proposal is None:
                    raise DomainError(gettext("Unknown proposal: %(code)s.", code=code))
                try:
                    level = BidLevel(word) if word else None
                except ValueError:
                    raise DomainError(gettext("Unknown bid: %(word)s.", word=word)) from None
                bid = current.get(proposal.id)
                if level == (bid.level if bid else None):
                    continue
                changed += 1
                if level is BidLevel.CONFLICT:
                    declare_conflict(proposal, actor=actor)
                elif level is None:
                    db.session.delete(bid)
                elif bid is None:
                    db.session.add(Bid(edition_id=edition.id, proposal_id=proposal.id, user_id=actor.id, level=level))
                else:
                    bid.level = level
            db.session.flush()
    except sa.exc.IntegrityError as exc:
        raise Conflict(gettext("Your bids were just saved from another window: reload the page.")) from exc
    if changed:
        record_audit("review.bids", actor=actor, edition_id=edition.id, data={"changed": changed})
    return changed
