"""The organizers' side of the review under /<slug>/manage/review/: the phase's settings,
the scoring criteria, review teams, and manual assignment (with the conflicts found)."""

from __future__ import annotations

from flask import Blueprint, render_template, request, url_for
from flask_babel import gettext, lazy_gettext
from flask_login import current_user

from convention.accounts.models import User
from convention.cfp.services import get_proposal
from convention.core.errors import DomainError
from convention.core.forms import ActionForm
from convention.core.inputs import page_arg
from convention.core.permissions import guarded
from convention.core.timeutil import to_local, to_utc
from convention.core.views import run_button, run_form
from convention.editions.loaders import load_edition
from convention.editions.navigation import register_link
from convention.extensions import db
from convention.review import assignment as manual
from convention.review import conflicts, expertise, settings
from convention.review.forms import AssignForm, CriterionForm, SettingsForm, TeamForm, choices
from convention.review.loaders import load_assignment, load_criterion, load_team
from convention.review.permissions import can_manage_review

bp = Blueprint("review_manage", __name__)

register_link("manage", lazy_gettext("Review"), "review_manage.settings", order=25, section=("manage/review/",))


def _local(value, edition):
    local = to_local(value, edition.timezone)
    return local.replace(tzinfo=None) if local else None


def _utc(value, edition):
    return to_utc(value, edition.timezone) if value else None


@bp.route("/<slug>/manage/review/", methods=["GET", "POST"], endpoint="settings")
@guarded(can_manage_review, load=load_edition)
def settings_page(edition):
    current = settings.get_settings(edition)
    form = SettingsForm(obj=None if request.method == "POST" else current)
    if request.method == "GET":
        form.opens_at.data, form.closes_at.data = _local(current.opens_at, edition), _local(current.closes_at, edition)

    def save():
        return settings.save_settings(edition, settings.SettingsData(
            opens_at=_utc(form.opens_at.data, edition), closes_at=_utc(form.closes_at.data, edition),
            blind=form.blind.data, scores_visible_after_own=form.scores_visible_after_own.data,
            reviews_per_proposal=form.reviews_per_proposal.data), actor=current_user)

    return run_form(form, save, done=gettext("Review settings saved."),
                    back=url_for("review_manage.settings", slug=edition.slug),
                    render=lambda: render_template("review/manage/settings.html", edition=edition, form=form,
                                                   criteria=settings.criteria_of(edition), action_form=ActionForm()))


def _criterion_form_page(edition, criterion):
    form = CriterionForm(obj=criterion if request.method == "GET" else None)

    def save():
        data = settings.CriterionData(name=form.name.data, description=form.description.data or "",
                                      scale_min=form.scale_min.data, scale_max=form.scale_max.data,
                                      weight=form.weight.data)
        return settings.save_criterion(edition, data, actor=current_user, criterion=criterion)

    return run_form(form, save, done=gettext("Criterion saved."),
                    back=url_for("review_manage.settings", slug=edition.slug),
                    render=lambda: render_template("review/manage/criterion_form.html", edition=edition, form=form,
                                                   criterion=criterion))


@bp.route("/<slug>/manage/review/criteria/new", methods=["GET", "POST"])
@guarded(can_manage_review, load=load_edition)
def new_criterion(edition):
    return _criterion_form_page(edition, None)


@bp.route("/<slug>/manage/review/criteria/<int:criterion_id>", methods=["GET", "POST"])
@guarded(can_manage_review, load=load_criterion)
def edit_criterion(edition, criterion):
    return _criterion_form_page(edition, criterion)


@bp.post("/<slug>/manage/review/criteria/<int:criterion_id>/delete")
@guarded(can_manage_review, load=load_criterion)
def delete_criterion(edition, criterion):
    return run_button(lambda: settings.delete_criterion(criterion, actor=current_user),
                      done=gettext("Criterion deleted."), back=url_for("review_manage.settings", slug=edition.slug))


# -- teams ---------------------------------------------------------------------------------------


def _team_form(edition, team):
    if request.method == "GET" and team is not None:
        form = TeamForm(name=team.name, themes=[t.theme_id for t in team.themes],
                        members=[m.user_id for m in team.members])
    else:
        form = TeamForm()
    form.themes.choices = choices((theme.id, theme.name) for theme in edition.themes)
    form.members.choices = choices((user.id, user.name) for user in conflicts.reviewer_users(edition))
    return form


