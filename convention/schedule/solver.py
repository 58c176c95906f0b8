"""The automatic scheduler: OR-Tools CP-SAT over the inputs of `problem.py`.

The model (after EMF Camp's slotmachine, see ../shared/design/ALGORITHMS.md): one start
per talk whose domain is precomputed from the opening hours, the breaks and its speakers'
availability, so those rules cost nothing in the search; one optional interval per
(talk, room that hosts its format), exactly one chosen; `add_no_overlap` per room and per
speaker. Pinned talks have a single start and room.

Soft goals, weighted in `Weights`:
- the talks of a theme do not run in parallel: each talk of a theme is either in the
  theme's no-overlap set or pays `theme_clash` (linear in talks, not pairs);
- a theme stays in few rooms per day, so its talks follow each other in one room: every
  (theme, room) used pays `theme_room`;
- popular talks go to large rooms: a talk pays `popularity` times its popularity rank
  times how much smaller the room is than the largest, and `overflow` when the room
  holds fewer than its expected audience (a hard rule instead with
  `Problem.capacity_is_hard`).

The search starts from `greedy.greedy_schedule`, which keeps the caller's hint (e.g. the
current grid) wherever it breaks no hard rule; it is given as a complete hint, so CP-SAT
has a schedule at once and spends its time limit improving it. If the search finds
nothing in time, the greedy schedule is the answer when it is complete (or in fill mode).

Complete mode places every talk or says why it cannot: impossible inputs are caught
before the search (`diagnostics.static_blockers`); when the search proves the talks
cannot all be placed, a second, single-threaded run with one assumption per talk
("this talk is placed") names a set of talks that cannot go together (CP-SAT ignores
assumptions in multi-threaded search). Fill mode (`fill=True`) places as many as it can
and explains the rest.

OR-Tools is imported inside the functions: only a scheduler run pays its start time.
"""

from __future__ import annotations

import time
from collections import defaultdict
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from enum import StrEnum

from convention.schedule.conflicts import soft_counts
from convention.schedule.diagnostics import (
    Blocker,
    core_blockers,
    crowded_out,
    pinned_blockers,
    static_blockers,
    talk_blockers,
)
from convention.schedule.greedy import greedy_schedule
from convention.schedule.problem import Grid, Placement, Problem, Talk, popularity_ranks


class Status(StrEnum):
    OPTIMAL = "optimal"  # proved best
    FEASIBLE = "feasible"  # a schedule, the time limit stopped the search for a better one
    INFEASIBLE = "infeasible"  # proved: not every talk can be placed (see the blockers)
    TIMEOUT = "timeout"  # no schedule found within the time limit, nor a proof that none exists


@dataclass(frozen=True)
class Weights:
    unscheduled: int = 1000  # fill mode: a talk left out
    theme_clash: int = 30  # a talk running in parallel with another of its theme
    theme_room: int = 8  # each (theme, room) used
    popularity: int = 4  # a popular talk in a small room (scaled by rank and size)
    overflow: int = 15  # a room smaller than the talk's expected audience


@dataclass(frozen=True)
class Progress:
    solutions: int
    objective: float
    bound: float
    elapsed: float  # seconds


@dataclass(frozen=True)
class Result:
    status: Status
    placements: Mapping[int, Placement]
    unscheduled: tuple[int, ...]
    objective: float | None = None
    bound: float | None = None
    seconds: float = 0.0
    theme_clashes: int = 0
    room_changes: int = 0
    blockers: tuple[Blocker, ...] = field(default=())

    @property
    def complete(self) -> bool:
        return self.status in (Status.OPTIMAL, Status.FEASIBLE) and not self.unscheduled

    @property
    def gap(self) -> float | None:
        """How far the objective may still be from the best possible (0 = proved best)."""
        if self.objective is None or self.bound is None:
            return None
        return abs(self.objective - self.bound) / max(1.0, abs(self.objective))


