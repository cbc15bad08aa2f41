"""Greedy placement: a starting point for the solvers, and a baseline for the benchmarks."""

from __future__ import annotations

import time
from collections.abc import Mapping
from typing import Any

from .problem import _domains, _fairness_of, _normalise, _Problem, _result, check_schedule


def greedy_schedule(problem: Mapping[str, Any]) -> dict[str, Any]:
    """Place meetings one by one, each where it adds the fewest breaks (a baseline).

    Most constrained meetings go first. Fairness and precedences are ignored when
    choosing, so the result may violate them; the status says "feasible" only when the
    independent checks pass.
    """
    start = time.perf_counter()
    pb = _normalise(problem)
    doms = _domains(pb)
    slot_of = _greedy(pb, doms)
    fairness = _fairness_of(problem, None)
    if slot_of is None:
        return _result(pb, "unknown", None, None, fairness, start, None)
    out = _result(pb, "feasible", slot_of, None, fairness, start, None)
    if check_schedule(problem, out, fairness=fairness):
        out["status"] = "unknown"
    return out


def _greedy(pb: _Problem, doms: list[list[int]]) -> list[int] | None:
    """Greedy placement, busiest people first, with one level of repair (moving the
    meetings that block a slot elsewhere) when a meeting finds no free slot."""
    n_tables = len(pb.table_ids)
    used = [0] * pb.n_slots
    busy: list[set[int]] = [set() for _ in pb.part_ids]
    at_slot: list[set[int]] = [set() for _ in range(pb.n_slots)]
    slot_of = [-1] * len(pb.meeting_ids)
    load = [len(ms) for ms in pb.meetings_of()]
    order = sorted(range(len(doms)), key=lambda m: (
        -max(load[p] for p in pb.meeting_parts[m]), len(doms[m]), m))

    def place(m: int, s: int) -> None:
        slot_of[m] = s
        used[s] += 1
        at_slot[s].add(m)
        for p in pb.meeting_parts[m]:
            busy[p].add(s)

    def unplace(m: int) -> None:
        s = slot_of[m]
        used[s] -= 1
        at_slot[s].discard(m)
        for p in pb.meeting_parts[m]:
            busy[p].discard(s)
        slot_of[m] = -1

    def free_slot(m: int, avoid: int) -> int | None:
        for s in doms[m]:
            if s != avoid and used[s] < n_tables and not any(
                    s in busy[p] for p in pb.meeting_parts[m]):
                return s
        return None

    for m in order:
        best: tuple[int, int] | None = None
        for s in doms[m]:
            if used[s] >= n_tables or any(s in busy[p] for p in pb.meeting_parts[m]):
                continue
            # Prefer slots next to a participant's other meetings, then early slots.
            touching = 0
            for p in pb.meeting_parts[m]:
                if not busy[p]:
                    touching += 1
                elif (s - 1 in busy[p] and pb.slot_day[s - 1] == pb.slot_day[s]) or (
                    s + 1 in busy[p] and s + 1 < pb.n_slots and pb.slot_day[s + 1] == pb.slot_day[s]
                ):
                    touching += 2
            score = (-touching, s)
            if best is None or score < best:
                best = score
        if best is not None:
            place(m, best[1])
            continue
        # Repair: free a slot of m by moving the meetings that block it.
        done = False
        parts = set(pb.meeting_parts[m])
        for s in doms[m]:
            movers = [b for b in at_slot[s] if parts & set(pb.meeting_parts[b])]
            if used[s] - len(movers) >= n_tables:
                others = [b for b in at_slot[s] if b not in movers]
                movers += others[:1]
            moved: list[tuple[int, int]] = []
            for b in movers:
                unplace(b)
                s2 = free_slot(b, s)
                if s2 is None:
                    place(b, s)
                    break
                place(b, s2)
                moved.append((b, s2))
            else:
                if used[s] < n_tables and not any(s in busy[p] for p in parts):
                    place(m, s)
                    done = True
                    break
            for b, _ in moved:  # undo a failed repair
                unplace(b)
                place(b, s)
        if not done:
            return None
    return slot_of
