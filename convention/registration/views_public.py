"""Public registration pages: the shop, checkout, the order page (by its secret link)."""

from __future__ import annotations

import sqlalchemy as sa
from flask import abort, render_template

from convention.core.permissions import public
from convention.editions.services import get_edition_or_404
from convention.extensions import db
from convention.registration.models import Order, WaitingListEntry
from convention.registration.views import bp


@bp.get("/<slug>/orders/<secret>/")
@public
def order_page(slug, secret):
    edition = get_edition_or_404(slug)
    order = db.session.scalar(sa.select(Order).where(Order.secret == secret, Order.edition_id == edition.id))
    if order is None:
        abort(404)
    return render_template("registration/order.html", edition=edition, order=order)


@bp.route("/<slug>/waiting-list/<secret>/leave", methods=["GET", "POST"])
@public
def leave_waiting_list(slug, secret):
    edition = get_edition_or_404(slug)
    entry = db.session.scalar(
        sa.select(WaitingListEntry).where(WaitingListEntry.secret == secret, WaitingListEntry.edition_id == edition.id)
    )
    if entry is None:
        abort(404)
    return render_template("registration/waiting_leave.html", edition=edition, entry=entry)
