"""The exact CP-SAT model. Tables are interchangeable, so the model only decides slots (at
most ``len(tables)`` meetings per slot) and tables are handed out afterwards; this removes
all table symmetry. Breaks are counted exactly per participant and day, so the solver's
bound is a bound on the true objective."""

from __future__ import annotations

import time
from collections import defaultdict
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from ortools.sat.python import cp_model

from .problem import _Problem


@dataclass
class _Model:
    model: cp_model.CpModel
    x: dict[tuple[int, int], cp_model.IntVar]
    cap: cp_model.IntVar

    distinct: bool = False

    def set_cap(self, low: int, high: int) -> None:
        """Restrict the total number of breaks to ``low..high`` for the next solve."""
        domain = self.model.proto.variables[self.cap.index].domain
        domain[0] = low
        domain[1] = high

    def add_distinct(self, pb: _Problem, doms: Sequence[Sequence[int]]) -> None:
        """State once more that each participant's meetings take distinct slots, as an
        all-different over the meetings' slot numbers. The busy counts already say so; this
        form lets CP-SAT reason over ranges of slots (n meetings that only fit in n slots
        take all of them), which finds and refutes placements with a few breaks sooner.
        Where nobody may have a break the windows say it all and it only slows the search,
        as it does where tables are nearly full; the caller adds it only elsewhere, once the
        total is above 0."""
        if self.distinct:
            return
        self.distinct = True
        slot = []
        for m, dom in enumerate(doms):
            var = self.model.new_int_var_from_domain(cp_model.Domain.from_values(dom), "")
            self.model.add(var == sum(s * self.x[m, s] for s in dom))
            slot.append(var)
        for ms in pb.meetings_of():
            if len(ms) > 1:
                self.model.add_all_different(slot[m] for m in ms)


def _running_or(model: cp_model.CpModel, lits: Sequence[Any]) -> list[Any]:
    """``out[i] <=> lits[0] or ... or lits[i]``, with None for a constant false."""
    out: list[Any] = []
    prev: Any = None
    for lit in lits:
        if lit is not None and prev is not None:
            held = model.new_bool_var("")
            model.add_implication(lit, held)
            model.add_implication(prev, held)
            model.add_bool_or([held.Not(), lit, prev])
            prev = held
        elif lit is not None:
            prev = lit
        out.append(prev)
    return out


def _busy_literals(
    model: cp_model.CpModel, x: Mapping[tuple[int, int], Any], ms: Sequence[int], n_slots: int
) -> dict[int, Any]:
    """Slot -> "this participant meets someone then"; at most one meeting per slot."""
    busy: dict[int, Any] = {}
    for s in range(n_slots):
        lits = [x[m, s] for m in ms if (m, s) in x]
        if len(lits) == 1:
            busy[s] = lits[0]
        elif lits:
            busy[s] = model.new_bool_var("")
            model.add(busy[s] == sum(lits))
    if busy:
        model.add(sum(busy.values()) == len(ms))
    return busy


def _count_breaks(
    model: cp_model.CpModel,
    busy: Mapping[int, Any],
    days: Sequence[Sequence[int]],
    low: int,
    high: int,
    windows: list[Any] | None = None,
) -> Any:
    """Exact break count of one participant, as an int var in ``low..high`` (or 0).

    Per day, ``held[i]`` (a meeting at or before slot i) and ``pending[i]`` (one at or
    after it) are running ORs of the busy literals. A break ends at slot i when i is busy,
    i - 1 is not and a meeting was held before; that counts breaks exactly. With no break
    the busy slots are exactly those both held and pending: together with the busy count
    this makes a participant without breaks one window of consecutive slots, which SAT
    search propagates at once.

    When all meetings fall on one day, ``(day, held, no_break)`` is appended to
    ``windows`` so that :func:`_build` can add the window to its cumulative constraint.
    """
    ends: list[Any] = []
    inside: list[tuple[Any, Any, Any]] = []
    used = [d for d, day in enumerate(days) if any(s in busy for s in day)]
    window: tuple[int, list[Any]] | None = None
    for d in used:
        u = [busy.get(s) for s in days[d]]
        held = _running_or(model, u)
        if len(used) == 1:
            window = (d, held)
        if sum(lit is not None for lit in u) < 2:
            continue
        pending = _running_or(model, u[::-1])[::-1]
        for i in range(1, len(u)):
            if u[i] is None or held[i - 1] is None:
                continue
            lits = [u[i], held[i - 1]] + ([u[i - 1].Not()] if u[i - 1] is not None else [])
            end = model.new_bool_var("")
            for lit in lits:
                model.add_implication(end, lit)
            model.add_bool_or([lit.Not() for lit in lits] + [end])
            ends.append(end)
        inside.extend(
            (held[i], pending[i], u[i]) for i in range(len(u))
            if held[i] is not None and pending[i] is not None
        )
    presence: Any = True
    count: Any = 0
    if ends:
        count = model.new_int_var(low, high, "")
        model.add(count == sum(ends))
        presence = None
    if ends and low == 0:
        presence = model.new_bool_var("")
        model.add(count == 0).only_enforce_if(presence)
        model.add(count >= 1).only_enforce_if(presence.Not())
        for h, p, u_i in inside:
            model.add_bool_or(
                [presence.Not(), h.Not(), p.Not()] + ([u_i] if u_i is not None else []))
    if windows is not None and window is not None and presence is not None:
        windows.append((window[0], window[1], presence))
    return count


