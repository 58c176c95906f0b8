"""Organizers create and configure editions; every change is audited; nothing half-stored."""

from __future__ import annotations

from datetime import UTC, date, datetime

import pytest
import sqlalchemy as sa

from convention.audit.models import AuditEntry
from convention.editions.models import Edition, EditionRole, Role, Room, SessionFormat, Theme
from tests.conftest import post_form
from tests.factories import give_role, make_edition, make_user

NEW = {
    "name": "Cyber Security Convention 2028",
    "slug": "csc-2028",
    "tagline": "Defend the small",
    "description": "Two days.",
    "starts_on": "2028-02-15",
    "ends_on": "2028-02-16",
    "timezone": "Europe/Brussels",
    "venue_name": "Brussels Expo",
    "venue_address": "Place de Belgique 1",
    "cfp_opens_at": "2027-10-01T09:00",
    "cfp_closes_at": "2027-11-30T23:59",
}


def _audit(db, action=None):
    query = sa.select(AuditEntry).order_by(AuditEntry.id)
    if action:
        query = query.where(AuditEntry.action == action)
    return db.session.scalars(query).all()


def _count(db, model):
    return db.session.scalar(sa.select(sa.func.count()).select_from(model))


def test_create_edition_stores_it_with_defaults_and_makes_creator_organizer(as_organizer, db, organizer):
    before = len(_audit(db))
    response = post_form(as_organizer, "/manage/new", NEW)
    assert response.status_code == 302
    assert response.headers["Location"] == "/csc-2028/manage/"
    edition = db.session.scalar(sa.select(Edition).where(Edition.slug == "csc-2028"))
    assert (edition.name, edition.starts_on, edition.ends_on, edition.timezone) == (
        "Cyber Security Convention 2028", date(2028, 2, 15), date(2028, 2, 16), "Europe/Brussels")
    assert [t.name for t in edition.themes] == [
        "SME security", "Compliance: GDPR, NIS2 and the Cybersecurity Act", "DNS and Internet infrastructure",
        "Threat intelligence", "Phishing and malware", "Secure coding"]
    assert [(f.name, f.duration_minutes) for f in edition.formats] == [
        ("Talk (30 min)", 30), ("Talk (45 min)", 45), ("Keynote", 45), ("Panel", 60), ("Workshop", 90)]
    roles = db.session.scalars(sa.select(EditionRole).where(EditionRole.edition_id == edition.id)).all()
    assert [(r.user_id, r.role) for r in roles] == [(organizer.id, Role.ORGANIZER)]
    # Registration reacts to the organizer role with a free staff registration; it logs that itself.
    new_entries = [(e.action, e.actor_id, e.edition_id) for e in _audit(db)[before:] if not e.action.startswith("registration.")]
    assert new_entries == [("role.grant", organizer.id, edition.id), ("edition.create", organizer.id, edition.id)]


def test_create_edition_brussels_winter_and_summer_times_stored_in_utc(as_organizer, db):
    response = post_form(as_organizer, "/manage/new", {**NEW, "cfp_opens_at": "2028-01-15T09:00",
                                                        "cfp_closes_at": "2028-07-01T18:30"})
    assert response.status_code == 302
    edition = db.session.scalar(sa.select(Edition).where(Edition.slug == "csc-2028"))
    db.session.expire_all()
    assert edition.cfp_opens_at == datetime(2028, 1, 15, 8, 0, tzinfo=UTC)  # CET, UTC+1
    assert edition.cfp_closes_at == datetime(2028, 7, 1, 16, 30, tzinfo=UTC)  # CEST, UTC+2
    # Shown back in the edition's zone on the settings form.
    page = as_organizer.get("/csc-2028/manage/").get_data(as_text=True)
    assert 'value="2028-01-15T09:00"' in page
    assert 'value="2028-07-01T18:30"' in page


def test_create_edition_times_follow_the_chosen_time_zone(as_organizer, db):
    response = post_form(as_organizer, "/manage/new", {**NEW, "timezone": "America/New_York",
                                                        "cfp_opens_at": "2028-01-15T09:00",
                                                        "cfp_closes_at": "2028-02-01T12:00"})
    assert response.status_code == 302
    edition = db.session.scalar(sa.select(Edition).where(Edition.slug == "csc-2028"))
    assert edition.cfp_opens_at == datetime(2028, 1, 15, 14, 0, tzinfo=UTC)


