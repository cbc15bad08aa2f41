"""Lower bounds on breaks: what each participant needs even with nobody else to meet."""

from __future__ import annotations

import math
import time
from collections import defaultdict
from collections.abc import Sequence
from typing import Any

from ortools.sat.python import cp_model

from .cpsat import _busy_literals, _count_breaks, _sat_search
from .problem import _max_matching, _Problem


def _alone_bounds(pb: _Problem, doms: list[list[int]], until: float) -> list[int]:
    """Per participant, the fewest breaks they need even with nobody else to meet.

    The run-based count (:func:`_run_bounds`) is cheap; when its value cannot
    be met (no window of consecutive slots takes all of a participant's meetings, say
    because one partner is only free in the morning and another only late), a small
    exact solve of that participant alone gives the true figure, while time lasts
    (``until``, a ``perf_counter`` value).
    """
    days = pb.day_slots()
    out = []
    for ms, cheap in zip(pb.meetings_of(), _run_bounds(pb, doms), strict=True):
        left = until - time.perf_counter()
        if len(ms) < 2 or left <= 0 or (cheap == 0 and _fits_one_window(pb, doms, ms)):
            out.append(cheap)
            continue
        out.append(max(cheap, _alone_exact(pb, doms, ms, days, min(left, 1.0))))
    return out


def _fits_one_window(pb: _Problem, doms: list[list[int]], ms: Sequence[int]) -> bool:
    """Can these meetings fill ``len(ms)`` consecutive slots of one day?"""
    n = len(ms)
    for day in pb.day_slots():
        for f in range(len(day) - n + 1):
            window = set(day[f:f + n])
            left = [[s for s in doms[m] if s in window] for m in ms]
            if all(left) and _max_matching(left, dict.fromkeys(window, 1)) == n:
                return True
    return False


def _alone_exact(
    pb: _Problem, doms: list[list[int]], ms: Sequence[int], days: Sequence[Sequence[int]],
    limit: float,
) -> int:
    model = cp_model.CpModel()
    x = {(m, s): model.new_bool_var("") for m in ms for s in doms[m]}
    for m in ms:
        model.add_exactly_one(x[m, s] for s in doms[m])
    count = _count_breaks(model, _busy_literals(model, x, ms, pb.n_slots), days, 0, pb.n_slots)
    model.minimize(count)
    solver = cp_model.CpSolver()
    solver.parameters.max_time_in_seconds = limit
    solver.parameters.num_workers = 1
    solver.solve(model)
    return max(0, math.ceil(solver.best_objective_bound - 1e-6))


def _run_bounds(pb: _Problem, doms: list[list[int]]) -> list[int]:
    """Per participant, the breaks they need even if alone (their sum is a valid bound).

    A participant's meetings can only use slots of their domains; these form runs of
    consecutive usable slots per day. The longest run of each day is free, every further
    run used on a day costs one break, so the fewest breaks come from taking each day's
    longest run first and then the longest remaining runs.
    """
    out = [0] * len(pb.part_ids)
    days = pb.day_slots()
    for p, ms in enumerate(pb.meetings_of()):
        n = len(ms)
        if n < 2:
            continue
        usable = {s for m in ms for s in doms[m]}
        first_runs: list[int] = []
        other_runs: list[int] = []
        for day in days:
            runs: list[int] = []
            length = 0
            for s in day:
                if s in usable:
                    length += 1
                elif length:
                    runs.append(length)
                    length = 0
            if length:
                runs.append(length)
            if runs:
                runs.sort(reverse=True)
                first_runs.append(runs[0])
                other_runs.extend(runs[1:])
        covered = sum(first_runs)
        extra = 0
        for length in sorted(other_runs, reverse=True):
            if covered >= n:
                break
            covered += length
            extra += 1
        out[p] = extra
    return out


def _table_bound(
    pb: _Problem,
    doms: list[list[int]],
    alone: Sequence[int],
    fairness: int | None,
    first: int,
    until: float,
    num_workers: int = 2,
    random_state: int = 0,
    step: float | None = None,
) -> int:
    """A lower bound on the total that counts tables: the fewest breaks of a relaxation
    that keeps, per participant, how many slots it is busy in, which slots it can use and
    how many of its meetings need each of its meetings' slot sets (a Hall condition), and,
    per meeting, a slot where all its people are busy, and, per slot, that at most
    ``tables x meeting size`` people are busy then; it forgets which meeting takes which
    slot. Where tables are nearly full, people must take turns at the busy hours,
    which the bounds of each person alone cannot see.

    The total is climbed from ``first`` ("exactly B" for B = first, first + 1, ..., each
    infeasibility a proof, solved as satisfaction) until a B is feasible or time
    (``until``, a ``perf_counter`` value) is up, or a single B stays undecided for ``step``
    seconds; the last B not refuted is returned. (No
    symmetry is broken between look-alike participants: the meeting constraint tells
    them apart.)
    """
    model = cp_model.CpModel()
    days = pb.day_slots()
    size = max((len(parts) for parts in pb.meeting_parts), default=2)
    per_slot: dict[int, list[Any]] = defaultdict(list)
    counts: list[Any] = []
    busy_of: list[dict[int, Any]] = []
    for p, ms in enumerate(pb.meetings_of()):
        busy_of.append({})
        if not ms:
            continue
        usable = sorted({s for m in ms for s in doms[m]})
        busy = {s: model.new_bool_var("") for s in usable}
        busy_of[p] = busy
        model.add(sum(busy.values()) == len(ms))
        for s, var in busy.items():
            per_slot[s].append(var)
        for dom in {frozenset(doms[m]) for m in ms}:
            need = sum(1 for m in ms if dom.issuperset(doms[m]))
            model.add(sum(busy[s] for s in dom) >= need)
        counts.append(_count_breaks(model, busy, days, alone[p], pb.n_slots))
    # Every meeting needs a slot where all of its people are busy at once.
    for m, parts in enumerate(pb.meeting_parts):
        together = []
        for s in doms[m]:
            both = model.new_bool_var("")
            for p in parts:
                model.add_implication(both, busy_of[p][s])
            together.append(both)
        model.add_bool_or(together)
    n_tables = len(pb.table_ids)
    for lits in per_slot.values():
        if len(lits) > n_tables * size:
            model.add(sum(lits) <= n_tables * size)
    if fairness is not None and counts:
        least = model.new_int_var(0, pb.n_slots, "")
        for c in counts:
            model.add(c >= least)
            model.add(c <= least + fairness)
    total = model.new_int_var(0, pb.n_slots * max(len(counts), 1), "")
    model.add(total == sum(counts))
    domain = model.proto.variables[total.index].domain
    upper = int(domain[1])
    bound = first
    while bound <= upper and time.perf_counter() < until - 0.02:
        domain[0] = domain[1] = bound
        solver = cp_model.CpSolver()
        left = until - time.perf_counter()
        solver.parameters.max_time_in_seconds = max(left if step is None else min(left, step),
                                                    0.02)
        solver.parameters.num_workers = num_workers
        solver.parameters.random_seed = random_state
        _sat_search(solver, num_workers)
        if solver.solve(model) != cp_model.INFEASIBLE:
            break
        bound += 1
    return bound
