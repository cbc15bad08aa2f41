"""The same decision problem as the CP-SAT model ("a placement with at most B breaks, fairly
shared"), as plain clauses for CaDiCaL (python-sat), solved in a forked process beside
CP-SAT.

The two searches fail on different instances. CP-SAT's linear and cumulative reasoning
proves bounds where tables are nearly full and finds break-free placements quickly; a
CDCL solver over cardinality encodings finds the placements with one or two breaks on
instances with fewer tables, where CP-SAT's search wanders. Running both, each on its own
core, answers as soon as either does.

Clauses, per participant and day: ``busy`` literals (at most one of its meetings per slot),
running ORs ``held`` (a meeting at or before) and ``pending`` (one at or after), and
``end`` literals forced by "busy now, idle just before, held earlier": each true ``end``
is a break, and a counter over all of them bounds the total. A participant whose ``end``
literals are all false is busy on exactly the slots both held and pending: the window of
consecutive slots is stated, not left to be derived. Tables: at most ``len(tables)``
meetings per slot; and where somebody's meetings fill every slot they can use, at most as
many people per slot as the tables seat.

Fairness bounds max - min; the clauses state "nobody above ``fairness``", which is the
same thing whenever somebody has no break. That is certain when somebody cannot have one
(a single meeting), or when the total is below the number of people who can: the climb
stops there and leaves larger totals to CP-SAT.

The child climbs B from the bound it is given: each "no" is a proof and is reported,
and the first "yes" is therefore optimal. Learned clauses are kept from one B to the next
(the total's counter is an incremental totalizer asked through assumptions).
"""

from __future__ import annotations

import contextlib
import multiprocessing
import threading
import time
from collections import defaultdict
from collections.abc import Sequence
from typing import Any

from pysat.card import CardEnc, EncType, ITotalizer
from pysat.formula import IDPool
from pysat.solvers import Solver

from .bounds import _table_bound
from .problem import _Problem

_SOLVER = "cadical153"
# The counter over all breaks is built up to this total: far above any total this climb
# reaches within its time (a few dozen steps), small enough to build in milliseconds.
_COUNTER_LIMIT = 64


