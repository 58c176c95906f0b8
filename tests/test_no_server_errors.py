"""No input gives a 500: every GET route, fed odd input, by each kind of visitor.

The test walks the app's URL map, so a route added later is covered without a line
here (it only needs a valid value for a new kind of URL argument, see ``VALUES``). For
each GET route it sends the valid address, then out-of-range integers in each integer
argument, NUL bytes in each string argument, and odd or unknown query arguments, as an
anonymous visitor, the edition's organizer, a speaker of the edition and a site admin.
Any answer of 500 or more (or an exception) is collected and reported at once.
"""

from __future__ import annotations

import io
import re
from datetime import timedelta
from urllib.parse import urlsplit

import pytest
from werkzeug.routing.converters import NumberConverter

from convention.accounts.services import request_password_reset, send_confirmation
from convention.cfp import attachments, cospeakers
from convention.cfp.late_grants import create_late_grant
from convention.cfp.speaker_services import ProfileData, update_speaker_profile
from convention.cfp.states import ProposalState
from convention.core.timeutil import utcnow
from convention.editions.models import Room
from convention.extensions import db
from convention.mail.models import OutboxMessage
from convention.registration.settings import get_settings
from convention.registration.waiting_list import join_waiting_list
from tests.cfp.helpers import make_proposal, make_question, pdf_bytes, png_bytes
from tests.conftest import Auth
from tests.factories import make_edition, make_user
from tests.registration.helpers import buy, make_quota, make_ticket_type, make_voucher

ROLES = ("anonymous", "organizer", "speaker", "admin")
# How many GET routes each visitor sees (200) with valid arguments today (18, 50, 28, 52):
# a floor, so that the walk keeps reaching the real pages rather than 404s and 403s.
PAGES_SHOWN_AT_LEAST = {"anonymous": 15, "organizer": 45, "speaker": 25, "admin": 45}

# Beyond PostgreSQL's INTEGER; beyond BIGINT and SQLite's 64-bit integers.
OUT_OF_RANGE_INTEGERS = ("2147483648", "99999999999999999999")

# Sent together (each group in one request: one request per route and group keeps the
# walk fast); the values with a NUL are sent one by one, since the first one stops the request.
ODD_QUERY_GROUPS = (
    ("_method=POST", "slug=x", "page=9999999999999999999", "ticket_type=2147483648", "theme=99999999999999999999",
     "format=2147483648", "quantity=99999999999999999999", "n=99999999999999999999", "q-1=99999999999999999999",
     "q-99999999999999999999=1", "sort=slug", "dir=x", "status=x", "state=x", "next=//evil.example",
     "_external=1", "_anchor=x", "_scheme=javascript", "endpoint=x", "code=x", "secret=x"),
    ("page=-5", "ticket_type=-1", "theme=x", "quantity=0", "n=-1", "q-x=1", "q-1=x", "unknown=1"),
)
NUL_QUERIES = ("q=%00", "%00=1", "q=ok&q=%00")


def _token_in(template: str, to: str) -> str:
    message = db.session.scalars(
        db.select(OutboxMessage).where(OutboxMessage.template == template, OutboxMessage.recipient == to)
    ).first()
    url = re.search(r"http://\S+", message.body_text).group(0)
    return urlsplit(url).path.rstrip("/").rsplit("/", 1)[-1]


@pytest.fixture
def world(app, tmp_path, monkeypatch):
    """A small edition shaped like the demo: its call, proposals with files, tickets, orders."""
    monkeypatch.setitem(app.config, "UPLOAD_FOLDER", str(tmp_path / "uploads"))
    organizer = make_user(name="Olivia Organizer", email="olivia@example.org")
    speaker = make_user(name="Sofia Speaker", email="sofia@example.org")
    make_user(name="Ada Admin", email="ada@example.org", is_admin=True)
    newcomer = make_user(name="Nina Newcomer", email="nina@example.org", confirmed=False)
    edition = make_edition(organizer=organizer, slug="demo", name="Demo Convention")
    room = Room(edition_id=edition.id, name="Auditorium", capacity=300)
    db.session.add(room)

    question = make_question(edition, organizer)
    proposal = make_proposal(edition, speaker, state=ProposalState.SUBMITTED)
    make_proposal(edition, speaker, state=ProposalState.ACCEPTED, organizer=organizer, title="Second talk")
    attachment = attachments.add_attachment(proposal, io.BytesIO(pdf_bytes()), filename="slides.pdf", actor=speaker)
    profile = update_speaker_profile(edition, ProfileData(display_name="Sofia S."), actor=speaker,
                                     photo=io.BytesIO(png_bytes()))
    cospeakers.invite_co_speaker(proposal, "carl@example.org", actor=speaker)
    grant, link = create_late_grant(edition, "late@example.org", utcnow() + timedelta(days=7), actor=organizer)
    send_confirmation(newcomer)
    request_password_reset(speaker.email)
    db.session.commit()

    regular = make_ticket_type(edition, name="Conference pass", price_cents=12100, capacity=100)
    workshop = make_ticket_type(edition, name="Workshop", price_cents=0, capacity=1)
    quota = make_quota(edition, [regular, workshop], name="Venue", capacity=80)
    voucher = make_voucher(edition)
    student = make_ticket_type(edition, name="Student", price_cents=0, capacity=10)
    order = buy(edition, {regular: 1, workshop: 1})
    paid_order = buy(edition, {student: 1}, email="student@example.org")
    entry = join_waiting_list(edition, workshop, name="Walter Waiting", email="walter@example.org", quantity=1,
                              consent_version=get_settings(edition).privacy_version)
    db.session.commit()

    message = db.session.scalars(db.select(OutboxMessage)).first()
    values = {
        "slug": edition.slug,
        "code": proposal.code,
        "attachment_code": attachment.code,
        "profile_code": profile.code,
        "move": "withdraw",
        "kind": "themes",
        "item_id": edition.themes[0].id,
        "question_id": question.id,
        "ticket_type_id": workshop.id,
        "quota_id": quota.id,
        "voucher_id": voucher.id,
        "grant_id": grant.id,
        "message_id": message.id,
        "secret": order.secret,
        "filename": "css/app.css",
    }
    per_endpoint = {
        ("registration.manage_order", "code"): order.code,
        ("registration.leave_waiting_list", "secret"): entry.secret,
        ("registration.receipt", "secret"): paid_order.secret,
        ("cfp.invitation", "token"): _token_in("cfp_invitation", "carl@example.org"),
        ("cfp.late_link", "token"): link.rstrip("/").rsplit("/", 1)[-1],
        ("accounts.confirm_email", "token"): _token_in("confirm_email", newcomer.email),
        ("accounts.reset_password", "token"): _token_in("reset_password", speaker.email),
        ("bootstrap.static", "filename"): "css/bootstrap.min.css",
    }
    return {"values": values, "per_endpoint": per_endpoint}


