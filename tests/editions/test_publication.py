"""A new edition is a draft that only its team sees, until an organizer publishes it;
the organizer area is in the edition's menu."""

from __future__ import annotations

import pytest
import sqlalchemy as sa

from convention.audit.models import AuditEntry
from convention.core.errors import Conflict
from convention.editions.models import Edition, Role
from convention.editions.services import set_edition_published
from tests.conftest import post_form
from tests.factories import give_role, make_edition, make_user

PUBLIC_PAGES = ["/draft-ed/", "/draft-ed/cfp/", "/draft-ed/tickets/"]


@pytest.fixture
def draft(organizer):
    return make_edition(organizer=organizer, slug="draft-ed", name="Draft Convention", published=False)


def test_new_edition_from_the_form_is_an_unpublished_draft(as_organizer, db):
    response = post_form(as_organizer, "/manage/new", {
        "name": "Brand New", "slug": "brand-new", "starts_on": "2028-02-15", "ends_on": "2028-02-16",
        "timezone": "Europe/Brussels"})
    assert response.status_code == 302
    edition = db.session.scalar(sa.select(Edition).where(Edition.slug == "brand-new"))
    assert edition.published is False


@pytest.mark.parametrize("path", PUBLIC_PAGES)
def test_draft_pages_are_not_found_for_anonymous_visitors(client, draft, path):
    assert client.get(path).status_code == 404


@pytest.mark.parametrize("path", PUBLIC_PAGES)
def test_draft_pages_are_not_found_for_a_signed_in_stranger(client, auth, draft, path):
    auth.login(make_user(email="stranger@example.org").email)
    assert client.get(path).status_code == 404


@pytest.mark.parametrize("role", [Role.ORGANIZER, Role.REVIEWER, Role.CHECKIN])
def test_the_team_sees_the_draft_with_a_draft_badge(client, auth, draft, role):
    member = make_user(email=f"{role.value}@example.org")
    give_role(draft, member, role)
    auth.login(member.email)
    for path in PUBLIC_PAGES:
        response = client.get(path)
        assert response.status_code == 200, path
        assert 'class="badge text-bg-warning edition-draft"' in response.get_data(as_text=True)


def test_home_page_lists_a_draft_only_to_its_team(client, auth, organizer, draft, edition):
    anonymous = client.get("/").get_data(as_text=True)
    assert 'href="/csc-2027/"' in anonymous
    assert 'href="/draft-ed/"' not in anonymous
    auth.login(organizer.email)
    assert 'href="/draft-ed/"' in client.get("/").get_data(as_text=True)


def test_organizer_publishes_then_everyone_sees_it(client, auth, db, organizer, draft):
    auth.login(organizer.email)
    page = client.get("/draft-ed/manage/").get_data(as_text=True)
    assert "The edition is a <strong>draft</strong>" in page
    response = post_form(client, "/draft-ed/manage/publish", {}, page="/draft-ed/manage/")
    assert response.headers["Location"] == "/draft-ed/manage/"
    db.session.expire_all()
    assert draft.published is True
    (entry,) = db.session.scalars(sa.select(AuditEntry).where(AuditEntry.action == "edition.publish")).all()
    assert (entry.actor_id, entry.edition_id) == (organizer.id, draft.id)
    auth.logout()
    for path in PUBLIC_PAGES:
        assert client.get(path).status_code == 200, path
    assert 'edition-draft' not in client.get("/draft-ed/").get_data(as_text=True)


def test_back_to_draft_hides_it_again_and_twice_is_refused(client, db, organizer, draft):
    set_edition_published(draft, True, actor=organizer)
    with pytest.raises(Conflict):
        set_edition_published(draft, True, actor=organizer)
    set_edition_published(draft, False, actor=organizer)
    db.session.commit()
    assert client.get("/draft-ed/").status_code == 404


def test_only_organizers_publish(client, auth, db, draft):
    reviewer = make_user(email="rev@example.org")
    give_role(draft, reviewer, Role.REVIEWER)
    auth.login(reviewer.email)
    response = post_form(client, "/draft-ed/manage/publish", {}, page="/draft-ed/")
    assert response.status_code == 403
    db.session.expire_all()
    assert draft.published is False


def test_the_demo_edition_is_published(db):
    from convention.demo import seed_demo

    seed_demo()
    db.session.commit()
    assert db.session.scalar(sa.select(Edition.published).where(Edition.slug == "demo")) is True


# -- the organizer area in the menu ------------------------------------------------------


def _menu(html: str) -> str:
    return html.split('<ul class="navbar-nav me-auto">', 1)[1].split("</ul>", 1)[0]


def test_organizer_area_is_in_the_edition_menu_for_organizers_only(client, auth, organizer, edition):
    assert "Organizer area" not in _menu(client.get("/csc-2027/cfp/").get_data(as_text=True))
    reviewer = make_user(email="rev@example.org")
    give_role(edition, reviewer, Role.REVIEWER)
    auth.login(reviewer.email)
    assert "Organizer area" not in _menu(client.get("/csc-2027/cfp/").get_data(as_text=True))
    auth.logout()
    auth.login(organizer.email)
    menu = _menu(client.get("/csc-2027/cfp/").get_data(as_text=True))
    assert '<a class="nav-link" href="/csc-2027/manage/">Organizer area</a>' in menu
