"""The organizer's side of the call: the proposal table, decisions, CSV, questions, late links."""

from __future__ import annotations

import itertools
from datetime import timedelta

from flask import Blueprint, Response, render_template, request, stream_with_context, url_for
from flask_babel import gettext, lazy_gettext
from flask_login import current_user

from convention.cfp import late_grants, submission
from convention.cfp import manage_services as manage
from convention.cfp.answers import questions_of, questions_with_answers
from convention.cfp.forms import LateLinkForm, ProposalFilterForm, QuestionForm
from convention.cfp.history import proposal_history
from convention.cfp.loaders import load_late_grant, load_organizer_move, load_proposal, load_question
from convention.cfp.models import AudienceLevel, Language
from convention.cfp.permissions import can_manage_proposals
from convention.cfp.states import ORGANIZER_MOVES, Mover, ProposalState, is_accepted
from convention.core.forms import ActionForm
from convention.core.inputs import page_arg, query_args
from convention.core.permissions import guarded
from convention.core.timeutil import to_local, to_utc, utcnow
from convention.core.views import run_button, run_form
from convention.editions.loaders import load_edition
from convention.editions.navigation import register_link

bp = Blueprint("cfp_manage", __name__)

FILTER_ARGS = ("theme", "format", "state", "language", "level", "q")  # the fields of ProposalFilterForm
TABLE_COLUMNS = [
    ("code", lazy_gettext("Code")), ("title", lazy_gettext("Title")), (None, lazy_gettext("Speakers")),
    ("theme", lazy_gettext("Theme")), ("format", lazy_gettext("Format")), ("level", lazy_gettext("Level")),
    ("language", lazy_gettext("Lang.")), ("state", lazy_gettext("State")), ("updated", lazy_gettext("Last change")),
]


def _filter(form: ProposalFilterForm) -> manage.ProposalFilter:
    def enum_or_none(enum_class, value):
        try:
            return enum_class(value) if value else None
        except ValueError:
            return None

    sort = request.args.get("sort", "updated")
    return manage.ProposalFilter(
        theme_id=form.theme.data if form.theme.data and not form.theme.errors else None,
        format_id=form.format.data if form.format.data and not form.format.errors else None,
        state=enum_or_none(ProposalState, form.state.data),
        language=enum_or_none(Language, form.language.data),
        level=enum_or_none(AudienceLevel, form.level.data),
        search=(form.q.data or "")[:100],
        sort=sort if sort in manage.SORT_COLUMNS else "updated",
        descending=request.args.get("dir", "desc" if sort == "updated" else "asc") == "desc",
    )


def _filter_form(edition) -> ProposalFilterForm:
    form = ProposalFilterForm(formdata=request.args)
    form.set_choices(edition)
    form.validate()
    return form


@bp.get("/<slug>/manage/proposals/")
@guarded(can_manage_proposals, load=load_edition)
def proposals(edition):
    form = _filter_form(edition)
    flt = _filter(form)
    args = query_args(*FILTER_ARGS)  # only our filters: never a visitor's _method, slug, ...
    sort_links = {}
    for key, _label in TABLE_COLUMNS:
        if key:
            direction = "desc" if key == flt.sort and not flt.descending else "asc"
            sort_links[key] = url_for("cfp_manage.proposals", slug=edition.slug, sort=key, dir=direction, **args)
    return render_template(
        "cfp/manage/proposals.html",
        edition=edition,
        form=form,
        flt=flt,
        page=manage.proposal_page(edition, flt, viewer=current_user, page=page_arg()),
        pager_args={"slug": edition.slug, **query_args(*FILTER_ARGS, "sort", "dir")},
        counts=manage.proposal_counts(edition),
        columns=TABLE_COLUMNS,
        sort_links=sort_links,
        states=list(ProposalState),
        export_url=url_for("cfp_manage.export", slug=edition.slug, **query_args(*FILTER_ARGS, "sort", "dir")),
    )


@bp.get("/<slug>/manage/proposals/export.csv")
@guarded(can_manage_proposals, load=load_edition)
def export(edition):
    lines = manage.export_csv_lines(edition, _filter(_filter_form(edition)), viewer=current_user)
    return Response(
        stream_with_context(itertools.chain(["\ufeff"], lines)),  # a BOM, then the rows as they are read
        mimetype="text/csv",
        headers={
            "Content-Disposition": f"attachment; filename={edition.slug}-proposals.csv",
            "Cache-Control": "private, no-store",
        },
    )


