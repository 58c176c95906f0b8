"""The committee's side of the review: the ranking with its dashboard, decisions one by
one or in bulk, and telling the speakers (templates, preview, send)."""

from __future__ import annotations

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext, lazy_gettext, ngettext
from flask_login import current_user

from convention.cfp.loaders import load_proposal
from convention.core.forms import ActionForm
from convention.core.inputs import page_arg, query_args
from convention.core.permissions import guarded
from convention.core.views import perform_button, run_button, run_form
from convention.editions.loaders import get_edition_or_404, load_edition
from convention.review import dashboard, decisions, notifications, quotas, ranking
from convention.review.forms_decisions import (
    BulkDecisionForm,
    NotificationTemplateForm,
    RankingFilterForm,
    quota_form_class,
)
from convention.review.models import Outcome
from convention.review.permissions import can_decide

bp = Blueprint("review_decisions", __name__)

FILTER_ARGS = ("theme", "format", "state", "decision", "sort")
OUTCOME_WORDS = {"accept": Outcome.ACCEPT, "reject": Outcome.REJECT, "clear": None}
SORT_LABELS = {
    "score": lazy_gettext("Score"), "spread": lazy_gettext("Disagreement"),
    "reviews": lazy_gettext("Fewest reviews"), "code": lazy_gettext("Code"),
}


def _filter(form: RankingFilterForm) -> ranking.RankingFilter:
    sort = request.args.get("sort", "score")
    decision = form.decision.data if not form.decision.errors else None
    return ranking.RankingFilter(
        theme_id=form.theme.data if form.theme.data and not form.theme.errors else None,
        format_id=form.format.data if form.format.data and not form.format.errors else None,
        state=form.state_value(),
        decision=decision or None,
        sort=sort if sort in ranking.SORTS else "score",
    )


@bp.get("/<slug>/manage/review/ranking")
@guarded(can_decide, load=load_edition)
def ranking_view(edition):
    form = RankingFilterForm(formdata=request.args)
    form.set_choices(edition)
    form.validate()
    flt = _filter(form)
    args = query_args(*FILTER_ARGS)
    return render_template(
        "review/decisions/ranking.html",
        edition=edition,
        form=form,
        flt=flt,
        page=ranking.ranking_page(edition, flt, page=page_arg()),
        pager_args={"slug": edition.slug, **args},
        sort_links={key: url_for("review_decisions.ranking_view", slug=edition.slug, **{**args, "sort": key})
                    for key in ranking.SORTS},
        sort_labels=SORT_LABELS,
        bulk_url=url_for("review_decisions.bulk", slug=edition.slug, **args, **query_args("page")),
        bulk_form=BulkDecisionForm(),
        themes=dashboard.theme_counts(edition, quotas.get_quotas(edition)),
        formats=dashboard.format_counts(edition),
        reviewers=dashboard.reviewer_progress(edition),
        histogram=dashboard.score_histogram(edition),
        chart_height=dashboard.CHART_HEIGHT,
        bar_width=dashboard.BAR_WIDTH,
        untold=decisions.untold_counts(edition),
    )


@bp.post("/<slug>/manage/review/ranking/decide")
@guarded(can_decide, load=load_edition)
def bulk(edition):
    form = BulkDecisionForm()
    back = url_for("review_decisions.ranking_view", slug=edition.slug, **query_args(*FILTER_ARGS, "page"))
    if form.validate_on_submit():
        outcome = OUTCOME_WORDS[form.outcome.data]
        perform_button(
            lambda: decisions.decide_many(edition, form.proposal.data or [], outcome, actor=current_user),
            done=lambda n: ngettext("%(num)d proposal decided.", "%(num)d proposals decided.", n)
            if outcome else ngettext("%(num)d decision cleared.", "%(num)d decisions cleared.", n),
            form=form,
        )
    else:  # (a missing CSRF token is refused before the view)
        flash(gettext("Choose to accept, reject or clear the ticked proposals."), "danger")
    return redirect(back)


@bp.get("/<slug>/manage/review/decisions/<code>")
@guarded(can_decide, load=load_proposal)
def proposal(edition, proposal):
    decision = ranking.decision_of(proposal)
    return render_template(
        "review/decisions/proposal.html",
        edition=edition,
        proposal=proposal,
        reviews=ranking.proposal_reviews(proposal),
        decision=decision,
        can_change=decision is None or decision.notified_at is None,
        is_decidable=proposal.state is decisions.DECIDABLE_STATE,
        action_form=ActionForm(),
    )


