"""The frame of the schedule: granularity, the rooms' formats, days and opening hours, blocks.

Times come in as the edition's local date and clock times and are stored in UTC. Every
function flushes, writes the audit entry, and refuses with a ``DomainError`` (with the
form field) when the input breaks a rule: a day outside the edition's dates, hours or a
block that end before they start, two days on one date, two blocks at once in one room.
Talks already placed are not moved: the grid shows the ones a new block or new hours leave
in the wrong place.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, time

import sqlalchemy as sa
from flask_babel import gettext
from sqlalchemy.exc import IntegrityError

from convention.audit.services import record_audit
from convention.core.errors import Conflict
from convention.core.timeutil import to_utc
from convention.editions.models import Edition, Room, SessionFormat
from convention.extensions import db
from convention.schedule.models import (
    DEFAULT_GRANULARITY,
    Block,
    BlockKind,
    RoomFormat,
    ScheduleDay,
    ScheduleSettings,
)

GRANULARITIES = (5, 10, 15, 30)


def get_settings(edition: Edition, *, lock: bool = False) -> ScheduleSettings:
    """The edition's schedule settings (the defaults, unsaved, until an organizer changes
    them or places a talk). ``lock`` creates the row if needed and takes it for update:
    the placements of one edition are made one at a time."""
    query = sa.select(ScheduleSettings).where(ScheduleSettings.edition_id == edition.id)
    if not lock:
        settings = db.session.scalar(query)
        return settings or ScheduleSettings(edition_id=edition.id, granularity_minutes=DEFAULT_GRANULARITY)
    settings = db.session.scalar(query.with_for_update())
    if settings is None:
        try:
            with db.session.begin_nested():  # two first uses at once: one inserts, the other reads it
                db.session.add(ScheduleSettings(edition_id=edition.id, granularity_minutes=DEFAULT_GRANULARITY))
        except IntegrityError:
            pass
        settings = db.session.scalar(query.with_for_update())
    return settings


def set_granularity(edition: Edition, minutes: int, *, actor) -> ScheduleSettings:
    if minutes not in GRANULARITIES:
        raise Conflict(gettext("Choose one of the offered steps."), field="granularity_minutes")
    settings = get_settings(edition, lock=True)
    settings.granularity_minutes = minutes
    db.session.flush()
    record_audit("schedule.granularity", actor=actor, edition_id=edition.id, data={"minutes": minutes})
    return settings


# -- rooms ---------------------------------------------------------------------------------


def room_format_ids(edition: Edition) -> dict[int, set[int]]:
    """The formats each room is limited to, by room id (a room missing hosts every format)."""
    rows = db.session.execute(
        sa.select(RoomFormat.room_id, RoomFormat.format_id).join(Room, Room.id == RoomFormat.room_id)
        .where(Room.edition_id == edition.id))
    found: dict[int, set[int]] = {}
    for room_id, format_id in rows:
        found.setdefault(room_id, set()).add(format_id)
    return found


def update_room(edition: Edition, room: Room, *, description: str, format_ids: list[int], actor) -> Room:
    """Set what a room says about itself and the formats it hosts (none chosen: every format)."""
    known = set(db.session.scalars(sa.select(SessionFormat.id).where(SessionFormat.edition_id == edition.id)))
    chosen = set(format_ids)
    if not chosen <= known:
        raise Conflict(gettext("Choose formats of this edition."), field="format_ids")
    room.description = description
    current = {row.format_id: row for row in db.session.scalars(sa.select(RoomFormat).where(RoomFormat.room_id == room.id))}
    for format_id, row in current.items():
        if format_id not in chosen:
            db.session.delete(row)
    for format_id in sorted(chosen - current.keys()):
        db.session.add(RoomFormat(room_id=room.id, format_id=format_id))
    db.session.flush()
    record_audit("schedule.room_updated", actor=actor, edition_id=edition.id, target=room,
                 data={"formats": sorted(chosen)})
    return room


# -- days ----------------------------------------------------------------------------------


def list_days(edition: Edition) -> list[ScheduleDay]:
    return list(db.session.scalars(
        sa.select(ScheduleDay).where(ScheduleDay.edition_id == edition.id).order_by(ScheduleDay.day)))


def _hours(edition: Edition, day: date, opens: time, closes: time) -> tuple[datetime, datetime]:
    if not edition.starts_on <= day <= edition.ends_on:
        raise Conflict(gettext("Choose a day between %(first)s and %(last)s.",
                               first=edition.starts_on.isoformat(), last=edition.ends_on.isoformat()), field="day")
    opens_at = to_utc(datetime.combine(day, opens), edition.timezone)
    closes_at = to_utc(datetime.combine(day, closes), edition.timezone)
    if closes_at <= opens_at:
        raise Conflict(gettext("The closing time must come after the opening time."), field="closes")
    return opens_at, closes_at


def save_day(edition: Edition, day: date, opens: time, closes: time, *, actor,
             item: ScheduleDay | None = None) -> ScheduleDay:
    opens_at, closes_at = _hours(edition, day, opens, closes)
    taken = db.session.scalar(sa.select(ScheduleDay.id).where(
        ScheduleDay.edition_id == edition.id, ScheduleDay.day == day,
        ScheduleDay.id != (item.id if item else -1)))
    if taken:
        raise Conflict(gettext("That day is already in the schedule."), field="day")
    if item is None:
        item = ScheduleDay(edition_id=edition.id, day=day, opens_at=opens_at, closes_at=closes_at)
        db.session.add(item)
    else:
        item.day, item.opens_at, item.closes_at = day, opens_at, closes_at
    db.session.flush()
    record_audit("schedule.day_saved", actor=actor, edition_id=edition.id, target=item,
                 data={"day": day.isoformat(), "opens_at": opens_at.isoformat(), "closes_at": closes_at.isoformat()})
    return item


def delete_day(edition: Edition, item: ScheduleDay, *, actor) -> None:
    record_audit("schedule.day_deleted", actor=actor, edition_id=edition.id, target=item,
                 data={"day": item.day.isoformat()})
    db.session.delete(item)
    db.session.flush()


# -- blocks --------------------------------------------------------------------------------


@dataclass(frozen=True)
class BlockData:
    kind: str
    title: str
    day: date
    starts: time
    ends: time
    room_id: int | None
    blocks_talks: bool


def list_blocks(edition: Edition) -> list[Block]:
    return list(db.session.scalars(
        sa.select(Block).where(Block.edition_id == edition.id).order_by(Block.starts_at, Block.id)))


def save_block(edition: Edition, data: BlockData, *, actor, item: Block | None = None) -> Block:
    if data.kind not in {kind.value for kind in BlockKind}:
        raise Conflict(gettext("Choose a kind."), field="kind")
    starts_at, ends_at = _hours(edition, data.day, data.starts, data.ends)
    if data.room_id is not None and db.session.scalar(
            sa.select(Room.id).where(Room.id == data.room_id, Room.edition_id == edition.id)) is None:
        raise Conflict(gettext("Choose a room of this edition."), field="room_id")
    clash = db.session.scalar(sa.select(Block.title).where(
        Block.edition_id == edition.id, Block.id != (item.id if item else -1), Block.starts_at < ends_at,
        Block.ends_at > starts_at,
        sa.or_(Block.room_id.is_(None), Block.room_id == data.room_id) if data.room_id is not None else sa.true()))
    if clash is not None:
        raise Conflict(gettext("It overlaps the block “%(title)s” in the same room.", title=clash), field="starts")
    if item is None:
        item = Block(edition_id=edition.id, kind=BlockKind(data.kind), title=data.title, starts_at=starts_at,
                     ends_at=ends_at, room_id=data.room_id, blocks_talks=data.blocks_talks)
        db.session.add(item)
    else:
        item.kind, item.title, item.room_id, item.blocks_talks = (
            BlockKind(data.kind), data.title, data.room_id, data.blocks_talks)
        item.starts_at, item.ends_at = starts_at, ends_at
    db.session.flush()
    record_audit("schedule.block_saved", actor=actor, edition_id=edition.id, target=item,
                 data={"title": data.title, "starts_at": starts_at.isoformat(), "ends_at": ends_at.isoformat()})
    return item


def delete_block(edition: Edition, item: Block, *, actor) -> None:
    record_audit("schedule.block_deleted", actor=actor, edition_id=edition.id, target=item, data={"title": item.title})
    db.session.delete(item)
    db.session.flush()