@bp.get("/<slug>/manage/proposals/<code>")
@guarded(can_manage_proposals, load=load_proposal)
def proposal(edition, proposal):
    return render_template(
        "cfp/manage/proposal.html",
        edition=edition,
        proposal=proposal,
        in_programme=is_accepted(proposal.state),
        questions=questions_with_answers(proposal),
        moves=submission.move_buttons(proposal, current_user, Mover.ORGANIZER),
        # Accept / reject are the committee's decision, made in the review (by endpoint name: cfp never imports review).
        decision_url=url_for("review_decisions.proposal", slug=edition.slug, code=proposal.code)
        if submission.offers_review_decision(proposal, current_user) else None,
        history=proposal_history(proposal),
        action_form=ActionForm(),
    )


@bp.post("/<slug>/manage/proposals/<code>/state/<move>")
@guarded(can_manage_proposals, load=load_organizer_move)
def move(edition, proposal, move):
    new_state = ORGANIZER_MOVES[move]
    return run_button(
        lambda: submission.set_proposal_state(proposal, new_state, actor=current_user),
        done=gettext("“%(title)s” is now %(state)s. The speakers are emailed.", title=proposal.title, state=new_state.label.lower()),
        back=url_for("cfp_manage.proposal", slug=edition.slug, code=proposal.code),
    )


# -- custom questions ------------------------------------------------------------------------------


@bp.get("/<slug>/manage/proposals/questions/")
@guarded(can_manage_proposals, load=load_edition)
def questions(edition):
    items = questions_of(edition)
    return render_template(
        "cfp/manage/questions.html", edition=edition,
        questions=[(q, manage.answer_count(q)) for q in items], action_form=ActionForm(),
    )


@bp.route("/<slug>/manage/proposals/questions/new", methods=["GET", "POST"])
@guarded(can_manage_proposals, load=load_edition)
def new_question(edition):
    return _question_form(edition, None)


@bp.route("/<slug>/manage/proposals/questions/<int:question_id>", methods=["GET", "POST"])
@guarded(can_manage_proposals, load=load_question)
def edit_question(edition, question):
    return _question_form(edition, question)


def _question_form(edition, question):
    form = QuestionForm(obj=question)
    if not form.is_submitted() and question is not None:
        form.kind.data = question.kind.value
    return run_form(
        form,
        lambda: manage.save_question(edition, _question_data(form), actor=current_user, question=question),
        done=gettext("The question is saved; it appears on the proposal form."),
        back=url_for("cfp_manage.questions", slug=edition.slug),
        render=lambda: render_template("cfp/manage/question_form.html", edition=edition, form=form, question=question),
    )


def _question_data(form) -> manage.QuestionData:
    return manage.QuestionData(
        label=form.label.data or "", kind=form.kind.data or "", help_text=form.help_text.data or "",
        choices=form.choices.data or "", required=bool(form.required.data), position=form.position.data or 0,
    )


@bp.post("/<slug>/manage/proposals/questions/<int:question_id>/delete")
@guarded(can_manage_proposals, load=load_question)
def delete_question(edition, question):
    return run_button(
        lambda: manage.delete_question(edition, question, actor=current_user),
        done=gettext("The question and its answers are deleted."),
        back=url_for("cfp_manage.questions", slug=edition.slug),
    )


# -- personal late-submission links ----------------------------------------------------------------


@bp.route("/<slug>/manage/proposals/late-links", methods=["GET", "POST"])
@guarded(can_manage_proposals, load=load_edition)
def late_links(edition):
    form = LateLinkForm()
    if not form.is_submitted():
        default = to_local(utcnow() + timedelta(days=7), edition.timezone)
        form.expires_at.data = default.replace(tzinfo=None, second=0, microsecond=0)
    return run_form(
        form,
        lambda: late_grants.create_late_grant(
            edition, form.email.data, to_utc(form.expires_at.data, edition.timezone), actor=current_user
        ),
        done=lambda made: gettext("We emailed a personal link to %(email)s. You can also send it yourself: %(link)s",
                                   email=made[0].email, link=made[1]),
        back=url_for("cfp_manage.late_links", slug=edition.slug),
        render=lambda: render_template(
            "cfp/manage/late_links.html", edition=edition, form=form, rows=late_grants.late_grant_rows(edition),
            action_form=ActionForm(),
        ),
    )


@bp.post("/<slug>/manage/proposals/late-links/<int:grant_id>/revoke")
@guarded(can_manage_proposals, load=load_late_grant)
def revoke_late_link(edition, grant):
    return run_button(
        lambda: late_grants.revoke_late_grant(edition, grant, actor=current_user),
        done=gettext("The link for %(email)s no longer works.", email=grant.email),
        back=url_for("cfp_manage.late_links", slug=edition.slug),
    )


register_link("manage", lazy_gettext("Proposals"), "cfp_manage.proposals", order=20)