@pytest.mark.parametrize(
    ("changes", "message"),
    [
        ({"slug": "login"}, "“login” is reserved by the site; choose another address."),
        ({"slug": "manage"}, "“manage” is reserved by the site; choose another address."),
        ({"slug": "healthz"}, "“healthz” is reserved by the site; choose another address."),
        ({"slug": "static"}, "“static” is reserved by the site; choose another address."),
        ({"slug": "Has Spaces"}, "Use 1 to 40 lowercase letters, digits and dashes"),
        ({"slug": "-dash"}, "Use 1 to 40 lowercase letters, digits and dashes"),
        ({"slug": "dash-"}, "Use 1 to 40 lowercase letters, digits and dashes"),
        ({"slug": "a/b"}, "Use 1 to 40 lowercase letters, digits and dashes"),
        ({"slug": "x" * 41}, "Field cannot be longer than 40 characters."),
        ({"slug": "csc-2027"}, "Another edition already uses this address."),
        ({"slug": "CSC-2027"}, "Another edition already uses this address."),
        ({"ends_on": "2028-02-14"}, "The last day cannot come before the first day."),
        ({"timezone": "Europe/Atlantis"}, "Unknown time zone."),
        ({"timezone": ""}, "Enter a time zone such as Europe/Brussels."),
        ({"cfp_closes_at": "2027-09-30T09:00"}, "The call must close after it opens."),
        ({"cfp_closes_at": "2027-10-01T09:00"}, "The call must close after it opens."),
        ({"starts_on": "15/02/2028"}, "Not a valid date value."),
        ({"name": ""}, "A name is required."),
        ({"starts_on": ""}, "Enter the first day."),
        ({"cfp_opens_at": "tomorrow"}, "Not a valid datetime value."),
    ],
)
def test_create_edition_invalid_input_shows_message_and_stores_nothing(as_organizer, db, changes, message):
    editions, themes, audits = _count(db, Edition), _count(db, Theme), len(_audit(db))
    response = post_form(as_organizer, "/manage/new", {**NEW, **changes})
    assert response.status_code == 422
    assert message in response.get_data(as_text=True)
    assert (_count(db, Edition), _count(db, Theme), len(_audit(db))) == (editions, themes, audits)


def test_reserved_slugs_include_every_fixed_route_of_the_app(app):
    from convention.editions.services import reserved_slugs

    words = reserved_slugs()
    assert {"login", "signup", "logout", "account", "admin", "manage", "healthz", "static"} <= words
    for rule in app.url_map.iter_rules():
        first = rule.rule.lstrip("/").split("/", 1)[0]
        if first and "<" not in first:
            assert first in words


def test_create_edition_without_csrf_token_refused(as_organizer, db):
    response = as_organizer.post("/manage/new", data=NEW)
    assert response.status_code == 400
    assert "The form had expired or was not sent from this site." in response.get_data(as_text=True)
    assert _count(db, Edition) == 1


def test_edit_settings_updates_and_audits_changes(as_organizer, db, edition, organizer):
    form = {**NEW, "slug": "csc-2027", "name": "CSC 2027 (renamed)", "cfp_opens_at": "", "cfp_closes_at": ""}
    response = post_form(as_organizer, "/csc-2027/manage/", form)
    assert response.status_code == 302
    db.session.expire_all()
    assert (edition.name, edition.cfp_opens_at, edition.cfp_closes_at) == ("CSC 2027 (renamed)", None, None)
    (entry,) = _audit(db, "edition.update")
    assert entry.actor_id == organizer.id
    assert entry.data["name"] == "CSC 2027 (renamed)"
    assert entry.data["cfp_opens_at"] == "None"
    assert "slug" not in entry.data


def test_edit_settings_can_change_the_address(as_organizer, db, edition):
    response = post_form(as_organizer, "/csc-2027/manage/", {**NEW, "slug": "csc-27"})
    assert response.headers["Location"] == "/csc-27/manage/"
    assert as_organizer.get("/csc-27/").status_code == 200
    assert as_organizer.get("/csc-2027/").status_code == 404


def test_edit_settings_slug_of_other_edition_refused(as_organizer, db, edition):
    make_edition(slug="other-one")
    response = post_form(as_organizer, "/csc-2027/manage/", {**NEW, "slug": "other-one"})
    assert response.status_code == 422
    assert "Another edition already uses this address." in response.get_data(as_text=True)
    db.session.expire_all()
    assert edition.slug == "csc-2027"
    assert _audit(db, "edition.update") == []


# -- themes, formats, rooms --------------------------------------------------------------

ITEMS = {
    "themes": (Theme, {"name": "Red teaming", "description": "Attack to defend", "position": "7"}),
    "formats": (SessionFormat, {"name": "Lightning talk", "duration_minutes": "5", "description": ""}),
    "rooms": (Room, {"name": "Room Brugge", "capacity": "60", "position": "2"}),
}
LABEL = {"themes": "theme", "formats": "format", "rooms": "room"}