def _window(
    model: cp_model.CpModel, held: Sequence[Any], offset: int, n: int, present: Any
) -> Any:
    """Interval of ``n`` slots starting at the first busy slot of a day (``held`` is the
    day's running OR of busy slots; positions are counted across days from 0)."""
    first = model.new_int_var(offset, offset + len(held) - n, "")
    for i, h in enumerate(held):
        if h is None:
            model.add(first >= offset + i + 1)
        else:
            model.add(first <= offset + i).only_enforce_if(h)
            model.add(first >= offset + i + 1).only_enforce_if(h.Not())
    if present is True:
        return model.new_fixed_size_interval_var(first, n, "")
    return model.new_optional_fixed_size_interval_var(first, n, present, "")


def _build(
    pb: _Problem,
    doms: list[list[int]],
    fairness: int | None,
    hint: Sequence[int] | None,
    lower: Sequence[int],
) -> _Model:
    """The exact model: slots of meetings (tables are handed out afterwards), breaks of
    every participant no lower than ``lower`` (their bounds alone), fairness, and a
    ``cap`` variable equal to the total."""
    model = cp_model.CpModel()
    x: dict[tuple[int, int], cp_model.IntVar] = {}
    for m, dom in enumerate(doms):
        for s in dom:
            x[m, s] = model.new_bool_var(f"x{m}_{s}")
        model.add_exactly_one(x[m, s] for s in dom)
    by_slot: dict[int, list[cp_model.IntVar]] = defaultdict(list)
    for (_, s), var in x.items():
        by_slot[s].append(var)
    n_tables = len(pb.table_ids)
    for lits in by_slot.values():
        if len(lits) > n_tables:
            model.add(sum(lits) <= n_tables)

    days = pb.day_slots()
    offsets = [sum(len(day) for day in days[:d]) for d in range(len(days))]
    breaks: list[Any] = []
    intervals: list[Any] = []
    for p, ms in enumerate(pb.meetings_of()):
        if not ms:
            breaks.append(None)
            continue
        busy = _busy_literals(model, x, ms, pb.n_slots)
        windows: list[Any] = []
        breaks.append(_count_breaks(model, busy, days, lower[p], pb.n_slots, windows))
        for d, held, present in windows:
            if len(ms) <= len(days[d]):
                intervals.append(_window(model, held, offsets[d], len(ms), present))
    if intervals:
        # Participants without breaks occupy windows of consecutive slots, and a slot
        # holds at most (tables x meeting size) of them: a cumulative constraint whose
        # energetic reasoning sees congestion (many windows forced over the same hours)
        # long before the per-slot table counts do.
        size = max(len(parts) for parts in pb.meeting_parts)
        model.add_cumulative(intervals, [1] * len(intervals), n_tables * size)
    active = [b for b in breaks if b is not None]
    if fairness is not None and active:
        low = model.new_int_var(0, pb.n_slots, "min_breaks")
        for b in active:
            model.add(b >= low)
            model.add(b <= low + fairness)

    for a, b in pb.precedences:
        pos_a = sum(s * x[a, s] for s in doms[a])
        pos_b = sum(s * x[b, s] for s in doms[b])
        model.add(pos_a + 1 <= pos_b)

    cap = model.new_int_var(0, pb.n_slots * max(len(pb.part_ids), 1), "total_breaks")
    model.add(sum(active) == cap)
    if hint is not None:
        for (m, s), var in x.items():
            model.add_hint(var, hint[m] == s)
    return _Model(model, x, cap)


def _sat_search(solver: cp_model.CpSolver, num_workers: int) -> None:
    """Parameters for "at most B breaks": a tight satisfaction problem where clause
    learning over the window clauses does the work. The LP only slows each node, and
    the first-solution and neighbourhood workers CP-SAT adds by default take a core
    from the search without helping it: every worker runs the same CDCL search with
    its own seed, and the heavy tail of one run is cut by the other."""
    solver.parameters.linearization_level = 0
    solver.parameters.use_feasibility_jump = False
    solver.parameters.use_lns = False
    solver.parameters.num_full_subsolvers = num_workers
    for _ in range(num_workers):
        solver.parameters.subsolvers.append("no_lp")


def _feasible(
    pb: _Problem, doms: list[list[int]], until: float, num_workers: int, random_state: int
) -> list[int] | None:
    """Any valid placement, ignoring breaks and fairness (a starting point)."""
    model = cp_model.CpModel()
    x = {(m, s): model.new_bool_var("") for m, dom in enumerate(doms) for s in dom}
    for m, dom in enumerate(doms):
        model.add_exactly_one(x[m, s] for s in dom)
    by_slot: dict[int, list[Any]] = defaultdict(list)
    for (_, s), var in x.items():
        by_slot[s].append(var)
    for lits in by_slot.values():
        model.add(sum(lits) <= len(pb.table_ids))
    for ms in pb.meetings_of():
        for s in range(pb.n_slots):
            lits = [x[m, s] for m in ms if (m, s) in x]
            if len(lits) > 1:
                model.add_at_most_one(lits)
    for a, b in pb.precedences:
        model.add(sum(s * x[a, s] for s in doms[a]) + 1 <= sum(s * x[b, s] for s in doms[b]))
    solver = cp_model.CpSolver()
    solver.parameters.max_time_in_seconds = max(until - time.perf_counter(), 0.05)
    solver.parameters.num_workers = num_workers
    solver.parameters.random_seed = random_state
    if solver.solve(model) not in (cp_model.OPTIMAL, cp_model.FEASIBLE):
        return None
    slot_of = [0] * len(doms)
    for (m, s), var in x.items():
        if solver.boolean_value(var):
            slot_of[m] = s
    return slot_of
