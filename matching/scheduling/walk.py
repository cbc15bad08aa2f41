"""The annealing walk of :mod:`.annealing`, compiled with Numba.

The state lives in NumPy arrays that :func:`walk` changes in place, a burst of moves per
call: between bursts the caller looks at the clock and at the stop flag, and the state
(random generator included) carries over, so the walk is the same whatever the bursts.
Compiled code is kept in ``__pycache__`` (``cache=True``), so only the first run on a
machine compiles it.

Arrays named ``*_ptr`` / ``*_idx`` are lists of lists in compressed form: the items of
row ``r`` are ``idx[ptr[r]:ptr[r + 1]]``.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
from numba import njit

# Chains longer than this are not tried (a swap of two nearly full slots, in effect).
MAX_CHAIN = 60
# Every break above the fairness ceiling costs this much more than an ordinary break.
UNFAIR_PRICE = 20

# What a burst ends with.
GOING, AT_FLOOR, AT_FLOOR_UNFAIR, AT_GOAL = 0, 1, 2, 3

_MULT = np.uint64(2685821657736338717)
_S12, _S25, _S27, _S11 = np.uint64(12), np.uint64(25), np.uint64(27), np.uint64(11)


def seed_state(seed: int) -> np.ndarray:
    """The generator's state for ``seed`` (xorshift64*, never zero)."""
    x = (seed * 0x9E3779B97F4A7C15 + 0x632BE59BD9B4E019) & 0xFFFFFFFFFFFFFFFF
    return np.array([x or 1], dtype=np.uint64)


@njit(cache=True)
def _uniform(rng: np.ndarray) -> float:
    x = rng[0]
    x ^= x >> _S12
    x ^= x << _S25
    x ^= x >> _S27
    rng[0] = x
    return float((x * _MULT) >> _S11) * (1.0 / 9007199254740992.0)


@njit(cache=True)
def _breaks(who: np.ndarray, q: int, flip_a: int, flip_b: int,
            day_ptr: np.ndarray, day_idx: np.ndarray) -> int:
    """Breaks of ``q``, as if its busy state at ``flip_a`` and ``flip_b`` were reversed."""
    total = 0
    for d in range(len(day_ptr) - 1):
        runs = 0
        prev = False
        for k in range(day_ptr[d], day_ptr[d + 1]):
            s = day_idx[k]
            busy = who[q, s] >= 0
            if s in (flip_a, flip_b):
                busy = not busy
            if busy and not prev:
                runs += 1
            prev = busy
        if runs > 0:
            total += runs - 1
    return total


@njit(cache=True)
def _standing(brk: np.ndarray, active: np.ndarray, fairness: int) -> tuple[int, int]:
    """(breaks above the fairness bound, total breaks): lower is better."""
    total = 0
    high = -1
    low = -1
    for p in range(len(brk)):
        total += brk[p]
        if active[p]:
            if high < 0 or brk[p] > high:
                high = brk[p]
            if low < 0 or brk[p] < low:
                low = brk[p]
    if fairness < 0 or high < 0:
        return 0, total
    return max(0, high - low - fairness), total


@njit(cache=True)
def _keep_best(brk: np.ndarray, active: np.ndarray, fairness: int, slot_of: np.ndarray,
               best: np.ndarray, best_slots: np.ndarray) -> int:
    """Keep the placement as ``best_slots`` when it stands better than ``best``; returns
    its breaks above the fairness bound."""
    exc, tot = _standing(brk, active, fairness)
    if exc < best[0] or (exc == best[0] and tot < best[1]):
        best[0], best[1] = exc, tot
        best_slots[:] = slot_of
    return exc


@njit(cache=True)
def _lowest(brk: np.ndarray, active: np.ndarray) -> int:
    low = -1
    for p in range(len(brk)):
        if active[p] and (low < 0 or brk[p] < low):
            low = brk[p]
    return max(low, 0)


@njit(cache=True)
def _order_kept(chain: np.ndarray, n_chain: int, mark: np.ndarray, stamp: int, a: int,
                b: int, slot_of: np.ndarray, pre_ptr: np.ndarray, pre_idx: np.ndarray,
                post_ptr: np.ndarray, post_idx: np.ndarray) -> bool:
    """Do the precedences still hold once the chain's meetings swap slots?"""
    for i in range(n_chain):
        m = chain[i]
        s = b if slot_of[m] == a else a
        for k in range(pre_ptr[m], pre_ptr[m + 1]):
            x = pre_idx[k]
            at = slot_of[x] if mark[x] != stamp else (b if slot_of[x] == a else a)
            if at >= s:
                return False
        for k in range(post_ptr[m], post_ptr[m + 1]):
            y = post_idx[k]
            at = slot_of[y] if mark[y] != stamp else (b if slot_of[y] == a else a)
            if s >= at:
                return False
    return True