def _save_team(edition, form, team):
    return expertise.save_team(edition, form.name.data, form.themes.data or [], form.members.data or [],
                               actor=current_user, team=team)


@bp.route("/<slug>/manage/review/teams", methods=["GET", "POST"])
@guarded(can_manage_review, load=load_edition)
def teams(edition):
    form = _team_form(edition, None)
    return run_form(form, lambda: _save_team(edition, form, None), done=gettext("Team created."),
                    back=url_for("review_manage.teams", slug=edition.slug),
                    render=lambda: render_template(
                        "review/manage/teams.html", edition=edition, form=form, teams=expertise.teams_of(edition),
                        reviewers=expertise.reviewers_with_themes(edition), action_form=ActionForm()))


@bp.route("/<slug>/manage/review/teams/<int:team_id>", methods=["GET", "POST"])
@guarded(can_manage_review, load=load_team)
def edit_team(edition, team):
    form = _team_form(edition, team)
    return run_form(form, lambda: _save_team(edition, form, team), done=gettext("Team saved."),
                    back=url_for("review_manage.teams", slug=edition.slug),
                    render=lambda: render_template("review/manage/team_form.html", edition=edition, form=form,
                                                   team=team))


@bp.post("/<slug>/manage/review/teams/<int:team_id>/delete")
@guarded(can_manage_review, load=load_team)
def delete_team(edition, team):
    return run_button(lambda: expertise.delete_team(team, actor=current_user), done=gettext("Team deleted."),
                      back=url_for("review_manage.teams", slug=edition.slug))


# -- manual assignment ---------------------------------------------------------------------------


def _assign_form(edition):
    form = AssignForm()
    form.reviewer.choices = choices((user.id, user.name) for user in conflicts.reviewer_users(edition))
    return form


@bp.get("/<slug>/manage/review/assignments")
@guarded(can_manage_review, load=load_edition)
def assignments(edition):
    missing = request.args.get("missing") == "1"
    wanted = settings.get_settings(edition).reviews_per_proposal
    return render_template(
        "review/manage/assignments.html", edition=edition, form=_assign_form(edition), wanted=wanted, missing=missing,
        page=manual.assignment_page(edition, page=page_arg(), missing_only=missing, wanted=wanted),
        loads=manual.loads(edition), pager_args={"slug": edition.slug, **({"missing": "1"} if missing else {})},
        action_form=ActionForm())


@bp.post("/<slug>/manage/review/assignments")
@guarded(can_manage_review, load=load_edition)
def assign(edition):
    form = _assign_form(edition)

    def save():
        proposal = get_proposal(edition, (form.code.data or "").upper())
        user = db.session.get(User, form.reviewer.data) if form.reviewer.data else None
        if proposal is None:
            raise DomainError(gettext("No proposal has this code in this edition."), field="code")
        if user is None:
            raise DomainError(gettext("Choose a reviewer."), field="reviewer")
        return manual.assign(proposal, user, actor=current_user)

    back = url_for("review_manage.assignments", slug=edition.slug)
    return run_form(form, save, done=gettext("Reviewer assigned."), back=back,
                    render=lambda: render_template(
                        "review/manage/assignments.html", edition=edition, form=form, wanted=0, missing=False,
                        page=manual.assignment_page(edition), loads=manual.loads(edition),
                        pager_args={"slug": edition.slug}, action_form=ActionForm()))


@bp.post("/<slug>/manage/review/assignments/<int:assignment_id>/delete")
@guarded(can_manage_review, load=load_assignment)
def unassign(edition, assignment):
    return run_button(lambda: manual.unassign(assignment, actor=current_user), done=gettext("Assignment removed."),
                      back=url_for("review_manage.assignments", slug=edition.slug))


@bp.get("/<slug>/manage/review/conflicts")
@guarded(can_manage_review, load=load_edition)
def conflict_list(edition):
    return render_template("review/manage/conflicts.html", edition=edition,
                           page=conflicts.conflict_page(edition, page=page_arg()), pager_args={"slug": edition.slug},
                           action_form=ActionForm())


@bp.post("/<slug>/manage/review/conflicts/refresh")
@guarded(can_manage_review, load=load_edition)
def refresh_conflicts(edition):
    return run_button(lambda: conflicts.refresh_automatic_conflicts(edition, actor=current_user),
                      done=lambda n: gettext("Conflicts checked: %(count)d found by the rules.", count=n),
                      back=url_for("review_manage.conflict_list", slug=edition.slug))