def _load_outcome(slug: str, code: str, word: str) -> dict:
    if word not in OUTCOME_WORDS:
        abort(404)
    return {**load_proposal(slug, code), "word": word}


@bp.post("/<slug>/manage/review/decisions/<code>/<word>")
@guarded(can_decide, load=_load_outcome)
def decide(edition, proposal, word):
    outcome = OUTCOME_WORDS[word]
    if outcome is None:
        action = lambda: decisions.clear_decision(proposal, actor=current_user)  # noqa: E731
        done = gettext("The decision on “%(title)s” is cleared.", title=proposal.title)
    else:
        action = lambda: decisions.decide(proposal, outcome, actor=current_user)  # noqa: E731
        done = gettext("“%(title)s”: %(outcome)s. The speakers are told when you send the notifications.",
                       title=proposal.title, outcome=outcome.label.lower())
    return run_button(action, done=done,
                      back=url_for("review_decisions.proposal", slug=edition.slug, code=proposal.code))


@bp.route("/<slug>/manage/review/quotas", methods=["GET", "POST"])
@guarded(can_decide, load=load_edition)
def quotas_view(edition):
    saved = quotas.get_quotas(edition)
    form = quota_form_class(edition)(data={name: saved.get(theme_id) for theme_id, name in
                                           quota_form_class(edition).theme_fields})
    back = url_for("review_decisions.ranking_view", slug=edition.slug)
    return run_form(
        form,
        lambda: quotas.save_quotas(edition, form.quotas(), actor=current_user),
        done=gettext("The theme quotas are saved."),
        back=back,
        render=lambda: render_template("review/decisions/quotas.html", edition=edition, form=form, back=back),
    )


# -- telling the speakers --------------------------------------------------------------------------


@bp.get("/<slug>/manage/review/notifications/")
@guarded(can_decide, load=load_edition)
def notifications_view(edition):
    templates = [notifications.get_template(edition, outcome) for outcome in Outcome]
    return render_template(
        "review/decisions/notifications.html",
        edition=edition,
        templates=[(t, notifications.preview(edition, t)) for t in templates],
        untold=decisions.untold_counts(edition),
        action_form=ActionForm(),
    )


def _load_template_outcome(slug: str, outcome: str) -> dict:
    try:
        return {"edition": get_edition_or_404(slug), "outcome": Outcome(outcome)}
    except ValueError:
        abort(404)


@bp.route("/<slug>/manage/review/notifications/<outcome>", methods=["GET", "POST"])
@guarded(can_decide, load=_load_template_outcome)
def edit_template(edition, outcome):
    current = notifications.get_template(edition, outcome)
    form = NotificationTemplateForm(data={"subject": current.subject, "body": current.body})
    back = url_for("review_decisions.notifications_view", slug=edition.slug)
    preview = None
    if form.preview.data and form.validate_on_submit():
        unsaved = notifications.TemplateText(outcome, form.subject.data, form.body.data, True)
        for name in ("subject", "body"):
            unknown = notifications.unknown_placeholders(getattr(form, name).data)
            if unknown:
                getattr(form, name).errors.append(gettext("Unknown placeholder {%(name)s}.", name=unknown[0]))
        preview = notifications.preview(edition, unsaved)
        return render_template("review/decisions/template_form.html", edition=edition, outcome=outcome, form=form,
                               preview=preview, placeholders=notifications.PLACEHOLDERS, back=back)
    return run_form(
        form,
        lambda: notifications.save_template(edition, outcome, form.subject.data, form.body.data, actor=current_user),
        done=gettext("The message is saved. Nobody was told yet."),
        back=back,
        render=lambda: render_template("review/decisions/template_form.html", edition=edition, outcome=outcome,
                                       form=form, preview=notifications.preview(edition, current),
                                       placeholders=notifications.PLACEHOLDERS, back=back),
    )


@bp.post("/<slug>/manage/review/notifications/send")
@guarded(can_decide, load=load_edition)
def send(edition):
    def done(report: decisions.SendReport) -> str:
        message = gettext("Notifications sent: %(accepted)d accepted, %(rejected)d not accepted.",
                          accepted=report.accepted, rejected=report.rejected)
        if report.skipped:
            message += " " + ngettext("%(num)d withdrawn proposal was skipped.",
                                      "%(num)d withdrawn proposals were skipped.", report.skipped)
        return message

    return run_button(lambda: decisions.send_notifications(edition, actor=current_user), done=done,
                      back=url_for("review_decisions.notifications_view", slug=edition.slug))

