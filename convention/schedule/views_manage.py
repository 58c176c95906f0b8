"""Organizer pages of the schedule's frame under /<slug>/manage/schedule/: step of the
grid, the rooms' formats, days and opening hours, blocks (breaks, keynotes...)."""

from __future__ import annotations

from datetime import time

from flask import Blueprint, render_template, url_for
from flask_babel import gettext, lazy_gettext
from flask_login import current_user
from wtforms import SelectChoice

from convention.core.forms import ActionForm
from convention.core.permissions import guarded
from convention.core.timeutil import to_local
from convention.core.views import run_button, run_form
from convention.editions.loaders import load_edition
from convention.editions.permissions import can_manage_edition
from convention.schedule import grid, setup
from convention.schedule.forms import BlockForm, DayForm, GranularityForm, RoomScheduleForm
from convention.schedule.loaders import load_block, load_day, load_room

bp = Blueprint("schedule_setup", __name__)


def _setup_url(edition, anchor=None):
    return url_for("schedule_setup.setup_page", slug=edition.slug, _anchor=anchor)


@bp.route("/<slug>/manage/schedule/setup", methods=["GET", "POST"])
@guarded(can_manage_edition, load=load_edition)
def setup_page(edition):
    settings = setup.get_settings(edition)
    form = GranularityForm(granularity_minutes=settings.granularity_minutes)
    formats = {f.id: f.name for f in edition.formats}
    room_formats = setup.room_format_ids(edition)
    return run_form(
        form,
        lambda: setup.set_granularity(edition, form.granularity_minutes.data, actor=current_user),
        done=gettext("The step of the grid is saved."),
        back=_setup_url(edition),
        render=lambda: render_template(
            "schedule/setup.html", edition=edition, form=form, rooms=grid.list_rooms(edition),
            room_formats={room_id: sorted(formats[f] for f in ids if f in formats) for room_id, ids in room_formats.items()},
            days=setup.list_days(edition), blocks=setup.list_blocks(edition), action_form=ActionForm()),
    )


@bp.route("/<slug>/manage/schedule/rooms/<int:room_id>", methods=["GET", "POST"])
@guarded(can_manage_edition, load=load_room)
def edit_room(edition, room):
    chosen = sorted(setup.room_format_ids(edition).get(room.id, ()))
    form = RoomScheduleForm(description=room.description, format_ids=chosen)
    form.format_ids.choices = [SelectChoice(f.id, f.name) for f in edition.formats]
    return run_form(
        form,
        lambda: setup.update_room(edition, room, description=form.description.data or "",
                                  format_ids=form.format_ids.data or [], actor=current_user),
        done=gettext("The room is saved."),
        back=_setup_url(edition, "rooms"),
        render=lambda: _form_page(edition, form, gettext("Room %(name)s", name=room.name)),
    )


def _form_page(edition, form, title):
    return render_template("schedule/form.html", edition=edition, form=form, title=title, back=_setup_url(edition))


# -- days ------------------------------------------------------------------------------------


def _local_time(value, edition) -> time:
    return to_local(value, edition.timezone).time().replace(tzinfo=None)


@bp.route("/<slug>/manage/schedule/days/new", methods=["GET", "POST"])
@guarded(can_manage_edition, load=load_edition)
def new_day(edition):
    return _day_form(edition, None)


@bp.route("/<slug>/manage/schedule/days/<int:day_id>", methods=["GET", "POST"])
@guarded(can_manage_edition, load=load_day)
def edit_day(edition, item):
    return _day_form(edition, item)


def _day_form(edition, item):
    if item is None:
        form = DayForm(day=edition.starts_on, opens=time(9), closes=time(18))
    else:
        form = DayForm(day=item.day, opens=_local_time(item.opens_at, edition),
                       closes=_local_time(item.closes_at, edition))
    return run_form(
        form,
        lambda: setup.save_day(edition, form.day.data, form.opens.data, form.closes.data, actor=current_user,
                               item=item),
        done=gettext("The day is saved."),
        back=_setup_url(edition, "days"),
        render=lambda: _form_page(edition, form, gettext("Day") if item is None else str(item.day)),
    )


@bp.post("/<slug>/manage/schedule/days/<int:day_id>/delete")
@guarded(can_manage_edition, load=load_day)
def delete_day(edition, item):
    return run_button(lambda: setup.delete_day(edition, item, actor=current_user),
                      done=gettext("The day is deleted."), back=_setup_url(edition, "days"))


# -- blocks ----------------------------------------------------------------------------------


@bp.route("/<slug>/manage/schedule/blocks/new", methods=["GET", "POST"])
@guarded(can_manage_edition, load=load_edition)
def new_block(edition):
    return _block_form(edition, None)


@bp.route("/<slug>/manage/schedule/blocks/<int:block_id>", methods=["GET", "POST"])
@guarded(can_manage_edition, load=load_block)
def edit_block(edition, item):
    return _block_form(edition, item)


def _block_form(edition, item):
    if item is None:
        form = BlockForm(day=edition.starts_on, starts=time(12), ends=time(13), room_id=0)
    else:
        local = to_local(item.starts_at, edition.timezone)
        form = BlockForm(kind=item.kind.value, title=item.title, day=local.date(),
                         starts=_local_time(item.starts_at, edition), ends=_local_time(item.ends_at, edition),
                         room_id=item.room_id or 0, blocks_talks=item.blocks_talks)
    form.room_id.choices = [SelectChoice(0, lazy_gettext("Every room"))] + [
        SelectChoice(r.id, r.name) for r in grid.list_rooms(edition)]

    def save():
        data = setup.BlockData(kind=form.kind.data, title=form.title.data, day=form.day.data,
                               starts=form.starts.data, ends=form.ends.data, room_id=form.room_id.data or None,
                               blocks_talks=form.blocks_talks.data)
        return setup.save_block(edition, data, actor=current_user, item=item)

    return run_form(
        form, save, done=gettext("The block is saved."), back=_setup_url(edition, "blocks"),
        render=lambda: _form_page(edition, form, gettext("Block") if item is None else item.title),
    )


@bp.post("/<slug>/manage/schedule/blocks/<int:block_id>/delete")
@guarded(can_manage_edition, load=load_block)
def delete_block(edition, item):
    return run_button(lambda: setup.delete_block(edition, item, actor=current_user),
                      done=gettext("The block is deleted."), back=_setup_url(edition, "blocks"))
