from __future__ import annotations

import itertools
import random

import pytest

from matching.assignment import AssignmentInputError, assign


def _brute_force(problem):
    """Best (shortfall, -score) over every subset of allowed pairs (tiny problems only)."""
    s_cap = {s["id"]: s for s in problem["startups"]}
    i_cap = {i["id"]: i.get("max_meetings") for i in problem["investors"]}
    previous = {tuple(p) for p in problem.get("previous_meetings", [])}
    must = [p for p in problem["pairs"] if p["tier"] == "must"]
    free = [
        p
        for p in problem["pairs"]
        if p["tier"] == "nice" and (p["startup"], p["investor"]) not in previous
    ]
    best = None
    for r in range(len(free) + 1):
        for combo in itertools.combinations(free, r):
            chosen = must + list(combo)
            ok = True
            for sid, info in s_cap.items():
                n = sum(1 for p in chosen if p["startup"] == sid)
                if info.get("max_meetings") is not None and n > info["max_meetings"]:
                    ok = False
            for iid, cap in i_cap.items():
                if cap is not None and sum(1 for p in chosen if p["investor"] == iid) > cap:
                    ok = False
            if not ok:
                continue
            shortfall = sum(
                max(info.get("min_meetings", 0) - sum(1 for p in chosen if p["startup"] == sid), 0)
                for sid, info in s_cap.items()
            )
            key = (shortfall, -round(sum(p["score"] for p in chosen), 6))
            if best is None or key < best:
                best = key
    return best


def _random_problem(rng):
    startups = [
        {"id": f"s{k}", "min_meetings": rng.randint(0, 2), "max_meetings": rng.randint(1, 3)}
        for k in range(3)
    ]
    investors = [{"id": k, "max_meetings": rng.randint(1, 3)} for k in range(3)]
    pairs = []
    for s in startups:
        for i in investors:
            if rng.random() < 0.8:
                pairs.append(
                    {
                        "startup": s["id"],
                        "investor": i["id"],
                        "score": round(rng.random(), 3),
                        "tier": rng.choice(["nice"] * 6 + ["no"]),
                    }
                )
    return {"startups": startups, "investors": investors, "pairs": pairs}


@pytest.mark.parametrize("seed", range(25))
def test_assign_is_optimal_against_brute_force(seed):
    problem = _random_problem(random.Random(seed))
    result = assign(problem)
    assert result["status"] == "optimal"
    shortfall = sum(u["min_meetings"] - u["meetings"] for u in result["unmet_minimums"])
    best = _brute_force(problem)
    assert (shortfall, -round(result["objective"], 6)) == best


def test_assign_keeps_must_and_drops_no_and_previous():
    problem = {
        "pairs": [
            {"startup": "a", "investor": 1, "score": 0.1, "tier": "must"},
            {"startup": "a", "investor": 2, "score": 0.9, "tier": "no"},
            {"startup": "b", "investor": 2, "score": 0.8, "tier": "nice"},
            {"startup": "b", "investor": 1, "score": 0.7, "tier": "nice"},
        ],
        "startups": [{"id": "a", "max_meetings": 1}, {"id": "b", "max_meetings": 2}],
        "investors": [{"id": 1, "max_meetings": 2}, {"id": 2, "max_meetings": 2}],
        "previous_meetings": [["b", 2]],
    }
    result = assign(problem)
    pairs = {(m["startup"], m["investor"]) for m in result["meetings"]}
    assert pairs == {("a", 1), ("b", 1)}
    assert result["objective"] == pytest.approx(0.8)


def test_assign_minimum_beats_score():
    problem = {
        "pairs": [
            {"startup": "big", "investor": "x", "score": 0.9, "tier": "nice"},
            {"startup": "small", "investor": "x", "score": 0.1, "tier": "nice"},
        ],
        "startups": [{"id": "big"}, {"id": "small", "min_meetings": 1}],
        "investors": [{"id": "x", "max_meetings": 1}],
    }
    result = assign(problem)
    assert result["meetings"] == [{"startup": "small", "investor": "x", "score": 0.1}]
    assert result["unmet_minimums"] == []


def test_assign_reports_unmet_minimum_with_reason():
    problem = {
        "pairs": [{"startup": "lonely", "investor": "x", "score": 0.5, "tier": "nice"}],
        "startups": [{"id": "lonely", "min_meetings": 3}],
        "investors": [{"id": "x"}],
    }
    result = assign(problem)
    assert result["unmet_minimums"] == [
        {
            "startup": "lonely",
            "min_meetings": 3,
            "meetings": 1,
            "reason": "only 1 eligible investor(s) for a minimum of 3",
        }
    ]


def test_assign_infeasible_must_pairs_are_explained():
    problem = {
        "pairs": [{"startup": "a", "investor": k, "score": 0.5, "tier": "must"} for k in range(3)],
        "startups": [{"id": "a", "max_meetings": 2}],
        "investors": [{"id": k} for k in range(3)],
    }
    result = assign(problem)
    assert result["status"] == "infeasible"
    assert result["explanation"] == ["startup 'a' has 3 'must' meetings but max_meetings 2"]


def test_assign_rejects_malformed_input():
    with pytest.raises(AssignmentInputError):
        assign({"pairs": [{"startup": "a", "investor": 1, "tier": "maybe"}]})
    with pytest.raises(AssignmentInputError):
        assign({"pairs": [{"startup": "a"}]})
