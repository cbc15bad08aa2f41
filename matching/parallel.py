"""Run independent pieces of work on several cores, in forked processes.

Much of the ranking is Python (tokens, reasons), which threads cannot run at once. A
forked process starts with the fitted state already in memory (copy-on-write), so handing
it a piece of work costs nothing but the result sent back. Where the platform does not
fork, or a process fails, the work is done here instead: the answer never changes, only
the time it takes.
"""

from __future__ import annotations

import contextlib
import multiprocessing
from collections.abc import Callable, Sequence
from typing import Any, TypeVar

__all__ = ["fork_map"]

T = TypeVar("T")
R = TypeVar("R")


def _run(conn: Any, func: Callable[[Any], Any], item: Any) -> None:
    try:
        conn.send((True, func(item)))
    except BaseException as exc:  # sent back, then the parent redoes the piece
        with contextlib.suppress(Exception):
            conn.send((False, repr(exc)))
    finally:
        conn.close()


def fork_map(func: Callable[[T], R], items: Sequence[T], workers: int) -> list[R]:
    """``[func(x) for x in items]``, the first item here and the others in up to
    ``workers - 1`` forked processes at once."""
    if workers <= 1 or len(items) <= 1 or "fork" not in multiprocessing.get_all_start_methods():
        return [func(x) for x in items]
    ctx = multiprocessing.get_context("fork")
    results: list[Any] = [None] * len(items)
    done = [False] * len(items)
    running = []
    try:
        for n in range(1, min(len(items), workers)):
            receive, send = ctx.Pipe(duplex=False)
            proc = ctx.Process(target=_run, args=(send, func, items[n]), daemon=True)
            proc.start()
            send.close()
            running.append((n, proc, receive))
        results[0], done[0] = func(items[0]), True
        for n, _, receive in running:
            with contextlib.suppress(EOFError, OSError):
                ok, value = receive.recv()
                if ok:
                    results[n], done[n] = value, True
    finally:
        for _, proc, receive in running:
            receive.close()
            proc.join(5.0)
            if proc.is_alive():
                proc.kill()
                proc.join()
    for n, item in enumerate(items):
        if not done[n]:
            results[n] = func(item)
    return results
