"""Festival-scale search: simulated annealing over Kempe-chain moves.

A move takes one meeting of a person who has more breaks than their own lower bound from
its slot ``a`` to a slot ``b``, usually next to that person's other meetings. Whoever in
that meeting is already busy at ``b`` has a meeting there, which goes the other way, to
``a``; its people may be busy at ``a`` in turn, and so on. The meetings reached this way
(a *Kempe chain*) swap slots together. Everyone inside the chain is busy at both slots
before and after, so only the people at the chain's two ends change their day: a move
never double-books anyone, and costs no more than the chain is long.

The temperature stays constant and moves that cost breaks are taken with probability
``exp(-cost / T)``: the best fair placement seen is kept. The walk is a function of the
seed alone, so a faster machine gets further along the same walk in the same time.
"""

from __future__ import annotations

import contextlib
import math
import multiprocessing
import random
import threading
import time
from collections import defaultdict
from collections.abc import Sequence
from typing import Any, Protocol

from .bounds import _run_bounds
from .problem import _breaks_by_participant, _fair_ok, _Problem, _result

__all__ = ["TEMPERATURE", "anneal", "anneal_worker"]

# Near 0.3 and above, the walk hovers a dozen breaks above the optimum of a festival
# instance and never settles; near 0.2 it is slow to leave a local optimum. At 0.24 one
# walk takes the generator's festivals to their lower bound in 1 to 7 s.
TEMPERATURE = 0.24
# Every break above the fairness ceiling costs this much more than an ordinary break.
_UNFAIR_PRICE = 20
# Chains longer than this are not tried (a swap of two nearly full slots, in effect).
_MAX_CHAIN = 60


class _Flag(Protocol):
    def is_set(self) -> bool: ...

    def set(self) -> None: ...


class _Either:
    """Set when either flag is; setting it sets the first."""

    def __init__(self, own: _Flag, other: _Flag):
        self.own, self.other = own, other

    def is_set(self) -> bool:
        return self.own.is_set() or self.other.is_set()

    def set(self) -> None:
        self.own.set()


def _breaks(mask: int, day_masks: Sequence[int]) -> int:
    total = 0
    for dm in day_masks:
        x = mask & dm
        if x:
            total += (x & ~(x << 1)).bit_count() - 1
    return total


def anneal(
    meeting_parts: Sequence[Sequence[int]],
    doms: Sequence[Sequence[int]],
    day_slots: Sequence[Sequence[int]],
    n_tables: int,
    precedences: Sequence[tuple[int, int]],
    slot_of: Sequence[int],
    floor: Sequence[int],
    fairness: int | None,
    until: float,
    seed: int,
    temperature: float = TEMPERATURE,
    stop: _Flag | None = None,
    goal: int | None = None,
) -> list[int]:
    """Improve a valid placement ``slot_of`` (meeting index -> slot index) until
    ``until`` (a ``time.perf_counter()`` value), ``stop`` is set, or every participant is
    down to ``floor`` (their own lower bound) or the total is down to ``goal`` (a bound
    proven elsewhere) within the fairness bound; ``stop`` is then set for the others.

    Returns the placement with the fewest breaks among those within the fairness bound
    (or, when none is, the one with the least excess over it).
    """
    rnd = random.Random(seed).random
    n_parts = len(floor)
    n_slots = 1 + max((s for day in day_slots for s in day), default=0)
    day_masks = [sum(1 << s for s in day) for day in day_slots]
    slot_of = list(slot_of)
    busy = [0] * n_parts
    who = [[-1] * n_slots for _ in range(n_parts)]  # who[p][s]: p's meeting at s
    count = [0] * n_slots
    meetings_of: list[list[int]] = [[] for _ in range(n_parts)]
    for m, s in enumerate(slot_of):
        count[s] += 1
        for p in meeting_parts[m]:
            busy[p] |= 1 << s
            who[p][s] = m
            meetings_of[p].append(m)
    dom_masks = [sum(1 << s for s in dom) for dom in doms]
    after_of: dict[int, list[int]] = defaultdict(list)
    before_of: dict[int, list[int]] = defaultdict(list)
    for a, b in precedences:
        after_of[a].append(b)
        before_of[b].append(a)

    brk = [_breaks(busy[p], day_masks) for p in range(n_parts)]
    active = [p for p in range(n_parts) if meetings_of[p]]

    def standing() -> tuple[int, int]:
        """(breaks above the fairness bound, total breaks): lower is better."""
        total = sum(brk)
        if fairness is None or not active:
            return 0, total
        values = [brk[p] for p in active]
        return max(0, max(values) - min(values) - fairness), total

    low = min((brk[p] for p in active), default=0)
    best = standing()
    best_slots = list(slot_of)
    worst: list[int] = []
    iteration = 0
    while True:
        iteration += 1
        if iteration % 256 == 0:
            if time.perf_counter() >= until or (stop is not None and stop.is_set()):
                break
            low = min((brk[p] for p in active), default=0)
            now = standing()
            if now < best:
                best, best_slots = now, list(slot_of)
            if goal is not None and best[0] == 0 and best[1] <= goal:
                if stop is not None:
                    stop.set()
                break
        if iteration % 16 == 1:
            # People above their own bound, refreshed now and then (a stale pick is
            # skipped below).
            worst = [p for p in active if brk[p] > floor[p]]
            if not worst:
                now = standing()
                if now < best:
                    best, best_slots = now, list(slot_of)
                if now[0] == 0 and stop is not None:
                    stop.set()
                break
        p = worst[int(rnd() * len(worst))]
        if brk[p] <= floor[p]:
            continue
        mine = meetings_of[p]
        m = mine[int(rnd() * len(mine))]
        a = slot_of[m]
        # Target: a slot next to p's other meetings, else (now and then) any slot.
        mask = busy[p] & ~(1 << a)
        near = ((mask << 1) | (mask >> 1)) & ~mask & ~(1 << a) & dom_masks[m]
        if not near or rnd() < 0.1:
            others = [s for s in doms[m] if s != a]
            if not others:
                continue
            b = others[int(rnd() * len(others))]
        else:
            for _ in range(int(rnd() * near.bit_count())):
                near &= near - 1
            b = (near & -near).bit_length() - 1

        # The chain: meetings alternating between a and b through shared participants.
        to_b = [m]
        to_a: list[int] = []
        seen = {m}
        stack = [(m, a, b)]
        ends: list[int] = []
        ok = True
        while stack:
            mm, here, there = stack.pop()
            if not (dom_masks[mm] >> there) & 1:
                ok = False
                break
            for q in meeting_parts[mm]:
                o = who[q][there]
                if o < 0:
                    ends.append(q)
                elif o not in seen:
                    seen.add(o)
                    (to_b if there == a else to_a).append(o)
                    stack.append((o, there, here))
            if len(seen) > _MAX_CHAIN:
                ok = False
                break
        if not ok or not ends:
            continue
        n_b, n_a = len(to_b), len(to_a)
        if n_b != n_a and (count[b] + n_b - n_a > n_tables or count[a] + n_a - n_b > n_tables):
            continue
        if precedences and not _order_kept(to_b, to_a, a, b, slot_of, before_of, after_of):
            continue

        bit = (1 << a) | (1 << b)
        ceiling = None if fairness is None else low + fairness
        delta = 0
        changes = []
        for q in ends:
            new_mask = busy[q] ^ bit
            new = _breaks(new_mask, day_masks)
            changes.append((q, new_mask, new))
            old = brk[q]
            delta += new - old
            if ceiling is not None and (new > ceiling or old > ceiling):
                delta += _UNFAIR_PRICE * (max(0, new - ceiling) - max(0, old - ceiling))
        if delta > 0 and rnd() >= math.exp(-delta / temperature):
            continue
        if delta == 0 and rnd() >= 0.3:
            continue
        for q, new_mask, new in changes:
            busy[q] = new_mask
            brk[q] = new
        for mm in to_b:
            for q in meeting_parts[mm]:
                if who[q][a] == mm:
                    who[q][a] = -1
        for mm in to_a:
            for q in meeting_parts[mm]:
                if who[q][b] == mm:
                    who[q][b] = -1
        for mm in to_b:
            slot_of[mm] = b
            for q in meeting_parts[mm]:
                who[q][b] = mm
        for mm in to_a:
            slot_of[mm] = a
            for q in meeting_parts[mm]:
                who[q][a] = mm
        count[b] += n_b - n_a
        count[a] += n_a - n_b
    now = standing()
    return slot_of if now <= best else best_slots


