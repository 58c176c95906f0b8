"""A team role takes effect only once the member's address is confirmed (issue 7, item 3)."""

from __future__ import annotations

import sqlalchemy as sa

from convention.accounts.models import User
from convention.core.timeutil import utcnow
from convention.editions.models import Role
from convention.editions.permissions import can_create_edition, can_manage_edition, roles_of
from convention.extensions import db
from tests.conftest import Auth, post_form
from tests.factories import give_role, make_user

MANAGE_PATHS = ("/csc-2027/manage/orders/", "/csc-2027/manage/attendees.csv", "/csc-2027/manage/team")


def _confirm(user):
    db.session.get(User, user.id).email_confirmed_at = utcnow()
    db.session.commit()


def test_organizer_role_of_an_unconfirmed_account_opens_nothing_until_confirmed(app, as_organizer, edition):
    squatter = make_user(name="Sam Squatter", email="victim@example.org", confirmed=False)
    response = post_form(as_organizer, "/csc-2027/manage/team", {"email": "victim@example.org", "role": "organizer"})
    assert response.status_code == 302
    other = app.test_client()
    assert Auth(other).login("victim@example.org").status_code == 302
    assert [other.get(path).status_code for path in MANAGE_PATHS] == [403, 403, 403]
    _confirm(squatter)
    assert [other.get(path).status_code for path in MANAGE_PATHS] == [200, 200, 200]


def test_roles_of_ignore_unconfirmed_accounts(edition):
    member = make_user(email="new@example.org", confirmed=False)
    give_role(edition, member, Role.ORGANIZER)
    give_role(edition, member, Role.REVIEWER)
    db.session.expire_all()
    member = db.session.get(User, member.id)
    assert roles_of(member, edition) == frozenset()
    assert (can_manage_edition(member, edition), can_create_edition(member)) == (False, False)
    _confirm(member)
    member = db.session.get(User, member.id)
    assert roles_of(member, edition) == frozenset({Role.ORGANIZER, Role.REVIEWER})
    assert (can_manage_edition(member, edition), can_create_edition(member)) == (True, True)


def test_team_page_marks_unconfirmed_members_and_says_so_when_adding(as_organizer, edition):
    make_user(name="Una Unconfirmed", email="una@example.org", confirmed=False)
    make_user(name="Cora Confirmed", email="cora@example.org")
    added = post_form(as_organizer, "/csc-2027/manage/team", {"email": "una@example.org", "role": "reviewer"},
                      follow_redirects=True).get_data(as_text=True)
    assert ("Team member added. Una Unconfirmed has not confirmed their email address yet: "
            "the role takes effect once they do.") in added
    post_form(as_organizer, "/csc-2027/manage/team", {"email": "cora@example.org", "role": "reviewer"})
    page = as_organizer.get("/csc-2027/manage/team").get_data(as_text=True)
    rows = {name: page.split(name, 1)[1].split("</tr>", 1)[0] for name in ("Una Unconfirmed", "Cora Confirmed")}
    assert ">unconfirmed</span>" in rows["Una Unconfirmed"]
    assert "unconfirmed" not in rows["Cora Confirmed"]
    assert db.session.scalar(sa.select(sa.func.count()).select_from(User)) == 3