@pytest.mark.parametrize("kind", ITEMS)
def test_item_create_edit_delete_with_audit(as_organizer, db, edition, organizer, kind):
    model, values = ITEMS[kind]
    response = post_form(as_organizer, f"/csc-2027/manage/{kind}/new", values)
    assert response.status_code == 302
    assert response.headers["Location"] == f"/csc-2027/manage/#{kind}"
    item = db.session.scalar(sa.select(model).where(model.name == values["name"]))
    assert item.edition_id == edition.id

    renamed = {**values, "name": values["name"] + " II"}
    assert post_form(as_organizer, f"/csc-2027/manage/{kind}/{item.id}", renamed).status_code == 302
    db.session.expire_all()
    assert item.name == values["name"] + " II"

    response = post_form(as_organizer, f"/csc-2027/manage/{kind}/{item.id}/delete", {}, page="/csc-2027/manage/")
    assert response.status_code == 302
    assert db.session.get(model, item.id) is None

    label = LABEL[kind]
    entries = [(e.action, e.actor_id, e.edition_id, e.object_id, e.data["name"])
               for e in _audit(db) if e.action.startswith(label + ".")]
    assert entries == [
        (f"{label}.create", organizer.id, edition.id, str(item.id), values["name"]),
        (f"{label}.update", organizer.id, edition.id, str(item.id), values["name"] + " II"),
        (f"{label}.delete", organizer.id, edition.id, str(item.id), values["name"] + " II"),
    ]


def test_theme_empty_order_defaults_to_zero(as_organizer, db):
    response = post_form(as_organizer, "/csc-2027/manage/themes/new", {"name": "Red teaming", "position": ""})
    assert response.status_code == 302
    assert db.session.scalar(sa.select(Theme.position).where(Theme.name == "Red teaming")) == 0


@pytest.mark.parametrize(
    ("kind", "values", "message"),
    [
        ("formats", {"name": "Too short", "duration_minutes": "4"}, "A session lasts between 5 and 720 minutes."),
        ("formats", {"name": "Too long", "duration_minutes": "721"}, "A session lasts between 5 and 720 minutes."),
        ("formats", {"name": "Nothing", "duration_minutes": ""}, "Enter the duration in minutes."),
        ("formats", {"name": "Words", "duration_minutes": "ten"}, "Not a valid integer value."),
        ("formats", {"name": "Keynote", "duration_minutes": "50"}, "This edition already has a format with that name."),
        ("rooms", {"name": "Empty", "capacity": "0"}, "A room holds between 1 and 100000 people."),
        ("rooms", {"name": "Negative", "capacity": "-5"}, "A room holds between 1 and 100000 people."),
        ("rooms", {"name": "", "capacity": "10"}, "A name is required."),
        ("themes", {"name": "Secure coding"}, "This edition already has a theme with that name."),
        ("themes", {"name": "  Secure   coding "}, "This edition already has a theme with that name."),
        ("themes", {"name": "x" * 121}, "Field cannot be longer than 120 characters."),
        ("themes", {"name": "Order", "position": "-1"}, "Use an order between 0 and 1000."),
    ],
)
def test_item_invalid_input_refused_and_nothing_stored(as_organizer, db, kind, values, message):
    model = ITEMS[kind][0]
    count, audits = _count(db, model), len(_audit(db))
    response = post_form(as_organizer, f"/csc-2027/manage/{kind}/new", values)
    assert response.status_code == 422
    assert message in response.get_data(as_text=True)
    assert (_count(db, model), len(_audit(db))) == (count, audits)


def test_item_rename_onto_existing_name_refused(as_organizer, db, edition):
    theme = edition.themes[0]
    response = post_form(as_organizer, f"/csc-2027/manage/themes/{theme.id}", {"name": edition.themes[1].name})
    assert response.status_code == 422
    db.session.expire_all()
    assert theme.name == "SME security"


def test_item_same_name_allowed_in_another_edition(as_organizer, db):
    other = make_edition(slug="other-one")
    assert [t.name for t in other.themes][0] == "SME security"  # both editions have it: no clash


def test_item_service_enforces_ranges_without_the_form(db, edition, organizer):
    from convention.core.errors import DomainError
    from convention.editions.services import ITEM_KINDS, save_item

    with pytest.raises(DomainError, match="A session lasts between 5 and 720 minutes."):
        save_item(edition, ITEM_KINDS["formats"], {"name": "Marathon", "duration_minutes": 1000}, actor=organizer)
    with pytest.raises(DomainError, match="A room holds between 1 and 100000 people."):
        save_item(edition, ITEM_KINDS["rooms"], {"name": "Void", "capacity": None}, actor=organizer)


