"""The demo edition's schedule: two days with their breaks, the confirmed talks placed by
the scheduler's quick first pass (no CP-SAT run, so `flask demo` stays fast), and a
published first version, so the public schedule shows something at once."""

from __future__ import annotations

from datetime import time, timedelta

from convention.editions.models import Edition
from convention.extensions import db
from convention.schedule import grid, setup, versions
from convention.schedule.greedy import greedy_schedule
from convention.schedule.models import Slot

BREAKS = (("break", "Coffee", time(10, 30), time(10, 45)), ("break", "Lunch", time(12, 30), time(13, 30)),
          ("break", "Coffee", time(15, 30), time(15, 45)))


def seed(edition: Edition, people) -> None:
    organizer = people["organizer"]
    day = edition.starts_on
    while day <= edition.ends_on:
        setup.save_day(edition, day, time(9), time(18), actor=organizer)
        for kind, title, starts, ends in BREAKS:
            setup.save_block(edition, setup.BlockData(kind, title, day, starts, ends, None, True), actor=organizer)
        day += timedelta(days=1)
    plan = grid.load_plan(edition)
    durations = {talk.id: talk.duration for talk in plan.problem.talks}
    for talk_id, placement in sorted(greedy_schedule(plan.problem).items()):
        db.session.add(Slot(edition_id=edition.id, proposal_id=talk_id, room_id=placement.room_id,
                            starts_at=placement.start, ends_at=placement.start + timedelta(minutes=durations[talk_id])))
    db.session.flush()
    versions.publish_version(edition, "First programme", actor=organizer)