def _order_kept(
    to_b: Sequence[int],
    to_a: Sequence[int],
    a: int,
    b: int,
    slot_of: Sequence[int],
    before_of: dict[int, list[int]],
    after_of: dict[int, list[int]],
) -> bool:
    moved: dict[int, int] = dict.fromkeys(to_b, b)
    moved.update(dict.fromkeys(to_a, a))

    def at(m: int) -> int:
        return moved.get(m, slot_of[m])

    for m, s in moved.items():
        if any(at(x) >= s for x in before_of.get(m, ())):
            return False
        if any(s >= at(y) for y in after_of.get(m, ())):
            return False
    return True


def anneal_worker(conn: Any, args: tuple[Any, ...], seed: int, stop: _Flag,
                  goal: int | None = None) -> None:
    """Entry point of a forked search process: the placement goes back through ``conn``."""
    try:
        conn.send(anneal(*args, seed=seed, stop=stop, goal=goal))
    finally:
        conn.close()


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
    halt: _Flag | None = None,
    goal: int | None = None,
) -> list[int]:
    """Independent annealing walks, one per worker, each with its own seed; the first to
    reach every participant's floor stops the others. Extra walks run in forked
    processes (where the platform forks); the best placement wins. ``halt`` (a flag
    shared with forked processes) stops every walk when another search has the answer."""
    args = (pb.meeting_parts, doms, pb.day_slots(), len(pb.table_ids), pb.precedences,
            slot_of, floor, fair, until)
    extra = num_workers - 1 if "fork" in multiprocessing.get_all_start_methods() else 0
    if extra <= 0:
        # A walk that gets there sets its own flag, never ``halt``.
        return anneal(*args, seed=random_state, goal=goal,
                      stop=None if halt is None else _Either(threading.Event(), halt))
    ctx = multiprocessing.get_context("fork")
    stop: _Flag = ctx.Event() if halt is None else _Either(ctx.Event(), halt)
    walks = []
    try:
        for k in range(1, extra + 1):
            receive, send = ctx.Pipe(duplex=False)
            proc = ctx.Process(target=anneal_worker,
                               args=(send, args, random_state + k, stop, goal), daemon=True)
            proc.start()
            send.close()
            walks.append((proc, receive))
        results = [anneal(*args, seed=random_state, stop=stop, goal=goal)]
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
