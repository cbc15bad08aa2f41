"""Place meetings into slots and tables with the fewest breaks, fairly shared.

A *break* is a run of idle slots between two meetings of the same participant on the same
day. The objective is the total number of breaks, subject to every participant's break
count lying within ``fairness`` of every other participant's.

The exact model is solved with CP-SAT (OR-Tools). Tables are interchangeable, so the model
only decides slots (at most ``len(tables)`` meetings per slot) and tables are handed out
afterwards; this removes all table symmetry. Breaks are counted exactly as
``runs of busy slots - 1`` per participant and day, with ``start[p, s] <=> busy[p, s] and
not busy[p, s - 1]``, so the solver's bound is a bound on the true objective.

Above 600 meetings (festival scale) the exact model is not built: annealing over Kempe
chains (:mod:`.annealing`) improves a greedy placement, against the sum of every
participant's own lower bound.

Infeasible input is explained (which meeting, participant or slot makes it so) by cheap
checks run before the solver, and by re-solving without the fairness bound when only the
fairness bound is at fault.
"""

from __future__ import annotations

import math
import time
from collections.abc import Mapping
from typing import Any

from ortools.sat.python import cp_model

from .annealing import _anneal_in_parallel, _large, preload_walk
from .bounds import _alone_bounds, _table_bound
from .cpsat import _build, _feasible, _sat_search
from .explain import _explain, _infeasible
from .greedy import _greedy, greedy_schedule
from .problem import (
    ScheduleInputError,
    _breaks_by_participant,
    _domains,
    _fair_ok,
    _fairness_of,
    _normalise,
    _Problem,
    _result,
    check_schedule,
    count_breaks,
)
from .sat import Racer

__all__ = [
    "ScheduleInputError",
    "check_schedule",
    "count_breaks",
    "greedy_schedule",
    "schedule",
]

_CLIMB_MAX_MEETINGS = 600
# Tables count as nearly full from this share of all table-slots taken.
_CROWDED = 0.9


def schedule(
    problem: Mapping[str, Any],
    time_limit: float = 10.0,
    fairness: int | None = None,
    *,
    num_workers: int = 2,
    random_state: int = 0,
) -> dict[str, Any]:
    """Schedule the meetings of ``problem`` (the JSON contract) and return the result dict.

    ``fairness`` overrides the problem's own ``"fairness"`` (default 2). The result's
    ``status`` is "optimal" (breaks proven minimal), "feasible" (valid schedule, breaks
    at most ``lower_bound`` away from optimal), "infeasible" (with an ``explanation``
    list) or "unknown" (no schedule found within ``time_limit`` seconds).
    Raises :class:`ScheduleInputError` for malformed problems.
    """
    start = time.perf_counter()
    pb = _normalise(problem)
    fair = _fairness_of(problem, fairness)
    if fair is not None and fair < 0:
        raise ScheduleInputError("fairness must be a non-negative integer")
    doms = _domains(pb)
    reasons = _explain(pb, doms)
    if reasons:
        return _result(pb, "infeasible", None, None, fair, start, reasons)
    if not pb.meeting_ids:
        return _result(pb, "optimal", [], 0, fair, start, None)

    hint = _greedy(pb, doms)
    if hint is not None and any(hint[a] >= hint[b] for a, b in pb.precedences):
        hint = None
    if hint is None:
        hint = _feasible(pb, doms, start + time_limit * 0.3, num_workers, random_state)
    if len(pb.meeting_ids) > _CLIMB_MAX_MEETINGS and hint is not None:
        return _large(pb, doms, hint, fair, start, time_limit, random_state, num_workers)
    alone = _alone_bounds(pb, doms, start + 0.1 * time_limit)
    racer = None
    crowded = _nearly_full(pb)
    if num_workers >= 2 and Racer.available():
        # One core for the bound that counts tables and then the clause search, the
        # others for CP-SAT and annealing.
        racer = Racer(pb, doms, fair, tables=(alone, 0.2 * time_limit) if crowded else None)
        racer.start(sum(alone))
        num_workers -= 1
    if crowded:
        # A walk is likely: its compiled code loads meanwhile (most of a second).
        preload_walk()
    try:
        return _exact(pb, doms, fair, hint, alone, start, time_limit, num_workers,
                      random_state, racer)
    finally:
        if racer is not None:
            racer.close()