class _Clauses:
    """The clauses of "at most B breaks" for one problem, and the literals to read back."""

    def __init__(self, pb: _Problem, doms: Sequence[Sequence[int]], fairness: int | None):
        self.pool = IDPool()
        self.clauses: list[list[int]] = []
        self.x: dict[tuple[int, int], int] = {}
        self.ends: list[int] = []
        self.breakable = 0
        self.always_fair = fairness is None
        for m, dom in enumerate(doms):
            lits = [self.pool.id(("x", m, s)) for s in dom]
            self.x.update(zip(((m, s) for s in dom), lits, strict=True))
            self.clauses.append(lits)
            self._at_most(lits, 1)
        by_slot: dict[int, list[int]] = defaultdict(list)
        for (_, s), lit in self.x.items():
            by_slot[s].append(lit)
        for lits in by_slot.values():
            self._at_most(lits, len(pb.table_ids))
        for a, b in pb.precedences:
            # b in slot s needs a before s.
            for s in doms[b]:
                self.clauses.append([-self.x[b, s]] + [self.x[a, t] for t in doms[a] if t < s])
        days = pb.day_slots()
        people_at: dict[int, list[int]] = defaultdict(list)
        self.filled = False
        for ms in pb.meetings_of():
            if ms:
                busy = self._participant(ms, doms, days, fairness)
                for s, lit in busy.items():
                    people_at[s].append(lit)
                self.filled = self.filled or len(busy) <= len(ms)
        if self.filled:
            # Somebody is busy in every slot they can use, at a meeting not yet chosen. The
            # tables bound how many people a slot holds, and that count is what rules such
            # slots out for everybody else (the meetings' own count cannot: it does not know
            # who is busy until it knows at which meeting).
            seats = len(pb.table_ids) * max(len(parts) for parts in pb.meeting_parts)
            for lits in people_at.values():
                self._at_most(lits, seats)

    def _at_most(self, lits: list[int], k: int) -> None:
        if len(lits) > k:
            self.clauses.extend(
                CardEnc.atmost(lits, k, vpool=self.pool, encoding=EncType.seqcounter).clauses)

    def _or(self, lits: Sequence[int | None]) -> list[int | None]:
        """``out[i] <=> lits[0] or ... or lits[i]`` (None where all are absent)."""
        out: list[int | None] = []
        prev: int | None = None
        for lit in lits:
            if lit is not None and prev is not None:
                held = self.pool.id()
                self.clauses += [[-lit, held], [-prev, held], [-held, lit, prev]]
                prev = held
            elif lit is not None:
                prev = lit
            out.append(prev)
        return out

    def _participant(self, ms: Sequence[int], doms: Sequence[Sequence[int]],
                     days: Sequence[Sequence[int]], fairness: int | None) -> dict[int, int]:
        """The clauses of one participant; its busy literal per usable slot."""
        busy: dict[int, int] = {}
        for s in sorted({s for m in ms for s in doms[m]}):
            lits = [self.x[m, s] for m in ms if (m, s) in self.x]
            busy[s] = self.pool.id()
            self.clauses += [[-lit, busy[s]] for lit in lits]
            self.clauses.append([-busy[s]] + lits)
            self._at_most(lits, 1)
        if len(busy) > len(ms):
            self.clauses.extend(CardEnc.equals(list(busy.values()), len(ms), vpool=self.pool,
                                               encoding=EncType.seqcounter).clauses)
        ends: list[int] = []
        inside: list[list[int]] = []
        for day in days:
            u = [busy.get(s) for s in day]
            if len(ms) < 2 or sum(lit is not None for lit in u) < 2:
                continue
            held = self._or(u)
            pending = self._or(u[::-1])[::-1]
            for i in range(1, len(u)):
                now, before, earlier = u[i], u[i - 1], held[i - 1]
                if now is None or earlier is None:
                    continue
                end = self.pool.id()
                self.clauses.append([-now, -earlier, end] + ([before] if before else []))
                ends.append(end)
            inside += [[-h, -p] + ([b] if b else [])
                       for h, p, b in zip(held, pending, u, strict=True)
                       if h is not None and p is not None]
        if not ends:
            self.always_fair = True
            return busy
        self.breakable += 1
        broken = self.pool.id()
        self.clauses += [[-end, broken] for end in ends]
        self.clauses += [[broken] + clause for clause in inside]
        if fairness is not None:
            self._at_most(ends, fairness)
        self.ends += ends
        return busy


def _climb(pb: _Problem, doms: list[list[int]], fairness: int | None, first: int,
           conn: Any, tables: tuple[Sequence[int], float] | None = None,
           floor: Any = None) -> None:
    """Entry point of the forked process: ("no", B) for every B refuted, then
    ("yes", B, slot of each meeting) for the first B that holds, or ("stop", B) where the
    clauses no longer state the problem exactly.

    With ``tables`` (each participant's bound alone, and seconds), the bound that counts
    tables (:func:`.bounds._table_bound`) is climbed first, for at most that long, and
    ("tables", B) tells where it got. ``floor`` (a shared integer) is a bound proven
    elsewhere meanwhile: the climb skips up to it."""
    with contextlib.suppress(BrokenPipeError, KeyboardInterrupt):
        if tables is not None:
            alone, seconds = tables
            # A total this bound cannot decide in a quarter of its time is left to the
            # clause search.
            counted = _table_bound(pb, doms, alone, fairness, first,
                                   time.perf_counter() + seconds, num_workers=1,
                                   step=seconds / 4)
            conn.send(("tables", counted))
            first = max(first, counted)
        cnf = _Clauses(pb, doms, fairness)
        counter = ITotalizer(lits=cnf.ends or [cnf.pool.id()],
                             ubound=min(max(len(cnf.ends), 1), _COUNTER_LIMIT),
                             top_id=cnf.pool.top)
        with Solver(name=_SOLVER, bootstrap_with=cnf.clauses + counter.cnf.clauses) as sat:
            bound = first
            while bound < len(counter.rhs) and (cnf.always_fair or bound < cnf.breakable):
                if floor is not None and floor.value > bound:
                    bound = floor.value
                    continue
                if not sat.solve(assumptions=[-counter.rhs[bound]]):
                    conn.send(("no", bound))
                    bound += 1
                    continue
                chosen = {lit for lit in sat.get_model() if lit > 0}
                conn.send(("yes", bound, [next(s for s in dom if cnf.x[m, s] in chosen)
                                          for m, dom in enumerate(doms)]))
                return
            conn.send(("stop", bound))


