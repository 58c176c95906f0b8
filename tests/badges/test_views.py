"""Badge pages through the client: the order's badges from its secret page, the door's
"print badge", and the organizers' print sheets made inline (no Redis)."""

from __future__ import annotations

import sqlalchemy as sa

from convention.badges.models import Badge, BadgeSheet
from convention.editions.models import Role
from convention.extensions import db
from tests.badges.helpers import decoded_codes
from tests.checkin.helpers import registration
from tests.conftest import csrf_token_from
from tests.factories import give_role, make_edition, make_user
from tests.queries import count_queries
from tests.registration.helpers import buy, make_ticket_type


def _code_of(attendee) -> str:
    return db.session.scalar(sa.select(Badge.code).where(Badge.attendee_id == attendee.id))


def test_the_order_page_offers_the_badges_once_paid_and_they_carry_the_issued_codes(client):
    edition = make_edition(organizer=make_user())
    ticket_type = make_ticket_type(edition)
    reserved = buy(edition, {ticket_type: 1}, email="r@example.org")
    page = client.get(f"/{edition.slug}/orders/{reserved.secret}/").get_data(as_text=True)
    assert 'id="badges-link"' not in page
    assert client.get(f"/{edition.slug}/orders/{reserved.secret}/badges.pdf").status_code == 404

    attendee, _code = registration(edition, ticket_type=ticket_type, name="Ada Lovelace")
    order = attendee.order
    page = client.get(f"/{edition.slug}/orders/{order.secret}/").get_data(as_text=True)
    assert f'href="/{edition.slug}/orders/{order.secret}/badges.pdf" id="badges-link"' in page
    response = client.get(f"/{edition.slug}/orders/{order.secret}/badges.pdf")
    assert response.status_code == 200 and response.mimetype == "application/pdf"
    assert response.headers["Cache-Control"] == "private, no-store"
    assert decoded_codes(response.data) == [[_code_of(attendee)]]
    assert client.get(f"/{edition.slug}/orders/{'x' * 40}/badges.pdf").status_code == 404
    other = make_edition(slug="other-edition")
    assert client.get(f"/{other.slug}/orders/{order.secret}/badges.pdf").status_code == 404


def test_the_door_prints_the_badge_of_a_paid_registration_only(client, auth):
    edition = make_edition(organizer=make_user())
    attendee, _code = registration(edition, name="Grace Hopper")
    unpaid, _unpaid_code = registration(edition, paid=False, name="Unpaid Person", type_name="Other pass")
    give_role(edition, make_user(email="door@example.org"), Role.CHECKIN)
    make_user(email="someone@example.org")
    db.session.commit()
    url = f"/{edition.slug}/checkin/badges/{attendee.code}.pdf"

    auth.login("someone@example.org")
    assert client.get(url).status_code == 403
    auth.logout()
    auth.login("door@example.org")
    response = client.get(url)
    assert response.status_code == 200
    assert decoded_codes(response.data) == [[_code_of(attendee)]]
    assert client.get(f"/{edition.slug}/checkin/badges/{unpaid.code}.pdf").status_code == 404
    assert client.get(f"/{edition.slug}/checkin/badges/NOSUCHCODE.pdf").status_code == 404


def _organizer(client, auth):
    organizer = make_user(email="org@example.org")
    edition = make_edition(organizer=organizer)
    auth.login("org@example.org")
    return edition, organizer


def _make_sheet(client, edition, **fields):
    page = client.get(f"/{edition.slug}/manage/badges/").get_data(as_text=True)
    data = {"csrf_token": csrf_token_from(page), "ticket_type": "0", **fields}
    return client.post(f"/{edition.slug}/manage/badges/sheets", data=data)


