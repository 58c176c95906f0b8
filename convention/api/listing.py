"""What the API answers: one page of talks or orders, and the published schedule.

Each list is one ``core.pagination.fetch_page`` query (many-to-one rows joined) plus one
``selectinload`` per collection, whatever the page size: the query count does not grow with the data. Only
the fields named here leave the server: a talk carries what its speakers chose to
publish (never reviews, scores, notes to the committee, answers, attachments or e-mail
addresses); an order carries what an organizer's order page shows (never its secret link).
"""

from __future__ import annotations

from dataclasses import dataclass

import sqlalchemy as sa
from sqlalchemy.orm import joinedload, selectinload

from convention.cfp.markup import render_markdown
from convention.cfp.models import Proposal, ProposalSpeaker
from convention.cfp.states import ProposalState
from convention.core.pagination import Page, fetch_page
from convention.editions.models import Edition
from convention.registration.models import Attendee, Order
from convention.registration.states import OrderState
from convention.schedule.versions import latest_version

PER_PAGE_DEFAULT = 50
PER_PAGE_MAX = 200
# A programme's talks: decided "yes". Submitted, rejected or withdrawn proposals are not public.
PROGRAMME_STATES = (ProposalState.ACCEPTED, ProposalState.CONFIRMED)


def _iso(value) -> str | None:
    return value.isoformat() if value is not None else None


@dataclass(frozen=True)
class ListAnswer:
    """One page of a list as the API shows it."""

    items: list[dict]
    page: Page

    def as_json(self, next_url: str | None) -> dict:
        return {
            "data": self.items,
            "page": self.page.page,
            "per_page": self.page.per_page,
            "total": self.page.total,
            "pages": self.page.pages,
            "next": next_url,
        }

    @property
    def has_next(self) -> bool:
        return self.page.page < self.page.pages


def programme_talks(edition: Edition, *, page: int, per_page: int = PER_PAGE_DEFAULT) -> ListAnswer:
    """Accepted and confirmed talks of ``edition``, oldest code first, with their speakers."""
    query = (
        sa.select(Proposal)
        .where(Proposal.edition_id == edition.id, Proposal.state.in_(PROGRAMME_STATES))
        .options(
            selectinload(Proposal.speakers).selectinload(ProposalSpeaker.profile),
            joinedload(Proposal.theme),
            joinedload(Proposal.format),
        )
        .order_by(Proposal.id)
    )
    found = fetch_page(query, page, per_page)
    return ListAnswer([_talk(proposal) for proposal in found.items], found)


def _talk(proposal: Proposal) -> dict:
    return {
        "code": proposal.code,
        "state": proposal.state.value,
        "title": proposal.title,
        "abstract": proposal.abstract,
        "description_html": str(render_markdown(proposal.description)),
        "format": proposal.format.name if proposal.format else None,
        "duration_minutes": proposal.format.duration_minutes if proposal.format else None,
        "theme": proposal.theme.name if proposal.theme else None,
        "language": proposal.language.value,
        "level": proposal.level.value,
        "may_record": proposal.may_record,
        "speakers": [
            {
                "code": link.profile.code,
                "name": link.profile.display_name,
                "organisation": link.profile.organisation,
                "biography_html": str(render_markdown(link.profile.biography)),
            }
            for link in proposal.speakers
        ],
    }


def published_schedule(edition: Edition) -> dict | None:
    """The newest published version (what the public schedule page shows), or None."""
    version = latest_version(edition)
    if version is None:
        return None
    snapshot = version.snapshot
    return {
        "version": {"number": version.number, "name": version.name, "published_at": _iso(version.published_at)},
        "edition": snapshot["edition"],
        "rooms": snapshot["rooms"],
        "days": snapshot["days"],
        "blocks": snapshot["blocks"],
        "talks": snapshot["talks"],
    }


ORDER_STATES = tuple(state.value for state in OrderState)


def orders(edition: Edition, *, page: int, per_page: int = PER_PAGE_DEFAULT, state: str | None = None) -> ListAnswer:
    """The edition's orders, oldest first, with their attendees (organizer data)."""
    query = (
        sa.select(Order)
        .where(Order.edition_id == edition.id)
        .options(selectinload(Order.attendees).selectinload(Attendee.ticket_type))
        .order_by(Order.created_at, Order.id)
    )
    if state:
        query = query.where(Order.state == OrderState(state))
    found = fetch_page(query, page, per_page)
    return ListAnswer([_order(order) for order in found.items], found)


def _order(order: Order) -> dict:
    return {
        "code": order.code,
        "state": order.state.value,
        "email": order.email,
        "buyer_name": order.buyer_name,
        "total_cents": order.total_cents,
        "refunded_cents": order.refunded_cents,
        "currency": order.currency,
        "payment_method": order.payment_method,
        "payment_reference": order.payment_reference,
        "created_at": _iso(order.created_at),
        "expires_at": _iso(order.expires_at),
        "paid_at": _iso(order.paid_at),
        "cancelled_at": _iso(order.cancelled_at),
        "refunded_at": _iso(order.refunded_at),
        "attendees": [
            {
                "code": a.code,
                "name": a.name,
                "email": a.email,
                "organisation": a.organisation,
                "ticket_type": a.ticket_type.name,
                "price_cents": a.price_cents,
            }
            for a in order.attendees
        ],
    }