class Racer:
    """The clause search in a forked process, climbing from a proven bound.

    ``lower`` is the highest bound it has proven and ``found`` its placement once it has
    one (optimal: every smaller total was refuted first). The caller shows it the CP-SAT
    solver it runs (:meth:`watch`), with the highest total that solve allows; a message
    that settles that question (a placement, or a proof that the total is too low) stops
    the solver. :meth:`restart` begins again from a higher bound the caller proved;
    :meth:`close` ends the process.
    """

    def __init__(self, pb: _Problem, doms: list[list[int]], fairness: int | None,
                 tables: tuple[Sequence[int], float] | None = None):
        self._args = (pb, doms, fairness)
        # The bound that counts tables, first (see _climb); once it has been reported, a
        # restarted climb goes straight to the clauses.
        self._tables = tables
        self.counting = False
        self._lock = threading.Lock()
        self._ctx = multiprocessing.get_context("fork")
        self._proc: Any = None
        self._conn: Any = None
        self._solver: Any = None
        self._high: int | None = None
        self.lower = 0
        self.found: list[int] | None = None
        self.start_at = 0
        # Set with ``found``; annealing walks in forked processes read it.
        self.stop_event = self._ctx.Event()
        self._floor = self._ctx.Value("i", 0, lock=False)

    @staticmethod
    def available() -> bool:
        return "fork" in multiprocessing.get_all_start_methods()

    def start(self, first: int) -> None:
        self.close()
        receive, send = self._ctx.Pipe(duplex=False)
        with self._lock:
            self.start_at = max(first, self.lower)
            self._floor.value = self.start_at
            self.counting = self._tables is not None
            self._proc = self._ctx.Process(
                target=_climb, args=(*self._args, self.start_at, send, self._tables,
                                     self._floor), daemon=True)
            self._proc.start()
            self._conn = receive
        send.close()
        threading.Thread(target=self._listen, args=(receive,), daemon=True).start()

    def restart(self, first: int) -> None:
        """Climb from ``first`` when it lies more than one above the total being tried now
        (while the bound that counts tables is being climbed, the clauses start from there
        later). A climb one behind goes on: what it learns refuting that total often finds
        the next placement sooner than a fresh start does."""
        if self.found is None and self._proc is not None and first > self.current + 1:
            if self.counting:
                self._floor.value = max(self._floor.value, first)
            else:
                self.start(first)

    @property
    def current(self) -> int:
        return max(self.start_at, self.lower)

    def settles(self, high: int | None) -> bool:
        """Is "a placement with at most ``high`` breaks" answered by what came in?"""
        return self.found is not None or (high is not None and self.lower > high)

    def watch(self, solver: Any, high: int | None) -> bool:
        """Stop ``solver`` (None: no solver) once its question is answered here; True
        when it already is."""
        with self._lock:
            self._solver, self._high = solver, high
            return solver is not None and self.settles(high)

    def _listen(self, conn: Any) -> None:
        while True:
            try:
                message = conn.recv()
            except (EOFError, OSError):
                return
            with self._lock:
                if conn is not self._conn:
                    return
                if message[0] == "no":
                    self.lower = max(self.lower, message[1] + 1)
                elif message[0] == "tables":
                    self.lower = max(self.lower, message[1])
                    self.counting = False
                    self._tables = None
                elif message[0] == "yes":
                    self.lower = max(self.lower, message[1])
                    self.found = message[2]
                    self.stop_event.set()
                if self._solver is not None and self.settles(self._high):
                    self._solver.stop_search()
            if message[0] not in ("no", "tables"):
                return

    def close(self) -> None:
        with self._lock:
            proc, conn, self._proc, self._conn = self._proc, self._conn, None, None
        if proc is not None:
            if proc.is_alive():
                proc.kill()
            proc.join()
        if conn is not None:
            conn.close()
