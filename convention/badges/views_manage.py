"""The organizers' badge page under /<slug>/manage/badges/: counts, print sheets (all,
not yet printed, one ticket type), their progress and their PDFs.

With REDIS_URL a sheet is made by an RQ job and the page polls its progress; without
Redis (or when Redis cannot be reached) it is made in the request."""

from __future__ import annotations

from flask import Blueprint, Response, abort, current_app, flash, jsonify, redirect, render_template, request, url_for
from flask_babel import gettext, lazy_gettext, ngettext
from flask_login import current_user
from redis.exceptions import RedisError
from wtforms import SelectChoice

from convention.badges import jobs, sheets
from convention.badges.forms import SheetForm
from convention.badges.loaders import load_sheet
from convention.core.forms import apply_domain_error
from convention.core.permissions import guarded
from convention.core.views import run_action
from convention.editions.loaders import load_edition
from convention.editions.navigation import register_link
from convention.editions.permissions import can_manage_edition
from convention.registration.catalog import list_ticket_types

bp = Blueprint("badges_manage", __name__)

register_link("manage", lazy_gettext("Badges"), "badges_manage.page", order=45, section=("manage/badges/",))


def _page_url(edition, **args) -> str:
    return url_for("badges_manage.page", slug=edition.slug, **args)


def _form(edition) -> SheetForm:
    form = SheetForm()
    form.ticket_type.choices = [SelectChoice(0, gettext("Every ticket type"))] + [
        SelectChoice(ticket_type.id, ticket_type.name) for ticket_type in list_ticket_types(edition)
    ]
    return form


def _render(edition, form, following: str | None = None):
    following_sheet = None
    if following:
        following_sheet = next((s for s in sheets.recent_sheets(edition) if s.token == following), None)
    return render_template("badges/manage.html", edition=edition, form=form, counts=sheets.badge_counts(edition),
                           sheets=sheets.recent_sheets(edition), following=following_sheet)


@bp.get("/<slug>/manage/badges/")
@guarded(can_manage_edition, load=load_edition)
def page(edition):
    return _render(edition, _form(edition), request.args.get("sheet", "")[:32] or None)


@bp.post("/<slug>/manage/badges/sheets")
@guarded(can_manage_edition, load=load_edition)
def make_sheet(edition):
    form = _form(edition)
    if not form.validate_on_submit():
        return _render(edition, form), 422
    options = {"only_unprinted": bool(form.only_unprinted.data), "ticket_type_id": form.ticket_type.data or None}
    if jobs.background_enabled():
        def queue():
            return sheets.request_sheet(edition, actor=current_user, **options)

        def enqueue(sheet):
            try:
                jobs.enqueue_sheet(sheet, actor=current_user)
            except RedisError:
                current_app.logger.warning("badges: Redis unreachable, the sheet is made in the next request")
                return _build_inline(edition, sheet)
            flash(gettext("The print sheet is being made in the background; its progress shows below."), "info")
            return redirect(_page_url(edition, sheet=sheet.token))

        return run_action(queue, done=enqueue, refused=lambda error: _refused(edition, form, error))

    def build():
        sheet = sheets.request_sheet(edition, actor=current_user, **options)
        return sheets.build_sheet(sheet, actor=current_user)

    return run_action(build, done=lambda sheet: _made(edition, sheet),
                      refused=lambda error: _refused(edition, form, error))


def _build_inline(edition, sheet):
    return run_action(lambda: sheets.build_sheet(sheet, actor=current_user), done=lambda made: _made(edition, made),
                      refused=lambda error: _refused(edition, _form(edition), error))


def _made(edition, sheet):
    flash(ngettext("The print sheet is ready: %(num)d badge.", "The print sheet is ready: %(num)d badges.", sheet.total),
          "success")
    return redirect(_page_url(edition, sheet=sheet.token))


def _refused(edition, form, error):
    apply_domain_error(form, error)
    return _render(edition, form), 422


@bp.get("/<slug>/manage/badges/sheets/<token>")
@guarded(can_manage_edition, load=load_sheet)
def sheet_status(edition, sheet):
    """JSON the page polls while a sheet is made: state, badges done, total, the PDF's URL."""
    done, total = (sheet.done, sheet.total) if sheet.state == sheets.FINISHED else jobs.job_progress(sheet)
    answer = {"state": sheet.state, "done": done, "total": total}
    if sheet.state == sheets.FINISHED:
        answer["url"] = url_for("badges_manage.sheet_pdf", slug=edition.slug, token=sheet.token)
    return jsonify(answer)


@bp.get("/<slug>/manage/badges/sheets/<token>.pdf")
@guarded(can_manage_edition, load=load_sheet)
def sheet_pdf(edition, sheet):
    if sheet.state != sheets.FINISHED or sheet.pdf is None:
        abort(404)
    return Response(sheet.pdf, mimetype="application/pdf",
                    headers={"Content-Disposition": f'attachment; filename="badges-{edition.slug}-{sheet.token[:8]}.pdf"',
                             "Cache-Control": "private, no-store"})
