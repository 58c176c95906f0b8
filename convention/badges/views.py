"""Badge PDFs for one person: an order's badges from its secret page, and the door's
"print badge" for someone at the desk (``badges.badge_pdf``, taking the registration's
public code). Both read only: a registration paid before badges existed is signed on the
fly with the edition's key, nothing is stored by a GET."""

from __future__ import annotations

from flask import Blueprint, Response, abort, url_for

from convention.badges import documents
from convention.badges.permissions import can_print_badge
from convention.core.permissions import guarded
from convention.extensions import db
from convention.registration.loaders import load_attendee, load_order
from convention.registration.models import OrderState
from convention.registration.permissions import holds_order_link

bp = Blueprint("badges", __name__)


def _pdf(content: bytes | None, filename: str) -> Response:
    if content is None:
        abort(404)
    return Response(content, mimetype="application/pdf",
                    headers={"Content-Disposition": f'inline; filename="{filename}"',
                             "Cache-Control": "private, no-store"})


def order_badges_url(edition, order) -> str | None:
    """The order page's link to its badges (a Jinja global: registration shows it without
    importing badges), or None while the order is not paid."""
    if order is None or order.state is not OrderState.PAID or not order.attendees:
        return None
    return url_for("badges.order_badges", slug=edition.slug, secret=order.secret)


bp.add_app_template_global(order_badges_url, "order_badges_url")


def badge_print_url(edition, attendee_code: str) -> str:
    """The door search's "print badge" link (a Jinja global: the door page shows it without
    importing badges); the badge answers 404 while the order is not paid."""
    return url_for("badges.badge_pdf", slug=edition.slug, code=attendee_code)


bp.add_app_template_global(badge_print_url, "badge_print_url")


@bp.get("/<slug>/orders/<secret>/badges.pdf")
@guarded(holds_order_link, load=load_order)
def order_badges(edition, order):
    if order.state is not OrderState.PAID:
        abort(404)
    return _pdf(documents.badge_pdf(documents.order_faces(db.session, order, edition)), f"badges-{order.code}.pdf")


@bp.get("/<slug>/checkin/badges/<code>.pdf")
@guarded(can_print_badge, load=load_attendee)
def badge_pdf(edition, attendee):
    """The door's "print badge": one registration's badge (only while its order is paid)."""
    return _pdf(documents.badge_pdf(documents.attendee_faces(db.session, attendee, edition)),
                f"badge-{attendee.code}.pdf")
