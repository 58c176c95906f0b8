"""The audit log pages: /<slug>/manage/audit/ (the edition's organizers) and /admin/audit/
(site admins, every edition and the site's own entries), each with a streamed CSV."""

from __future__ import annotations

import itertools

from flask import Blueprint, Response, render_template, request, stream_with_context
from flask_babel import lazy_gettext

from convention.auditlog.browse import FILTER_ARGS, AuditFilters, entries_csv, known_actions, search_entries
from convention.core.inputs import page_arg, query_args
from convention.core.permissions import guarded, site_admin
from convention.editions.loaders import load_edition
from convention.editions.navigation import register_link
from convention.editions.permissions import can_manage_edition

bp = Blueprint("auditlog", __name__)

register_link("manage", lazy_gettext("Audit log"), "auditlog.edition_log", order=95)


def _csv(lines, filename: str) -> Response:
    return Response(
        stream_with_context(itertools.chain(["\ufeff"], lines)),
        mimetype="text/csv",
        headers={"Content-Disposition": f'attachment; filename="{filename}"', "Cache-Control": "private, no-store"},
    )


def _page(edition, endpoint: str, csv_endpoint: str, timezone: str):
    filters = AuditFilters.from_args(request.args)
    edition_id = edition.id if edition is not None else None
    route = {"slug": edition.slug} if edition is not None else {}
    return render_template(
        "auditlog/log.html",
        edition=edition,
        page=search_entries(edition_id, filters, timezone=timezone, page=page_arg()),
        filters=filters,
        actions=known_actions(edition_id),
        timezone=timezone,
        endpoint=endpoint,
        route=route,
        csv_endpoint=csv_endpoint,
        pager_args={**route, **query_args(*FILTER_ARGS)},
    )


@bp.get("/<slug>/manage/audit/")
@guarded(can_manage_edition, load=load_edition)
def edition_log(edition):
    return _page(edition, "auditlog.edition_log", "auditlog.edition_csv", edition.timezone)


@bp.get("/<slug>/manage/audit.csv")
@guarded(can_manage_edition, load=load_edition)
def edition_csv(edition):
    lines = entries_csv(edition.id, AuditFilters.from_args(request.args), timezone=edition.timezone)
    return _csv(lines, f"{edition.slug}-audit.csv")


@bp.get("/admin/audit/")
@guarded(site_admin)
def site_log():
    return _page(None, "auditlog.site_log", "auditlog.site_csv", "UTC")


@bp.get("/admin/audit.csv")
@guarded(site_admin)
def site_csv():
    return _csv(entries_csv(None, AuditFilters.from_args(request.args)), "audit.csv")
