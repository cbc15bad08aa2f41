"""The scheduling problem, normalised: ids replaced by indices, each meeting's usable slots,
break counting, the result shape, and :func:`check_schedule`, the rules a schedule must
keep (used by every path before it answers, and by callers)."""

from __future__ import annotations

import time
from collections import defaultdict
from collections.abc import Hashable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

DEFAULT_FAIRNESS = 2


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


def _fairness_of(problem: Mapping[str, Any], fairness: int | None) -> int | None:
    if fairness is not None:
        return fairness
    value = problem.get("fairness", DEFAULT_FAIRNESS)
    if value is None:
        return None
    if isinstance(value, bool) or not isinstance(value, int) or value < 0:
        raise ScheduleInputError(f"fairness must be a non-negative integer, not {value!r}")
    return value


def _fair_ok(pb: _Problem, slot_of: Sequence[int], fair: int | None) -> bool:
    if fair is None:
        return True
    per = _breaks_by_participant(pb, slot_of)
    active = [per[p] for p, ms in enumerate(pb.meetings_of()) if ms]
    return not active or max(active) - min(active) <= fair


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
