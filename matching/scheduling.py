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
chains (:mod:`matching.annealing`) improves a greedy placement, against the sum of every
participant's own lower bound.

Infeasible input is explained (which meeting, participant or slot makes it so) by cheap
checks run before the solver, and by re-solving without the fairness bound when only the
fairness bound is at fault.
"""

from __future__ import annotations

import contextlib
import math
import multiprocessing
import time
from collections import defaultdict
from collections.abc import Hashable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from ortools.sat.python import cp_model

__all__ = [
    "ScheduleInputError",
    "check_schedule",
    "count_breaks",
    "greedy_schedule",
    "schedule",
]

DEFAULT_FAIRNESS = 2
_CLIMB_MAX_MEETINGS = 600


class ScheduleInputError(ValueError):
    """The scheduling problem is malformed (unknown ids, missing fields, bad types)."""


@dataclass(frozen=True)
class _Problem:
    """Scheduling problem with every id replaced by its index."""

    slot_ids: tuple[Any, ...]
    slot_day: tuple[int, ...]
    slot_block: tuple[Any, ...]
    table_ids: tuple[Any, ...]
    part_ids: tuple[Any, ...]
    unavailable: tuple[frozenset[int], ...]
    meeting_ids: tuple[Any, ...]
    meeting_parts: tuple[tuple[int, ...], ...]
    meeting_blocks: tuple[frozenset[Any] | None, ...]
    fixed: tuple[int | None, ...]
    precedences: tuple[tuple[int, int], ...]

    @property
    def n_slots(self) -> int:
        return len(self.slot_ids)

    def meetings_of(self) -> list[list[int]]:
        out: list[list[int]] = [[] for _ in self.part_ids]
        for m, parts in enumerate(self.meeting_parts):
            for p in parts:
                out[p].append(m)
        return out

    def day_slots(self) -> list[list[int]]:
        """Slot indices of each day, in time order."""
        days: dict[int, list[int]] = defaultdict(list)
        for s, d in enumerate(self.slot_day):
            days[d].append(s)
        return [days[d] for d in sorted(days)]


def _key(value: Any) -> Hashable:
    """Ids may be str or int; JSON lists are not hashable."""
    if isinstance(value, list | dict):
        raise ScheduleInputError(f"an id must be a string or a number, not {value!r}")
    return value  # type: ignore[no-any-return]


def _index(items: Iterable[Any], what: str) -> dict[Hashable, int]:
    index: dict[Hashable, int] = {}
    for i, item in enumerate(items):
        if not isinstance(item, Mapping) or "id" not in item:
            raise ScheduleInputError(f"every {what} needs an 'id' (got {item!r})")
        key = _key(item["id"])
        if key in index:
            raise ScheduleInputError(f"{what} id {item['id']!r} appears twice")
        index[key] = i
    return index


def _normalise(problem: Mapping[str, Any]) -> _Problem:
    if not isinstance(problem, Mapping):
        raise ScheduleInputError("the problem must be a JSON object")
    slots = list(problem.get("slots") or [])
    tables = list(problem.get("tables") or [])
    meetings = list(problem.get("meetings") or [])
    slot_index = _index(slots, "slot")
    _index(tables, "table")
    participants = list(problem.get("participants") or [])
    part_index = _index(participants, "participant")
    # Participants named only in meetings are implicitly always available.
    for m in meetings:
        if not isinstance(m, Mapping) or not isinstance(m.get("participants"), list):
            raise ScheduleInputError(f"meeting {m!r} needs a 'participants' list")
        for p in m["participants"]:
            if _key(p) not in part_index:
                part_index[_key(p)] = len(participants)
                participants.append({"id": p, "unavailable": []})
    meeting_index = _index(meetings, "meeting")

    day_numbers: dict[Hashable, int] = {}
    slot_day = []
    for s in slots:
        day = _key(s.get("day", 1))
        day_numbers.setdefault(day, len(day_numbers))
        slot_day.append(day_numbers[day])

    def slot_of(value: Any, where: str) -> int:
        key = _key(value)
        if key not in slot_index:
            raise ScheduleInputError(f"{where} names unknown slot {value!r}")
        return slot_index[key]

    unavailable = tuple(
        frozenset(
            slot_of(v, f"participant {p['id']!r}")
            for v in (p.get("unavailable") or [])
            if _key(v) in slot_index or not p.get("ignore_unknown_slots")
        )
        for p in participants
    )
    meeting_parts = []
    meeting_blocks: list[frozenset[Any] | None] = []
    fixed: list[int | None] = []
    for m in meetings:
        parts = tuple(part_index[_key(p)] for p in m["participants"])
        if len(set(parts)) != len(parts) or not parts:
            raise ScheduleInputError(f"meeting {m['id']!r} must name distinct participants")
        meeting_parts.append(parts)
        blocks = m.get("blocks")
        meeting_blocks.append(None if blocks is None else frozenset(_key(b) for b in blocks))
        fs = m.get("fixed_slot")
        fixed.append(None if fs is None else slot_of(fs, f"meeting {m['id']!r}"))
    precedences = []
    for pair in problem.get("precedences") or []:
        if not isinstance(pair, list | tuple) or len(pair) != 2:
            raise ScheduleInputError(f"a precedence must be [before, after], not {pair!r}")
        try:
            precedences.append((meeting_index[_key(pair[0])], meeting_index[_key(pair[1])]))
        except KeyError:
            raise ScheduleInputError(f"precedence {pair!r} names an unknown meeting") from None
    return _Problem(
        slot_ids=tuple(s["id"] for s in slots),
        slot_day=tuple(slot_day),
        slot_block=tuple(s.get("block") for s in slots),
        table_ids=tuple(t["id"] for t in tables),
        part_ids=tuple(p["id"] for p in participants),
        unavailable=unavailable,
        meeting_ids=tuple(m["id"] for m in meetings),
        meeting_parts=tuple(meeting_parts),
        meeting_blocks=tuple(meeting_blocks),
        fixed=tuple(fixed),
        precedences=tuple(precedences),
    )


def _domains(pb: _Problem) -> list[list[int]]:
    doms = []
    for m, parts in enumerate(pb.meeting_parts):
        blocks = pb.meeting_blocks[m]
        fixed = pb.fixed[m]
        dom = [
            s
            for s in range(pb.n_slots)
            if (blocks is None or pb.slot_block[s] in blocks)
            and (fixed is None or fixed == s)
            and not any(s in pb.unavailable[p] for p in parts)
        ]
        doms.append(dom)
    # Precedences: "before" needs a slot earlier than some slot of "after" and vice versa.
    changed = True
    while changed:
        changed = False
        for a, b in pb.precedences:
            if doms[a] and doms[b]:
                new_a = [s for s in doms[a] if s < doms[b][-1]]
                new_b = [s for s in doms[b] if s > doms[a][0]]
                if len(new_a) != len(doms[a]) or len(new_b) != len(doms[b]):
                    doms[a], doms[b], changed = new_a, new_b, True
    return doms


def _max_matching(left: Sequence[Sequence[int]], capacity: Mapping[int, int]) -> int:
    """Size of a maximum b-matching of items to slots (augmenting paths)."""
    owner: dict[int, list[int]] = defaultdict(list)
    matched = 0

    def augment(item: int, seen: set[int]) -> bool:
        for s in left[item]:
            if s in seen:
                continue
            seen.add(s)
            if len(owner[s]) < capacity.get(s, 0):
                owner[s].append(item)
                return True
            for other in list(owner[s]):
                if augment(other, seen):
                    owner[s].remove(other)
                    owner[s].append(item)
                    return True
        return False

    for i in sorted(range(len(left)), key=lambda i: len(left[i])):
        if augment(i, set()):
            matched += 1
    return matched


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


def _breaks_by_participant(pb: _Problem, slot_of: Sequence[int]) -> list[int]:
    busy: list[set[int]] = [set() for _ in pb.part_ids]
    for m, s in enumerate(slot_of):
        for p in pb.meeting_parts[m]:
            busy[p].add(s)
    out = []
    for p in range(len(pb.part_ids)):
        count = 0
        for day in pb.day_slots():
            runs = 0
            prev = False
            for s in day:
                now = s in busy[p]
                runs += now and not prev
                prev = now
            count += max(runs - 1, 0)
        out.append(count)
    return out


def count_breaks(problem: Mapping[str, Any], result: Mapping[str, Any]) -> dict[Any, int]:
    """Breaks of every participant in ``result`` (participant id -> count)."""
    pb = _normalise(problem)
    m_index = {_key(mid): i for i, mid in enumerate(pb.meeting_ids)}
    s_index = {_key(sid): i for i, sid in enumerate(pb.slot_ids)}
    slot_of = [0] * len(pb.meeting_ids)
    for a in result.get("assignments", []):
        slot_of[m_index[_key(a["meeting"])]] = s_index[_key(a["slot"])]
    return dict(zip(pb.part_ids, _breaks_by_participant(pb, slot_of), strict=True))


@dataclass
class _Model:
    model: cp_model.CpModel
    x: dict[tuple[int, int], cp_model.IntVar]
    cap: cp_model.IntVar

    def set_cap(self, low: int, high: int) -> None:
        """Restrict the total number of breaks to ``low..high`` for the next solve."""
        domain = self.model.proto.variables[self.cap.index].domain
        domain[0] = low
        domain[1] = high


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


def _fairness_of(problem: Mapping[str, Any], fairness: int | None) -> int | None:
    if fairness is not None:
        return fairness
    value = problem.get("fairness", DEFAULT_FAIRNESS)
    if value is None:
        return None
    if isinstance(value, bool) or not isinstance(value, int) or value < 0:
        raise ScheduleInputError(f"fairness must be a non-negative integer, not {value!r}")
    return value


def _result(
    pb: _Problem,
    status: str,
    slot_of: Sequence[int] | None,
    lower_bound: int | None,
    fairness: int | None,
    start: float,
    explanation: list[str] | None,
) -> dict[str, Any]:
    assignments: list[dict[str, Any]] = []
    breaks: int | None = None
    if slot_of is not None:
        per_slot: dict[int, int] = defaultdict(int)
        for m, s in enumerate(slot_of):
            table = per_slot[s]
            per_slot[s] += 1
            assignments.append(
                {"meeting": pb.meeting_ids[m], "slot": pb.slot_ids[s], "table": pb.table_ids[table]}
            )
        breaks = sum(_breaks_by_participant(pb, slot_of))
    out: dict[str, Any] = {
        "status": status,
        "breaks": breaks,
        "lower_bound": lower_bound,
        "fairness": fairness,
        "solve_seconds": round(time.perf_counter() - start, 3),
        "assignments": assignments,
    }
    if explanation:
        out["explanation"] = explanation
    return out


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
    built = _build(pb, doms, fair, hint, alone)
    deadline = start + time_limit
    lower = sum(alone)
    best: list[int] | None = None
    best_breaks: int | None = None

    def solve(limit: float, objective: bool) -> tuple[int, cp_model.CpSolver]:
        solver = cp_model.CpSolver()
        solver.parameters.max_time_in_seconds = max(limit, 0.05)
        solver.parameters.num_workers = num_workers
        solver.parameters.random_seed = random_state
        if not objective:
            _sat_search(solver, num_workers)
        built.model.clear_objective()
        if objective:
            built.model.minimize(built.cap)
        return solver.solve(built.model), solver

    def read(solver: cp_model.CpSolver) -> list[int]:
        slot_of = [0] * len(pb.meeting_ids)
        for (m, s), var in built.x.items():
            if solver.boolean_value(var):
                slot_of[m] = s
        return slot_of

    # Phase 1: climb the lower bound. "At most B breaks" is a feasibility problem that
    # propagates very strongly for small B (most people must have no break at all), so
    # proving B infeasible is fast; the first feasible B is optimal.
    climb_until = start + time_limit * 0.6
    upper = int(built.model.proto.variables[built.cap.index].domain[1])
    # An infeasible hint (too many breaks for the cap) only distracts these solves.
    built.model.clear_hints()
    any_feasible = False
    while best is None and time.perf_counter() < climb_until and lower <= upper:
        built.set_cap(lower, lower)
        code, solver = solve(climb_until - time.perf_counter(), objective=False)
        if code == cp_model.INFEASIBLE and not any_feasible:
            # Is there a schedule at all (any break count)? Else stop climbing.
            built.set_cap(lower, upper)
            any_code, _ = solve(climb_until - time.perf_counter(), objective=False)
            if any_code == cp_model.INFEASIBLE:
                return _infeasible(pb, doms, fair, hint, start, time_limit, num_workers)
            any_feasible = any_code in (cp_model.OPTIMAL, cp_model.FEASIBLE)
        if code == cp_model.INFEASIBLE:
            lower += 1
        elif code in (cp_model.OPTIMAL, cp_model.FEASIBLE):
            best = read(solver)
            best_breaks = lower
        else:
            break
    if best is not None:
        return _result(pb, "optimal", best, lower, fair, start, None)
    if lower > upper:
        return _infeasible(pb, doms, fair, hint, start, time_limit, num_workers)

    # Phase 2: improve a valid start by annealing (matching.annealing), then ask for ever
    # fewer breaks: "at most best - 1" is again a satisfaction solve (hinted with the best
    # schedule), which clause learning handles far better than optimising the sum, until
    # time runs out or "best - 1" is proven impossible. Without a valid fair start, CP-SAT
    # optimises from scratch.
    if hint is not None:
        remaining = deadline - time.perf_counter()
        ls_best = _anneal_in_parallel(pb, doms, hint, alone, fair,
                                      time.perf_counter() + 0.75 * remaining, random_state,
                                      num_workers)
        best = next((c for c in (ls_best, hint) if _fair_ok(pb, c, fair)), None)
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
    while best_breaks > lower and time.perf_counter() < deadline - 0.05:
        built.model.clear_hints()
        for (m, s), var in built.x.items():
            built.model.add_hint(var, best[m] == s)
        built.set_cap(lower, best_breaks - 1)
        code, solver = solve(deadline - time.perf_counter(), objective=False)
        if code == cp_model.INFEASIBLE:
            lower = best_breaks
        elif code in (cp_model.OPTIMAL, cp_model.FEASIBLE):
            best = read(solver)
            best_breaks = sum(_breaks_by_participant(pb, best))
        else:
            break
    status = "optimal" if best_breaks <= lower else "feasible"
    return _result(pb, status, best, lower, fair, start, None)


def _fair_ok(pb: _Problem, slot_of: Sequence[int], fair: int | None) -> bool:
    if fair is None:
        return True
    per = _breaks_by_participant(pb, slot_of)
    active = [per[p] for p, ms in enumerate(pb.meetings_of()) if ms]
    return not active or max(active) - min(active) <= fair


def _large(
    pb: _Problem,
    doms: list[list[int]],
    hint: list[int],
    fair: int | None,
    start: float,
    time_limit: float,
    random_state: int,
    num_workers: int = 2,
) -> dict[str, Any]:
    """Festival scale: annealing over Kempe chains from a valid placement, against the
    sum of single-person lower bounds."""
    floor = _run_bounds(pb, doms)
    slot_of = _anneal_in_parallel(pb, doms, hint, floor, fair, start + time_limit * 0.97,
                                  random_state, num_workers)
    per = _breaks_by_participant(pb, slot_of)
    lower = sum(floor)
    active = [per[p] for p, ms in enumerate(pb.meetings_of()) if ms]
    if fair is not None and active and max(active) - min(active) > fair:
        return _result(pb, "unknown", None, lower, fair, start, [
            f"best schedule found ({sum(per)} breaks) has break counts from {min(active)} to "
            f"{max(active)}, beyond the fairness bound {fair}; raise --time-limit or --fairness"
        ])
    status = "optimal" if sum(per) <= lower else "feasible"
    return _result(pb, status, slot_of, lower, fair, start, None)


def _anneal_in_parallel(
    pb: _Problem,
    doms: list[list[int]],
    slot_of: list[int],
    floor: Sequence[int],
    fair: int | None,
    until: float,
    random_state: int,
    num_workers: int,
) -> list[int]:
    """Independent annealing walks, one per worker, each with its own seed; the first to
    reach every participant's floor stops the others. Extra walks run in forked
    processes (where the platform forks); the best placement wins."""
    from matching.annealing import anneal, anneal_worker

    args = (pb.meeting_parts, doms, pb.day_slots(), len(pb.table_ids), pb.precedences,
            slot_of, floor, fair, until)
    extra = num_workers - 1 if "fork" in multiprocessing.get_all_start_methods() else 0
    if extra <= 0:
        return anneal(*args, seed=random_state)
    ctx = multiprocessing.get_context("fork")
    stop = ctx.Event()
    walks = []
    try:
        for k in range(1, extra + 1):
            receive, send = ctx.Pipe(duplex=False)
            proc = ctx.Process(target=anneal_worker, args=(send, args, random_state + k, stop),
                               daemon=True)
            proc.start()
            send.close()
            walks.append((proc, receive))
        results = [anneal(*args, seed=random_state, stop=stop)]
        stop.set()
        for _, receive in walks:
            # A walk answers within one check of the stop flag (256 moves); one that
            # failed has closed its end, and the others' results stand.
            if receive.poll(5.0):
                with contextlib.suppress(EOFError):
                    results.append(receive.recv())
    finally:
        for proc, receive in walks:
            receive.close()
            proc.join(1.0)
            if proc.is_alive():
                proc.kill()
                proc.join()
    return min(results, key=lambda s: (not _fair_ok(pb, s, fair),
                                      sum(_breaks_by_participant(pb, s))))


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


def check_schedule(
    problem: Mapping[str, Any], result: Mapping[str, Any], *, fairness: int | None = None
) -> list[str]:
    """Every way ``result`` breaks the rules of ``problem`` (empty list if none)."""
    pb = _normalise(problem)
    fair = _fairness_of(problem, fairness if fairness is not None else result.get("fairness"))
    errors: list[str] = []
    m_index = {_key(mid): i for i, mid in enumerate(pb.meeting_ids)}
    s_index = {_key(sid): i for i, sid in enumerate(pb.slot_ids)}
    t_index = {_key(tid): i for i, tid in enumerate(pb.table_ids)}
    slot_of: list[int | None] = [None] * len(pb.meeting_ids)
    places: set[tuple[int, int]] = set()
    for a in result.get("assignments", []):
        try:
            m, s, t = m_index[_key(a["meeting"])], s_index[_key(a["slot"])], t_index[
                _key(a["table"])]
        except KeyError as exc:
            errors.append(f"assignment {a!r} names an unknown id {exc}")
            continue
        if slot_of[m] is not None:
            errors.append(f"meeting {pb.meeting_ids[m]!r} is assigned twice")
        slot_of[m] = s
        if (s, t) in places:
            errors.append(
                f"table {pb.table_ids[t]!r} holds two meetings in slot {pb.slot_ids[s]!r}"
            )
        places.add((s, t))
    for m, s in enumerate(slot_of):
        if s is None:
            errors.append(f"meeting {pb.meeting_ids[m]!r} is not scheduled")
            continue
        blocks = pb.meeting_blocks[m]
        if blocks is not None and pb.slot_block[s] not in blocks:
            errors.append(f"meeting {pb.meeting_ids[m]!r} is outside its allowed blocks")
        if pb.fixed[m] is not None and pb.fixed[m] != s:
            errors.append(f"meeting {pb.meeting_ids[m]!r} is not in its fixed slot")
        for p in pb.meeting_parts[m]:
            if s in pb.unavailable[p]:
                errors.append(
                    f"participant {pb.part_ids[p]!r} is unavailable in slot {pb.slot_ids[s]!r}"
                )
    seen: dict[tuple[int, int], int] = {}
    for m, s in enumerate(slot_of):
        if s is None:
            continue
        for p in pb.meeting_parts[m]:
            if (p, s) in seen:
                errors.append(
                    f"participant {pb.part_ids[p]!r} has two meetings in slot {pb.slot_ids[s]!r}"
                )
            seen[p, s] = m
    for a, b in pb.precedences:
        sa, sb = slot_of[a], slot_of[b]
        if sa is not None and sb is not None and not sa < sb:
            errors.append(
                f"meeting {pb.meeting_ids[a]!r} must come before {pb.meeting_ids[b]!r}"
            )
    if errors or not pb.meeting_ids:
        return errors
    full = [s if s is not None else 0 for s in slot_of]
    per_part = _breaks_by_participant(pb, full)
    if result.get("breaks") is not None and result["breaks"] != sum(per_part):
        errors.append(f"reported {result['breaks']} breaks but the schedule has {sum(per_part)}")
    with_meetings = [per_part[p] for p, ms in enumerate(pb.meetings_of()) if ms]
    if fair is not None and with_meetings and max(with_meetings) - min(with_meetings) > fair:
        errors.append(
            f"break counts range from {min(with_meetings)} to {max(with_meetings)}, "
            f"more than the fairness bound {fair}"
        )
    return errors