@njit(cache=True)
def walk(
    steps: int, rng: np.ndarray, clock: np.ndarray,
    part_ptr: np.ndarray, part_idx: np.ndarray, mo_ptr: np.ndarray, mo_idx: np.ndarray,
    dom_ptr: np.ndarray, dom_idx: np.ndarray, dom_ok: np.ndarray,
    day_ptr: np.ndarray, day_idx: np.ndarray,
    pre_ptr: np.ndarray, pre_idx: np.ndarray, post_ptr: np.ndarray, post_idx: np.ndarray,
    n_tables: int, fairness: int, temperature: float, goal: int,
    floor: np.ndarray, active: np.ndarray,
    slot_of: np.ndarray, who: np.ndarray, count: np.ndarray, brk: np.ndarray,
    best_slots: np.ndarray, best: np.ndarray,
    worst: np.ndarray, chain: np.ndarray, stack: np.ndarray, ends: np.ndarray,
    new_brk: np.ndarray, near: np.ndarray, mark: np.ndarray,
) -> int:
    """Up to ``steps`` moves of the walk; returns ``GOING`` or why it ended.

    ``clock`` holds (moves so far, people above their floor at the last count, the lowest
    break count, the chain stamp); ``best`` the standing of ``best_slots``. ``who[p, s]``
    is ``p``'s meeting at ``s`` (or -1). A negative ``fairness`` or ``goal`` means none.
    """
    n_slots = who.shape[1]
    n_parts = len(brk)
    has_order = len(pre_idx) > 0
    for _ in range(steps):
        clock[0] += 1
        it = clock[0]
        if it % 256 == 0:
            clock[2] = _lowest(brk, active)
            _keep_best(brk, active, fairness, slot_of, best, best_slots)
            if goal >= 0 and best[0] == 0 and best[1] <= goal:
                return AT_GOAL
        if it % 16 == 1:
            # People above their own bound, refreshed now and then (a stale pick is
            # skipped below).
            n = 0
            for p in range(n_parts):
                if active[p] and brk[p] > floor[p]:
                    worst[n] = p
                    n += 1
            clock[1] = n
            if n == 0:
                exc = _keep_best(brk, active, fairness, slot_of, best, best_slots)
                return AT_FLOOR if exc == 0 else AT_FLOOR_UNFAIR
        p = worst[int(_uniform(rng) * clock[1])]
        if brk[p] <= floor[p]:
            continue
        first, last = mo_ptr[p], mo_ptr[p + 1]
        m = mo_idx[first + int(_uniform(rng) * (last - first))]
        a = slot_of[m]
        # Target: a slot next to p's other meetings, else (now and then) any slot.
        n_near = 0
        for s in range(n_slots):
            if s == a or not dom_ok[m, s] or who[p, s] >= 0:
                continue
            if (s > 0 and s - 1 != a and who[p, s - 1] >= 0) or (
                    s + 1 < n_slots and s + 1 != a and who[p, s + 1] >= 0):
                near[n_near] = s
                n_near += 1
        if n_near == 0 or _uniform(rng) < 0.1:
            width = dom_ptr[m + 1] - dom_ptr[m]
            if width < 2:
                continue
            b = dom_idx[dom_ptr[m] + int(_uniform(rng) * width)]
            if b == a:
                continue
        else:
            b = near[int(_uniform(rng) * n_near)]

        # The chain: meetings alternating between a and b through shared participants.
        clock[3] += 1
        stamp = clock[3]
        mark[m] = stamp
        chain[0] = m
        n_chain = 1
        stack[0] = m
        depth = 1
        n_ends = 0
        n_b = 1
        ok = True
        while depth > 0:
            depth -= 1
            mm = stack[depth]
            there = b if slot_of[mm] == a else a
            if not dom_ok[mm, there]:
                ok = False
                break
            for k in range(part_ptr[mm], part_ptr[mm + 1]):
                q = part_idx[k]
                o = who[q, there]
                if o < 0:
                    ends[n_ends] = q
                    n_ends += 1
                elif mark[o] != stamp:
                    mark[o] = stamp
                    chain[n_chain] = o
                    n_chain += 1
                    if there == a:
                        n_b += 1
                    stack[depth] = o
                    depth += 1
            if n_chain > MAX_CHAIN:
                ok = False
                break
        if not ok or n_ends == 0:
            continue
        n_a = n_chain - n_b
        if n_b != n_a and (count[b] + n_b - n_a > n_tables or count[a] + n_a - n_b > n_tables):
            continue
        if has_order and not _order_kept(chain, n_chain, mark, stamp, a, b, slot_of,
                                         pre_ptr, pre_idx, post_ptr, post_idx):
            continue

        ceiling = -1 if fairness < 0 else clock[2] + fairness
        delta = 0
        for i in range(n_ends):
            q = ends[i]
            new = _breaks(who, q, a, b, day_ptr, day_idx)
            new_brk[i] = new
            old = brk[q]
            delta += new - old
            if ceiling >= 0 and (new > ceiling or old > ceiling):
                delta += UNFAIR_PRICE * (max(0, new - ceiling) - max(0, old - ceiling))
        if delta > 0 and _uniform(rng) >= np.exp(-delta / temperature):
            continue
        if delta == 0 and _uniform(rng) >= 0.3:
            continue
        for i in range(n_ends):
            brk[ends[i]] = new_brk[i]
        for i in range(n_chain):
            mm = chain[i]
            here = slot_of[mm]
            for k in range(part_ptr[mm], part_ptr[mm + 1]):
                q = part_idx[k]
                if who[q, here] == mm:
                    who[q, here] = -1
        for i in range(n_chain):
            mm = chain[i]
            there = b if slot_of[mm] == a else a
            slot_of[mm] = there
            for k in range(part_ptr[mm], part_ptr[mm + 1]):
                who[part_idx[k], there] = mm
        count[b] += n_b - n_a
        count[a] += n_a - n_b
    return GOING


