"""Public schedule pages: the programme, a talk, a speaker. They read only the newest
published version's snapshot (``public``), never the draft."""

from __future__ import annotations

from datetime import datetime

from flask import Blueprint, abort, render_template, request
from flask_babel import lazy_gettext

from convention.cfp.call import day_text
from convention.core.permissions import guarded
from convention.core.timeutil import to_local
from convention.editions.loaders import load_edition
from convention.editions.navigation import register_link
from convention.editions.permissions import can_view_edition
from convention.schedule import public, public_page
from convention.schedule.loaders import load_edition_and_args, published_info, published_version

bp = Blueprint("schedule", __name__)
# The speaker's proposal page (cfp) shows room and time through this hook, if defined.
bp.add_app_template_global(public.published_slot_for, "published_slot_for")
bp.add_app_template_filter(day_text, "schedule_day")


@bp.app_template_filter("schedule_clock")
def schedule_clock(value, tz_name: str) -> str:
    """A UTC time as the edition's clock shows it: "10:30"."""
    return f"{to_local(value, tz_name):%H:%M}"


@bp.app_template_filter("schedule_date")
def schedule_date(value, tz_name: str, pattern: str = "EEE dd MMM") -> str:
    """The edition's local day of a UTC time, in the page's language."""
    return day_text(to_local(value, tz_name).date(), pattern)


@bp.app_template_filter("schedule_when")
def schedule_when(iso: str, tz_name: str) -> str:
    """An ISO time of a snapshot or changelog: "Fri 12 Mar 10:30" in the edition's zone."""
    value = datetime.fromisoformat(iso)
    return f"{schedule_date(value, tz_name)} {schedule_clock(value, tz_name)}"


def _published(_user, edition) -> bool:
    return published_info(edition) is not None


register_link("public", lazy_gettext("Schedule"), "schedule.programme", order=35, visible=_published)
register_link("manage", lazy_gettext("Schedule"), "schedule_manage.editor", order=35, section=("manage/schedule/",))


def _snapshot(edition) -> dict | None:
    version = published_version(edition)
    return version.snapshot if version else None


def _grid_content(**context) -> str:
    return render_template("schedule/_public_grid.html", **context)


@bp.get("/<slug>/schedule/")
@guarded(can_view_edition, load=load_edition)
def programme(edition):
    """One conference day (``?day=``), filtered; its content cached per version (public_page)."""
    info = published_info(edition)
    if info is None:
        return render_template("schedule/public_empty.html", edition=edition)
    return render_template("schedule/public.html", edition=edition,
                           fragment=public_page.grid_fragment(edition, info, request.args, _grid_content))


@bp.get("/<slug>/talk/<ident>")
@guarded(can_view_edition, load=load_edition_and_args)
def talk(edition, ident):
    snapshot = _snapshot(edition)
    found = public.find_talk(snapshot, ident) if snapshot else None
    if found is None:
        abort(404)
    return render_template("schedule/talk.html", edition=edition, talk=found, item=public.item_of(edition, found),
                           theme=public.theme_name(snapshot, found), description=public.stored_html(found["description_html"]))


@bp.get("/<slug>/speaker/<code>")
@guarded(can_view_edition, load=load_edition_and_args)
def speaker(edition, code):
    snapshot = _snapshot(edition)
    person, talks = public.talks_of_speaker(snapshot, code) if snapshot else (None, [])
    if person is None:
        abort(404)
    return render_template("schedule/speaker.html", edition=edition, speaker=person, bio=public.stored_html(person["bio_html"]),
                           items=[public.item_of(edition, t) for t in talks])