def test_item_of_another_edition_is_404(as_organizer, db):
    other = make_edition(slug="other-one")
    theme_id = other.themes[0].id
    assert as_organizer.get(f"/csc-2027/manage/themes/{theme_id}").status_code == 404
    response = post_form(as_organizer, f"/csc-2027/manage/themes/{theme_id}/delete", {}, page="/csc-2027/manage/")
    assert response.status_code == 404
    assert db.session.get(Theme, theme_id) is not None


def test_item_unknown_kind_is_404(as_organizer):
    assert as_organizer.get("/csc-2027/manage/sponsors/new").status_code == 404


def test_delete_item_without_csrf_token_refused(as_organizer, db, edition):
    room_count = _count(db, Theme)
    theme_id = edition.themes[0].id
    response = as_organizer.post(f"/csc-2027/manage/themes/{theme_id}/delete")
    assert response.status_code == 400
    assert "The form had expired or was not sent from this site." in response.get_data(as_text=True)
    assert _count(db, Theme) == room_count
    assert _audit(db, "theme.delete") == []


def test_delete_by_get_is_not_possible(as_organizer, db, edition):
    theme_id = edition.themes[0].id
    assert as_organizer.get(f"/csc-2027/manage/themes/{theme_id}/delete").status_code == 405
    assert db.session.get(Theme, theme_id) is not None


# -- the team ---------------------------------------------------------------------------


def test_team_grant_by_email_and_revoke_with_audit(as_organizer, db, edition, organizer):
    rosa = make_user(name="Rosa Reviewer", email="rosa@example.org")
    response = post_form(as_organizer, "/csc-2027/manage/team", {"email": " Rosa@Example.org ", "role": "reviewer"})
    assert response.status_code == 302
    grant = db.session.scalar(sa.select(EditionRole).where(EditionRole.user_id == rosa.id))
    assert (grant.edition_id, grant.role) == (edition.id, Role.REVIEWER)
    page = as_organizer.get("/csc-2027/manage/team").get_data(as_text=True)
    assert "Rosa Reviewer" in page and "Committee member" in page

    response = post_form(as_organizer, f"/csc-2027/manage/team/{grant.id}/revoke", {}, page="/csc-2027/manage/team")
    assert response.status_code == 302
    assert db.session.get(EditionRole, grant.id) is None
    entries = [(e.action, e.actor_id, e.edition_id, e.data) for e in _audit(db) if e.action.startswith("role.")
               and e.data.get("role") == "reviewer"]
    assert entries == [
        ("role.grant", organizer.id, edition.id, {"user_id": rosa.id, "role": "reviewer"}),
        ("role.revoke", organizer.id, edition.id, {"user_id": rosa.id, "role": "reviewer"}),
    ]


def test_team_grant_unknown_email_refused(as_organizer, db):
    grants = _count(db, EditionRole)
    response = post_form(as_organizer, "/csc-2027/manage/team", {"email": "ghost@example.org", "role": "checkin"})
    assert response.status_code == 422
    assert "No account uses this email address; ask the person to sign up first." in response.get_data(as_text=True)
    assert _count(db, EditionRole) == grants


def test_team_grant_twice_refused_with_message(as_organizer, db, edition):
    rosa = make_user(name="Rosa Reviewer", email="rosa@example.org")
    give_role(edition, rosa, Role.REVIEWER)
    audits = len(_audit(db))
    response = post_form(as_organizer, "/csc-2027/manage/team", {"email": "rosa@example.org", "role": "reviewer"})
    assert response.status_code == 422
    assert "Rosa Reviewer is already committee member of this edition." in response.get_data(as_text=True)
    assert len(_audit(db)) == audits


def test_team_unknown_role_refused(as_organizer, db):
    make_user(email="rosa@example.org")
    response = post_form(as_organizer, "/csc-2027/manage/team", {"email": "rosa@example.org", "role": "emperor"})
    assert response.status_code == 422
    assert "Not a valid choice." in response.get_data(as_text=True)


def test_team_last_organizer_cannot_be_removed(as_organizer, db, edition, organizer):
    grant = db.session.scalar(sa.select(EditionRole).where(EditionRole.user_id == organizer.id))
    response = post_form(as_organizer, f"/csc-2027/manage/team/{grant.id}/revoke", {},
                         page="/csc-2027/manage/team", follow_redirects=True)
    assert response.status_code == 200
    assert "An edition keeps at least one organizer: add another organizer first." in response.get_data(as_text=True)
    assert db.session.get(EditionRole, grant.id) is not None
    assert _audit(db, "role.revoke") == []