def test_an_organizer_makes_a_sheet_inline_downloads_it_and_the_badges_are_marked_printed(client, auth):
    edition, _organizer_user = _organizer(client, auth)
    first, _code = registration(edition, name="Person 00")
    people = [first] + [registration(edition, name=f"Person {n:02d}", ticket_type=first.ticket_type)[0]
                        for n in range(1, 10)]
    answer = _make_sheet(client, edition, only_unprinted="y")
    assert answer.status_code == 302
    sheet = db.session.scalar(sa.select(BadgeSheet))
    assert answer.headers["Location"] == f"/{edition.slug}/manage/badges/?sheet={sheet.token}"
    assert sheet.state == "finished" and sheet.total == 11  # ten people and the organizer's staff badge
    status = client.get(f"/{edition.slug}/manage/badges/sheets/{sheet.token}").get_json()
    assert status == {"state": "finished", "done": 11, "total": 11,
                      "url": f"/{edition.slug}/manage/badges/sheets/{sheet.token}.pdf"}
    pdf = client.get(status["url"])
    assert pdf.status_code == 200 and pdf.headers["Content-Disposition"].startswith("attachment;")
    pages = decoded_codes(pdf.data)
    assert [len(p) for p in pages] == [8, 3]
    assert {_code_of(person) for person in people} <= {code for p in pages for code in p}
    assert db.session.scalar(sa.select(sa.func.count()).where(Badge.printed_at.is_(None))) == 0
    page = client.get(answer.headers["Location"]).get_data(as_text=True)
    assert 'id="badge-sheet"' in page and "js/badge-sheet.js" in page

    again = _make_sheet(client, edition, only_unprinted="y")
    assert again.status_code == 302
    latest = db.session.scalar(sa.select(BadgeSheet).order_by(BadgeSheet.id.desc()).limit(1))
    assert latest.total == 0  # everything was printed


def test_a_sheet_of_one_ticket_type_and_a_foreign_ticket_type_refused(client, auth):
    edition, _organizer_user = _organizer(client, auth)
    wanted, _ = registration(edition, name="Wanted", type_name="Workshop")
    registration(edition, name="Other", type_name="Conference pass")
    answer = _make_sheet(client, edition, ticket_type=str(wanted.ticket_type_id))
    assert answer.status_code == 302
    sheet = db.session.scalar(sa.select(BadgeSheet))
    assert sheet.total == 1 and decoded_codes(sheet.pdf) == [[_code_of(wanted)]]
    foreign = make_ticket_type(make_edition(slug="elsewhere"), name="Foreign")
    refused = _make_sheet(client, edition, ticket_type=str(foreign.id))
    assert refused.status_code == 422
    assert db.session.scalar(sa.select(sa.func.count(BadgeSheet.id))) == 1


def test_another_editions_sheet_is_not_found(client, auth):
    edition, organizer = _organizer(client, auth)
    other = make_edition(organizer=organizer, slug="other-edition")
    sheet = BadgeSheet(edition_id=other.id, token="t" * 32, state="finished", pdf=b"%PDF-1.4")
    db.session.add(sheet)
    db.session.commit()
    assert client.get(f"/{edition.slug}/manage/badges/sheets/{sheet.token}").status_code == 404
    assert client.get(f"/{edition.slug}/manage/badges/sheets/{sheet.token}.pdf").status_code == 404
    assert client.get(f"/{other.slug}/manage/badges/sheets/{sheet.token}.pdf").data == b"%PDF-1.4"


def test_the_badge_page_query_count_does_not_grow_with_sheets_and_badges(client, auth, app):
    edition, organizer = _organizer(client, auth)
    url = f"/{edition.slug}/manage/badges/"

    def measured():
        with count_queries() as statements:
            assert client.get(url).status_code == 200
        return len(statements)

    few = measured()
    for n in range(12):
        registration(edition, name=f"P{n}", type_name=f"Type {n}")
        db.session.add(BadgeSheet(edition_id=edition.id, token=f"{n:032d}", state="finished", total=n))
    db.session.commit()
    assert measured() == few
