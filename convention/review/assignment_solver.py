"""The automatic reviewer assignment as a min-cost flow (pure Python + OR-Tools, no database).

The method (HotCRP's autoassigner and OpenReview's matcher work the same way):

    source ──► reviewer ──► proposal ──► sink

* **proposal → sink** has capacity *reviews still needed*: ``reviews_per_proposal`` minus
  the reviewers already on it (an existing assignment or review is fixed flow: it is never
  moved, it only counts).
* **reviewer → proposal** arcs exist only for *allowed* pairs: no declared or automatic
  conflict, no ``conflict`` bid, the proposal's theme inside the reviewer's team limits (a
  reviewer in a team limited to themes gets nothing else), and not already on the proposal.
  A forbidden pair has no arc, so no solution can ever contain it. Capacity 1 (a reviewer
  reviews a proposal once). The cost says how much the reviewer wants it: the bid first
  (eager < willing < no bid < not willing), then whether the proposal's theme is one the
  reviewer marked as known.
* **source → reviewer** is one arc of capacity 1 *per extra unit of load*, the k-th unit
  costing ``balance_weight × k`` (k counts the reviewer's existing load too; far above the
  average load the unit arcs are folded into one, see :func:`_pair_flows`). These convex
  marginal costs make the cheapest flow the most balanced one: moving a unit from a reviewer
  with load a to one with load b ≤ a − 2 saves at least one ``balance_weight``, and that
  weight is larger than any preference cost such a move can add along its path (at most
  ``MAX_PREFERENCE_COST`` per reviewer on the path), so balance comes first and preferences
  decide among the balanced solutions. Separable convex costs over a flow reach the
  lexicographically most balanced loads: max − min ≤ 1 whenever the allowed pairs permit it.

``SimpleMinCostFlow.solve_max_flow_with_min_cost`` sends as many reviews as the allowed pairs
allow (maximum flow) at the least cost. Whatever it could not send is reported per
proposal (``Unmet``) with the reason — too few eligible reviewers (e.g. everybody conflicts)
or the reviewers' maximum load — instead of failing silently.

Arcs are built with numpy over index arrays (an allowed-pair mask of reviewers × proposals),
not in a Python double loop: building arcs, not solving, is what gets slow at scale.

OR-Tools (and numpy, which it brings) is imported inside :func:`solve_assignment`: only the
organizer's "run" needs it, so a web worker does not pay its import time and memory.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field

# Preference cost of a reviewer → proposal arc: bid first, then theme expertise. One bid step
# (10) outweighs up to nine theme matches elsewhere; "not willing" is a last resort.
BID_COSTS: Mapping[str | None, int] = {"eager": 0, "willing": 10, None: 20, "not_willing": 60}
THEME_MISS_COST = 1
MAX_PREFERENCE_COST = max(BID_COSTS.values()) + THEME_MISS_COST

UNMET_TOO_FEW_ELIGIBLE = "too_few_eligible"  # fewer reviewers may review it than it still needs
UNMET_CAPACITY = "reviewer_capacity"  # enough eligible reviewers, but their maximum loads are reached


@dataclass(frozen=True)
class ProposalIn:
    id: int
    theme_id: int | None = None


@dataclass(frozen=True)
class ReviewerIn:
    id: int
    themes: frozenset[int] = frozenset()  # themes the reviewer knows (preferences)
    allowed_themes: frozenset[int] | None = None  # team limits; None = every proposal
    max_load: int | None = None  # total load cap (existing included); None = no cap


@dataclass(frozen=True)
class Unmet:
    proposal_id: int
    missing: int  # reviews still missing after this run
    eligible: int  # reviewers who could still be added to it
    reason: str  # UNMET_TOO_FEW_ELIGIBLE or UNMET_CAPACITY


@dataclass
class AssignmentResult:
    pairs: list[tuple[int, int]]  # new (proposal_id, reviewer_id), sorted
    loads: dict[int, int]  # reviewer_id -> total load (existing + new)
    unmet: list[Unmet] = field(default_factory=list)
    kept_conflicts: list[tuple[int, int]] = field(default_factory=list)  # existing pairs that now conflict
    preferred: int = 0  # new pairs on a theme the reviewer knows
    eager_or_willing: int = 0  # new pairs the reviewer bid eager or willing on

    @property
    def load_spread(self) -> int:
        return max(self.loads.values()) - min(self.loads.values()) if self.loads else 0

    @property
    def preferred_share(self) -> float:
        return self.preferred / len(self.pairs) if self.pairs else 0.0


def solve_assignment(
    proposals: Iterable[ProposalIn],
    reviewers: Iterable[ReviewerIn],
    *,
    reviews_per_proposal: int,
    conflicts: Iterable[tuple[int, int]] = (),
    bids: Mapping[tuple[int, int], str] | None = None,
    existing: Iterable[tuple[int, int]] = (),
) -> AssignmentResult:
    """Choose new (proposal_id, reviewer_id) pairs so each proposal reaches ``reviews_per_proposal``.

    ``conflicts`` and ``existing`` are (proposal_id, reviewer_id) pairs; ``bids`` maps such a
    pair to ``eager``/``willing``/``not_willing``/``conflict``. Existing pairs are kept and
    counted (also when they name a reviewer or proposal not in the lists: they stay as they are).
    """
    import numpy as np  # heavy: imported by the organizer's run only (see the module docstring)
    from ortools.graph.python import min_cost_flow

    if reviews_per_proposal < 0:
        raise ValueError("reviews_per_proposal must be >= 0")
    props = sorted({p.id: p for p in proposals}.values(), key=lambda p: p.id)
    revs = sorted({r.id: r for r in reviewers}.values(), key=lambda r: r.id)
    bids = {(int(p), int(r)): str(level) for (p, r), level in (bids or {}).items()}  # str(): BidLevel or text
    n_p, n_r = len(props), len(revs)
    p_index = {p.id: i for i, p in enumerate(props)}
    r_index = {r.id: i for i, r in enumerate(revs)}

    existing_pairs = {(int(p), int(r)) for p, r in existing}
    existing_load = np.zeros(n_r, dtype=np.int64)
    existing_count = np.zeros(n_p, dtype=np.int64)
    exist_rows, exist_cols = [], []
    for p_id, r_id in existing_pairs:
        pi, ri = p_index.get(p_id), r_index.get(r_id)
        if ri is not None:
            existing_load[ri] += 1
        if pi is not None:
            existing_count[pi] += 1
        if pi is not None and ri is not None:
            exist_rows.append(ri)
            exist_cols.append(pi)

    # Themes as columns: index 0 stands for "no theme" (nobody knows it, a team limit excludes it).
    theme_ids = sorted({p.theme_id for p in props if p.theme_id is not None}
                       | {t for r in revs for t in r.themes} | {t for r in revs for t in (r.allowed_themes or ())})
    t_index = {t: i + 1 for i, t in enumerate(theme_ids)}
    proposal_theme = np.array([t_index.get(p.theme_id, 0) if p.theme_id is not None else 0 for p in props],
                              dtype=np.int64)
    knows = np.zeros((n_r, len(theme_ids) + 1), dtype=bool)
    limits = np.ones((n_r, len(theme_ids) + 1), dtype=bool)
    for ri, r in enumerate(revs):
        knows[ri, [t_index[t] for t in r.themes]] = True
        if r.allowed_themes is not None:
            limits[ri, :] = False
            limits[ri, [t_index[t] for t in r.allowed_themes]] = True

    allowed = limits[:, proposal_theme]  # reviewers × proposals
    theme_match = knows[:, proposal_theme]
    bid_cost = np.full((n_r, n_p), BID_COSTS[None], dtype=np.int64)
    eager_or_willing = np.zeros((n_r, n_p), dtype=bool)
    for (p_id, r_id), level in bids.items():
        pi, ri = p_index.get(p_id), r_index.get(r_id)
        if pi is None or ri is None:
            continue
        if level not in BID_COSTS and level != "conflict":
            raise ValueError(f"unknown bid level {level!r}")
        if level == "conflict":
            allowed[ri, pi] = False
        else:
            bid_cost[ri, pi] = BID_COSTS[level]
            eager_or_willing[ri, pi] = level in ("eager", "willing")
    conflict_pairs = {(int(p), int(r)) for p, r in conflicts}
    for p_id, r_id in conflict_pairs:
        pi, ri = p_index.get(p_id), r_index.get(r_id)
        if pi is not None and ri is not None:
            allowed[ri, pi] = False
    if exist_rows:
        allowed[exist_rows, exist_cols] = False

    needed = np.maximum(reviews_per_proposal - existing_count, 0)
    eligible = allowed.sum(axis=0)  # per proposal, before removing proposals that need nothing
    allowed[:, needed == 0] = False

    # Reviewer → proposal arcs: only the allowed pairs.
    arc_r, arc_p = np.nonzero(allowed)
    pref_cost = bid_cost[arc_r, arc_p] + np.where(theme_match[arc_r, arc_p], 0, THEME_MISS_COST)

    cap_units = allowed.sum(axis=1).astype(np.int64)  # a reviewer takes at most every allowed proposal
    for ri, r in enumerate(revs):
        if r.max_load is not None:
            cap_units[ri] = max(0, min(cap_units[ri], r.max_load - existing_load[ri]))
    flow_on_pairs = _pair_flows(np, min_cost_flow, arc_r, arc_p, pref_cost, needed, existing_load, cap_units)

    chosen = np.nonzero(flow_on_pairs)[0]
    new_r, new_p = arc_r[chosen], arc_p[chosen]
    pairs = sorted((props[pi].id, revs[ri].id) for ri, pi in zip(new_r.tolist(), new_p.tolist(), strict=True))
    loads_arr = existing_load + np.bincount(new_r, minlength=n_r)
    got = np.bincount(new_p, minlength=n_p)
    unmet = []
    for pi in np.nonzero(got < needed)[0].tolist():
        missing = int(needed[pi] - got[pi])
        eligible_new = int(eligible[pi])
        reason = UNMET_TOO_FEW_ELIGIBLE if eligible_new < needed[pi] else UNMET_CAPACITY
        unmet.append(Unmet(proposal_id=props[pi].id, missing=missing, eligible=eligible_new, reason=reason))
    return AssignmentResult(
        pairs=pairs,
        loads={r.id: int(loads_arr[ri]) for ri, r in enumerate(revs)},
        unmet=unmet,
        kept_conflicts=sorted(existing_pairs & (conflict_pairs | {k for k, v in bids.items() if v == "conflict"})),
        preferred=int(theme_match[new_r, new_p].sum()),
        eager_or_willing=int(eager_or_willing[new_r, new_p].sum()),
    )


def _pair_flows(np, min_cost_flow, arc_r, arc_p, pref_cost, needed, existing_load, cap_units):
    """Solve the network; return the flow (0 or 1) on each reviewer → proposal arc.

    Source → reviewer: one unit arc per extra unit of load, the k-th costing
    ``balance_weight × k``, but only up to a threshold load near the average; above it one
    *tail* arc carries the rest at the price of the first unit past the threshold. Tail prices
    are never above the true convex ones, so when the optimum sends nothing through a tail it
    is the optimum of the full convex network too; when it does (team limits or existing loads
    force someone high), the threshold doubles and the network is solved again. This keeps
    the arc count near the number of reviews instead of reviewers × proposals.
    """
    n_r, n_p = len(existing_load), len(needed)
    total_needed = int(needed.sum())
    if not total_needed or not len(arc_r):
        return np.zeros(len(arc_r), dtype=np.int64)
    balance_weight = MAX_PREFERENCE_COST * (n_r + 1) + 1
    source, first_reviewer, first_proposal = 0, 1, 1 + n_r
    sink = first_proposal + n_p
    p_with_need = np.nonzero(needed)[0]
    pair_starts, pair_ends = first_reviewer + arc_r, first_proposal + arc_p
    threshold = -(-(int(existing_load.sum()) + total_needed) // n_r) + 1
    while True:
        units = np.clip(np.minimum(cap_units, threshold - existing_load), 0, None)
        tails = np.nonzero(cap_units > units)[0]
        unit_reviewer = np.repeat(np.arange(n_r, dtype=np.int64), units)
        offsets = np.cumsum(units) - units
        unit_k = np.arange(len(unit_reviewer), dtype=np.int64) - np.repeat(offsets, units) + 1
        unit_cost = balance_weight * (existing_load[unit_reviewer] + unit_k)
        tail_cost = balance_weight * (existing_load[tails] + units[tails] + 1)
        n_units, n_pairs = len(unit_reviewer), len(arc_r)
        solver = min_cost_flow.SimpleMinCostFlow()
        arcs = solver.add_arcs_with_capacity_and_unit_cost(
            np.concatenate([np.zeros(n_units, dtype=np.int64), pair_starts, first_proposal + p_with_need,
                            np.zeros(len(tails), dtype=np.int64)]),
            np.concatenate([first_reviewer + unit_reviewer, pair_ends, np.full(len(p_with_need), sink),
                            first_reviewer + tails]),
            np.concatenate([np.ones(n_units + n_pairs, dtype=np.int64), needed[p_with_need],
                            cap_units[tails] - units[tails]]),
            np.concatenate([unit_cost, pref_cost, np.zeros(len(p_with_need), dtype=np.int64), tail_cost]),
        )
        solver.set_node_supply(source, total_needed)
        solver.set_node_supply(sink, -total_needed)
        status = solver.solve_max_flow_with_min_cost()
        if status != solver.OPTIMAL:
            raise RuntimeError(f"min-cost flow failed: {status}")
        tail_arcs = arcs[n_units + n_pairs + len(p_with_need):]
        if not len(tail_arcs) or not solver.flows(tail_arcs).any():
            return solver.flows(arcs[n_units:n_units + n_pairs])
        threshold *= 2
