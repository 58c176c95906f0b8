"""The demo's door (some arrivals already in) and where door staff land after signing in."""

from __future__ import annotations

import sqlalchemy as sa

from convention.checkin.models import Checkin, CheckinList
from convention.demo import seed_demo
from convention.editions.models import Role
from convention.extensions import db
from tests.conftest import csrf_token_from
from tests.factories import give_role, make_edition, make_user


def test_the_demo_has_lists_and_some_attendees_checked_in(client, auth):
    seed_demo()
    db.session.commit()
    inside = db.session.scalar(sa.select(sa.func.count(Checkin.id)).where(Checkin.status == "checked_in"))
    assert inside == 40
    assert db.session.scalar(sa.select(sa.func.count(CheckinList.id)).where(CheckinList.is_default.is_(True))) == 1
    response = auth.login("staff@demo.example", "demo-pass-sam-2026")
    assert response.status_code == 302 and response.headers["Location"] == "/demo/checkin/"


def test_only_people_whose_sole_role_is_the_door_land_there(client, auth):
    edition = make_edition(slug="door-edition")
    staff, reviewer = make_user(email="staff@example.org"), make_user(email="both@example.org")
    give_role(edition, staff, Role.CHECKIN)
    give_role(edition, reviewer, Role.CHECKIN)
    give_role(edition, reviewer, Role.REVIEWER)
    assert auth.login("staff@example.org").headers["Location"] == "/door-edition/checkin/"
    auth.logout()
    assert auth.login("both@example.org").headers["Location"] == "/"
    auth.logout()
    token_page = client.get("/login?next=/account").get_data(as_text=True)
    response = client.post("/login?next=/account", data={"email": "staff@example.org",
                                                          "password": "correct horse battery",
                                                          "csrf_token": csrf_token_from(token_page)})
    assert response.headers["Location"] == "/account"  # a page to go back to wins


def test_the_demo_door_phone_token_scans_and_flask_demo_prints_it(client, runner):
    from convention.badges.keys import ticket_code
    from convention.checkin.demo import DEMO_DEVICE_TOKEN
    from convention.editions.models import Edition
    from convention.registration.models import Attendee, Order, OrderState

    result = runner.invoke(args=["demo", "--no-migrate"])
    assert DEMO_DEVICE_TOKEN in result.output
    edition = db.session.scalar(sa.select(Edition).where(Edition.slug == "demo"))
    inside = sa.select(Checkin.attendee_id).where(Checkin.attendee_id.is_not(None))
    attendee = db.session.scalars(
        sa.select(Attendee).join(Order, Order.id == Attendee.order_id)
        .where(Attendee.edition_id == edition.id, Order.state == OrderState.PAID, Attendee.id.not_in(inside))
        .limit(1)).one()
    code = ticket_code(edition.id, attendee.code)
    db.session.commit()
    answer = client.post("/demo/checkin/scan", json={"code": code},
                         headers={"Authorization": f"Bearer {DEMO_DEVICE_TOKEN}"})
    assert answer.status_code == 200 and answer.json["status"] == "checked_in"
    assert db.session.scalar(sa.select(Checkin.device).where(Checkin.attendee_id == attendee.id)) == "Gate A phone"


def test_flask_demo_prints_the_door_token_only_when_the_database_has_it(runner):
    from convention.checkin.demo import DEMO_DEVICE_TOKEN
    from convention.tokens.models import ApiToken

    assert DEMO_DEVICE_TOKEN in runner.invoke(args=["demo", "--no-migrate"]).output
    db.session.execute(sa.delete(ApiToken))  # a demo made before device tokens existed
    db.session.commit()
    again = runner.invoke(args=["demo", "--no-migrate"])
    assert "already there" in again.output and DEMO_DEVICE_TOKEN not in again.output
