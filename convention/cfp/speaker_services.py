"""Speaker rules: the per-edition profile (with its photo) and availability."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from pathlib import Path
from urllib.parse import urlsplit

import sqlalchemy as sa
from flask_babel import gettext

from convention.accounts.models import User
from convention.audit.services import record_audit
from convention.cfp import files
from convention.cfp.call import day_text
from convention.cfp.models import BIOGRAPHY_MAX, Availability, SpeakerProfile
from convention.cfp.permissions import has_accepted_proposal
from convention.core.errors import DomainError, Forbidden, NotFound
from convention.core.text import check_text
from convention.core.timeutil import to_local, to_utc
from convention.editions.models import Edition
from convention.extensions import db

MAX_LINKS = 5
LINK_MAX = 300


def get_profile(edition: Edition, user: User) -> SpeakerProfile | None:
    return db.session.scalar(
        sa.select(SpeakerProfile).where(SpeakerProfile.edition_id == edition.id, SpeakerProfile.user_id == user.id)
    )


def get_or_create_profile(edition: Edition, user: User) -> SpeakerProfile:
    """The user's speaker profile in ``edition``, created from their account name if needed."""
    profile = get_profile(edition, user)
    if profile is None:
        profile = SpeakerProfile(edition_id=edition.id, user_id=user.id, display_name=user.name, user=user)
        db.session.add(profile)
        db.session.flush()
    return profile


@dataclass(frozen=True)
class ProfileData:
    display_name: str
    biography: str = ""
    organisation: str = ""
    job_title: str = ""
    links: str = ""


def _clean_links(text: str) -> str:
    links = [line.strip() for line in (text or "").splitlines() if line.strip()]
    if len(links) > MAX_LINKS:
        raise DomainError(gettext("Give at most %(max)d links.", max=MAX_LINKS), field="links")
    for link in links:
        parts = urlsplit(link)
        if parts.scheme not in ("http", "https") or not parts.netloc or len(link) > LINK_MAX or " " in link:
            raise DomainError(gettext("“%(link)s” is not a web address (https://...).", link=link[:60]), field="links")
    return "\n".join(links)


def _one_line(value: str, limit: int, field: str, *, too_long: str, required: str | None = None) -> str:
    """One line of text, at most ``limit`` characters; ``required`` is the message when it is empty."""
    value = " ".join((value or "").split())
    if required and not value:
        raise DomainError(required, field=field)
    if len(value) > limit:
        raise DomainError(too_long, field=field)
    return check_text(value, field=field, empty=required)


def update_speaker_profile(
    edition: Edition, data: ProfileData, *, actor: User, photo=None, remove_photo: bool = False
) -> SpeakerProfile:
    """Save the actor's profile; ``photo`` is an uploaded file (re-encoded, never kept as sent)."""
    display_name = _one_line(
        data.display_name, 120, "display_name", required=gettext("Please give your name as shown on the programme."),
        too_long=gettext("Your name as shown on the programme is limited to %(max)d characters.", max=120),
    )
    organisation = _one_line(data.organisation, 160, "organisation",
                             too_long=gettext("Your organisation is limited to %(max)d characters.", max=160))
    job_title = _one_line(data.job_title, 160, "job_title",
                          too_long=gettext("Your job title is limited to %(max)d characters.", max=160))
    biography = check_text((data.biography or "").strip(), field="biography")
    if len(biography) > BIOGRAPHY_MAX:
        raise DomainError(gettext("The biography is limited to %(max)d characters.", max=BIOGRAPHY_MAX), field="biography")
    links = _clean_links(data.links)
    profile = get_or_create_profile(edition, actor)
    stored = files.store_photo(photo) if photo is not None else None
    old_photo = profile.photo_name
    profile.display_name = display_name
    profile.organisation = organisation
    profile.job_title = job_title
    profile.biography = biography
    profile.links = links
    if stored is not None:
        profile.photo_name = stored.name
    elif remove_photo:
        profile.photo_name = None
    if old_photo and old_photo != profile.photo_name:
        files.delete_after_commit(files.photo_path(old_photo))
    db.session.flush()
    record_audit(
        "speaker_profile.update",
        actor=actor,
        edition_id=edition.id,
        target=profile,
        data={"photo": "new" if stored else ("removed" if remove_photo and old_photo else "kept")},
    )
    return profile


def stored_photo(profile: SpeakerProfile) -> Path:
    """Where the profile's photo is on disk; NotFound when there is none (or it has gone)."""
    path = files.photo_path(profile.photo_name) if profile.photo_name else None
    if path is None or not path.is_file():
        raise NotFound(gettext("This speaker has no photo."))
    return path


# -- availability -------------------------------------------------------------------------


def convention_days(edition: Edition) -> list[date]:
    days = (edition.ends_on - edition.starts_on).days + 1
    return [edition.starts_on + timedelta(days=n) for n in range(days)]


def local_availability(profile: SpeakerProfile, edition: Edition) -> dict[date, list[tuple[time, time]]]:
    """The profile's availability as (from, to) local times per local day, to fill the form."""
    per_day: dict[date, list[tuple[time, time]]] = {}
    for slot in profile.availabilities:
        start, end = to_local(slot.starts_at, edition.timezone), to_local(slot.ends_at, edition.timezone)
        per_day.setdefault(start.date(), []).append((start.time(), end.time()))
    return per_day


def set_availability(
    edition: Edition, ranges: list[tuple[date, time, time]], *, actor: User
) -> SpeakerProfile:
    """Replace the actor's availability by ``ranges`` (local day, from, to in the edition's time zone).

    Overlapping ranges are refused with a message (the person meant something else, or
    should give one range); ranges that only touch (12:00-14:00, 14:00-16:00) are joined."""
    if not has_accepted_proposal(actor, edition):
        raise Forbidden(gettext("Availability is asked once one of your proposals is accepted."))
    days = set(convention_days(edition))
    utc_ranges = []
    for day, start, end in ranges:
        if day not in days:
            raise DomainError(gettext("%(day)s is not a day of the convention.", day=day_text(day, "dd MMM yyyy")))
        if end <= start:
            raise DomainError(gettext("On %(day)s, the end of a time range must come after its start.", day=day_text(day, "EEEE")))
    previous = None
    for day, start, end in sorted(ranges):
        if previous and previous[0] == day and start < previous[2]:
            raise DomainError(gettext(
                "On %(day)s, %(first)s and %(second)s overlap: give them as one range, or correct one of them. "
                "Nothing was saved.",
                day=day_text(day, "EEEE dd MMMM"), first=f"{previous[1]:%H:%M}–{previous[2]:%H:%M}", second=f"{start:%H:%M}–{end:%H:%M}",
            ))
        previous = (day, start, end)
    for day, start, end in ranges:
        utc_ranges.append(
            (to_utc(datetime.combine(day, start), edition.timezone), to_utc(datetime.combine(day, end), edition.timezone))
        )
    merged: list[list[datetime]] = []
    for start, end in sorted(utc_ranges):
        if merged and start <= merged[-1][1]:
            merged[-1][1] = max(merged[-1][1], end)
        else:
            merged.append([start, end])
    profile = get_or_create_profile(edition, actor)
    profile.availabilities.clear()
    db.session.flush()
    for start, end in merged:
        profile.availabilities.append(Availability(starts_at=start, ends_at=end))
    db.session.flush()
    record_audit(
        "speaker_profile.availability",
        actor=actor,
        edition_id=edition.id,
        target=profile,
        data={"ranges": [[s.isoformat(), e.isoformat()] for s, e in merged]},
    )
    return profile
