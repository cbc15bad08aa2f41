"""Why a problem has no schedule: cheap checks run before any solver (a meeting without a
common slot, an overloaded participant, too few tables, a precedence cycle), and a
re-solve without the fairness bound when the solver proves infeasibility."""

from __future__ import annotations

import time
from collections import defaultdict
from collections.abc import Sequence
from typing import Any

from ortools.sat.python import cp_model

from .bounds import _alone_bounds
from .cpsat import _build
from .problem import _max_matching, _Problem, _result


def _explain(pb: _Problem, doms: list[list[int]]) -> list[str]:
    """Reasons why no schedule can exist, found without the solver (empty if none found)."""
    reasons: list[str] = []
    n_tables = len(pb.table_ids)
    if _has_cycle(len(pb.meeting_ids), pb.precedences):
        return ["the precedences contain a cycle"]
    for m, dom in enumerate(doms):
        if not dom:
            names = ", ".join(repr(pb.part_ids[p]) for p in pb.meeting_parts[m])
            extra = ""
            if pb.fixed[m] is not None:
                extra = f" (fixed to slot {pb.slot_ids[pb.fixed[m]]!r})"
            elif pb.meeting_blocks[m] is not None:
                extra = f" (allowed blocks {sorted(map(str, pb.meeting_blocks[m]))})"
            reasons.append(
                f"meeting {pb.meeting_ids[m]!r}: no slot where all of {names} are available"
                f"{extra} and its precedences can hold"
            )
    if reasons:
        return reasons
    for p, ms in enumerate(pb.meetings_of()):
        if len(ms) > 1:
            got = _max_matching([doms[m] for m in ms], dict.fromkeys(range(pb.n_slots), 1))
            if got < len(ms):
                usable = sorted({s for m in ms for s in doms[m]})
                reasons.append(
                    f"participant {pb.part_ids[p]!r} has {len(ms)} meetings but they fit in "
                    f"at most {got} distinct slots ({len(usable)} usable slots)"
                )
    fixed_by_slot: dict[int, list[int]] = defaultdict(list)
    for m, s in enumerate(pb.fixed):
        if s is not None:
            fixed_by_slot[s].append(m)
    for s, ms in fixed_by_slot.items():
        if len(ms) > n_tables:
            reasons.append(
                f"slot {pb.slot_ids[s]!r} has {len(ms)} fixed meetings but only {n_tables} tables"
            )
    if reasons:
        return reasons
    total = len(pb.meeting_ids)
    if total > n_tables * pb.n_slots:
        reasons.append(
            f"{total} meetings but only {n_tables} tables x {pb.n_slots} slots = "
            f"{n_tables * pb.n_slots} places"
        )
        return reasons
    got = _max_matching(doms, dict.fromkeys(range(pb.n_slots), n_tables))
    if got < total:
        by_blocks: dict[str, int] = defaultdict(int)
        for m in range(total):
            blocks = pb.meeting_blocks[m]
            by_blocks["any" if blocks is None else "/".join(sorted(map(str, blocks)))] += 1
        detail = ", ".join(f"{k}: {v}" for k, v in sorted(by_blocks.items()))
        reasons.append(
            f"only {got} of {total} meetings fit into the tables of their allowed slots "
            f"(meetings per allowed block: {detail}; {n_tables} tables per slot)"
        )
    return reasons


def _has_cycle(n: int, edges: Sequence[tuple[int, int]]) -> bool:
    succ: dict[int, list[int]] = defaultdict(list)
    indeg = [0] * n
    for a, b in edges:
        succ[a].append(b)
        indeg[b] += 1
    ready = [v for v in range(n) if indeg[v] == 0]
    seen = 0
    while ready:
        v = ready.pop()
        seen += 1
        for w in succ[v]:
            indeg[w] -= 1
            if indeg[w] == 0:
                ready.append(w)
    return seen < n


def _infeasible(
    pb: _Problem,
    doms: list[list[int]],
    fair: int | None,
    hint: Sequence[int] | None,
    start: float,
    time_limit: float,
    num_workers: int,
) -> dict[str, Any]:
    explanation = ["no schedule satisfies all constraints together"]
    if fair is not None:
        relaxed = _build(pb, doms, None, hint, _alone_bounds(pb, doms, time.perf_counter()))
        check = cp_model.CpSolver()
        check.parameters.max_time_in_seconds = max(time_limit / 2, 1.0)
        check.parameters.num_workers = num_workers
        if check.solve(relaxed.model) in (cp_model.OPTIMAL, cp_model.FEASIBLE):
            explanation = [
                f"the fairness bound {fair} is too tight: schedules exist only when some "
                f"participants' break counts differ by more than {fair}; raise --fairness"
            ]
    return _result(pb, "infeasible", None, None, fair, start, explanation)
