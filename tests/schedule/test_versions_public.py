"""Publishing versions (snapshot, changelog, emails, audit) and the public pages that read them."""

from __future__ import annotations

import sqlalchemy as sa

from convention.audit.models import AuditEntry
from convention.extensions import db
from convention.mail.models import OutboxMessage
from convention.schedule import versions
from convention.schedule.placement import place_talk, unschedule_talk
from tests.conftest import Auth


def _publish(sched, name="First"):
    version = versions.publish_version(sched.edition, name, actor=sched.organizer)
    db.session.commit()
    return version


def _moved_mails():
    return db.session.scalars(sa.select(OutboxMessage).where(OutboxMessage.template == "schedule_talk_moved")).all()


def test_publish_snapshot_changelog_emails_and_audit(sched):
    place_talk(sched.edition, sched.first, sched.big, sched.at(10), actor=sched.organizer)
    place_talk(sched.edition, sched.third, sched.small, sched.at(10), actor=sched.organizer)
    first = _publish(sched)
    assert first.number == 1
    assert [t["title"] for t in first.snapshot["talks"]] == ["First talk", "Third talk"]
    talk = first.snapshot["talks"][0]
    assert talk["speakers"][0]["name"] and talk["description_html"] == "<p>Some <strong>Markdown</strong>.</p>"
    assert {t["title"] for t in first.changelog["added"]} == {"First talk", "Third talk"}
    assert first.changelog["moved"] == [] and first.changelog["cancelled"] == []
    assert _moved_mails() == []

    place_talk(sched.edition, sched.first, sched.big, sched.at(14), actor=sched.organizer)
    unschedule_talk(sched.edition, sched.third, actor=sched.organizer)
    place_talk(sched.edition, sched.second, sched.small, sched.at(15), actor=sched.organizer)
    second = _publish(sched, "Second")
    assert second.number == 2
    assert [m["title"] for m in second.changelog["moved"]] == ["First talk"]
    assert second.changelog["moved"][0]["from"]["starts_at"] == sched.at(10).isoformat()
    assert [a["title"] for a in second.changelog["added"]] == ["Second talk"]
    assert [c["title"] for c in second.changelog["cancelled"]] == ["Third talk"]
    (mail,) = _moved_mails()
    assert mail.recipient == sched.speaker.email and "First talk" in mail.subject
    assert "Auditorium" in mail.body_text and "14:00" in mail.body_text and "10:00" in mail.body_text
    audit = db.session.scalars(sa.select(AuditEntry).where(AuditEntry.action == "schedule.published")
                               .order_by(AuditEntry.id)).all()
    assert [a.data["moved"] for a in audit] == [0, 1]


def test_a_version_needs_a_name(sched):
    import pytest

    from convention.core.errors import Conflict
    with pytest.raises(Conflict):
        versions.publish_version(sched.edition, "  ", actor=sched.organizer)


def test_drafting_never_leaks_to_public_pages(client, sched):
    slug = sched.edition.slug
    assert "not published yet" in client.get(f"/{slug}/schedule/").get_data(as_text=True)
    place_talk(sched.edition, sched.first, sched.big, sched.at(10), actor=sched.organizer)
    db.session.commit()
    assert "First talk" not in client.get(f"/{slug}/schedule/").get_data(as_text=True)  # draft only
    version = _publish(sched)
    guid = version.snapshot["talks"][0]["guid"]
    before = {path: client.get(path).get_data(as_text=True)
              for path in (f"/{slug}/schedule/", f"/{slug}/talk/{guid}",
                           f"/{slug}/speaker/{version.snapshot['talks'][0]['speakers'][0]['code']}")}
    assert "First talk" in before[f"/{slug}/schedule/"] and "10:00" in before[f"/{slug}/talk/{guid}"]

    # The draft changes a lot: moved, a new talk, a new room name, a new break.
    place_talk(sched.edition, sched.first, sched.small, sched.at(15), actor=sched.organizer)
    place_talk(sched.edition, sched.third, sched.big, sched.at(10), actor=sched.organizer)
    sched.big.name = "Renamed hall"
    sched.first.title = "Retitled talk"
    db.session.commit()
    after = {path: client.get(path).get_data(as_text=True) for path in before}
    assert after == before
    assert client.get(f"/{slug}/talk/{sched.third.id}").status_code == 404


def test_public_schedule_filters_and_talk_page(client, sched):
    place_talk(sched.edition, sched.first, sched.big, sched.at(10), actor=sched.organizer)
    place_talk(sched.edition, sched.third, sched.small, sched.at(11), actor=sched.organizer)
    version = _publish(sched)
    slug = sched.edition.slug
    html = client.get(f"/{slug}/schedule/").get_data(as_text=True)
    assert "First talk" in html and "Third talk" in html and "Lunch" in html
    assert '<th scope="col">Auditorium</th>' in html and "js/schedule-favourites.js" in html
    only_lab = client.get(f"/{slug}/schedule/?room={sched.small.id}").get_data(as_text=True)
    assert "Third talk" in only_lab and "First talk" not in only_lab
    theme = client.get(f"/{slug}/schedule/?theme={sched.third.theme_id}").get_data(as_text=True)
    assert "Third talk" in theme and "First talk" not in theme
    ignored = client.get(f"/{slug}/schedule/?level=nonsense&room=x&theme=999999").get_data(as_text=True)
    assert "First talk" in ignored and "Third talk" in ignored
    talk = next(t for t in version.snapshot["talks"] if t["title"] == "First talk")
    page = client.get(f"/{slug}/talk/{talk['guid']}")
    assert page.status_code == 200
    text = page.get_data(as_text=True)
    assert "<strong>Markdown</strong>" in text and "10:00–10:30" in text and "Auditorium" in text
    assert client.get(f"/{slug}/talk/{talk['id']}").status_code == 200
    assert client.get(f"/{slug}/talk/nonsense").status_code == 404
    assert client.get(f"/{slug}/speaker/nobody").status_code == 404


def test_speakers_proposal_page_shows_the_published_slot(client, sched):
    place_talk(sched.edition, sched.first, sched.big, sched.at(10), actor=sched.organizer)
    db.session.commit()
    Auth(client).login(sched.speaker.email)
    url = f"/{sched.edition.slug}/cfp/proposals/{sched.first.code}"
    assert "not published yet" in client.get(url).get_data(as_text=True)
    _publish(sched)
    html = client.get(url).get_data(as_text=True)
    assert "cfp-slot-published" in html and "10:00–10:30, Auditorium" in html


def test_organizer_versions_page_publishes_and_lists(client, sched):
    from tests.conftest import csrf_token_from
    Auth(client).login(sched.organizer.email)
    url = f"/{sched.edition.slug}/manage/schedule/versions"
    token = csrf_token_from(client.get(url).get_data(as_text=True))
    assert client.post(url, data={"csrf_token": token, "name": ""}).status_code == 422
    place_talk(sched.edition, sched.first, sched.big, sched.at(10), actor=sched.organizer)
    db.session.commit()
    assert client.post(url, data={"csrf_token": token, "name": "Programme v1"}).status_code == 302
    html = client.get(url).get_data(as_text=True)
    assert "Version 1: Programme v1" in html and "First talk" in html
