"""The organizer's API tokens page under /<slug>/manage/tokens/ (guarded by ``can_manage_edition``).

Creating a token answers with the page itself showing the secret once (never in a flash
message: the session cookie is signed, not encrypted), marked ``no-store``.
"""

from __future__ import annotations

from flask import Blueprint, render_template, url_for
from flask_babel import gettext, lazy_gettext
from flask_login import current_user

from convention.core.forms import ActionForm, apply_domain_error
from convention.core.permissions import guarded
from convention.core.views import run_action, run_button
from convention.editions.loaders import load_edition
from convention.editions.navigation import register_link
from convention.editions.permissions import can_manage_edition
from convention.tokens.forms import TokenForm
from convention.tokens.loaders import load_token
from convention.tokens.models import SCOPE_LABELS, TokenScope
from convention.tokens.services import create_token, list_tokens, revoke_token

bp = Blueprint("tokens", __name__)

register_link("manage", lazy_gettext("API tokens"), "tokens.manage", order=80)


def _page(edition, form, issued=None, status=200):
    response = render_template(
        "tokens/manage.html",
        edition=edition,
        form=form,
        issued=issued,
        tokens=list_tokens(edition),
        scope_labels={scope.value: SCOPE_LABELS[scope] for scope in TokenScope},
        action_form=ActionForm(),
    )
    headers = {"Cache-Control": "no-store"} if issued else {}
    return response, status, headers


@bp.get("/<slug>/manage/tokens/")
@guarded(can_manage_edition, load=load_edition)
def manage(edition):
    return _page(edition, TokenForm())


@bp.post("/<slug>/manage/tokens/")
@guarded(can_manage_edition, load=load_edition)
def create(edition):
    form = TokenForm()
    if not form.validate_on_submit():
        return _page(edition, form, status=422)

    def refused(error):
        apply_domain_error(form, error)
        return _page(edition, form, status=error.status_code)

    return run_action(
        lambda: create_token(edition, scope=form.scope.data, name=form.name.data, actor=current_user),
        done=lambda issued: _page(edition, TokenForm(formdata=None), issued=issued),
        refused=refused,
    )


@bp.post("/<slug>/manage/tokens/<int:token_id>/revoke")
@guarded(can_manage_edition, load=load_token)
def revoke(edition, token):
    return run_button(
        lambda: revoke_token(edition, token.id, actor=current_user),
        done=lambda revoked: gettext("Token “%(name)s” revoked: it no longer works.", name=revoked.name),
        back=url_for("tokens.manage", slug=edition.slug),
    )
