"""The signed-in person's own registration pages (on the registration blueprint)."""

from __future__ import annotations

from flask import render_template
from flask_login import current_user

from convention.core.permissions import guarded, signed_in
from convention.registration.my_orders import orders_of_person
from convention.registration.views import bp


@bp.get("/account/orders")
@guarded(signed_in)
def my_orders():
    return render_template("registration/my_orders.html", orders=orders_of_person(current_user))
