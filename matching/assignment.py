"""Choose who meets whom: maximum total score under meeting quotas, provably optimal.

The problem is a min-cost flow: source -> startup -> investor -> sink. Each startup's
source arc is split in two, the first ``min_meetings`` units carrying a bonus larger than
any possible total score, so the optimum first covers as many startup minima as can be
covered at all, then maximises the total score. "must" pairs are placed first (they use
quota), "no" pairs and pairs that met in an earlier edition never get an arc. OR-Tools'
network simplex returns an optimal integral flow; scores are scaled to integers at 1e-6.
"""

from __future__ import annotations

from collections.abc import Hashable, Mapping
from typing import Any

import numpy as np
from ortools.graph.python import min_cost_flow

__all__ = ["AssignmentInputError", "assign"]

SCALE = 1_000_000
_TIERS = ("must", "nice", "no")


class AssignmentInputError(ValueError):
    """The assignment problem is malformed."""


def _key(value: Any) -> Hashable:
    if value is None or type(value) in (list, dict):
        raise AssignmentInputError(f"an id must be a string or a number, not {value!r}")
    return value  # type: ignore[no-any-return]


def _count(value: Any, what: str, default: int | None) -> int | None:
    if value is None:
        return default
    if isinstance(value, bool) or not isinstance(value, int | float) or value < 0:
        raise AssignmentInputError(f"{what} must be a non-negative integer, not {value!r}")
    return int(value)


def _excluded(problem: Mapping[str, Any]) -> set[tuple[Hashable, Hashable]]:
    """Pairs that met in an earlier edition (``previous_meetings``), in either form."""
    out: set[tuple[Hashable, Hashable]] = set()
    for item in problem.get("previous_meetings") or []:
        if isinstance(item, Mapping):
            out.add((_key(item.get("startup")), _key(item.get("investor"))))
        elif isinstance(item, list | tuple) and len(item) == 2:
            out.add((_key(item[0]), _key(item[1])))
        else:
            raise AssignmentInputError(f"previous meeting {item!r} is not a pair")
    return out