def solve(problem: Problem, *, time_limit: float = 30.0, fill: bool = False,
          hint: Mapping[int, Placement] | None = None, on_progress: Callable[[Progress], None] | None = None,
          weights: Weights = Weights(), workers: int = 0, seed: int = 0) -> Result:  # noqa: B008 - frozen
    """Place the talks; `hint` (e.g. the current grid) is kept in the starting schedule where it is valid."""
    started = time.perf_counter()
    grid = Grid(problem)
    every = tuple(talk.id for talk in problem.talks if talk.pinned is None)
    blocked = pinned_blockers(problem)
    if blocked:  # pinned talks are fixed in both modes: nothing can repair this
        return Result(Status.INFEASIBLE, {}, every, seconds=time.perf_counter() - started, blockers=tuple(blocked))
    if not fill:
        blocked = static_blockers(problem, grid)
        if blocked:
            return Result(Status.INFEASIBLE, {}, every, seconds=time.perf_counter() - started,
                          blockers=tuple(blocked))
    skipped = {talk.id for talk in problem.talks if talk_blockers(problem, grid, talk)}
    first = greedy_schedule(problem, grid, skip=skipped, keep=hint)
    model = _Model(problem, grid, weights, mode="fill" if fill else "complete", skipped=skipped)
    model.add_hint(first)
    left = time_limit - (time.perf_counter() - started)
    status, placements, objective, bound = model.run(time_limit=max(0.1, left), on_progress=on_progress,
                                                     workers=workers, seed=seed)
    if status == Status.TIMEOUT and (fill or len(first) == len(problem.talks)):
        status, placements = Status.FEASIBLE, first  # the search found nothing better in time
    unscheduled = tuple(talk.id for talk in problem.talks if talk.id not in placements)
    if status == Status.INFEASIBLE:
        core = _core(problem, grid, weights, time_limit - (time.perf_counter() - started), seed)
        blockers = tuple(core_blockers(problem, grid, core or every))
    elif placements and unscheduled:
        blockers = tuple(crowded_out(problem, grid, unscheduled))
    else:
        blockers = ()
    counts = soft_counts(problem, placements)
    return Result(status, placements, unscheduled, objective, bound, time.perf_counter() - started,
                  counts.theme_clashes, counts.room_changes, blockers)


def _core(problem: Problem, grid: Grid, weights: Weights, left: float, seed: int) -> list[int]:
    """A set of talks that cannot all be placed, from a sequential run with assumptions."""
    model = _Model(problem, grid, weights, mode="core", skipped=set())
    model.run(time_limit=max(2.0, left), on_progress=None, workers=1, seed=seed)
    return model.core


