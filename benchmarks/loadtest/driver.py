"""A closed-loop HTTP load driver in plain Python: clients are threads, spread over processes.

Each client keeps one keep-alive connection (http.client) and its own cookies, and repeats
its scenario's actions until the phase's deadline, optionally pausing ("think time")
between requests. Every request is recorded as (action, milliseconds, ok, status). The
traffic goes to 127.0.0.1 only and stops by itself at the deadline.
"""

from __future__ import annotations

import http.client
import multiprocessing
import random
import re
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from urllib.parse import urlencode

CSRF = re.compile(r'name="csrf_token"[^>]*value="([^"]+)"')


class Client:
    """One simulated person: a connection, cookies and the last CSRF token seen."""

    def __init__(self, host: str, port: int) -> None:
        self.host, self.port = host, port
        self.conn = http.client.HTTPConnection(host, port, timeout=30)
        self.cookies: dict[str, str] = {}
        self.csrf: str | None = None
        self.state: dict = {}
        self.used = False

    def _reconnect(self) -> None:
        self.conn.close()
        self.conn = http.client.HTTPConnection(self.host, self.port, timeout=30)
        self.used = False

    def request(self, method: str, path: str, form: dict | None = None) -> tuple[int, bytes]:
        headers = {"Connection": "keep-alive", "Accept-Language": "vi"}
        if self.cookies:
            headers["Cookie"] = "; ".join(f"{k}={v}" for k, v in self.cookies.items())
        body = None
        if form is not None:
            body = urlencode(form)
            headers["Content-Type"] = "application/x-www-form-urlencoded"
        for attempt in (1, 2):
            reused = self.used
            try:
                self.conn.request(method, path, body=body, headers=headers)
                response = self.conn.getresponse()
                data = response.read()
                self.used = True
                break
            except (http.client.RemoteDisconnected, ConnectionResetError, BrokenPipeError):
                # the server closed an idle keep-alive connection before reading this
                # request; like a browser, send it once more on a new connection
                self._reconnect()
                if attempt == 2 or not reused:
                    raise
            except (http.client.HTTPException, OSError):
                self._reconnect()
                raise
        for header in response.headers.get_all("Set-Cookie") or []:
            name, _, rest = header.partition("=")
            value = rest.split(";", 1)[0]
            if value and "expires=thu, 01 jan 1970" not in header.lower():
                self.cookies[name.strip()] = value
            else:
                self.cookies.pop(name.strip(), None)
        if response.getheader("Connection", "").lower() == "close":
            self._reconnect()
        return response.status, data

    def remember_csrf(self, body: bytes) -> None:
        found = CSRF.search(body.decode("utf-8", "replace"))
        if found:
            self.csrf = found.group(1)

    def close(self) -> None:
        self.conn.close()


#: (client, rng) -> (action name, ok); the action does its own request(s)
Action = Callable[[Client, random.Random], tuple[str, bool, int]]


@dataclass
class ClientPlan:
    """What one client does: an optional setup (log in) and a weighted list of actions."""

    setup: Callable[[Client], None] | None
    actions: list[tuple[float, Action]]


@dataclass
class Phase:
    host: str
    port: int
    plans: list[ClientPlan]
    seconds: float
    think: tuple[float, float] = (0.0, 0.0)
    seed: int = 1
    processes: int = 2


@dataclass
class Stats:
    action: str
    count: int
    errors: int
    seconds: float
    latencies: list[float] = field(repr=False)
    #: what the failed requests answered (status code or exception), with counts
    failures: dict = field(default_factory=dict)

    @property
    def throughput(self) -> float:
        return self.count / self.seconds if self.seconds else 0.0

    def percentile(self, p: float) -> float:
        if not self.latencies:
            return float("nan")
        ordered = sorted(self.latencies)
        index = min(len(ordered) - 1, max(0, round(p / 100 * len(ordered) + 0.5) - 1))
        return ordered[index]

    def line(self) -> str:
        return (
            f"{self.action:<22} {self.count:>7} req  {self.throughput:>8.1f} req/s  "
            f"p50 {self.percentile(50):>7.1f} ms  p95 {self.percentile(95):>7.1f} ms  "
            f"p99 {self.percentile(99):>7.1f} ms  errors {self.errors}"
            + (f" {self.failures}" if self.failures else "")
        )


def _run_client(plan, phase, start_barrier, out, seed):
    rng = random.Random(seed)
    client = Client(phase.host, phase.port)
    samples = []
    try:
        if plan.setup is not None:
            plan.setup(client)
    except Exception as exc:  # a client that cannot even log in counts as one error
        samples.append(("setup", 0.0, False, repr(exc)[:80]))
    start_barrier.wait()
    deadline = time.monotonic() + phase.seconds
    weights = [w for w, _ in plan.actions]
    actions = [a for _, a in plan.actions]
    while time.monotonic() < deadline:
        action = rng.choices(actions, weights)[0]
        began = time.perf_counter()
        try:
            name, ok, status = action(client, rng)
        except (http.client.HTTPException, OSError) as exc:
            name, ok, status = getattr(action, "__name__", "action"), False, repr(exc)[:80]
        samples.append((name, (time.perf_counter() - began) * 1000, ok, status))
        if phase.think[1] > 0:
            time.sleep(rng.uniform(*phase.think))
    client.close()
    out.extend(samples)


def _run_share(phase: Phase, share: list[int], barrier, queue) -> None:
    samples: list = []
    threads = [
        threading.Thread(
            target=_run_client,
            args=(phase.plans[i], phase, barrier, samples, phase.seed * 1000 + i),
            daemon=True,
        )
        for i in share
    ]
    for t in threads:
        t.start()
    barrier.wait()  # every client of every process has logged in: the clock starts for all
    began = time.monotonic()
    for t in threads:
        t.join(phase.seconds + 60)
    queue.put((time.monotonic() - began, samples))


def run_phase(phase: Phase) -> tuple[float, list]:
    """Run every client of the phase at once; returns (seconds measured, samples)."""
    ctx = multiprocessing.get_context("fork")
    queue = ctx.Queue()
    n = len(phase.plans)
    shares = [list(range(i, n, phase.processes)) for i in range(phase.processes)]
    barrier = ctx.Barrier(n + phase.processes)
    procs = [
        ctx.Process(target=_run_share, args=(phase, share, barrier, queue)) for share in shares
    ]
    for p in procs:
        p.start()
    results = [queue.get(timeout=phase.seconds + 300) for _ in procs]
    for p in procs:
        p.join(30)
    seconds = max(r[0] for r in results)
    samples = [s for r in results for s in r[1]]
    return seconds, samples


def _count(items) -> dict:
    counts: dict = {}
    for item in items:
        counts[item] = counts.get(item, 0) + 1
    return counts


def summarise(seconds: float, samples: list, total_name: str = "all") -> list[Stats]:
    by_action: dict[str, list] = {}
    for sample in samples:
        by_action.setdefault(sample[0], []).append(sample)
    stats = []
    for name in sorted(by_action):
        rows = by_action[name]
        stats.append(
            Stats(
                name,
                count=sum(1 for r in rows if r[2]),
                errors=sum(1 for r in rows if not r[2]),
                seconds=seconds,
                latencies=[r[1] for r in rows if r[2]],
                failures=_count(str(r[3]) for r in rows if not r[2]),
            )
        )
    if len(stats) > 1:
        stats.append(
            Stats(
                total_name,
                count=sum(s.count for s in stats),
                errors=sum(s.errors for s in stats),
                seconds=seconds,
                latencies=[lat for s in stats for lat in s.latencies],
            )
        )
    return stats
