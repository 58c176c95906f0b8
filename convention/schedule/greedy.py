"""A fast first schedule: the solver's starting point and its fallback.

Most constrained talks first (pinned, then fewest possible starts and rooms, then the
longest), each put where it leaves the least idle time in its room, preferring a room its
theme already uses that day and a time when no talk of its theme runs. Every hard rule is
kept as it goes, so whatever it places is a valid partial schedule; CP-SAT then improves
it (and places what it could not).
"""

from __future__ import annotations

import bisect
from collections import defaultdict
from collections.abc import Iterable

from convention.schedule.problem import Grid, Placement, Problem, Span, Talk, popularity_ranks, subtract


class _Busy:
    """Sorted, non-overlapping occupied spans."""

    def __init__(self) -> None:
        self.spans: list[Span] = []

    def free(self, start: int, end: int) -> bool:
        index = bisect.bisect_left(self.spans, (start, start))
        if index > 0 and self.spans[index - 1][1] > start:
            return False
        return index == len(self.spans) or self.spans[index][0] >= end

    def add(self, start: int, end: int) -> None:
        bisect.insort(self.spans, (start, end))


def greedy_schedule(problem: Problem, grid: Grid | None = None,
                    skip: Iterable[int] = ()) -> dict[int, Placement]:
    """Place as many talks as a single pass can, never breaking a hard rule among them."""
    grid = grid or Grid(problem)
    skipped = set(skip)
    rooms: dict[int, _Busy] = defaultdict(_Busy)
    speakers: dict[int, _Busy] = defaultdict(_Busy)
    themes: dict[int, _Busy] = defaultdict(_Busy)
    theme_rooms: set[tuple] = set()
    placements: dict[int, Placement] = {}
    max_capacity = max((room.capacity for room in problem.rooms), default=1) or 1
    ranks = popularity_ranks(talk for talk in problem.talks if talk.pinned is None)

    def book(talk: Talk, room_id: int, start: int) -> None:
        end = start + talk.duration
        rooms[room_id].add(start, end)
        for speaker in set(talk.speaker_ids):
            speakers[speaker].add(start, end)
        if talk.theme_id is not None:
            themes[talk.theme_id].add(start, end)
            theme_rooms.add((talk.theme_id, room_id, grid.day_index(start)))
        placements[talk.id] = Placement(room_id, grid.timeline.at(start))

    for talk in problem.talks:
        if talk.pinned is not None:
            book(talk, talk.pinned.room_id, grid.timeline.minute(talk.pinned.start))
    options = {}
    for talk in problem.talks:
        if talk.pinned is None and talk.id not in skipped:
            options[talk.id] = (grid.windows(talk).starts, problem.rooms_for(talk))
    homes = theme_homes(problem, grid, options)
    order = sorted(options, key=lambda i: (len(options[i][0]) * len(options[i][1]), -problem.talk(i).duration,
                                           problem.talk(i).theme_id or 0, -problem.talk(i).popularity, i))
    for talk_id in order:
        talk = problem.talk(talk_id)
        starts, allowed_rooms = options[talk_id]
        best = None
        for room in allowed_rooms:
            size = ranks[talk.id] * (1 - room.capacity / max_capacity) * 10
            size += 40 if talk.audience > room.capacity else 0
            for gap_start, gap_end in subtract(grid.free, rooms[room.id].spans):
                first = bisect.bisect_left(starts, gap_start)
                for start in starts[first:first + 60]:
                    end = start + talk.duration
                    if end > gap_end:
                        break
                    if not all(speakers[s].free(start, end) for s in talk.speaker_ids):
                        continue
                    clash = talk.theme_id is not None and not themes[talk.theme_id].free(start, end)
                    key = (talk.theme_id, room.id, grid.day_index(start))
                    fresh = talk.theme_id is not None and key not in theme_rooms
                    away = talk.theme_id is not None and key not in homes
                    score = (start - gap_start) + 200 * clash + 25 * fresh + 60 * away + size
                    if best is None or score < best[0]:
                        best = (score, room.id, start)
                    if not clash:
                        break
        if best is not None:
            book(talk, best[1], best[2])
    return placements


def theme_homes(problem: Problem, grid: Grid, options: dict[int, tuple[list[int], list]]) -> set[tuple]:
    """(theme, room, day) triples: each theme's minutes poured into room-days in turn.

    The most popular themes get the largest rooms; each theme fills a room day after day
    before moving to the next room, so its talks follow each other in one room. Minutes
    that only some rooms can take (workshops) are set aside in those rooms first.
    """
    all_rooms = {room.id for room in problem.rooms}
    days = range(len(problem.days))
    left: dict[tuple[int, int], float] = {}
    for day, (_date, spans) in enumerate(grid.day_spans):
        free = sum(end - start for start, end in grid.free if spans and spans[0][0] <= start < spans[-1][1])
        for room in problem.rooms:
            left[(room.id, day)] = free
    for talk in problem.talks:
        if talk.pinned is not None:
            day = grid.day_index(grid.timeline.minute(talk.pinned.start))
            if (talk.pinned.room_id, day) in left:
                left[(talk.pinned.room_id, day)] -= talk.duration
    demand: dict[int, int] = defaultdict(int)
    popularity: dict[int, list[float]] = defaultdict(list)
    for talk_id, (_starts, rooms) in options.items():
        talk = problem.talk(talk_id)
        ids = {room.id for room in rooms}
        if ids != all_rooms and ids:
            for room_id in ids:  # set aside, spread over the days
                for day in days:
                    left[(room_id, day)] -= talk.duration / (len(ids) * len(days))
        elif talk.theme_id is not None:
            demand[talk.theme_id] += talk.duration
            popularity[talk.theme_id].append(talk.popularity)
    slots = [(room.id, day) for room in sorted(problem.rooms, key=lambda r: (-r.capacity, r.id)) for day in days]
    homes: set[tuple] = set()
    shortest = min((problem.talk(talk_id).duration for talk_id in options), default=1)
    index = 0
    for theme in sorted(demand, key=lambda t: (-sum(popularity[t]) / len(popularity[t]), t)):
        need = demand[theme]
        while need > 0 and index < len(slots):
            room_id, day = slots[index]
            homes.add((theme, room_id, day))
            taken = min(need, max(0.0, left[slots[index]]))
            need -= taken
            left[slots[index]] -= taken
            if left[slots[index]] < shortest:
                index += 1
    return homes