def test_team_second_organizer_can_be_removed_then_first_is_last(as_organizer, db, edition, organizer):
    other = make_user(email="otto@example.org")
    second = give_role(edition, other, Role.ORGANIZER)
    assert post_form(as_organizer, f"/csc-2027/manage/team/{second.id}/revoke", {},
                     page="/csc-2027/manage/team").status_code == 302
    assert db.session.get(EditionRole, second.id) is None
    (entry,) = _audit(db, "role.revoke")
    assert entry.data == {"user_id": other.id, "role": "organizer"}


def test_team_revoke_grant_of_other_edition_is_404(as_organizer, db):
    other = make_edition(slug="other-one")
    foreign = db.session.scalar(sa.select(EditionRole).where(EditionRole.edition_id == other.id))
    response = post_form(as_organizer, f"/csc-2027/manage/team/{foreign.id}/revoke", {}, page="/csc-2027/manage/team")
    assert response.status_code == 404
    assert db.session.get(EditionRole, foreign.id) is not None


def test_landing_page_is_public_and_shows_edition(client, edition):
    response = client.get("/csc-2027/")
    assert response.status_code == 200
    body = response.get_data(as_text=True)
    assert "<h1 class=\"display-5 fw-bold\">Cyber Security Convention 2027</h1>" in body
    assert "Organizer area" not in body
    assert "Threat intelligence" in body


def test_landing_page_shows_organizer_link_to_organizers(as_organizer):
    assert "Organizer area" in as_organizer.get("/csc-2027/").get_data(as_text=True)


def test_landing_shows_cfp_close_in_edition_time_zone(client, db, organizer):
    make_edition(organizer=organizer, slug="tz-test", cfp_opens_at=datetime(2028, 1, 1, tzinfo=UTC),
                 cfp_closes_at=datetime(2028, 6, 30, 21, 59, tzinfo=UTC))
    assert "Fri 30 Jun 2028, 23:59 (CEST)" in client.get("/tz-test/").get_data(as_text=True)


def test_team_lists_organizers_then_committee_then_door_by_name(as_organizer, db, edition):
    for name, email, role in [("Zed Door", "zed@example.org", Role.CHECKIN), ("bob Review", "bob@example.org", Role.REVIEWER),
                              ("Amy Review", "amy@example.org", Role.REVIEWER), ("Carl Org", "carl@example.org", Role.ORGANIZER)]:
        give_role(edition, make_user(name=name, email=email), role)
    from convention.editions.services import list_team

    assert [(g.user.name, g.role.value) for g in list_team(edition)] == [
        ("Carl Org", "organizer"), ("Olga Organizer", "organizer"), ("Amy Review", "reviewer"),
        ("bob Review", "reviewer"), ("Zed Door", "checkin")]


def test_team_form_offers_the_least_powerful_role_first(as_organizer):
    page = as_organizer.get("/csc-2027/manage/team").get_data(as_text=True)
    assert '<option selected value="reviewer">Committee member</option>' in page
    assert page.index('value="reviewer"') < page.index('value="checkin"') < page.index('value="organizer"')


def test_item_name_race_lost_to_parallel_request_is_a_conflict(db, edition, organizer, monkeypatch):
    # Simulate a parallel request that stored the name between the check and the insert.
    from convention.core.errors import Conflict
    from convention.editions import services

    monkeypatch.setattr(services, "_check_unique_name", lambda *args, **kwargs: None)
    with pytest.raises(Conflict, match="This edition already has a theme with that name."):
        services.save_item(edition, services.ITEM_KINDS["themes"], {"name": "Secure coding"}, actor=organizer)
    db.session.rollback()
    assert [t.name for t in edition.themes].count("Secure coding") == 1


def test_edition_slug_race_lost_to_parallel_request_is_a_conflict(db, edition, organizer, monkeypatch):
    from convention.core.errors import Conflict
    from convention.editions import services

    real_scalar = db.session.scalar
    monkeypatch.setattr(db.session, "scalar", lambda query, *a, **k: None if "editions.slug" in str(query)
                        else real_scalar(query, *a, **k))
    data = services.EditionData(slug="csc-2027", name="Clash", starts_on=date(2028, 1, 1), ends_on=date(2028, 1, 2))
    with pytest.raises(Conflict, match="Another edition already uses this address."):
        services.create_edition(data, actor=organizer)
    db.session.rollback()
    monkeypatch.undo()
    assert _count(db, Edition) == 1
