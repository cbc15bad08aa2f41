"""Lower bounds on breaks: what each participant needs even with nobody else to meet."""

from __future__ import annotations

import math
import time
from collections.abc import Sequence

from ortools.sat.python import cp_model

from .cpsat import _busy_literals, _count_breaks
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
