"""iCalendar (RFC 5545) of the published schedule or of one talk, with the ``icalendar``
library: times carry the edition's zone as TZID, described by a VTIMEZONE.

The calendar, its VTIMEZONE and every value's encoding come from the library; the
VEVENT lines are laid out here, because the library's component objects cost about a
millisecond per talk (1.5 s for FOSDEM's 943) and an export must rebuild in well under a
second after a publication. The tests parse the output back with the library.
"""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

from convention.schedule.export_data import Conference, Event

PRODID = "-//convention//schedule//EN"


def _text(icalendar, value: str) -> str:
    return icalendar.vText(value).to_ical().decode()


def _when(icalendar, name: str, moment: datetime, tzid: str) -> str:
    if tzid == "UTC":
        return f"{name}:{icalendar.vDatetime(moment.astimezone(UTC)).to_ical().decode()}"
    local = moment.replace(tzinfo=None)
    return f"{name};TZID={tzid}:{icalendar.vDatetime(local).to_ical().decode()}"


def _vevent(icalendar, event: Event, stamp: str, tzid: str) -> list[str]:
    names = ", ".join(person.name for person in event.persons)
    description = "\n\n".join(part for part in (names, event.abstract, event.url) if part)
    lines = ["BEGIN:VEVENT", f"UID:{event.guid}@convention", f"DTSTAMP:{stamp}",
             _when(icalendar, "DTSTART", event.starts, tzid), _when(icalendar, "DTEND", event.ends, tzid),
             f"SUMMARY:{_text(icalendar, event.title)}", f"LOCATION:{_text(icalendar, event.room)}",
             f"DESCRIPTION:{_text(icalendar, description)}"]
    if event.track:
        lines.append(f"CATEGORIES:{_text(icalendar, event.track)}")
    if event.url.startswith(("http://", "https://")):
        lines.append(f"URL:{event.url}")
    lines.append("END:VEVENT")
    return lines


def render_ical(conference: Conference, events: list[Event], *, stamp: datetime) -> bytes:
    """A VCALENDAR of ``events`` (the whole schedule, or one talk)."""
    import icalendar  # noqa: PLC0415 - about 130 ms to import; only calendar downloads need it

    tzid = conference.timezone
    calendar = icalendar.Calendar()
    calendar.add("prodid", PRODID)
    calendar.add("version", "2.0")
    calendar.add("calscale", "GREGORIAN")
    calendar.add("x-wr-calname", conference.title)
    calendar.add("x-wr-timezone", tzid)
    if tzid != "UTC":
        first = min((e.starts.date() for e in events), default=conference.start)
        last = max((e.ends.date() for e in events), default=conference.end)
        calendar.add_component(icalendar.Timezone.from_tzid(
            tzid, first_date=date(first.year, 1, 1), last_date=last + timedelta(days=366)))
    lines = [line for line in calendar.content_lines() if line]
    stamp_text = icalendar.vDatetime(stamp.astimezone(UTC)).to_ical().decode()
    body = [line for event in events for line in _vevent(icalendar, event, stamp_text, tzid)]
    lines[-1:-1] = body  # before END:VCALENDAR
    return b"\r\n".join(fold(line) for line in lines) + b"\r\n"


def fold(line: str, width: int = 74) -> bytes:
    """RFC 5545 folding: at most 75 octets a line, never inside a UTF-8 character nor
    right after a backslash or caret (an escape stays on one line)."""
    data = line.encode()
    if len(data) <= width:
        return data
    parts, start = [], 0
    while start < len(data):
        end = min(start + width, len(data))
        if end < len(data):
            while end > start + 1 and data[end] & 0xC0 == 0x80:
                end -= 1
            if end - start > 1 and data[end - 1] in b"\\^":
                end -= 1
        parts.append(data[start:end])
        start = end
    return b"\r\n ".join(parts)