def _nearly_full(pb: _Problem) -> bool:
    """Are tables nearly full (nine meetings in ten of all table-slots)?"""
    return len(pb.meeting_ids) >= _CROWDED * len(pb.table_ids) * pb.n_slots


def _exact(
    pb: _Problem,
    doms: list[list[int]],
    fair: int | None,
    hint: list[int] | None,
    alone: list[int],
    start: float,
    time_limit: float,
    num_workers: int,
    random_state: int,
    racer: Racer | None,
) -> dict[str, Any]:
    """The exact path: CP-SAT climbs the lower bound, then improves the best schedule,
    while ``racer`` (the clause search, when there is a spare core) climbs too; whichever
    proves the optimum first answers, and each one's proven bound serves the other."""
    built = _build(pb, doms, fair, hint, alone)
    deadline = start + time_limit
    lower = sum(alone)
    best: list[int] | None = None
    best_breaks: int | None = None

    def solve(limit: float, objective: bool, high: int | None = None,
              seed: int = random_state) -> tuple[int, cp_model.CpSolver]:
        """One CP-SAT solve; ``high`` is the highest total it allows. A proof from the
        racer that no placement has that few breaks counts as this solve's answer."""
        solver = cp_model.CpSolver()
        solver.parameters.max_time_in_seconds = max(limit, 0.05)
        solver.parameters.num_workers = num_workers
        solver.parameters.random_seed = seed
        if not objective:
            _sat_search(solver, num_workers)
        built.model.clear_objective()
        if objective:
            built.model.minimize(built.cap)
        if racer is not None and racer.watch(solver, high):
            code = cp_model.UNKNOWN
        else:
            code = solver.solve(built.model)
        if racer is not None:
            racer.watch(None, None)
            if code == cp_model.UNKNOWN and high is not None and racer.lower > high:
                code = cp_model.INFEASIBLE
        return code, solver

    def raced() -> dict[str, Any] | None:
        """The racer's placement, once it has one (optimal, and checked fair)."""
        if racer is None or racer.found is None or not _fair_ok(pb, racer.found, fair):
            return None
        found = racer.found
        return _result(pb, "optimal", found, sum(_breaks_by_participant(pb, found)), fair,
                       start, None)

    def raise_lower(value: int) -> int:
        """The proven bound: ours or the racer's, whichever is higher; a racer behind it
        starts again from there."""
        if racer is None:
            return value
        racer.restart(value)
        return max(value, racer.lower)

    def read(solver: cp_model.CpSolver) -> list[int]:
        slot_of = [0] * len(pb.meeting_ids)
        for (m, s), var in built.x.items():
            if solver.boolean_value(var):
                slot_of[m] = s
        return slot_of

    # A valid fair placement, the best known: where the bound proves it, it is the answer.
    known = hint if hint is not None and _fair_ok(pb, hint, fair) else None
    known_breaks = None if known is None else sum(_breaks_by_participant(pb, known))

    # Phase 1: climb the lower bound. "At most B breaks" is a feasibility problem that
    # propagates very strongly for small B (most people must have no break at all), so
    # proving B infeasible is fast; the first feasible B is optimal.
    climb_until = start + time_limit * 0.6
    upper = int(built.model.proto.variables[built.cap.index].domain[1])
    # An infeasible hint (too many breaks for the cap) only distracts these solves.
    built.model.clear_hints()
    any_feasible = known is not None
    crowded = _nearly_full(pb)
    # The racer climbs the bound that counts tables itself; without one it is done here.
    counted = racer is not None
    # Where tables are nearly full, a walk (.annealing) often finds the placement the
    # solver looks for long: a solve that runs out of time is then followed by a walk from
    # the best placement so far, and tried again for twice as long with another seed.
    # Elsewhere one solve runs on; with the racer, its bound stops the solve when it rises.
    step, walk, attempt = 0.15 * time_limit, 0.1 * time_limit, 0
    while best is None and time.perf_counter() < climb_until and lower <= upper:
        if (answer := raced()) is not None:
            return answer
        lower = raise_lower(lower)
        if known_breaks is not None and known_breaks <= lower:
            return _result(pb, "optimal", known, known_breaks, fair, start, None)
        if lower > 0 and not crowded:
            built.add_distinct(pb, doms)
        built.set_cap(lower, lower)
        short = crowded or not counted  # without the racer, the first step is short
        until = min(climb_until, time.perf_counter() + step) if short else climb_until
        code, solver = solve(until - time.perf_counter(), objective=False, high=lower,
                             seed=random_state + attempt)
        if code == cp_model.INFEASIBLE and not any_feasible:
            # Is there a schedule at all (any break count)? Else stop climbing.
            built.set_cap(lower, upper)
            any_code, _ = solve(climb_until - time.perf_counter(), objective=False)
            if any_code == cp_model.INFEASIBLE:
                return _infeasible(pb, doms, fair, hint, start, time_limit, num_workers)
            any_feasible = any_code in (cp_model.OPTIMAL, cp_model.FEASIBLE)
        if code in (cp_model.OPTIMAL, cp_model.FEASIBLE):
            best = read(solver)
            best_breaks = lower
            break
        if not counted:
            # Where tables are nearly full, people take turns at the busy hours: a bound
            # that counts tables rises above what each person needs alone.
            counted = True
            first = lower + 1 if code == cp_model.INFEASIBLE else lower
            lower = max(first, _table_bound(pb, doms, alone, fair, first,
                                            time.perf_counter() + 0.2 * time_limit,
                                            num_workers, random_state))
        elif code == cp_model.INFEASIBLE:
            lower += 1
        elif time.perf_counter() < climb_until:
            if hint is not None and crowded:
                walked = _anneal_in_parallel(
                    pb, doms, known or hint, alone, fair,
                    min(climb_until, time.perf_counter() + walk), random_state + attempt,
                    num_workers, None if racer is None else racer.stop_event,
                    goal=raise_lower(lower))
                if _fair_ok(pb, walked, fair):
                    known = walked
                    known_breaks = sum(_breaks_by_participant(pb, known))
            step, walk, attempt = 2 * step, 2 * walk, attempt + 1
    if best is not None:
        return _result(pb, "optimal", best, lower, fair, start, None)
    if (answer := raced()) is not None:
        return answer
    if lower > upper:
        return _infeasible(pb, doms, fair, hint, start, time_limit, num_workers)

    # Phase 2: improve a valid start by annealing (.annealing), then ask for ever
    # fewer breaks: "at most best - 1" is again a satisfaction solve (hinted with the best
    # schedule), which clause learning handles far better than optimising the sum, until
    # time runs out or "best - 1" is proven impossible. Without a valid fair start, CP-SAT
    # optimises from scratch.
    if hint is not None:
        remaining = deadline - time.perf_counter()
        ls_best = _anneal_in_parallel(pb, doms, known or hint, alone, fair,
                                      time.perf_counter() + 0.75 * remaining, random_state,
                                      num_workers, None if racer is None else racer.stop_event,
                                      goal=raise_lower(lower))
        if (answer := raced()) is not None:
            return answer
        best = next((c for c in (ls_best, known, hint) if c is not None and _fair_ok(pb, c, fair)),
                    None)
    if best is None:
        built.model.clear_hints()
        built.set_cap(lower, upper)
        code, solver = solve(deadline - time.perf_counter(), objective=True)
        if code == cp_model.INFEASIBLE:
            return _infeasible(pb, doms, fair, hint, start, time_limit, num_workers)
        if code not in (cp_model.OPTIMAL, cp_model.FEASIBLE):
            return _result(pb, "unknown", None, lower, fair, start,
                           [f"no schedule found within {time_limit:g} s; raise --time-limit"])
        best = read(solver)
        lower = max(lower, math.ceil(solver.best_objective_bound - 1e-6))
    best_breaks = sum(_breaks_by_participant(pb, best))
    lower = raise_lower(lower)
    if best_breaks > 1 and not crowded:
        built.add_distinct(pb, doms)
    while best_breaks > lower and time.perf_counter() < deadline - 0.05:
        if (answer := raced()) is not None:
            return answer
        built.model.clear_hints()
        for (m, s), var in built.x.items():
            built.model.add_hint(var, best[m] == s)
        built.set_cap(lower, best_breaks - 1)
        code, solver = solve(deadline - time.perf_counter(), objective=False,
                             high=best_breaks - 1)
        if code == cp_model.INFEASIBLE:
            lower = best_breaks
        elif code in (cp_model.OPTIMAL, cp_model.FEASIBLE):
            best = read(solver)
            best_breaks = sum(_breaks_by_participant(pb, best))
        elif racer is None or racer.found is None:
            break
        lower = raise_lower(lower)
    if (answer := raced()) is not None:
        return answer
    status = "optimal" if best_breaks <= lower else "feasible"
    return _result(pb, status, best, lower, fair, start, None)
