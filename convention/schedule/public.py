"""What the public sees, read ONLY from the newest published version's snapshot.

The draft (slots, blocks, rooms as they are now) is never read here, so an organizer's
work in progress cannot leak: the public schedule changes when a version is published.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from datetime import date, datetime

from flask_babel import gettext
from markupsafe import Markup

from convention.cfp.call import day_text
from convention.cfp.models import LANGUAGE_LABELS, LEVEL_LABELS
from convention.core.i18n import current_language
from convention.core.timeutil import to_local
from convention.editions.models import Edition
from convention.schedule.versions import latest_version

FILTERS = ("theme", "room", "language", "level")


@dataclass
class Item:
    """A talk or a block of the published schedule, its times in the edition's zone."""

    kind: str  # "talk" or a block's kind
    title: str
    starts: datetime
    ends: datetime
    room: str
    room_id: int | None
    talk: dict | None = None
    # What the grid writes under the times: the theme, and the language and level only
    # where they differ from the schedule's usual ones (said once above the grid).
    notes: str = ""

    @property
    def when(self) -> str:
        """"Friday 12 March, 10:30–11:15" in the page's language."""
        return gettext("%(day)s, %(start)s–%(end)s", day=day_text(self.starts.date(), "EEEE dd MMMM"),
                       start=f"{self.starts:%H:%M}", end=f"{self.ends:%H:%M}")

    @property
    def level_label(self) -> str:
        return str(LEVEL_LABELS.get(self.talk["level"], "")) if self.talk else ""

    @property
    def language_label(self) -> str:
        return str(LANGUAGE_LABELS.get(self.talk["language"], "")) if self.talk else ""

    @property
    def speaker_names(self) -> str:
        return ", ".join(speaker["name"] for speaker in self.talk["speakers"]) if self.talk else ""


@dataclass(frozen=True)
class Usual:
    """The language and level most published talks have: the grid says them once."""

    language: str
    level: str

    @property
    def language_label(self) -> str:
        return str(LANGUAGE_LABELS.get(self.language, ""))

    @property
    def level_label(self) -> str:
        return str(LEVEL_LABELS.get(self.level, ""))


def usual_of(snapshot: dict) -> Usual | None:
    talks = snapshot["talks"]
    if not talks:
        return None
    language = Counter(t["language"] for t in talks).most_common(1)[0][0]
    level = Counter(t["level"] for t in talks).most_common(1)[0][0]
    return Usual(language, level)


def theme_name(snapshot: dict, talk: dict) -> str:
    """The talk's theme in the page's language (English when not translated)."""
    names = snapshot.get("theme_names", {}).get(str(talk["theme_id"])) if talk["theme_id"] is not None else None
    return (names or {}).get(current_language()) or talk["theme"]


def _notes(item: Item, usual: Usual | None, theme: str) -> str:
    talk = item.talk
    notes = [theme] if theme else []
    if usual is None or talk["language"] != usual.language:
        notes.append(item.language_label)
    if usual is None or talk["level"] != usual.level:
        notes.append(item.level_label)
    return " · ".join(note for note in notes if note)


@dataclass
class PublicDay:
    day: date
    times: list[tuple[datetime, dict[int | None, list[Item]]]]  # a start time, the items by room (None: all)
    items: list[Item] = field(default_factory=list)  # in time order
    usual: Usual | None = None


def _item_of_talk(talk: dict, tz: str) -> Item:
    return Item("talk", talk["title"], to_local(datetime.fromisoformat(talk["starts_at"]), tz),
                to_local(datetime.fromisoformat(talk["ends_at"]), tz), talk["room"], talk["room_id"], talk)


def snapshot_of(edition: Edition) -> dict | None:
    version = latest_version(edition)
    return version.snapshot if version else None


def filter_options(snapshot: dict) -> dict[str, list[tuple[str, str]]]:
    """The values each filter offers: (value, label), from the published talks."""
    talks = snapshot["talks"]
    themes = {str(t["theme_id"]): theme_name(snapshot, t) for t in talks if t["theme_id"] is not None}
    return {
        "theme": sorted(themes.items(), key=lambda pair: pair[1]),
        "room": [(str(room["id"]), room["name"]) for room in snapshot["rooms"]],
        "language": [(code, str(label)) for code, label in LANGUAGE_LABELS.items()
                     if any(t["language"] == code for t in talks)],
        "level": [(code, str(label)) for code, label in LEVEL_LABELS.items() if any(t["level"] == code for t in talks)],
    }


