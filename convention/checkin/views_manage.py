"""The organizers' door pages under /<slug>/manage/checkin/: arrivals, lists and ticket keys."""

from __future__ import annotations

from datetime import date

from flask import Blueprint, render_template, url_for
from flask_babel import gettext, lazy_gettext
from flask_login import current_user
from wtforms.fields.choices import SelectChoice

from convention.badges.keys import list_keys, revoke_key, rotate_key
from convention.checkin import statistics
from convention.checkin.forms import CheckinListForm
from convention.checkin.lists import ListData, edition_days, list_lists, save_list, ticket_types_of
from convention.checkin.loaders import load_checkin_list, load_ticket_key
from convention.core.forms import ActionForm
from convention.core.permissions import guarded
from convention.core.views import run_button, run_form
from convention.editions.loaders import load_edition
from convention.editions.navigation import register_link
from convention.editions.permissions import can_manage_edition

bp = Blueprint("checkin_manage", __name__)

register_link(
    "manage", lazy_gettext("Check-in"), "checkin_manage.statistics_page", order=70, section=("manage/checkin/",)
)


@bp.get("/<slug>/manage/checkin/")
@guarded(can_manage_edition, load=load_edition)
def statistics_page(edition):
    buckets = statistics.arrivals_per_quarter(edition)
    return render_template(
        "checkin/manage_statistics.html",
        edition=edition,
        types=statistics.by_ticket_type(edition),
        buckets=buckets,
        bars=statistics.chart(buckets),
        chart_height=statistics.CHART_HEIGHT,
        bar_width=statistics.BAR_WIDTH,
    )


@bp.get("/<slug>/manage/checkin/lists/")
@guarded(can_manage_edition, load=load_edition)
def lists(edition):
    return render_template("checkin/manage_lists.html", edition=edition, lists=list_lists(edition))


def _list_form(edition, checkin_list=None) -> CheckinListForm:
    form = CheckinListForm(obj=checkin_list)
    form.ticket_types.choices = [SelectChoice(t.id, t.name) for t in ticket_types_of(edition)]
    form.days.choices = [SelectChoice(day.isoformat(), day.isoformat()) for day in edition_days(edition)]
    if not form.is_submitted() and checkin_list is not None:
        form.ticket_types.data = [t.id for t in checkin_list.ticket_types]
        form.days.data = list(checkin_list.days or [])
    return form


def _edit(edition, checkin_list, title):
    form = _list_form(edition, checkin_list)
    back = url_for("checkin_manage.lists", slug=edition.slug)

    def save():
        data = ListData(
            name=form.name.data,
            ticket_type_ids=list(form.ticket_types.data or []),
            days=[date.fromisoformat(day) for day in form.days.data or []],
            allow_reentry=form.allow_reentry.data,
        )
        return save_list(edition, data, checkin_list=checkin_list, actor=current_user)

    return run_form(
        form,
        save,
        done=lambda saved: gettext("List “%(name)s” saved.", name=saved.name),
        back=back,
        render=lambda: render_template("checkin/manage_list_form.html", edition=edition, form=form, title=title),
    )


@bp.route("/<slug>/manage/checkin/lists/new", methods=["GET", "POST"])
@guarded(can_manage_edition, load=load_edition)
def new_list(edition):
    return _edit(edition, None, gettext("New check-in list"))


@bp.route("/<slug>/manage/checkin/lists/<int:list_id>", methods=["GET", "POST"])
@guarded(can_manage_edition, load=load_checkin_list)
def edit_list(edition, checkin_list):
    return _edit(edition, checkin_list, gettext("Check-in list “%(name)s”", name=checkin_list.name))


@bp.get("/<slug>/manage/checkin/keys/")
@guarded(can_manage_edition, load=load_edition)
def keys(edition):
    found = list_keys(edition.id)
    signing = next((key.id for key in found if key.revoked_at is None), None)
    return render_template(
        "checkin/manage_keys.html", edition=edition, keys=found, signing=signing, action_form=ActionForm()
    )


@bp.post("/<slug>/manage/checkin/keys/rotate")
@guarded(can_manage_edition, load=load_edition)
def rotate(edition):
    return run_button(
        lambda: rotate_key(edition.id, actor=current_user),
        done=lambda key: gettext("Key %(id)d now signs new ticket codes; older keys still verify.", id=key.id),
        back=url_for("checkin_manage.keys", slug=edition.slug),
    )


@bp.post("/<slug>/manage/checkin/keys/<int:key_id>/revoke")
@guarded(can_manage_edition, load=load_ticket_key)
def revoke(edition, key):
    return run_button(
        lambda: revoke_key(edition.id, key.id, actor=current_user),
        done=lambda key: gettext("Key %(id)d revoked: codes it signed no longer verify.", id=key.id),
        back=url_for("checkin_manage.keys", slug=edition.slug),
    )
