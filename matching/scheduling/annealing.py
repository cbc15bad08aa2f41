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

The moves run compiled (:mod:`.walk`, Numba), 3 to 4 million a second on a festival
where the same loop in Python made about 240,000: the difference shows where tables are
nearly full and the walk needs millions of moves.
"""

from __future__ import annotations

import contextlib
import multiprocessing
import threading
import time
from collections.abc import Sequence
from typing import Any, Protocol

from .bounds import _run_bounds
from .problem import _breaks_by_participant, _fair_ok, _Problem, _result

__all__ = ["TEMPERATURE", "anneal", "anneal_worker"]

# Near 0.3 and above, the walk hovers a dozen breaks above the optimum of a festival
# instance and never settles (and 50 above it on nearly full tables); near 0.15 it is slow
# to leave a local optimum. At 0.2 one walk takes the generator's festivals to their lower
# bound in 0.1 to 0.5 s, and does a little better than at 0.24 on nearly full tables.
TEMPERATURE = 0.2


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
    _load_walk()
    from .walk import AT_FLOOR, AT_GOAL, GOING, Walk

    state = Walk(meeting_parts, doms, day_slots, n_tables, precedences, slot_of, floor,
                 fairness, temperature, goal, seed)
    ended = state.run()  # one burst (milliseconds) even when the time is already up
    while ended == GOING and time.perf_counter() < until:
        if stop is not None and stop.is_set():
            break
        ended = state.run()
    if ended in (AT_FLOOR, AT_GOAL) and stop is not None:
        stop.set()
    return state.result()


_preloading: list[threading.Thread] = []


def preload_walk() -> None:
    """Start loading the compiled walk in a thread, while the caller does other work; a
    walk, or the fork of more walks, waits for it (:func:`_load_walk`). A process forked
    while it loads (a restarted clause search) inherits a half-loaded walk: such a
    process must not walk."""
    if not _preloading:
        thread = threading.Thread(target=_load_walk, daemon=True)
        _preloading.append(thread)
        thread.start()


def _load_walk() -> None:
    from . import walk  # Numba loads only when needed

    if _preloading and _preloading[0] is not threading.current_thread():
        _preloading[0].join()
    walk.load()


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
    _load_walk()  # before the fork, so that no walk loads it again
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