def clean_filters(snapshot: dict, args) -> dict[str, str]:
    """The filters asked for that name something offered (anything else is ignored)."""
    options = filter_options(snapshot)
    chosen = {}
    for name in FILTERS:
        value = args.get(name, "")
        if value and value in {option for option, _label in options[name]}:
            chosen[name] = value
    return chosen


def _matches(talk: dict, chosen: dict[str, str]) -> bool:
    values = {"theme": str(talk["theme_id"]), "room": str(talk["room_id"]), "language": talk["language"],
              "level": talk["level"]}
    return all(values[name] == value for name, value in chosen.items())


def conference_days(snapshot: dict, tz: str) -> list[tuple[date, datetime]]:
    """The published days and their local opening times, in order."""
    return sorted(((date.fromisoformat(d["day"]), to_local(datetime.fromisoformat(d["opens_at"]), tz))
                   for d in snapshot["days"]), key=lambda pair: pair[1])


def day_of(starts: datetime, days: list[tuple[date, datetime]]) -> date:
    """The conference day an item belongs to: the last day opened before it starts, so a
    talk after midnight stays on the evening before (frab's ``day_change``); before the
    first opening, the first day; without days, its local date."""
    home = days[0][0] if days else starts.date()
    for day, opens in days:
        if opens <= starts:
            home = day
    return home


def pick_day(days: list[date], asked: str, today: date) -> date | None:
    """The day to show: the one asked for if it is published, else today during the
    convention, else the first day."""
    if not days:
        return None
    wanted = {day.isoformat(): day for day in days}
    if asked in wanted:
        return wanted[asked]
    return today if today in days else days[0]


def schedule_day(edition: Edition, snapshot: dict, chosen: dict[str, str], day: date) -> PublicDay:
    """The items of one conference day that match the filters, by start time and room."""
    tz = edition.timezone
    days = conference_days(snapshot, tz)
    items = [_item_of_talk(talk, tz) for talk in snapshot["talks"] if _matches(talk, chosen)]
    usual = usual_of(snapshot)
    for item in items:
        item.notes = _notes(item, usual, theme_name(snapshot, item.talk))
    rooms = {room["id"]: room["name"] for room in snapshot["rooms"]}
    for block in snapshot["blocks"]:  # breaks and keynotes stay, whatever the talk filters
        if "room" in chosen and block["room_id"] is not None and str(block["room_id"]) != chosen["room"]:
            continue
        items.append(Item(block["kind"], block["title"], to_local(datetime.fromisoformat(block["starts_at"]), tz),
                          to_local(datetime.fromisoformat(block["ends_at"]), tz),
                          rooms.get(block["room_id"], ""), block["room_id"]))
    on_day = sorted((item for item in items if day_of(item.starts, days) == day),
                    key=lambda item: (item.starts, item.room_id or 0, item.title))
    times: dict[datetime, dict[int | None, list[Item]]] = {}
    for item in on_day:
        times.setdefault(item.starts, {}).setdefault(item.room_id, []).append(item)
    return PublicDay(day, sorted(times.items()), on_day, usual)


def schedule_days(edition: Edition, snapshot: dict, chosen: dict[str, str]) -> list[PublicDay]:
    """Every conference day (see ``schedule_day``)."""
    return [schedule_day(edition, snapshot, chosen, day) for day, _opens in conference_days(snapshot, edition.timezone)]


def find_talk(snapshot: dict, ident: str) -> dict | None:
    """A published talk by its guid or its number."""
    for talk in snapshot["talks"]:
        if talk["guid"] == ident or str(talk["id"]) == ident:
            return talk
    return None


def talks_of_speaker(snapshot: dict, code: str) -> tuple[dict | None, list[dict]]:
    talks = [talk for talk in snapshot["talks"] if any(s["code"] == code for s in talk["speakers"])]
    if not talks:
        return None, []
    speaker = next(s for s in talks[0]["speakers"] if s["code"] == code)
    return speaker, talks


def item_of(edition: Edition, talk: dict) -> Item:
    return _item_of_talk(talk, edition.timezone)


def published_slot_for(proposal) -> Item | None:
    """The jinja hook of the speaker's proposal page: where and when the talk is, once published."""
    snapshot = snapshot_of(proposal.edition)
    if snapshot is None:
        return None
    talk = next((t for t in snapshot["talks"] if t["id"] == proposal.id), None)
    return _item_of_talk(talk, proposal.edition.timezone) if talk else None


def stored_html(html: str) -> Markup:
    """HTML kept in a snapshot: rendered and sanitised by ``cfp.markup`` (nh3) at publication."""
    return Markup(html)  # noqa: S704 - sanitised by render_markdown when the version was built