def assign(problem: Mapping[str, Any]) -> dict[str, Any]:
    """Solve the assignment problem of the public contract and return its result dict.

    Output: ``{"status": "optimal" | "infeasible", "objective": float, "meetings": [...]}``
    plus ``"unmet_minimums"`` (startups whose minimum could not be met, with the reason)
    and, when infeasible, ``"explanation"``. Optional input: ``"previous_meetings"``
    (``[[startup, investor], ...]``) or ``"met_before": true`` on a pair exclude pairs
    that met in an earlier edition.
    """
    if not isinstance(problem, Mapping):
        raise AssignmentInputError("the problem must be a JSON object")
    pairs_in = problem.get("pairs") or []
    try:
        s_col = [p["startup"] for p in pairs_in]
        i_col = [p["investor"] for p in pairs_in]
        score_col = np.array([p.get("score", 0.0) for p in pairs_in], dtype=float)
        tier_col = [p.get("tier") or "nice" for p in pairs_in]
        met_col = np.array([bool(p.get("met_before")) for p in pairs_in], dtype=bool)
    except (KeyError, TypeError, AttributeError):
        raise AssignmentInputError("every pair needs 'startup' and 'investor'") from None
    except ValueError:
        raise AssignmentInputError("every pair's score must be a number") from None
    if not np.all(np.isfinite(score_col)):
        raise AssignmentInputError("every pair's score must be a finite number")
    bad_tier = set(tier_col) - set(_TIERS)
    if bad_tier:
        raise AssignmentInputError(f"tier must be one of {_TIERS}, not {sorted(bad_tier)!r}")

    # Startups and investors: listed ones first (in order), then any named only in pairs.
    s_raw: dict[Hashable, Any] = {}
    s_min: list[int] = []
    s_max: list[int | None] = []
    for item in problem.get("startups") or []:
        sid = _key(item.get("id"))
        if sid in s_raw:
            raise AssignmentInputError(f"startup {sid!r} is listed twice")
        s_raw[sid] = item.get("id")
        s_min.append(_count(item.get("min_meetings"), f"startup {sid!r} min_meetings", 0) or 0)
        s_max.append(_count(item.get("max_meetings"), f"startup {sid!r} max_meetings", None))
    i_raw: dict[Hashable, Any] = {}
    i_max: list[int | None] = []
    for item in problem.get("investors") or []:
        iid = _key(item.get("id"))
        if iid in i_raw:
            raise AssignmentInputError(f"investor {iid!r} is listed twice")
        i_raw[iid] = item.get("id")
        i_max.append(_count(item.get("max_meetings"), f"investor {iid!r} max_meetings", None))
    try:
        for sid in dict.fromkeys(s_col):
            if sid not in s_raw:
                s_raw[_key(sid)] = sid
                s_min.append(0)
                s_max.append(None)
        for iid in dict.fromkeys(i_col):
            if iid not in i_raw:
                i_raw[_key(iid)] = iid
                i_max.append(None)
    except TypeError:
        raise AssignmentInputError("ids must be strings or numbers") from None
    s_index = {k: n for n, k in enumerate(s_raw)}
    i_index = {k: n for n, k in enumerate(i_raw)}
    n_s, n_i = len(s_index), len(i_index)
    s_idx = np.array(list(map(s_index.__getitem__, s_col)), dtype=np.int64)
    i_idx = np.array(list(map(i_index.__getitem__, i_col)), dtype=np.int64)
    tier_code = {"nice": 0, "must": 1, "no": 2}
    tiers = np.array(list(map(tier_code.__getitem__, tier_col)), dtype=np.int8)

    # Merge duplicate pairs: best score; "no" beats "nice", "must" beats "nice",
    # "must" and "no" together is a conflict.
    keys = s_idx * max(n_i, 1) + i_idx
    uniq, inverse = np.unique(keys, return_inverse=True)
    score = np.full(len(uniq), -np.inf)
    np.maximum.at(score, inverse, score_col)
    is_must = np.zeros(len(uniq), dtype=bool)
    is_no = np.zeros(len(uniq), dtype=bool)
    was_met = np.zeros(len(uniq), dtype=bool)
    np.logical_or.at(is_must, inverse, tiers == 1)
    np.logical_or.at(is_no, inverse, tiers == 2)
    np.logical_or.at(was_met, inverse, met_col)
    pos = {int(k): n for n, k in enumerate(uniq)} if problem.get("previous_meetings") else {}
    for s, i in _excluded(problem):
        if s in s_index and i in i_index:
            n = pos.get(s_index[s] * max(n_i, 1) + i_index[i])
            if n is not None:
                was_met[n] = True
    u_s = uniq // max(n_i, 1)
    u_i = uniq % max(n_i, 1)
    s_names = list(s_raw.values())
    i_names = list(i_raw.values())

    explanation: list[str] = []
    for n in np.flatnonzero(is_must & (is_no | was_met)):
        why = "also 'no'" if is_no[n] else "met in an earlier edition"
        explanation.append(
            f"pair {s_names[u_s[n]]!r}/{i_names[u_i[n]]!r} is 'must' but {why}"
        )
    must = np.flatnonzero(is_must & ~is_no & ~was_met)
    must_s = np.bincount(u_s[must], minlength=n_s)
    must_i = np.bincount(u_i[must], minlength=n_i)
    for k in range(n_s):
        cap = s_max[k]
        if cap is not None and must_s[k] > cap:
            explanation.append(
                f"startup {s_names[k]!r} has {must_s[k]} 'must' meetings but max_meetings {cap}"
            )
    for k in range(n_i):
        cap = i_max[k]
        if cap is not None and must_i[k] > cap:
            explanation.append(
                f"investor {i_names[k]!r} has {must_i[k]} 'must' meetings but max_meetings {cap}"
            )
    if explanation:
        return {"status": "infeasible", "objective": None, "meetings": [],
                "explanation": explanation}

    free = np.flatnonzero(~is_must & ~is_no & ~was_met)
    eligible = np.bincount(u_s[free], minlength=n_s)
    source, sink = 0, 1
    flow = min_cost_flow.SimpleMinCostFlow()
    costs = np.rint(score[free] * SCALE).astype(np.int64)
    bonus = int(np.abs(costs).sum()) + 1
    supply = 0
    for k in range(n_s):
        cap_s = s_max[k]
        left_max = (int(eligible[k]) if cap_s is None else cap_s - int(must_s[k]))
        left_max = max(min(left_max, int(eligible[k])), 0)
        left_min = min(max(s_min[k] - int(must_s[k]), 0), left_max)
        if left_min:
            flow.add_arc_with_capacity_and_unit_cost(source, 2 + k, left_min, -bonus)
        if left_max - left_min:
            flow.add_arc_with_capacity_and_unit_cost(source, 2 + k, left_max - left_min, 0)
        supply += left_max
    for k in range(n_i):
        cap_i = i_max[k]
        left = len(free) if cap_i is None else cap_i - int(must_i[k])
        if left > 0:
            flow.add_arc_with_capacity_and_unit_cost(2 + n_s + k, sink, left, 0)
    chosen = list(must)
    if supply and len(free):
        arcs = flow.add_arcs_with_capacity_and_unit_cost(
            (2 + u_s[free]).astype(np.int32),
            (2 + n_s + u_i[free]).astype(np.int32),
            np.ones(len(free), dtype=np.int64),
            -costs,
        )
        flow.add_arc_with_capacity_and_unit_cost(source, sink, supply, 0)
        flow.set_node_supply(source, supply)
        flow.set_node_supply(sink, -supply)
        if flow.solve() != flow.OPTIMAL:  # pragma: no cover - balanced by construction
            raise RuntimeError("min-cost flow did not reach optimality")
        chosen += list(free[flow.flows(arcs) == 1])

    chosen_arr = np.array(chosen, dtype=np.int64)
    got = np.bincount(u_s[chosen_arr], minlength=n_s) if len(chosen) else np.zeros(n_s, int)
    unmet = []
    for k in np.flatnonzero(got < np.array(s_min, dtype=np.int64)):
        n_elig = int(eligible[k] + must_s[k])
        if n_elig < s_min[k]:
            reason = f"only {n_elig} eligible investor(s) for a minimum of {s_min[k]}"
        else:
            reason = "its eligible investors have no meeting capacity left"
        unmet.append({"startup": s_names[k], "min_meetings": s_min[k],
                      "meetings": int(got[k]), "reason": reason})
    order = sorted(chosen, key=lambda n: (-score[n], u_s[n], u_i[n]))
    return {
        "status": "optimal",
        "objective": round(float(score[chosen_arr].sum()) if len(chosen) else 0.0, 6),
        "meetings": [
            {"startup": s_names[u_s[n]], "investor": i_names[u_i[n]], "score": float(score[n])}
            for n in order
        ],
        "unmet_minimums": unmet,
    }
