"""Privacy notices with versions and consents against them; retention and the job that
anonymises attendee data after it; the record of processing."""

from __future__ import annotations

from datetime import timedelta

import sqlalchemy as sa

from convention.audit.models import AuditEntry
from convention.core.timeutil import utcnow
from convention.privacy.jobs import anonymise_job, next_run
from convention.privacy.models import PrivacyNotice, PrivacySettings
from convention.privacy.retention import anonymise_due
from convention.registration.models import Attendee, Order, WaitingListEntry
from convention.registration.settings import get_settings
from tests.conftest import post_form
from tests.factories import make_edition, make_user
from tests.registration.helpers import buy, make_ticket_type


def _organizer_edition(auth):
    organizer = make_user()
    edition = make_edition(organizer=organizer)
    auth.login(organizer.email)
    return organizer, edition


def test_each_change_of_the_notice_is_a_new_version_and_consents_name_theirs(db, client, auth):
    organizer, edition = _organizer_edition(auth)
    ticket = make_ticket_type(edition, price_cents=0)
    first_label = get_settings(edition).privacy_version
    buy(edition, {ticket: 1}, email="early@example.org")
    url = f"/{edition.slug}/manage/privacy/"
    assert post_form(client, url, {"notice-text": "We keep names until March."}).status_code == 302
    assert post_form(client, url, {"notice-text": "We keep names until April."}).status_code == 302
    assert post_form(client, url, {"notice-text": "We keep names until April."}).status_code == 422  # unchanged
    notices = db.session.scalars(sa.select(PrivacyNotice).order_by(PrivacyNotice.version)).all()
    assert [(n.version, n.label) for n in notices] == [(1, "v1"), (2, "v2")]
    assert get_settings(edition).privacy_version == "v2"  # what checkout asks people to accept now
    later = buy(edition, {ticket: 1}, email="late@example.org")
    assert later.consent_version == "v2"
    page = client.get(url).get_data(as_text=True)
    assert "v1" in page and "v2" in page
    public = client.get(f"/{edition.slug}/privacy").get_data(as_text=True)
    assert "until April" in public and "until March" in public  # the earlier version, folded
    bought = sa.select(Order).where(Order.email.in_(["early@example.org", "late@example.org"]))
    orders = {o.email: o.consent_version for o in db.session.scalars(bought)}
    assert orders == {"early@example.org": first_label, "late@example.org": "v2"}
    entries = db.session.scalars(
        sa.select(AuditEntry).where(AuditEntry.action == "privacy.notice_published").order_by(AuditEntry.id)
    ).all()
    assert [(e.before, e.after) for e in entries] == [
        ({"label": first_label}, {"label": "v1"}),
        ({"label": "v1"}, {"label": "v2"}),
    ]


def test_retention_date_then_anonymisation_by_the_job(db, client, auth, runner):
    organizer, edition = _organizer_edition(auth)
    ticket = make_ticket_type(edition, price_cents=0)
    order = buy(edition, {ticket: 2}, email="buyer@example.org", names=["Ann Attendee", "Bob Attendee"])
    too_early = post_form(
        client,
        f"/{edition.slug}/manage/privacy/retention",
        {"retention-retention_until": (edition.ends_on - timedelta(days=1)).isoformat()},
        page=f"/{edition.slug}/manage/privacy/",
    )
    assert too_early.status_code == 422
    until = edition.ends_on + timedelta(days=30)
    response = post_form(
        client,
        f"/{edition.slug}/manage/privacy/retention",
        {"retention-retention_until": until.isoformat()},
        page=f"/{edition.slug}/manage/privacy/",
    )
    assert response.status_code == 302
    assert db.session.get(PrivacySettings, edition.id).retention_until == until

    assert anonymise_due(now=utcnow()) == 0  # not yet
    assert db.session.get(Order, order.id).email == "buyer@example.org"
    edition_id, order_id = edition.id, order.id
    db.session.get(PrivacySettings, edition_id).retention_until = utcnow().date() - timedelta(days=1)
    db.session.commit()
    result = runner.invoke(args=["privacy", "anonymise-due"])
    assert "Anonymised 1 edition(s)." in result.output
    db.session.expire_all()
    kept = db.session.get(Order, order_id)
    assert (kept.email, kept.buyer_name, kept.total_cents) == ("", "", 0)
    names = db.session.scalars(sa.select(Attendee.name).where(Attendee.order_id == order_id)).all()
    assert names == ["anonymised", "anonymised"]
    assert db.session.scalar(sa.select(sa.func.count()).select_from(WaitingListEntry)) == 0
    assert db.session.get(PrivacySettings, edition_id).anonymised_at is not None
    assert runner.invoke(args=["privacy", "anonymise-due"]).output.strip() == "Anonymised 0 edition(s)."
    assert db.session.scalar(sa.select(AuditEntry.action).where(AuditEntry.action == "privacy.anonymised"))


def test_the_rq_job_runs_and_schedules_tomorrow(db, app, monkeypatch):
    scheduled = []
    monkeypatch.setattr("convention.privacy.jobs.schedule_next_anonymisation", lambda: scheduled.append(1))
    assert anonymise_job() == 0 and scheduled == [1]
    now = utcnow()
    assert now < next_run(now) <= now + timedelta(days=1)


def test_record_of_processing_lists_what_why_and_how_long(db, client, auth):
    organizer, edition = _organizer_edition(auth)
    ticket = make_ticket_type(edition, price_cents=0)
    buy(edition, {ticket: 1})
    page = client.get(f"/{edition.slug}/manage/privacy/processing").get_data(as_text=True)
    assert "attendees.email" in page and "users.password_hash" in page and "retention date" in page
