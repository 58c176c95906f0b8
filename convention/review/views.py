"""The reviewer's workspace under /<slug>/review/: landing, queue, a proposal, its
scoring page ("save and next"), bids, conflicts and expertise. The reviewer area
(convention/areas.py) already refuses who is not on the committee; each view names its
finer rule, and a proposal the reviewer may not open answers 404."""

from __future__ import annotations

from flask import Blueprint, render_template, request, url_for
from flask_babel import gettext, lazy_gettext
from flask_login import current_user

from convention.core.forms import ActionForm
from convention.core.inputs import int_arg, page_arg
from convention.core.permissions import guarded
from convention.core.views import run_button, run_form
from convention.editions.loaders import load_edition
from convention.editions.navigation import register_link
from convention.editions.permissions import can_review_edition
from convention.review import bids, conflicts, expertise, scoring
from convention.review.forms import ThemesForm, choices, review_form_class
from convention.review.loaders import load_conflict, load_review_proposal
from convention.review.models import BID_LABELS, BidLevel
from convention.review.permissions import can_open_review_proposal, can_review, can_score_proposal
from convention.review.reading import proposal_view
from convention.review.settings import criteria_of, get_settings, phase_state

bp = Blueprint("review", __name__)

register_link("public", lazy_gettext("Review"), "review.landing", order=11, visible=can_review_edition)


def _phase(edition):
    settings = get_settings(edition)
    return settings, phase_state(settings)


@bp.get("/<slug>/review/")
@guarded(can_review, load=load_edition)
def landing(edition):
    settings, phase = _phase(edition)
    queue = scoring.queue_of(current_user, edition)
    return render_template("review/landing.html", edition=edition, settings=settings, phase=phase, queue=queue,
                           next_code=scoring.next_to_review(current_user, edition),
                           has_criteria=bool(criteria_of(edition)))


@bp.get("/<slug>/review/queue")
@guarded(can_review, load=load_edition)
def queue(edition):
    settings, phase = _phase(edition)
    return render_template("review/queue.html", edition=edition, queue=scoring.queue_of(current_user, edition),
                           phase=phase, settings=settings)


@bp.get("/<slug>/review/proposals/<code>")
@guarded(can_open_review_proposal, load=load_review_proposal, hide=True)
def proposal(edition, proposal):
    settings, phase = _phase(edition)
    criteria = criteria_of(edition)
    own = scoring.review_of(current_user, proposal)
    return render_template(
        "review/proposal.html", edition=edition, view=proposal_view(proposal, blind=settings.blind),
        criteria=criteria, own=own, own_scores={s.criterion_id: s.value for s in own.scores} if own else {},
        own_total=scoring.weighted_total(own, criteria) if own else None,
        others=scoring.others_reviews(current_user, edition, proposal),
        can_score=can_score_proposal(current_user, edition, proposal), phase=phase, action_form=ActionForm())


@bp.route("/<slug>/review/proposals/<code>/score", methods=["GET", "POST"])
@guarded(can_score_proposal, load=load_review_proposal, hide=True)
def score(edition, proposal):
    settings, phase = _phase(edition)
    criteria = criteria_of(edition)
    own = scoring.review_of(current_user, proposal)
    form_class = review_form_class(criteria)
    if own is not None and request.method == "GET":
        form = form_class(comment=own.comment, feedback=own.feedback,
                          **{f"score_{s.criterion_id}": s.value for s in own.scores})
    else:
        form = form_class()

    def save():
        data = scoring.ReviewData(
            scores={c.id: getattr(form, scoring.score_field(c)).data for c in criteria},
            comment=form.comment.data or "", feedback=form.feedback.data or "")
        return scoring.save_review(edition, proposal, data, actor=current_user)

    def back(_review):
        if form.submit_stay.data:
            return url_for("review.score", slug=edition.slug, code=proposal.code)
        following = scoring.next_to_review(current_user, edition, proposal.code)
        if following:
            return url_for("review.score", slug=edition.slug, code=following)
        return url_for("review.queue", slug=edition.slug)

    return run_form(
        form, save, done=gettext("Review saved."), back=back,
        render=lambda: render_template(
            "review/score.html", edition=edition, form=form, criteria=criteria, phase=phase, settings=settings,
            view=proposal_view(proposal, blind=settings.blind), own=own,
            queue=scoring.queue_of(current_user, edition)))


@bp.route("/<slug>/review/bids", methods=["GET", "POST"])
@guarded(can_review, load=load_edition)
def bid_list(edition):
    theme_id = int_arg("theme")
    page = page_arg()
    if request.method == "POST":
        levels = {key[4:]: value for key, value in request.form.items() if key.startswith("bid-")}
        return run_button(lambda: bids.set_bids(edition, levels, actor=current_user),
                          done=lambda n: gettext("Bids saved (%(count)d changed).", count=n),
                          back=url_for("review.bid_list", slug=edition.slug, page=page, theme=theme_id))
    return render_template(
        "review/bids.html", edition=edition, page=bids.bid_page(current_user, edition, page=page, theme_id=theme_id),
        levels=[(level.value, str(BID_LABELS[level])) for level in BidLevel], theme_id=theme_id,
        pager_args={"slug": edition.slug, **({"theme": theme_id} if theme_id else {})}, action_form=ActionForm())


@bp.get("/<slug>/review/conflicts")
@guarded(can_review, load=load_edition)
def conflict_list(edition):
    return render_template("review/conflicts.html", edition=edition,
                           declared=conflicts.declared_conflicts(current_user, edition), action_form=ActionForm())


@bp.post("/<slug>/review/proposals/<code>/conflict")
@guarded(can_open_review_proposal, load=load_review_proposal, hide=True)
def declare_conflict(edition, proposal):
    return run_button(lambda: conflicts.declare_conflict(proposal, actor=current_user),
                      done=gettext("Conflict declared: the proposal is no longer shown to you."),
                      back=url_for("review.conflict_list", slug=edition.slug))


@bp.post("/<slug>/review/conflicts/<int:conflict_id>/withdraw")
@guarded(can_review, load=load_conflict)
def withdraw_conflict(edition, conflict):
    return run_button(lambda: conflicts.withdraw_conflict(conflict, actor=current_user),
                      done=gettext("Conflict withdrawn."), back=url_for("review.conflict_list", slug=edition.slug))


@bp.route("/<slug>/review/themes", methods=["GET", "POST"])
@guarded(can_review, load=load_edition)
def themes(edition):
    form = ThemesForm(themes=sorted(expertise.themes_of(current_user, edition)) if request.method == "GET" else None)
    form.themes.choices = choices((theme.id, theme.name) for theme in edition.themes)
    return run_form(form, lambda: expertise.set_reviewer_themes(edition, form.themes.data or [], actor=current_user),
                    done=gettext("Your themes are saved."), back=url_for("review.landing", slug=edition.slug),
                    render=lambda: render_template("review/themes.html", edition=edition, form=form))
