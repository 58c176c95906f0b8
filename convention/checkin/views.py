"""The door under /<slug>/checkin/: the scan page, the scan API and the search.

The door area (convention/areas.py) already refuses who is neither check-in staff nor an
organizer of the edition; each view names the same rule. The scan API answers JSON in
every case (the contract in ARCHITECTURE.md); the page's script sends the CSRF token in
the ``X-CSRFToken`` header, which Flask-WTF checks like a form's. The scan API and the
offline pair (``offline``, ``upload``) also answer to a device's ``checkin`` token sent as
``Authorization: Bearer TOKEN`` (``tokens.permissions``: no CSRF then, and the token's name is
the device logged with each scan).
"""

from __future__ import annotations

from flask import Blueprint, jsonify, make_response, render_template, request, url_for
from flask_babel import gettext, lazy_gettext
from flask_login import current_user

from convention.checkin.answers import described
from convention.checkin.offline import offline_package, read_batch, upload_scans
from convention.checkin.permissions import can_use_door
from convention.checkin.scanning import KINDS, ScanRequest, check_in_attendee, scan
from convention.checkin.search import search_registrations
from convention.core.errors import DomainError
from convention.core.forms import ActionForm
from convention.core.permissions import guarded
from convention.core.security import allowing_webassembly
from convention.core.views import run_action
from convention.editions.loaders import load_edition
from convention.editions.navigation import register_link
from convention.editions.permissions import can_check_in
from convention.registration.loaders import load_attendee
from convention.tokens.models import TokenScope
from convention.tokens.permissions import accepts_token, device_token

bp = Blueprint("checkin", __name__)

register_link("public", lazy_gettext("Check-in"), "checkin.door", order=12, visible=can_check_in)


def _text(data: dict, name: str, limit: int) -> str:
    value = data.get(name) or ""
    if not isinstance(value, str) or len(value) > limit:
        raise DomainError(gettext("The field %(name)s must be a text of at most %(limit)d characters.",
                                  name=name, limit=limit), field=name)
    return value


def _device(edition, data) -> str:
    """The device logged with a scan: the token's name, else what the page says it is."""
    token = device_token(edition, TokenScope.CHECKIN.value)
    if token is not None:
        return token.name
    return _text(data, "device", 60) if isinstance(data, dict) else ""


def _actor():
    return current_user if current_user.is_authenticated else None


def _json_refusal(error):
    return jsonify(error=error.message, field=error.field), error.status_code


def _scan_request(data, device: str) -> ScanRequest:
    """The scan's JSON, checked: a clear refusal for anything malformed."""
    if not isinstance(data, dict):
        raise DomainError(gettext("Send a JSON object with the ticket code."))
    list_id = data.get("list")
    if list_id is not None and (not isinstance(list_id, int) or isinstance(list_id, bool) or not 0 < list_id < 2**31):
        raise DomainError(gettext("The list must be a list id."), field="list")
    kind = data.get("type") or "entry"
    if kind not in KINDS:
        raise DomainError(gettext("A scan is an entry or an exit."), field="type")
    return ScanRequest(code=_text(data, "code", 500).strip(), list_id=list_id, nonce=_text(data, "nonce", 64) or None,
                       kind=kind, gate=_text(data, "gate", 60), device=device)


def _door_page(edition, query: str, answer: dict | None = None):
    page = render_template("checkin/door.html", edition=edition, query=query, answer=answer, form=ActionForm(),
                           found=search_registrations(edition, query),
                           scan_url=url_for("checkin.scan_code", slug=edition.slug))
    return allowing_webassembly(make_response(page))  # the camera's QR reader is WebAssembly


@bp.get("/<slug>/checkin/")
@guarded(can_check_in, load=load_edition)
def door(edition):
    return _door_page(edition, request.args.get("q", "")[:120])


@bp.post("/<slug>/checkin/scan")
@accepts_token(TokenScope.CHECKIN.value)
@guarded(can_use_door, load=load_edition)
def scan_code(edition):
    timezone = edition.timezone  # read now: after the commit it would cost a new transaction and a query

    def act():
        data = request.get_json(silent=True)
        return scan(edition, _scan_request(data, _device(edition, data)), actor=_actor())

    return run_action(act, done=lambda answer: jsonify(described(answer, timezone)), refused=_json_refusal)


@bp.get("/<slug>/checkin/offline")
@accepts_token(TokenScope.CHECKIN.value)
@guarded(can_use_door, load=load_edition)
def offline(edition):
    """What a scanner needs to answer without a connection (keys, refused tickets, lists)."""
    return run_action(lambda: offline_package(edition), done=jsonify, refused=_json_refusal)


@bp.post("/<slug>/checkin/upload")
@accepts_token(TokenScope.CHECKIN.value)
@guarded(can_use_door, load=load_edition)
def upload(edition):
    """Scans made offline: ``{"scans": [{code, list, type, scanned_at, nonce}, ...]}``; one
    answer per scan, in the order sent (``offline.upload_scans``)."""
    timezone = edition.timezone  # read before the commit expires the edition

    def act():
        data = request.get_json(silent=True)
        return upload_scans(edition, read_batch(data), device=_device(edition, data), actor=_actor())

    return run_action(
        act,
        done=lambda answers: jsonify(results=[described(a, timezone) if a.get("status") != "error" else a
                                              for a in answers]),
        refused=_json_refusal,
    )


@bp.post("/<slug>/checkin/registrations/<code>")
@guarded(can_check_in, load=load_attendee)
def check_in_found(edition, attendee):
    """The search's "check in" button: the answer shown on the door page, the search kept."""
    query = request.form.get("q", "")[:120]
    if not ActionForm().validate_on_submit():
        failed = {"status": "invalid", "message": gettext("The form expired: please try again."), "detail": ""}
        return _door_page(edition, query, failed), 400
    return run_action(
        lambda: check_in_attendee(edition, attendee, gate="desk", actor=current_user),
        done=lambda answer: _door_page(edition, query, described(answer, edition.timezone)),
        refused=lambda error: (_door_page(edition, query, {"status": "invalid", "message": error.message,
                                                           "detail": ""}), error.status_code),
    )
