"""An independent schedule checker for the tests (shares no code with matching/)."""

from __future__ import annotations

from collections import defaultdict
from typing import Any


def violations(problem: dict[str, Any], result: dict[str, Any], fairness: int | None) -> list[str]:
    """Rules broken by ``result``; also recomputes the breaks from scratch."""
    errors: list[str] = []
    slots = [s["id"] for s in problem["slots"]]
    order = {sid: i for i, sid in enumerate(slots)}
    day = {s["id"]: s.get("day", 1) for s in problem["slots"]}
    block = {s["id"]: s.get("block") for s in problem["slots"]}
    tables = {t["id"] for t in problem["tables"]}
    unavailable = {
        p["id"]: set(p.get("unavailable") or []) for p in problem.get("participants", [])
    }
    meetings = {m["id"]: m for m in problem["meetings"]}
    placed: dict[Any, Any] = {}
    used: set[tuple[Any, Any]] = set()
    for a in result["assignments"]:
        if a["meeting"] not in meetings or a["slot"] not in order or a["table"] not in tables:
            errors.append(f"unknown id in {a}")
            continue
        if a["meeting"] in placed:
            errors.append(f"meeting {a['meeting']} twice")
        placed[a["meeting"]] = a["slot"]
        if (a["slot"], a["table"]) in used:
            errors.append(f"table clash {a}")
        used.add((a["slot"], a["table"]))
    if set(placed) != set(meetings):
        errors.append("not every meeting is placed")
        return errors
    busy: dict[Any, list[Any]] = defaultdict(list)
    for mid, m in meetings.items():
        s = placed[mid]
        if m.get("blocks") is not None and block[s] not in m["blocks"]:
            errors.append(f"meeting {mid} outside its blocks")
        if m.get("fixed_slot") is not None and m["fixed_slot"] != s:
            errors.append(f"meeting {mid} not at its fixed slot")
        for p in m["participants"]:
            if s in unavailable.get(p, set()):
                errors.append(f"{p} unavailable at {s}")
            if s in busy[p]:
                errors.append(f"{p} double-booked at {s}")
            busy[p].append(s)
    for before, after in problem.get("precedences") or []:
        if not order[placed[before]] < order[placed[after]]:
            errors.append(f"precedence {before} -> {after} broken")
    breaks = {}
    for p, ss in busy.items():
        count = 0
        by_day: dict[Any, list[int]] = defaultdict(list)
        for s in ss:
            by_day[day[s]].append(order[s])
        for idx in by_day.values():
            idx.sort()
            count += sum(1 for a, b in zip(idx, idx[1:], strict=False) if b - a > 1)
        breaks[p] = count
    if result.get("breaks") != sum(breaks.values()):
        errors.append(f"reported {result.get('breaks')} breaks, real {sum(breaks.values())}")
    if fairness is not None and breaks and max(breaks.values()) - min(breaks.values()) > fairness:
        errors.append("fairness broken")
    return errors