def _valid_values(rule, world) -> dict:
    return {arg: world["per_endpoint"].get((rule.endpoint, arg), world["values"].get(arg, "x"))
            for arg in rule.arguments}


def _with_nul(value) -> list[str]:
    text = str(value)
    return [text[:2] + "\x00" + text[2:]]


def _addresses(app, world):
    """(route, address, valid) for every GET route: the valid one, then each odd variant."""
    for rule in sorted(app.url_map.iter_rules(), key=lambda r: (r.rule, r.endpoint)):
        if "GET" not in rule.methods:
            continue
        valid = _valid_values(rule, world)
        base = rule.build(valid, append_unknown=False)[1]
        yield rule.rule, base, True
        for arg in rule.arguments:
            is_integer = isinstance(rule._converters[arg], NumberConverter)
            odd_values = OUT_OF_RANGE_INTEGERS if is_integer else _with_nul(valid[arg])
            for odd in odd_values:
                yield rule.rule, rule.build({**valid, arg: odd}, append_unknown=False)[1], False
        for query in (*("&".join(group) for group in ODD_QUERY_GROUPS), *NUL_QUERIES):
            yield rule.rule, f"{base}?{query}", False


def _sign_in(client, role):
    if role == "anonymous":
        return
    email = {"organizer": "olivia@example.org", "speaker": "sofia@example.org", "admin": "ada@example.org"}[role]
    assert Auth(client).login(email).status_code == 302


@pytest.mark.parametrize("role", ROLES)
def test_no_get_route_answers_a_server_error_to_odd_input(app, world, role):
    client = app.test_client()
    _sign_in(client, role)
    failures = []
    checked = 0
    pages_shown = 0  # valid addresses that answered 200: the walk reaches the real pages
    for route, address, valid in _addresses(app, world):
        checked += 1
        try:
            status = client.get(address).status_code
        except Exception as error:  # noqa: BLE001 - reported below with the address
            status = repr(error)
        if not isinstance(status, int) or status >= 500:
            failures.append(f"{address!r} ({route}): {status}")
        pages_shown += valid and status == 200
        db.session.rollback()
    assert checked > 300
    assert pages_shown >= PAGES_SHOWN_AT_LEAST[role]
    assert not failures, f"{len(failures)} server errors:\n" + "\n".join(failures)


def test_out_of_range_integer_in_the_path_is_not_found(client, world):
    slug, item = world["values"]["slug"], world["values"]["item_id"]
    assert client.get(f"/{slug}/tickets/99999999999999999999/waiting-list").status_code == 404
    assert client.get(f"/{slug}/tickets/2147483648/waiting-list").status_code == 404
    assert client.get(f"/{slug}/tickets/{world['values']['ticket_type_id']}/waiting-list").status_code == 200
    _sign_in(client, "organizer")
    assert client.get(f"/{slug}/manage/themes/{item}").status_code == 200
    assert client.get(f"/{slug}/manage/themes/2147483648").status_code == 404


def test_nul_in_the_path_or_the_query_is_refused(client, world):
    assert client.get("/demo%00/").status_code == 404
    assert client.get("/demo/orders/ab%00cd/").status_code == 404
    assert client.get("/demo/?q=%00").status_code == 400
    assert client.get("/demo/?%00=1").status_code == 400
    assert client.get("/demo/").status_code == 200


def test_proposal_table_links_keep_the_filters_and_nothing_else(client, world):
    _sign_in(client, "organizer")
    theme_id = world["values"]["item_id"]
    response = client.get(f"/demo/manage/proposals/?_method=POST&slug=x&endpoint=y&theme={theme_id}&sort=title&dir=asc")
    html = response.get_data(as_text=True)
    assert response.status_code == 200
    assert f'href="/demo/manage/proposals/export.csv?theme={theme_id}&amp;sort=title&amp;dir=asc"' in html
    assert f'href="/demo/manage/proposals/?sort=code&amp;dir=asc&amp;theme={theme_id}"' in html
    assert "_method" not in html
    assert "slug=x" not in html


def test_orders_list_ignores_an_out_of_range_filter_or_page(client, world):
    _sign_in(client, "organizer")
    code = world["per_endpoint"][("registration.manage_order", "code")]
    for query in ("ticket_type=2147483648", "page=9999999999999999999", "ticket_type=99999999999999999999&page=-1"):
        response = client.get(f"/demo/manage/orders/?{query}")
        assert response.status_code == 200, query
        assert f">{code}</a>" in response.get_data(as_text=True), query
