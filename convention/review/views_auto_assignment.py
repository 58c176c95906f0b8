"""The organizer's automatic assignment page: choose N, run, read what came out."""

from __future__ import annotations

from flask import Blueprint, render_template, url_for
from flask_babel import ngettext
from flask_login import current_user

from convention.core.permissions import guarded
from convention.core.views import run_form
from convention.editions.loaders import load_edition
from convention.editions.permissions import can_manage_edition
from convention.review.auto_assignment import assignment_overview, run_automatic_assignment
from convention.review.forms_assignment import AutoAssignmentForm

bp = Blueprint("review_assign", __name__)


@bp.route("/<slug>/manage/review/assignment/automatic", methods=["GET", "POST"])
@guarded(can_manage_edition, load=load_edition)
def automatic(edition):
    overview = assignment_overview(edition)
    form = AutoAssignmentForm(data={"reviews_per_proposal": overview.reviews_per_proposal})
    here = url_for("review_assign.automatic", slug=edition.slug)
    return run_form(
        form,
        lambda: run_automatic_assignment(edition, current_user,
                                         reviews_per_proposal=form.reviews_per_proposal.data),
        done=lambda report: ngettext("The automatic assignment added %(num)d assignment.",
                                     "The automatic assignment added %(num)d assignments.", report.created),
        back=here,
        render=lambda: render_template("review/manage_auto_assignment.html", edition=edition, form=form,
                                       overview=overview),
    )
