"""Issue 11: the moved-talk mail writes its times with Babel, in the speaker's language
and on the edition's clock (not strftime's English)."""

from __future__ import annotations

import sqlalchemy as sa
from babel.dates import format_skeleton

from convention.core.timeutil import to_local
from convention.extensions import db
from convention.mail.models import OutboxMessage
from convention.schedule import versions
from convention.schedule.placement import place_talk


def _moved_mail_after_a_move(sched):
    place_talk(sched.edition, sched.first, sched.big, sched.at(10), actor=sched.organizer)
    versions.publish_version(sched.edition, "First", actor=sched.organizer)
    place_talk(sched.edition, sched.first, sched.small, sched.at(14, 30), actor=sched.organizer)
    versions.publish_version(sched.edition, "Second", actor=sched.organizer)
    db.session.commit()
    return db.session.scalars(sa.select(OutboxMessage).where(OutboxMessage.template == "schedule_talk_moved")).one()


def _day(sched, language, hour, minute=0):
    return format_skeleton("yMMMEd", to_local(sched.at(hour, minute), sched.edition.timezone), locale=language)


def test_moved_talk_mail_speaks_french_dates_on_the_editions_clock(sched):
    sched.speaker.language = "fr"
    db.session.commit()
    mail = _moved_mail_after_a_move(sched)
    day = _day(sched, "fr", 14, 30)  # e.g. "lun. 15 févr. 2027"
    assert f"Lab, {day}, 14:30" in mail.body_text
    assert f"Auditorium, {_day(sched, 'fr', 10)}, 10:00" in mail.body_text
    english_day = to_local(sched.at(14, 30), sched.edition.timezone).strftime("%a %d %b")
    assert english_day not in mail.body_text


def test_moved_talk_mail_speaks_dutch_and_english_too(sched):
    sched.speaker.language = "nl"
    db.session.commit()
    mail = _moved_mail_after_a_move(sched)
    assert f"{_day(sched, 'nl', 14, 30)}, 14:30" in mail.body_text


def test_moved_talk_mail_in_english_by_default(sched):
    mail = _moved_mail_after_a_move(sched)
    assert f"Lab, {_day(sched, 'en', 14, 30)}, 14:30" in mail.body_text  # "Mon, Feb 15, 2027, 14:30"
