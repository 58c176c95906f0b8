"""The organizers' door pages: check-in lists, ticket keys and live arrivals."""

from __future__ import annotations

from datetime import timedelta

import pytest
import sqlalchemy as sa

from convention.badges.keys import read_code, signing_key, ticket_code
from convention.badges.models import TicketKey
from convention.checkin.lists import ListData, save_list
from convention.checkin.models import Checkin, CheckinList
from convention.checkin.offline import upload_scans
from convention.checkin.scanning import ScanRequest, scan
from convention.checkin.statistics import arrivals_per_quarter, by_ticket_type
from convention.core.errors import DomainError
from convention.core.timeutil import to_local, utcnow
from convention.editions.models import Edition
from convention.extensions import db
from convention.registration.models import TicketType
from tests.checkin.helpers import registration
from tests.conftest import csrf_token_from
from tests.factories import make_edition, make_user
from tests.queries import count_queries
from tests.registration.helpers import make_ticket_type


@pytest.fixture
def organizer_client(client, auth):
    organizer = make_user(email="olivia@example.org")
    edition = make_edition(organizer=organizer)
    auth.login("olivia@example.org")
    return client, edition


def _csrf(client, url):
    return csrf_token_from(client.get(url).get_data(as_text=True))


def test_lists_are_created_and_edited_with_types_days_and_reentry(organizer_client):
    client, edition = organizer_client
    workshop = make_ticket_type(edition, name="Workshop")
    url = f"/{edition.slug}/manage/checkin/lists/new"
    day = edition.starts_on.isoformat()
    created = client.post(
        url,
        data={
            "csrf_token": _csrf(client, url),
            "name": "Lab",
            "ticket_types": [workshop.id],
            "days": [day],
            "allow_reentry": "y",
        },
    )
    assert created.status_code == 302
    made = db.session.scalar(sa.select(CheckinList).where(CheckinList.name == "Lab"))
    assert ([t.id for t in made.ticket_types], made.days, made.allow_reentry) == ([workshop.id], [day], True)
    edit_url = f"/{edition.slug}/manage/checkin/lists/{made.id}"
    page = client.get(edit_url).get_data(as_text=True)
    assert 'value="Lab"' in page and "checked" in page
    client.post(edit_url, data={"csrf_token": _csrf(client, edit_url), "name": "Lab 2"})
    db.session.expire_all()
    made = db.session.get(CheckinList, made.id)
    assert (made.name, made.ticket_types, made.days, made.allow_reentry) == ("Lab 2", [], [], False)
    listing = client.get(f"/{edition.slug}/manage/checkin/lists/").get_data(as_text=True)
    assert "Lab 2" in listing and "Main entrance" in listing


def test_a_duplicate_name_or_a_day_outside_the_edition_is_refused(organizer_client):
    client, edition = organizer_client
    url = f"/{edition.slug}/manage/checkin/lists/new"
    token = _csrf(client, url)
    client.post(url, data={"csrf_token": token, "name": "Lab"})
    again = client.post(url, data={"csrf_token": token, "name": "Lab"})
    assert again.status_code == 422 and "Another list of this edition has that name." in again.get_data(as_text=True)
    outside = client.post(
        url, data={"csrf_token": token, "name": "Later", "days": [(edition.ends_on + timedelta(days=3)).isoformat()]}
    )
    assert outside.status_code == 422
    with pytest.raises(DomainError):
        save_list(edition, ListData(name="X", days=[edition.ends_on + timedelta(days=1)]))
    other_type = make_ticket_type(make_edition(), name="Elsewhere")
    with pytest.raises(DomainError) as foreign:
        save_list(edition, ListData(name="Y", ticket_type_ids=[other_type.id]))
    assert foreign.value.field == "ticket_types"


def test_rotate_then_revoke_the_old_key(organizer_client):
    client, edition = organizer_client
    attendee, old_code = registration(edition)
    old_key = signing_key(edition.id)
    url = f"/{edition.slug}/manage/checkin/keys/"
    token = _csrf(client, url)
    assert client.post(f"/{edition.slug}/manage/checkin/keys/rotate", data={"csrf_token": token}).status_code == 302
    new_key = signing_key(edition.id)
    assert new_key.id != old_key.id
    new_code = ticket_code(edition.id, attendee.code)
    assert read_code(old_code) is not None  # still verifies
    page = client.get(url).get_data(as_text=True)
    assert "signs new codes" in page and "verifies older codes" in page
    client.post(f"/{edition.slug}/manage/checkin/keys/{old_key.id}/revoke", data={"csrf_token": token})
    db.session.expire_all()
    assert db.session.get(TicketKey, old_key.id).revoked_at is not None
    assert read_code(old_code) is None and read_code(new_code) is not None
    assert scan(edition, ScanRequest(code=old_code))["status"] == "invalid"


