"""The audit log pages: organizers read their edition's log, admins the whole site's;
filters, pages and the CSV export; nobody else gets in."""

from __future__ import annotations

import csv
import io
import re
from datetime import timedelta

import sqlalchemy as sa

from convention.audit.context import held_entries
from convention.audit.services import record_audit
from convention.core.timeutil import utcnow
from convention.extensions import db as _db
from tests.factories import make_edition, make_user
from tests.queries import count_queries


def _log(edition_id, n, action="order.note", when=None, actor=None):
    with held_entries() as held:
        for i in range(n):
            record_audit(action, actor=actor, edition_id=edition_id, data={"i": i}, before={"i": None}, after={"i": i})
    for entry in held:
        entry.created_at = when or utcnow()
    _db.session.add_all(held)
    _db.session.commit()


def _shown(client, url) -> set[str]:
    """The actions in the log table of the page at ``url``."""
    return set(re.findall(r'<td class="small font-monospace">([a-z_.]+)', client.get(url).get_data(as_text=True)))


def test_organizer_reads_filters_and_pages_the_edition_log(db, client, auth):
    organizer = make_user(name="Olga Organizer")
    edition = make_edition(organizer=organizer)
    other = make_edition()
    _log(edition.id, 60, actor=organizer)
    _log(edition.id, 2, action="role.special", when=utcnow() - timedelta(days=10))
    _log(other.id, 3, action="other.edition")
    auth.login(organizer.email)
    page = client.get(f"/{edition.slug}/manage/audit/").get_data(as_text=True)
    assert "Olga Organizer" in page and "page 1 of 2" in page
    first = _shown(client, f"/{edition.slug}/manage/audit/")
    assert {"order.note", "role.special"} <= first and "other.edition" not in first
    assert "edition.create" in _shown(client, f"/{edition.slug}/manage/audit/?page=2")  # the oldest
    assert _shown(client, f"/{edition.slug}/manage/audit/?action=role.") == {"role.special", "role.grant"}
    assert _shown(client, f"/{edition.slug}/manage/audit/?action=role.special") == {"role.special"}
    recent = (utcnow() - timedelta(days=2)).date().isoformat()
    assert _shown(client, f"/{edition.slug}/manage/audit/?since={recent}&action=role.special") == set()
    assert _shown(client, f"/{edition.slug}/manage/audit/?person=olga") == {"order.note"}
    assert _shown(client, f"/{edition.slug}/manage/audit/?person=nobody") == set()


def test_csv_export_streams_the_filtered_entries(db, client, auth):
    organizer = make_user()
    edition = make_edition(organizer=organizer)
    _log(edition.id, 5, actor=organizer)
    auth.login(organizer.email)
    response = client.get(f"/{edition.slug}/manage/audit.csv?action=order.note")
    assert response.status_code == 200 and response.mimetype == "text/csv" and response.is_streamed
    rows = list(csv.DictReader(io.StringIO(response.get_data(as_text=True).lstrip("\ufeff"))))
    assert len(rows) == 5 and {row["action"] for row in rows} == {"order.note"}
    assert rows[0]["after"] == '{"i": 4}' and rows[0]["actor_id"] == str(organizer.id)


def test_site_log_for_admins_only(db, client, auth):
    admin = make_user(is_admin=True)
    organizer = make_user()
    edition = make_edition(organizer=organizer)
    _log(None, 1, action="site.thing")
    auth.login(organizer.email)
    assert client.get("/admin/audit/").status_code in (403, 404)
    assert client.get(f"/{edition.slug}/manage/audit/").status_code == 200
    auth.logout()
    auth.login(admin.email)
    assert "site.thing" in _shown(client, "/admin/audit/")
    assert client.get("/admin/audit.csv").status_code == 200


def test_query_count_does_not_grow_with_entries(db, client, auth):
    organizer = make_user()
    edition = make_edition(organizer=organizer)
    slug, edition_id = edition.slug, edition.id
    auth.login(organizer.email)
    _log(edition_id, 3, actor=organizer)
    with count_queries() as few:
        client.get(f"/{slug}/manage/audit/")
    _log(edition_id, 40, actor=make_user())
    with count_queries() as many:
        client.get(f"/{slug}/manage/audit/")
    assert len(many) == len(few)
    assert db.session.scalar(sa.text("select count(*) from audit_entries")) > 43
