"""The schedule's machine-readable exports at their stable addresses (ARCHITECTURE.md):
``/<slug>/schedule.xml`` (frab), ``/<slug>/schedule.json`` (C3VOC), ``/<slug>/schedule.ics``
and ``/<slug>/talk/<ident>.ics``. Only the newest published version is exported; with
none published they answer 404. Each carries an ETag and Last-Modified, and a request
that names them (If-None-Match, If-Modified-Since) gets a 304 without a body."""

from __future__ import annotations

from flask import Blueprint, Response, abort, request
from werkzeug.http import is_resource_modified

from convention.core.permissions import guarded
from convention.editions.loaders import load_edition
from convention.editions.permissions import can_view_edition
from convention.schedule import exports
from convention.schedule.loaders import load_edition_and_args

bp = Blueprint("schedule_export", __name__)


def _answer(info: exports.VersionInfo, what: str, build) -> Response:
    etag = exports.etag_of(info, what)
    if not is_resource_modified(request.environ, etag=etag, last_modified=info.published_at):
        response = Response(status=304)
    else:
        export = build()
        if export is None:
            abort(404)
        response = Response(export.body, content_type=export.content_type)
    response.set_etag(etag)
    response.last_modified = info.published_at
    response.cache_control.no_cache = True  # stored, but asked again (a cheap 304) after each publish
    response.headers["Access-Control-Allow-Origin"] = "*"  # schedule apps read it from other sites
    return response


def _published(edition) -> exports.VersionInfo:
    info = exports.latest_info(edition)
    if info is None:
        abort(404)
    return info


def _schedule(edition, fmt: str) -> Response:
    info = _published(edition)
    return _answer(info, fmt, lambda: exports.schedule_export(edition, fmt, info))


@bp.get("/<slug>/schedule.xml")
@guarded(can_view_edition, load=load_edition)
def schedule_xml(edition):
    return _schedule(edition, "xml")


@bp.get("/<slug>/schedule.json")
@guarded(can_view_edition, load=load_edition)
def schedule_json(edition):
    return _schedule(edition, "json")


@bp.get("/<slug>/schedule.ics")
@guarded(can_view_edition, load=load_edition)
def schedule_ics(edition):
    return _schedule(edition, "ics")


@bp.get("/<slug>/talk/<ident>.ics")
@guarded(can_view_edition, load=load_edition_and_args)
def talk_ics(edition, ident):
    info = _published(edition)
    return _answer(info, f"talk-{ident}", lambda: exports.talk_calendar(edition, ident, info))
