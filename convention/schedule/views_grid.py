"""The grid editor under /<slug>/manage/schedule/: the days x rooms grid of the draft, the
unscheduled talks, the JSON endpoints the drag and drop calls (each move saved and checked
at once), the keyboard way (a form per talk), and the published versions."""

from __future__ import annotations

from datetime import date, datetime

from flask import Blueprint, current_app, flash, jsonify, redirect, render_template, request, url_for
from flask_babel import gettext
from flask_login import current_user
from redis.exceptions import RedisError
from wtforms import SelectChoice

from convention.cfp.call import day_text
from convention.core.errors import DomainError, NotFound
from convention.core.forms import ActionForm
from convention.core.permissions import guarded
from convention.core.timeutil import to_local, to_utc
from convention.core.views import run_action, run_button, run_form
from convention.editions.loaders import load_edition
from convention.editions.permissions import can_manage_edition
from convention.extensions import db
from convention.schedule import autoschedule, grid, jobs, placement, setup, versions
from convention.schedule.forms import AudienceForm, PlaceForm, PublishForm
from convention.schedule.loaders import load_edition_and_args, load_talk
from convention.schedule.models import Slot

bp = Blueprint("schedule_manage", __name__)


def _editor_url(edition):
    return url_for("schedule_manage.editor", slug=edition.slug)


def place_form(edition, editor_rooms, days, proposal_id: int, slot: Slot | None = None) -> PlaceForm:
    form = PlaceForm(prefix=f"talk-{proposal_id}")
    form.room_id.choices = [SelectChoice(room.id, room.name) for room in editor_rooms]
    form.day.choices = [SelectChoice(day.day.isoformat(), day_text(day.day, "EEE dd MMM")) for day in days]
    if slot is not None and not form.is_submitted():
        local = to_local(slot.starts_at, edition.timezone)
        form.room_id.data = slot.room_id
        form.day.data = local.date().isoformat()
        form.time.data = local.time().replace(tzinfo=None)
    return form


@bp.get("/<slug>/manage/schedule/")
@guarded(can_manage_edition, load=load_edition)
def editor(edition):
    view = grid.build_editor(edition)
    days = setup.list_days(edition)
    forms = {talk.id: place_form(edition, view.rooms, days, talk.id) for talk in view.unscheduled}
    return render_template("schedule/editor.html", edition=edition, view=view, forms=forms,
                           action_form=ActionForm(), latest=versions.latest_version(edition),
                           time_limit=int(autoschedule.TIME_LIMIT_SECONDS), job_id=_running_job(edition))


def _running_job(edition) -> str | None:
    """The background run the page was sent to follow (``?job=``), if it is this edition's."""
    job_id = request.args.get("job", "")
    return job_id if jobs.background_enabled() and job_id.startswith(jobs.job_prefix(edition)) else None


def _problems_json(problems):
    return [{"kind": p.kind, "hard": p.hard, "message": p.message} for p in problems]


def _refused_json(error: DomainError):
    status = 404 if isinstance(error, NotFound) else 409
    problems = getattr(error, "problems", [])
    return jsonify(error=error.message, problems=_problems_json(problems)), status


@bp.post("/<slug>/manage/schedule/slots")
@guarded(can_manage_edition, load=load_edition)
def place_json(edition):
    body = request.get_json(silent=True)
    if not isinstance(body, dict):
        return jsonify(error=gettext("Send the talk, the room and the start as JSON.")), 400

    def action():
        proposal = placement.find_talk(edition, body.get("proposal_id"))
        room = placement.find_room(edition, body.get("room_id"))
        start = placement.parse_start(body.get("start"))
        return placement.place_talk(edition, proposal, room, start, actor=current_user)

    return run_action(
        action,
        done=lambda result: jsonify(ok=True, slot={"proposal_id": result[0].proposal_id, "room_id": result[0].room_id,
                                                   "starts_at": result[0].starts_at.isoformat(),
                                                   "ends_at": result[0].ends_at.isoformat()},
                                    warnings=_problems_json(result[1])),
        refused=_refused_json,
    )


@bp.route("/<slug>/manage/schedule/slots/<int:proposal_id>", methods=["DELETE"])
@guarded(can_manage_edition, load=load_talk)
def unschedule_json(edition, proposal):
    return _unschedule_json(edition, proposal)


def _unschedule_json(edition, proposal):
    return run_action(lambda: placement.unschedule_talk(edition, proposal, actor=current_user),
                      done=lambda _result: jsonify(ok=True), refused=_refused_json)


@bp.post("/<slug>/manage/schedule/slots/<int:proposal_id>/unschedule")
@guarded(can_manage_edition, load=load_talk)
def unschedule(edition, proposal):
    """The same as DELETE, for a form button (no JavaScript) or a fetch() that prefers POST."""
    if request.is_json:
        return _unschedule_json(edition, proposal)
    if not ActionForm().validate_on_submit():
        return redirect(_editor_url(edition))

    def done(_result):
        flash(gettext("“%(title)s” is no longer in the schedule.", title=proposal.title), "success")
        return redirect(_editor_url(edition))

    def refused(error):
        flash(error.message, "danger")
        return redirect(_editor_url(edition))

    return run_action(lambda: placement.unschedule_talk(edition, proposal, actor=current_user),
                      done=done, refused=refused)


