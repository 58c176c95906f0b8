"""A fast first schedule: the solver's starting point and its fallback.

Each theme first gets "home" room-days (`theme_homes`). Then the most constrained talks
go first (pinned, then fewest possible starts and rooms, then the longest), each put
where it leaves the least idle time in its room, preferring its theme's home, a room its
theme already uses that day and a time when no talk of its theme runs; a second pass
moves talks that run in parallel with their theme to a clash-free place where one exists.
Every hard rule is kept as it goes, so whatever it places is a valid partial schedule;
CP-SAT then improves it (and places what it could not).
"""

from __future__ import annotations

import bisect
from collections import Counter, defaultdict
from collections.abc import Iterable, Mapping

from convention.schedule.problem import Grid, Placement, Problem, Span, Talk, popularity_ranks, subtract


class _Busy:
    """Occupied spans, sorted by start; `overlapping` spans (a theme's) are allowed."""

    def __init__(self) -> None:
        self.spans: list[Span] = []

    def free(self, start: int, end: int) -> bool:
        index = bisect.bisect_left(self.spans, (start, start))
        if index > 0 and self.spans[index - 1][1] > start:
            return False
        return index == len(self.spans) or self.spans[index][0] >= end

    def overlaps(self, start: int, end: int) -> bool:
        return any(s < end and start < e for s, e in self.spans)

    def add(self, start: int, end: int) -> None:
        bisect.insort(self.spans, (start, end))

    def remove(self, start: int, end: int) -> None:
        self.spans.remove((start, end))


class _Board:
    """The grid being filled: who is busy when, and where each theme already runs."""

    def __init__(self, problem: Problem, grid: Grid, homes: set[tuple]) -> None:
        self.problem, self.grid, self.homes = problem, grid, homes
        self.rooms: dict[int, _Busy] = defaultdict(_Busy)
        self.speakers: dict[int, _Busy] = defaultdict(_Busy)
        self.themes: dict[int, _Busy] = defaultdict(_Busy)
        self.theme_rooms: Counter[tuple] = Counter()
        self.at: dict[int, tuple[int, int]] = {}  # talk id -> room id, start minute
        self.max_capacity = max((room.capacity for room in problem.rooms), default=1) or 1
        self.ranks = popularity_ranks(talk for talk in problem.talks if talk.pinned is None)

    def _each(self, talk: Talk, room_id: int, start: int):
        end = start + talk.duration
        yield self.rooms[room_id], (start, end)
        for speaker in set(talk.speaker_ids):
            yield self.speakers[speaker], (start, end)
        if talk.theme_id is not None:
            yield self.themes[talk.theme_id], (start, end)

    def book(self, talk: Talk, room_id: int, start: int) -> None:
        for busy, span in self._each(talk, room_id, start):
            busy.add(*span)
        self.theme_rooms[(talk.theme_id, room_id, self.grid.day_index(start))] += 1
        self.at[talk.id] = (room_id, start)

    def unbook(self, talk: Talk) -> None:
        room_id, start = self.at.pop(talk.id)
        for busy, span in self._each(talk, room_id, start):
            busy.remove(*span)
        self.theme_rooms[(talk.theme_id, room_id, self.grid.day_index(start))] -= 1

    def clashes(self, talk: Talk) -> bool:
        room_id, start = self.at[talk.id]
        spans = self.themes[talk.theme_id].spans if talk.theme_id is not None else []
        return sum(1 for s, e in spans if s < start + talk.duration and start < e) > 1

    def fits(self, talk: Talk, room_id: int, start: int) -> bool:
        """Free room and speakers, and no talk of its theme at the same time."""
        end = start + talk.duration
        return (self.rooms[room_id].free(start, end) and all(self.speakers[s].free(start, end) for s in talk.speaker_ids)
                and (talk.theme_id is None or not self.themes[talk.theme_id].overlaps(start, end)))

    def best(self, talk: Talk, starts: list[int], rooms: list, *, allow_clash: bool = True):
        """The lowest-cost (score, room id, start) that breaks no hard rule, or None."""
        best = None
        for room in rooms:
            size = self.ranks[talk.id] * (1 - room.capacity / self.max_capacity) * 10
            size += 40 if talk.audience > room.capacity else 0
            for gap_start, gap_end in subtract(self.grid.free, self.rooms[room.id].spans):
                first = bisect.bisect_left(starts, gap_start)
                for start in starts[first:first + 60]:
                    end = start + talk.duration
                    if end > gap_end:
                        break
                    if not all(self.speakers[s].free(start, end) for s in talk.speaker_ids):
                        continue
                    clash = talk.theme_id is not None and self.themes[talk.theme_id].overlaps(start, end)
                    if clash and not allow_clash:
                        continue
                    key = (talk.theme_id, room.id, self.grid.day_index(start))
                    fresh = talk.theme_id is not None and not self.theme_rooms[key]
                    away = talk.theme_id is not None and key not in self.homes
                    score = (start - gap_start) + 200 * clash + 25 * fresh + 60 * away + size
                    if best is None or score < best[0]:
                        best = (score, room.id, start)
                    if not clash:
                        break
        return best