class _Model:
    def __init__(self, problem: Problem, grid: Grid, weights: Weights, *, mode: str, skipped: set[int]) -> None:
        from ortools.sat.python import cp_model  # heavy: only scheduler runs load it

        self.cp_model = cp_model
        self.problem, self.grid, self.weights, self.mode = problem, grid, weights, mode
        self.core: list[int] = []
        self.model = cp_model.CpModel()
        self.talks = [talk for talk in problem.talks if talk.id not in skipped]
        self.start: dict[int, object] = {}
        self.placed: dict[int, object] = {}
        self.presence: dict[int, dict[int, object]] = {}
        self.apart: dict[int, object] = {}
        self.first_start: dict[int, int] = {}
        self.uses: dict[tuple[int, int], object] = {}
        self.costs: list = []
        self.room_intervals: dict[int, list] = defaultdict(list)
        self.speaker_intervals: dict[int, list] = defaultdict(list)
        self.theme_intervals: dict[int, list] = defaultdict(list)
        themes = defaultdict(int)
        for talk in self.talks:
            themes[talk.theme_id] += 1
        self.shared_themes = {theme for theme, count in themes.items() if theme is not None and count > 1}
        max_capacity = max((room.capacity for room in problem.rooms), default=1) or 1
        ranks = popularity_ranks(self.talks)
        for talk in self.talks:
            self._add_talk(talk, ranks[talk.id], max_capacity)
        for groups in (self.room_intervals, self.speaker_intervals, self.theme_intervals):
            for intervals in groups.values():
                if len(intervals) > 1:
                    self.model.add_no_overlap(intervals)
        self._add_theme_rooms()
        if mode == "fill":
            self.costs += [weights.unscheduled * (1 - placed) for placed in self.placed.values()]
        elif mode == "core":  # multi-threaded search ignores assumptions: only for explaining
            self.model.add_assumptions([self.placed[t.id] for t in self.talks if t.pinned is None])
        else:
            for placed in self.placed.values():
                self.model.add(placed == 1)
        self.model.minimize(cp_model.LinearExpr.sum(self.costs))

    def _add_talk(self, talk: Talk, rank: float, max_capacity: int) -> None:
        m, cp_model, weights = self.model, self.cp_model, self.weights
        if talk.pinned is not None:
            starts = [self.grid.timeline.minute(talk.pinned.start)]
            rooms = [self.problem.rooms_by_id[talk.pinned.room_id]]
        else:
            starts = self.grid.windows(talk).starts
            rooms = self.problem.rooms_for(talk)
        start = m.new_int_var_from_domain(cp_model.Domain.from_values(starts), f"start_{talk.id}")
        placed = m.new_bool_var(f"placed_{talk.id}")
        if talk.pinned is not None:
            m.add(placed == 1)
        self.start[talk.id], self.placed[talk.id] = start, placed
        self.first_start[talk.id] = starts[0]
        presence = {}
        for room in rooms:
            lit = placed if len(rooms) == 1 else m.new_bool_var(f"in_{talk.id}_{room.id}")
            presence[room.id] = lit
            self.room_intervals[room.id].append(
                m.new_optional_fixed_size_interval_var(start, talk.duration, lit, f"at_{talk.id}_{room.id}"))
            cost = round(weights.popularity * rank * (1 - room.capacity / max_capacity))
            cost += weights.overflow if talk.audience > room.capacity else 0
            if cost and talk.pinned is None:
                self.costs.append(cost * lit)
        if len(rooms) > 1:
            m.add(sum(presence.values()) == placed)
        self.presence[talk.id] = presence
        whole = m.new_optional_fixed_size_interval_var(start, talk.duration, placed, f"talk_{talk.id}")
        for speaker in set(talk.speaker_ids):
            self.speaker_intervals[speaker].append(whole)
        if talk.theme_id in self.shared_themes:
            apart = m.new_bool_var(f"apart_{talk.id}")
            m.add_implication(apart, placed)
            self.theme_intervals[talk.theme_id].append(
                m.new_optional_fixed_size_interval_var(start, talk.duration, apart, f"theme_{talk.id}"))
            self.costs.append(weights.theme_clash * (placed - apart))
            self.apart[talk.id] = apart

    def _add_theme_rooms(self) -> None:
        """Each (theme, room) with a talk of the theme costs `theme_room`."""
        for talk in self.talks:
            if talk.theme_id not in self.shared_themes:
                continue
            for room_id, in_room in self.presence[talk.id].items():
                key = (talk.theme_id, room_id)
                if key not in self.uses:
                    self.uses[key] = self.model.new_bool_var(f"uses_{key}")
                    self.costs.append(self.weights.theme_room * self.uses[key])
                self.model.add_implication(in_room, self.uses[key])

    def add_hint(self, hint: Mapping[int, Placement]) -> None:
        """Start the search from these placements (every variable hinted, so it is used at once)."""
        hinted: dict[int, tuple[int, int]] = {}
        for talk in self.talks:
            placement = talk.pinned or hint.get(talk.id)
            if placement is not None and placement.room_id in self.presence[talk.id]:
                hinted[talk.id] = (placement.room_id, self.grid.timeline.minute(placement.start))
        themed: dict[int, list[tuple[int, int, int]]] = defaultdict(list)
        for talk in self.talks:
            room_id, start = hinted.get(talk.id, (None, None))
            # a talk left out still needs a start in the hint for it to be complete
            self.model.add_hint(self.start[talk.id], self.first_start[talk.id] if start is None else start)
            self.model.add_hint(self.placed[talk.id], start is not None)
            for other, lit in self.presence[talk.id].items():
                if lit is not self.placed[talk.id]:
                    self.model.add_hint(lit, other == room_id)
            if talk.id in self.apart:
                if start is None:
                    self.model.add_hint(self.apart[talk.id], False)
                else:
                    themed[talk.theme_id].append((start, start + talk.duration, talk.id))
        for spans in themed.values():  # a non-overlapping set of each theme's talks is "apart"
            last_end = None
            for start, end, talk_id in sorted(spans, key=lambda s: (s[1], s[0])):
                keep = last_end is None or start >= last_end
                self.model.add_hint(self.apart[talk_id], keep)
                last_end = end if keep else last_end
        used = {(self.problem.talk(t).theme_id, room) for t, (room, _start) in hinted.items()}
        for key, lit in self.uses.items():
            self.model.add_hint(lit, key in used)

    def run(self, *, time_limit: float, on_progress, workers: int, seed: int):
        cp_model = self.cp_model
        solver = cp_model.CpSolver()
        solver.parameters.max_time_in_seconds = time_limit
        solver.parameters.relative_gap_limit = 0.005
        solver.parameters.num_workers = workers
        solver.parameters.random_seed = seed
        callback = _callback(cp_model, on_progress) if on_progress else None
        code = solver.solve(self.model, callback)
        status = {cp_model.OPTIMAL: Status.OPTIMAL, cp_model.FEASIBLE: Status.FEASIBLE,
                  cp_model.INFEASIBLE: Status.INFEASIBLE}.get(code, Status.TIMEOUT)
        if code == cp_model.MODEL_INVALID:
            raise RuntimeError(f"invalid scheduling model: {self.model.validate()}")
        if status == Status.INFEASIBLE and self.mode == "core":
            by_index = {self.placed[talk.id].index: talk.id for talk in self.talks}
            self.core = [by_index[i] for i in solver.sufficient_assumptions_for_infeasibility() if i in by_index]
        if status in (Status.INFEASIBLE, Status.TIMEOUT):
            return status, {}, None, None
        placements = {}
        for talk in self.talks:
            if not solver.boolean_value(self.placed[talk.id]):
                continue
            room_id = next(r for r, lit in self.presence[talk.id].items() if solver.boolean_value(lit))
            placements[talk.id] = Placement(room_id, self.grid.timeline.at(solver.value(self.start[talk.id])))
        return status, placements, solver.objective_value, solver.best_objective_bound


def _callback(cp_model, on_progress: Callable[[Progress], None]):
    class _Reporter(cp_model.CpSolverSolutionCallback):
        def __init__(self) -> None:
            super().__init__()
            self.solutions = 0

        def on_solution_callback(self) -> None:
            self.solutions += 1
            on_progress(Progress(self.solutions, self.objective_value, self.best_objective_bound, self.wall_time))

    return _Reporter()
