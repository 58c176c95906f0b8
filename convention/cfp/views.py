"""The speaker's side of the call for papers, on the ``cfp`` blueprint: the public call
page and "My proposals" here; writing and following a proposal in ``views_proposals``;
co-speakers, late links, the speaker profile and availability in ``views_speakers``.
The organizer's side is ``views_manage`` (blueprint ``cfp_manage``).
"""

from __future__ import annotations

from flask import Blueprint, render_template
from flask_babel import lazy_gettext
from flask_login import current_user

from convention.cfp import files, services
from convention.cfp import speaker_services as speakers
from convention.cfp.call import call_is_open_for, call_status, day_text
from convention.cfp.errors import too_large
from convention.cfp.markup import render_markdown
from convention.core.permissions import guarded, signed_in
from convention.editions.loaders import load_edition
from convention.editions.navigation import register_link
from convention.editions.permissions import can_view_edition

bp = Blueprint("cfp", __name__)
bp.record_once(lambda state: files.init_file_cleanup())
bp.add_app_template_filter(render_markdown, "markdown")
bp.add_app_template_filter(day_text, "cfp_day")
bp.register_error_handler(413, too_large)


@bp.get("/<slug>/cfp/")
@guarded(can_view_edition, load=load_edition)
def call(edition):
    user = current_user if current_user.is_authenticated else None
    return render_template(
        "cfp/call.html",
        edition=edition,
        call=call_status(edition, user),
        my_proposals=services.proposals_of_speaker(edition, user) if user else [],
    )


@bp.get("/<slug>/cfp/proposals/")
@guarded(signed_in, load=load_edition)
def my_proposals(edition):
    return render_template(
        "cfp/my_proposals.html",
        edition=edition,
        proposals=services.proposals_of_speaker(edition, current_user),
        open_for_me=call_is_open_for(edition, current_user),
        profile=speakers.get_profile(edition, current_user),
    )


def _cfp_open(user, edition) -> bool:
    return call_is_open_for(edition, user)


def _signed_in_visible(user, edition) -> bool:
    return user is not None


register_link("public", lazy_gettext("Call for papers"), "cfp.call", order=10)
register_link("public", lazy_gettext("My proposals"), "cfp.my_proposals", order=12, visible=_signed_in_visible)
register_link("action", lazy_gettext("Submit a proposal"), "cfp.submit", order=10, visible=_cfp_open)

from convention.cfp import views_proposals, views_speakers  # noqa: E402,F401  (routes on bp)