def greedy_schedule(problem: Problem, grid: Grid | None = None, skip: Iterable[int] = (),
                    keep: Mapping[int, Placement] | None = None) -> dict[int, Placement]:
    """Place as many talks as a single pass can, never breaking a hard rule among them.

    `keep` (e.g. the current grid) is kept wherever it breaks no hard rule; the rest is
    placed around it.
    """
    grid = grid or Grid(problem)
    skipped = set(skip)
    options = {}
    for talk in problem.talks:
        if talk.pinned is None and talk.id not in skipped:
            options[talk.id] = (grid.windows(talk).starts, problem.rooms_for(talk))
    board = _Board(problem, grid, theme_homes(problem, grid, options))
    for talk in problem.talks:
        if talk.pinned is not None:
            board.book(talk, talk.pinned.room_id, grid.timeline.minute(talk.pinned.start))
    for talk_id, placement in (keep or {}).items():
        if talk_id not in options:
            continue
        talk, (starts, rooms) = problem.talk(talk_id), options[talk_id]
        start = grid.timeline.minute(placement.start)
        end = start + talk.duration
        allowed = placement.room_id in {room.id for room in rooms} and start in set(starts)
        if allowed and board.rooms[placement.room_id].free(start, end) \
                and all(board.speakers[s].free(start, end) for s in talk.speaker_ids):
            board.book(talk, placement.room_id, start)
    def urgency(talk_id: int) -> tuple:
        talk, (starts, rooms) = problem.talk(talk_id), options[talk_id]
        open_starts = len(grid.starts_within(grid.free, talk.duration))
        limited = len(rooms) < len(problem.rooms) or len(starts) < open_starts
        return (not limited, len(starts) * len(rooms) if limited else 0, talk.theme_id or 0, -talk.duration,
                -talk.popularity, talk_id)

    order = sorted(options, key=urgency)
    for talk_id in order:
        if talk_id in board.at:
            continue
        talk = problem.talk(talk_id)
        found = board.best(talk, *options[talk_id])
        if found is not None:
            board.book(talk, found[1], found[2])
    for talk_id in order:  # second pass: move talks out of their theme's way where a clash-free place exists
        talk = problem.talk(talk_id)
        if talk_id in board.at and board.clashes(talk):
            was = board.at[talk_id]
            board.unbook(talk)
            found = board.best(talk, *options[talk_id], allow_clash=False)
            board.book(talk, *(found[1:] if found is not None else was))
            if found is None:
                _swap_out_of_clash(board, talk, options)
    return {talk_id: Placement(room_id, grid.timeline.at(start)) for talk_id, (room_id, start) in board.at.items()}


def _swap_out_of_clash(board: _Board, talk: Talk, options: dict[int, tuple[list[int], list]]) -> None:
    """Trade places with a talk of the same length and another theme if that ends both clashes."""
    problem = board.problem
    mine = board.at[talk.id]
    my_starts, my_rooms = set(options[talk.id][0]), {room.id for room in options[talk.id][1]}
    for other_id, theirs in list(board.at.items()):
        other = problem.talk(other_id)
        if (other_id not in options or other.duration != talk.duration or other.theme_id == talk.theme_id
                or theirs[1] not in my_starts or theirs[0] not in my_rooms
                or mine[1] not in options[other_id][0] or mine[0] not in {r.id for r in options[other_id][1]}):
            continue
        board.unbook(talk)
        board.unbook(other)
        if board.fits(talk, *theirs) and board.fits(other, *mine):
            board.book(talk, *theirs)
            board.book(other, *mine)
            return
        board.book(talk, *mine)
        board.book(other, *theirs)


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