# Moves per compiled burst between two looks at the clock (a few milliseconds).
BURST = 4096


class Walk:
    """One walk: its arrays, built from a valid placement, and its bursts of moves.

    ``fairness`` and ``goal`` are ``None`` when there is none (see ``anneal``)."""

    def __init__(self, meeting_parts: Sequence[Sequence[int]], doms: Sequence[Sequence[int]],
                 day_slots: Sequence[Sequence[int]], n_tables: int,
                 precedences: Sequence[tuple[int, int]], slot_of: Sequence[int],
                 floor: Sequence[int], fairness: int | None, temperature: float,
                 goal: int | None, seed: int):
        n_meetings, n_parts = len(meeting_parts), len(floor)
        n_slots = 1 + max((s for day in day_slots for s in day), default=0)
        meetings_of: list[list[int]] = [[] for _ in range(n_parts)]
        for m, parts in enumerate(meeting_parts):
            for p in parts:
                meetings_of[p].append(m)
        dom_ok = np.zeros((n_meetings, n_slots), dtype=np.bool_)
        for m, dom in enumerate(doms):
            dom_ok[m, list(dom)] = True
        before: list[list[int]] = [[] for _ in range(n_meetings)]
        after: list[list[int]] = [[] for _ in range(n_meetings)]
        for a, b in precedences:
            after[a].append(b)
            before[b].append(a)
        self.fairness = -1 if fairness is None else fairness
        active = np.array([bool(ms) for ms in meetings_of], dtype=np.bool_)
        self.slot_of = np.asarray(slot_of, dtype=np.int64)
        who = np.full((n_parts, n_slots), -1, dtype=np.int64)
        count = np.zeros(n_slots, dtype=np.int64)
        for m, s in enumerate(slot_of):
            count[s] += 1
            who[list(meeting_parts[m]), s] = m
        days = _rows(day_slots)
        self.brk = np.array([_breaks(who, p, -1, -1, *days) for p in range(n_parts)],
                            dtype=np.int64)
        self.active = active
        self.best_slots = self.slot_of.copy()
        self.best = np.array(_standing(self.brk, active, self.fairness), dtype=np.int64)
        clock = np.array([0, 0, _lowest(self.brk, active), 0], dtype=np.int64)
        size = max((len(parts) for parts in meeting_parts), default=1)
        longest = MAX_CHAIN + size + 1
        self.args = (
            seed_state(seed), clock, *_rows(meeting_parts), *_rows(meetings_of),
            *_rows(doms), dom_ok, *days, *_rows(before), *_rows(after),
            n_tables, self.fairness, float(temperature), -1 if goal is None else goal,
            np.asarray(floor, dtype=np.int64), active, self.slot_of, who, count, self.brk,
            self.best_slots, self.best,
            np.zeros(n_parts + 1, dtype=np.int64),  # worst
            np.zeros(longest, dtype=np.int64),  # chain
            np.zeros(longest, dtype=np.int64),  # stack
            np.zeros(longest * size, dtype=np.int64),  # ends
            np.zeros(longest * size, dtype=np.int64),  # their new break counts
            np.zeros(n_slots, dtype=np.int64),  # near
            np.zeros(n_meetings, dtype=np.int64),  # mark
        )

    def run(self, steps: int = BURST) -> int:
        """One burst of moves: ``GOING``, or why the walk ended."""
        return walk(steps, *self.args)

    def result(self) -> list[int]:
        """The better of where the walk stands and the best placement it has seen."""
        now = _standing(self.brk, self.active, self.fairness)
        chosen = self.slot_of if now <= tuple(self.best) else self.best_slots
        return [int(s) for s in chosen]


_loaded: list[bool] = []


def load() -> None:
    """Load the compiled code (compiling it on a machine's first run) with a walk of one
    meeting, once per process, so that walks forked after it start at once."""
    if not _loaded:
        Walk([[0, 1]], [[0, 1]], [[0, 1]], 1, [], [0], [0, 0], 0, 1.0, None, 0).run(1)
        _loaded.append(True)


def _rows(rows: Sequence[Sequence[int]]) -> tuple[np.ndarray, np.ndarray]:
    """Lists of ints as (ptr, idx), the compressed form :func:`walk` reads."""
    ptr = np.zeros(len(rows) + 1, dtype=np.int64)
    ptr[1:] = np.cumsum([len(r) for r in rows])
    idx = np.fromiter((x for r in rows for x in r), dtype=np.int64, count=int(ptr[-1]))
    return ptr, idx
