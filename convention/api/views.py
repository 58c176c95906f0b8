"""The read API: ``/api/v1/<slug>/proposals``, ``/schedule`` and ``/orders``, JSON only.

Lists take ``page`` (from 1) and ``per_page`` (1 to 200, default 50) and answer
``{"data": [...], "page", "per_page", "total", "pages", "next"}``; ``next`` is the
absolute address of the following page (on ``BASE_URL``), or null on the last one.
"""

from __future__ import annotations

from flask import Blueprint, jsonify, request

from convention.api import listing
from convention.api.openapi import openapi_document
from convention.api.permissions import api_error, token_required
from convention.core.inputs import int_arg, page_arg
from convention.core.permissions import public
from convention.core.urls import external_url

bp = Blueprint("api", __name__, url_prefix="/api/v1")

SCHEDULE_READ = "schedule:read"
ORDERS_READ = "orders:read"


@bp.after_request
def _no_caching(response):
    """Answers hold organizer data and depend on the token: no shared cache keeps them."""
    response.headers.setdefault("Cache-Control", "no-store")
    return response


def _per_page() -> int:
    return int_arg("per_page", listing.PER_PAGE_DEFAULT, minimum=1, maximum=listing.PER_PAGE_MAX)


def _listed(answer: listing.ListAnswer, endpoint: str, edition, **filters):
    following = None
    if answer.has_next:
        following = external_url(
            endpoint, slug=edition.slug, page=answer.page.page + 1, per_page=answer.page.per_page, **filters
        )
    return jsonify(answer.as_json(following))


@bp.get("/openapi.json")
@public
def openapi():
    response = jsonify(openapi_document())
    response.headers["Cache-Control"] = "public, max-age=300"
    return response


@bp.get("/<slug>/proposals")
@token_required(SCHEDULE_READ)
def proposals(edition):
    answer = listing.programme_talks(edition, page=page_arg(), per_page=_per_page())
    return _listed(answer, "api.proposals", edition)


@bp.get("/<slug>/schedule")
@token_required(SCHEDULE_READ)
def schedule(edition):
    published = listing.published_schedule(edition)
    if published is None:
        return api_error(404, "not_published", "This edition has not published a schedule yet.")
    return jsonify(published)


@bp.get("/<slug>/orders")
@token_required(ORDERS_READ)
def orders(edition):
    state = request.args.get("state", "").strip()
    if state and state not in listing.ORDER_STATES:
        return api_error(400, "invalid_state", "state must be one of: " + ", ".join(listing.ORDER_STATES) + ".")
    answer = listing.orders(edition, page=page_arg(), per_page=_per_page(), state=state or None)
    return _listed(answer, "api.orders", edition, **({"state": state} if state else {}))
