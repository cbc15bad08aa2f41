"""Read the MiniZinc data files of the published B2B meeting-scheduling benchmark.

The benchmark (Bofill et al., JAIR 74, 2022) numbers participants, meetings and slots
from 1. Meetings are numbered in the order of ``requested``; each row is
``business, business, session`` with session 1 = morning, 2 = afternoon, 3 = any.
``forbidden`` holds, per participant, slots it cannot use; ``fixed`` gives, per meeting,
a slot or 0; ``precedences`` gives, per meeting, the meetings that must come before it.
Sets are padded with the dummy value 0, which is ignored.

:func:`parse_dzn` turns such a file into the JSON scheduling problem of the public
contract (see ``matching/README.md``), with integer ids equal to the 1-based numbers.
"""

from __future__ import annotations

import re
from typing import Any

__all__ = ["DznError", "parse_dzn"]

_SCALARS = ("nBusiness", "nMeetings", "nTables", "nTotalSlots", "nMorningSlots")
# Far above any real event; a larger number is a typing error, not a problem to solve.
_MAX_SIZE = 100_000


class DznError(ValueError):
    """The text is not a readable B2B benchmark instance."""


def _strip_comments(text: str) -> str:
    return "\n".join(line.split("%", 1)[0] for line in text.splitlines())


def _assignments(text: str) -> dict[str, str]:
    """Split ``name = value;`` statements (values never contain ';')."""
    out: dict[str, str] = {}
    for statement in text.split(";"):
        if "=" not in statement:
            continue
        name, value = statement.split("=", 1)
        name = name.strip()
        if name in out:
            raise DznError(f"field {name!r} is given twice")
        out[name] = value.strip()
    return out


def _int(fields: dict[str, str], name: str) -> int:
    if name not in fields:
        raise DznError(f"missing field {name!r}")
    try:
        return int(fields[name])
    except ValueError:
        raise DznError(f"field {name!r} is not an integer: {fields[name][:40]!r}") from None


def _ints(value: str) -> list[int]:
    return [int(x) for x in re.findall(r"-?\d+", value)]


def _sets(fields: dict[str, str], name: str, count: int) -> list[set[int]]:
    if name not in fields:
        return [set() for _ in range(count)]
    found = re.findall(r"\{([^{}]*)\}", fields[name])
    if len(found) != count:
        raise DznError(f"{name} has {len(found)} sets, expected {count}")
    return [{v for v in _ints(body) if v > 0} for body in found]


def parse_dzn(text: str) -> dict[str, Any]:
    """Parse a B2B benchmark ``.dzn`` text into the JSON scheduling problem.

    Slots are ``1..nTotalSlots``, all on day 1, with block ``"morning"`` for the first
    ``nMorningSlots`` and ``"afternoon"`` after; tables are ``1..nTables``; participants
    ``1..nBusiness``; meetings ``1..nMeetings`` in the order of ``requested``.
    """
    fields = _assignments(_strip_comments(text))
    n_business, n_meetings, n_tables, n_slots, n_morning = (_int(fields, n) for n in _SCALARS)
    if min(n_business, n_meetings, n_tables, n_slots) < 0 or not 0 <= n_morning <= n_slots:
        raise DznError("sizes must be non-negative and nMorningSlots <= nTotalSlots")
    for name, value in zip(_SCALARS, (n_business, n_meetings, n_tables, n_slots), strict=False):
        if value > _MAX_SIZE:
            raise DznError(f"{name} = {value} is more than this reader takes ({_MAX_SIZE:,})")
    if "requested" not in fields:
        raise DznError("missing field 'requested'")
    numbers = _ints(fields["requested"])
    if len(numbers) != 3 * n_meetings:
        raise DznError(f"requested has {len(numbers)} numbers, expected 3 x {n_meetings}")
    forbidden = _sets(fields, "forbidden", n_business)
    precedences = _sets(fields, "precedences", n_meetings)
    fixed = _ints(fields["fixed"]) if "fixed" in fields else [0] * n_meetings
    if len(fixed) != n_meetings:
        raise DznError(f"fixed has {len(fixed)} numbers, expected {n_meetings}")

    block_of_session = {1: ["morning"], 2: ["afternoon"], 3: None}
    meetings: list[dict[str, Any]] = []
    for m in range(n_meetings):
        a, b, session = numbers[3 * m : 3 * m + 3]
        if not (1 <= a <= n_business and 1 <= b <= n_business) or a == b:
            raise DznError(f"meeting {m + 1} has invalid participants {a}, {b}")
        if session not in block_of_session:
            raise DznError(f"meeting {m + 1} has invalid session code {session}")
        if not 0 <= fixed[m] <= n_slots:
            raise DznError(f"meeting {m + 1} is fixed to slot {fixed[m]} outside 1..{n_slots}")
        meetings.append(
            {
                "id": m + 1,
                "participants": [a, b],
                "blocks": block_of_session[session],
                "fixed_slot": fixed[m] or None,
            }
        )
    for p, slots in enumerate(forbidden, start=1):
        if any(s > n_slots for s in slots):
            raise DznError(f"participant {p} has forbidden slots outside 1..{n_slots}")
    prec_pairs: list[list[int]] = []
    for after, befores in enumerate(precedences, start=1):
        for before in sorted(befores):
            if before > n_meetings:
                raise DznError(f"meeting {after} has unknown predecessor {before}")
            prec_pairs.append([before, after])
    return {
        "slots": [
            {"id": s, "day": 1, "block": "morning" if s <= n_morning else "afternoon"}
            for s in range(1, n_slots + 1)
        ],
        "tables": [{"id": t} for t in range(1, n_tables + 1)],
        "participants": [
            {"id": p, "unavailable": sorted(forbidden[p - 1])} for p in range(1, n_business + 1)
        ],
        "meetings": meetings,
        "precedences": prec_pairs,
    }