@bp.route("/<slug>/manage/schedule/talks/<int:proposal_id>", methods=["GET", "POST"])
@guarded(can_manage_edition, load=load_talk)
def place_talk(edition, proposal):
    """The keyboard (and no-JavaScript) way: choose a room, a day and a time."""
    rooms = grid.list_rooms(edition)
    days = setup.list_days(edition)
    slot = db.session.scalar(db.select(Slot).where(Slot.proposal_id == proposal.id))
    form = place_form(edition, rooms, days, proposal.id, slot)

    def save():
        try:
            day = date.fromisoformat(form.day.data or "")
        except ValueError:
            raise NotFound(gettext("Choose a day of the schedule."), field="day") from None
        room = placement.find_room(edition, form.room_id.data)
        start = to_utc(datetime.combine(day, form.time.data), edition.timezone)
        return placement.place_talk(edition, proposal, room, start, actor=current_user)

    def done(result):
        warnings = result[1]
        if warnings:
            return gettext("“%(title)s” is placed, with warnings: %(warnings)s", title=proposal.title,
                           warnings=" ".join(p.message for p in warnings))
        return gettext("“%(title)s” is placed.", title=proposal.title)

    return run_form(
        form, save, done=done, back=_editor_url(edition),
        render=lambda: render_template("schedule/place.html", edition=edition, proposal=proposal, form=form,
                                       slot=slot, action_form=ActionForm(), audience_form=_audience_form(proposal)),
    )


def _audience_form(proposal, form: AudienceForm | None = None) -> AudienceForm:
    form = form or AudienceForm(prefix="audience")
    if not form.is_submitted():
        form.expected_audience.data = proposal.expected_audience
    return form


@bp.post("/<slug>/manage/schedule/talks/<int:proposal_id>/audience")
@guarded(can_manage_edition, load=load_talk)
def set_audience(edition, proposal):
    """The expected audience of a talk; the room-size check flags a room with fewer seats."""
    form = AudienceForm(prefix="audience")
    slot = db.session.scalar(db.select(Slot).where(Slot.proposal_id == proposal.id))

    def done(problems):
        small = [p.message for p in problems if p.kind == "room_small"]
        if small:
            return gettext("The expected audience is saved. %(warning)s", warning=" ".join(small))
        return gettext("The expected audience is saved.")

    return run_form(
        form, lambda: placement.set_expected_audience(edition, proposal, form.expected_audience.data,
                                                      actor=current_user),
        done=done, back=url_for("schedule_manage.place_talk", slug=edition.slug, proposal_id=proposal.id),
        render=lambda: render_template("schedule/place.html", edition=edition, proposal=proposal,
                                       form=place_form(edition, grid.list_rooms(edition), setup.list_days(edition),
                                                       proposal.id, slot),
                                       slot=slot, action_form=ActionForm(), audience_form=_audience_form(proposal, form)),
    )


@bp.post("/<slug>/manage/schedule/slots/<int:proposal_id>/pin")
@guarded(can_manage_edition, load=load_talk)
def pin(edition, proposal):
    """Pin or free a placed talk (the form's ``pinned`` says which)."""
    pinned = request.form.get("pinned") == "1"
    return run_button(
        lambda: placement.set_pinned(edition, proposal, pinned, actor=current_user),
        done=gettext("“%(title)s” is pinned: the scheduler leaves it where it is.", title=proposal.title) if pinned
        else gettext("“%(title)s” is no longer pinned.", title=proposal.title),
        back=url_for("schedule_manage.place_talk", slug=edition.slug, proposal_id=proposal.id))


@bp.post("/<slug>/manage/schedule/run")
@guarded(can_manage_edition, load=load_edition)
def run_scheduler(edition):
    """The automatic scheduler: with REDIS_URL a background job whose progress the editor
    polls; otherwise (or if Redis cannot be reached) synchronously, the report as messages."""
    if not ActionForm().validate_on_submit():
        return redirect(_editor_url(edition))
    if jobs.background_enabled():
        try:
            job_id = jobs.enqueue_scheduler(edition, actor=current_user)
        except RedisError:
            current_app.logger.warning("schedule: Redis unreachable, the scheduler runs in the request")
        else:
            flash(gettext("The scheduler is running in the background; its progress shows below."), "info")
            return redirect(url_for("schedule_manage.editor", slug=edition.slug, job=job_id))

    def done(report):
        flash(report.summary, "success" if report.placed == report.total else "warning")
        for reason in report.reasons:
            flash(reason, "info")
        return redirect(_editor_url(edition))

    def refused(error):
        flash(error.message, "danger")
        return redirect(_editor_url(edition))

    return run_action(lambda: autoschedule.run_scheduler(edition, actor=current_user), done=done, refused=refused)


@bp.get("/<slug>/manage/schedule/run/<job_id>")
@guarded(can_manage_edition, load=load_edition_and_args)
def scheduler_status(edition, job_id):
    """JSON the editor polls while a background run goes on: state, solutions, objective."""
    found = jobs.job_status(edition, job_id) if jobs.background_enabled() else None
    if found is None:
        return jsonify(error=gettext("No such scheduler run.")), 404
    return jsonify(found)


# -- versions --------------------------------------------------------------------------------


@bp.route("/<slug>/manage/schedule/versions", methods=["GET", "POST"])
@guarded(can_manage_edition, load=load_edition)
def versions_page(edition):
    form = PublishForm()
    return run_form(
        form,
        lambda: versions.publish_version(edition, form.name.data, actor=current_user),
        done=lambda version: gettext("Version %(number)d “%(name)s” is published.", number=version.number,
                                     name=version.name),
        back=url_for("schedule_manage.versions_page", slug=edition.slug),
        render=lambda: render_template("schedule/versions.html", edition=edition, form=form,
                                       versions=versions.list_versions(edition)),
    )