def test_arrivals_count_people_once_per_ticket_type_and_per_quarter(db):
    edition = make_edition()
    conference = make_ticket_type(edition, name="Conference")
    student = make_ticket_type(edition, name="Student")
    people = [registration(edition, name=f"P{n}", ticket_type=conference if n < 3 else student) for n in range(5)]
    registration(edition, name="Unpaid", ticket_type=student, paid=False)
    base = utcnow().replace(minute=0, second=0, microsecond=0) - timedelta(hours=2)
    moments = [base + timedelta(minutes=2), base + timedelta(minutes=14), base + timedelta(minutes=50)]
    upload_scans(
        edition,
        [{"code": people[n][1], "nonce": f"n{n}", "scanned_at": moments[n].isoformat()} for n in range(3)],
        device="Phone",
    )
    upload_scans(edition, [{"code": people[0][1], "nonce": "again", "scanned_at": base.isoformat()}], device="P")
    db.session.commit()
    rows = {row.name: (row.registered, row.checked_in, row.percent) for row in by_ticket_type(edition)}
    # the organizer's free staff registration (made with the edition) is counted too
    assert rows == {"Conference": (3, 3, 100), "Student": (2, 0, 0), "Staff": (1, 0, 0)}
    buckets = [(b.starts, b.arrivals) for b in arrivals_per_quarter(edition)]
    local = [to_local(base + timedelta(minutes=15 * n), edition.timezone) for n in range(4)]
    # P0's first check-in moved to ``base`` (the earlier offline scan): 2 in the first quarter
    assert buckets == [(local[0], 2), (local[1], 0), (local[2], 0), (local[3], 1)]
    assert db.session.scalar(sa.select(sa.func.count(Checkin.id))) == 4


def test_the_arrivals_page_shows_table_and_chart_with_constant_queries(organizer_client):
    client, edition = organizer_client
    url = f"/{edition.slug}/manage/checkin/"
    first, code = registration(edition, name="First")
    ticket_type_id, edition_id = first.ticket_type_id, edition.id
    scan(edition, ScanRequest(code=code))
    db.session.commit()
    with count_queries() as few:
        page = client.get(url)
    html = page.get_data(as_text=True)
    assert page.status_code == 200 and "<svg" in html and "arrivals-bar" in html and "Conference pass" in html
    assert "style=" not in html.split("<main", 1)[-1] and "<script>" not in html
    edition = db.session.get(Edition, edition_id)  # count_queries started a new session
    ticket_type = db.session.get(TicketType, ticket_type_id)
    for n in range(4):
        _x, more = registration(edition, name=f"P{n}", ticket_type=ticket_type)
        scan(edition, ScanRequest(code=more, at=utcnow() - timedelta(minutes=40 * n)))
    db.session.commit()
    with count_queries() as many:
        assert client.get(url).status_code == 200
    assert len(many) == len(few)


def test_the_lists_and_keys_pages_query_count_does_not_grow(organizer_client):
    client, edition = organizer_client
    slug, edition_id = edition.slug, edition.id
    type_ids = [make_ticket_type(edition, name=f"T{n}").id for n in range(3)]
    save_list(edition, ListData(name="One", ticket_type_ids=type_ids[:1]))
    db.session.commit()
    with count_queries() as few_lists:
        client.get(f"/{slug}/manage/checkin/lists/")
    with count_queries() as few_keys:
        client.get(f"/{slug}/manage/checkin/keys/")
    edition = db.session.get(Edition, edition_id)  # count_queries started a new session
    for n in range(3):
        save_list(edition, ListData(name=f"More {n}", ticket_type_ids=type_ids))
        db.session.commit()
        client.post(
            f"/{slug}/manage/checkin/keys/rotate", data={"csrf_token": _csrf(client, f"/{slug}/manage/checkin/keys/")}
        )
    with count_queries() as many_lists:
        client.get(f"/{slug}/manage/checkin/lists/")
    with count_queries() as many_keys:
        client.get(f"/{slug}/manage/checkin/keys/")
    assert (len(many_lists), len(many_keys)) == (len(few_lists), len(few_keys))
