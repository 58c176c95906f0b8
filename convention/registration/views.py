"""Registration pages: the ticket shop, the secret order page, the organizer views.

The routes live in ``views_public`` and ``views_manage``, both on this blueprint.
"""

from __future__ import annotations

from flask import Blueprint, flash, redirect

from convention.accounts.forms import ActionForm
from convention.core.errors import DomainError
from convention.core.forms import apply_domain_error
from convention.editions.navigation import register_link
from convention.extensions import db
from convention.registration.cli import expire_command
from convention.registration.complimentary import connect_signals

bp = Blueprint("registration", __name__, cli_group="registration")
bp.cli.add_command(expire_command)
connect_signals()



def run_button(action, *, done, back: str, form=None):
    """A POST button: check its CSRF form, call one service, commit, flash the outcome, go ``back``.

    ``done`` is the success message, or a function of the service's result that returns it."""
    if (form or ActionForm()).validate_on_submit():
        try:
            result = action()
        except DomainError as error:
            db.session.rollback()
            flash(error.message, "danger")
        else:
            db.session.commit()
            flash(done(result) if callable(done) else done, "success")
    return redirect(back)


def run_form(form, save, *, done, back: str, render):
    """A form page: on a valid POST call one service (``save``), commit and go ``back``;
    otherwise ``render()`` the page, with the refusal on the form (422)."""
    if form.validate_on_submit():
        try:
            result = save()
        except DomainError as error:
            db.session.rollback()
            apply_domain_error(form, error)
        else:
            db.session.commit()
            flash(done(result) if callable(done) else done, "success")
            return redirect(back)
    return render(), 422 if form.errors else 200


from convention.registration import views_manage, views_public  # noqa: E402,F401  (routes on bp)

register_link("public", "Tickets", "registration.shop", order=40)
register_link("action", "Get tickets", "registration.shop", order=20)
register_link(
    "manage", "Tickets", "registration.manage_tickets", order=40,
    section=("manage/quotas/", "manage/vouchers", "manage/registration/"),
)
register_link("manage", "Orders", "registration.manage_orders", order=41, section=("manage/attendees.csv",))
