"""Public and personal privacy pages: an edition's notice at /<slug>/privacy, and on
/account/privacy a person's data download and the deletion of their account."""

from __future__ import annotations

import json

from flask import Blueprint, Response, flash, redirect, render_template, url_for
from flask_babel import gettext, lazy_gettext
from flask_login import current_user, logout_user

from convention.core.forms import ActionForm
from convention.core.permissions import guarded, signed_in
from convention.core.views import run_action, run_form
from convention.editions.loaders import load_edition
from convention.editions.navigation import register_link
from convention.editions.permissions import can_view_edition
from convention.privacy import erasure, export, notices
from convention.privacy.forms import DeleteAccountForm
from convention.privacy.retention import get_privacy_settings

bp = Blueprint("privacy", __name__, cli_group="privacy")

register_link("public", lazy_gettext("Privacy"), "privacy.notice", order=90)


@bp.get("/<slug>/privacy")
@guarded(can_view_edition, load=load_edition)
def notice(edition):
    return render_template(
        "privacy/notice.html",
        edition=edition,
        current=notices.current_notice(edition),
        versions=notices.list_notices(edition),
        retention=get_privacy_settings(edition).retention_until,
    )


def _account_page(delete_form: DeleteAccountForm):
    return render_template("privacy/account.html", action_form=ActionForm(), delete_form=delete_form)


@bp.get("/account/privacy")
@guarded(signed_in)
def account():
    return _account_page(DeleteAccountForm())


@bp.post("/account/privacy/export")
@guarded(signed_in)
def download():
    """A POST (it writes an audit entry), answered with the JSON file."""
    if not ActionForm().validate_on_submit():
        flash(gettext("The form expired; please try again."), "danger")
        return redirect(url_for("privacy.account"))

    def attachment(document):
        return Response(
            json.dumps(document, ensure_ascii=False, indent=2, default=str),
            mimetype="application/json",
            headers={
                "Content-Disposition": 'attachment; filename="my-data.json"',
                "Cache-Control": "private, no-store",
            },
        )

    def refused(error):
        flash(error.message, "danger")
        return redirect(url_for("privacy.account"))

    return run_action(lambda: export.export_person(current_user, actor=current_user), done=attachment, refused=refused)


@bp.post("/account/privacy/delete")
@guarded(signed_in)
def delete():
    form = DeleteAccountForm()

    def gone(_summary):
        logout_user()
        return url_for("main.index")

    return run_form(
        form,
        lambda: erasure.delete_account(current_user, form.password.data, actor=current_user),
        done=gettext("Your account is deleted. Thank you for having been with us."),
        back=gone,
        render=lambda: _account_page(form),
    )


from convention.privacy import views_manage  # noqa: E402,F401  (routes on bp)
from convention.privacy.cli import anonymise_due_command  # noqa: E402

bp.cli.add_command(anonymise_due_command)
