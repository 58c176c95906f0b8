"""How fast and how well does the automatic scheduler fill a big conference?

Builds a seeded random conference (by default 300 talks, 8 rooms, 3 days): 30-45 minute
talks and 90-120 minute workshops that need one of the two workshop rooms, about ten
themes, coffee and lunch breaks, three pinned keynotes, and availability limits on 20%
of the speakers (one or two days, or mornings or afternoons only). Runs the solver with
a time limit, re-checks its answer with the independent conflict checker, prints a
summary and ends with one JSON line.

    python bench/scheduler.py --talks 300 --rooms 8 --days 3 --seed 1 --time-limit 25
"""

from __future__ import annotations

import argparse
import json
import random
import sys
import time
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from convention.schedule.conflicts import hard_conflicts  # noqa: E402
from convention.schedule.problem import Day, Interval, Placement, Problem, Room, Talk  # noqa: E402
from convention.schedule.solver import Progress, solve  # noqa: E402

TALK, WORKSHOP = 1, 2
FIRST_DAY = date(2026, 6, 15)


def _at(day: date, hour: int, minute: int = 0) -> datetime:
    return datetime(day.year, day.month, day.day, hour, minute, tzinfo=UTC)


def build(talks: int, rooms: int, days: int, seed: int) -> Problem:
    rng = random.Random(seed)
    dates = [FIRST_DAY + timedelta(days=i) for i in range(days)]
    day_rows = tuple(Day(d, (Interval(_at(d, 9), _at(d, 19, 30)),)) for d in dates)
    breaks = tuple(iv for d in dates for iv in (
        Interval(_at(d, 10, 30), _at(d, 10, 45)), Interval(_at(d, 12, 30), _at(d, 13, 30)),
        Interval(_at(d, 15, 30), _at(d, 15, 45))))
    capacities = [800] + sorted((rng.choice([150, 200, 250, 300, 400]) for _ in range(rooms - 3)), reverse=True)
    room_rows = [Room(i + 1, cap, frozenset({TALK})) for i, cap in enumerate(capacities)]
    room_rows += [Room(rooms - 1, 40, frozenset({TALK, WORKSHOP})), Room(rooms, 30, frozenset({TALK, WORKSHOP}))]
    themes = list(range(1, 11))
    theme_weights = [14, 12, 11, 10, 10, 9, 9, 9, 8, 8]
    speakers = list(range(1, int(talks * 0.85) + 1))
    workshops = max(1, talks // 25)
    talk_rows = []
    for talk_id in range(1, talks + 1):
        is_workshop = talk_id > talks - workshops
        duration = rng.choice([90, 105, 120]) if is_workshop else rng.choices([30, 40, 45], [50, 25, 25])[0]
        people = rng.sample(speakers, 2 if rng.random() < 0.15 else 1)
        popularity = round(rng.uniform(0, 10), 2)
        audience = min(30, int(5 + popularity * 3)) if is_workshop else int(15 + popularity * 20 + rng.uniform(0, 30))
        pinned = None
        if talk_id <= days:  # a keynote opens each day in the main hall
            duration, popularity, audience = 45, 10.0, 700
            pinned = Placement(1, _at(dates[talk_id - 1], 9))
        talk_rows.append(Talk(talk_id, duration, WORKSHOP if is_workshop else TALK, rng.choices(themes, theme_weights)[0],
                              tuple(people), popularity, audience, pinned))
    pinned_speakers = {s for t in talk_rows if t.pinned for s in t.speaker_ids}
    used = sorted({s for t in talk_rows for s in t.speaker_ids} - pinned_speakers)
    availability = {}
    for speaker in rng.sample(used, len(used) // 5):
        kind = rng.choice(["one day", "two days", "mornings", "afternoons"])
        chosen = sorted(rng.sample(dates, 1 if kind == "one day" else min(2, days)))
        if kind == "mornings":
            availability[speaker] = tuple(Interval(_at(d, 9), _at(d, 13, 30)) for d in chosen)
        elif kind == "afternoons":
            availability[speaker] = tuple(Interval(_at(d, 13), _at(d, 19, 30)) for d in chosen)
        else:
            availability[speaker] = tuple(Interval(_at(d, 8), _at(d, 20)) for d in chosen)
    return Problem(tuple(talk_rows), tuple(room_rows), day_rows, breaks, availability, granularity=5)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--talks", type=int, default=300, help="number of talks (default 300)")
    parser.add_argument("--rooms", type=int, default=8, help="number of rooms, two of them workshop rooms (default 8)")
    parser.add_argument("--days", type=int, default=3, help="number of days (default 3)")
    parser.add_argument("--seed", type=int, default=1, help="random seed of the conference (default 1)")
    parser.add_argument("--time-limit", type=float, default=25.0, help="solver time limit in seconds (default 25)")
    parser.add_argument("--workers", type=int, default=0, help="CP-SAT workers, 0 = one per core (default 0)")
    parser.add_argument("--fill", action="store_true", help="place as many talks as possible instead of all")
    args = parser.parse_args()
    print(f"reproduce: python bench/scheduler.py --talks {args.talks} --rooms {args.rooms} --days {args.days} "
          f"--seed {args.seed} --time-limit {args.time_limit:g} --workers {args.workers}"
          + (" --fill" if args.fill else ""))
    problem = build(args.talks, args.rooms, args.days, args.seed)
    demand = sum(t.duration for t in problem.talks)
    print(f"{len(problem.talks)} talks ({demand} min), {len(problem.rooms)} rooms, {len(problem.days)} days, "
          f"{len(problem.availability)} speakers with limited availability")

    first_found: list[float] = []

    def report(progress: Progress) -> None:
        first_found.append(time.perf_counter() - started)  # from the call, greedy start included
        print(f"  solution {progress.solutions}: objective {progress.objective:.0f}, "
              f"bound {progress.bound:.0f}, {progress.elapsed:.1f} s")

    started = time.perf_counter()
    result = solve(problem, time_limit=args.time_limit, fill=args.fill, on_progress=report, workers=args.workers,
                   seed=args.seed)
    seconds = time.perf_counter() - started
    violations = hard_conflicts(problem, result.placements)
    print(f"status {result.status}, {len(result.placements)} placed, {len(result.unscheduled)} unscheduled, "
          f"objective {result.objective}, bound {result.bound}, {seconds:.1f} s")
    print(f"hard violations {len(violations)}, theme clashes {result.theme_clashes}, "
          f"theme room changes {result.room_changes}")
    for blocker in result.blockers[:10]:
        print(f"  blocked: {blocker.message}")
    for conflict in violations[:10]:
        print(f"  VIOLATION: {conflict.message}")
    print(json.dumps({"talks": len(problem.talks), "placed": len(result.placements), "status": str(result.status),
                      "seconds": round(seconds, 2), "hard_violations": len(violations),
                      "first_solution_seconds": round(first_found[0], 2) if first_found else None,
                      "theme_clashes": result.theme_clashes, "room_changes": result.room_changes,
                      "objective": result.objective, "bound": result.bound}))


if __name__ == "__main__":
    main()
