"""Assignment benchmark: 1,000 startups x 500 investors, optimal min-cost flow versus a
greedy pick (best scores first), measured in the same run.

    .venv/bin/python benchmarks/bench_assign.py [--quick]
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path
from typing import Any

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from matching.assignment import assign  # noqa: E402


def make_problem(n_startups: int = 1000, n_investors: int = 500, random_state: int = 0
                 ) -> dict[str, Any]:
    """Every startup-investor pair with a score; quotas and a minimum per startup."""
    rng = np.random.default_rng(random_state)
    # Scores with popular investors and strong startups, like real rankings.
    scores = np.clip(rng.beta(2, 5, (n_startups, n_investors))
                     + 0.3 * rng.random(n_investors)[None, :] ** 3, 0, 1).round(4)
    pairs = [{"startup": f"s{s}", "investor": f"i{i}", "score": float(scores[s, i]),
              "tier": "nice"} for s in range(n_startups) for i in range(n_investors)]
    for k in rng.choice(len(pairs), size=len(pairs) // 200, replace=False):
        pairs[k]["tier"] = "no"
    for k in rng.choice(len(pairs), size=n_startups // 10, replace=False):
        if pairs[k]["tier"] == "nice":
            pairs[k]["tier"] = "must"
    return {
        "pairs": pairs,
        "startups": [{"id": f"s{s}", "min_meetings": 3, "max_meetings": 8}
                     for s in range(n_startups)],
        "investors": [{"id": f"i{i}", "max_meetings": 12} for i in range(n_investors)],
    }


def greedy(problem: dict[str, Any]) -> tuple[float, int]:
    """Baseline: take pairs by decreasing score while quotas allow ("must" first)."""
    s_max = {s["id"]: s["max_meetings"] for s in problem["startups"]}
    s_min = {s["id"]: s["min_meetings"] for s in problem["startups"]}
    i_max = {i["id"]: i["max_meetings"] for i in problem["investors"]}
    got_s = dict.fromkeys(s_max, 0)
    got_i = dict.fromkeys(i_max, 0)
    total = 0.0
    pairs = sorted((p for p in problem["pairs"] if p["tier"] != "no"),
                   key=lambda p: (p["tier"] != "must", -p["score"]))
    for p in pairs:
        s, i = p["startup"], p["investor"]
        if got_s[s] < s_max[s] and got_i[i] < i_max[i]:
            got_s[s] += 1
            got_i[i] += 1
            total += p["score"]
    short = sum(max(s_min[s] - got_s[s], 0) for s in s_min)
    return total, short


def main(quick: bool = False) -> dict[str, Any]:
    """Print and return the figures."""
    n_s, n_i = (100, 50) if quick else (1000, 500)
    problem = make_problem(n_s, n_i)
    t0 = time.perf_counter()
    result = assign(problem)
    seconds = time.perf_counter() - t0
    t0 = time.perf_counter()
    g_total, g_short = greedy(problem)
    g_seconds = time.perf_counter() - t0
    short = sum(u["min_meetings"] - u["meetings"] for u in result["unmet_minimums"])
    print(f"assign: {n_s} startups x {n_i} investors ({len(problem['pairs'])} pairs): "
          f"{result['status']} in {seconds:.2f} s, total score {result['objective']:.1f}, "
          f"unmet minimum meetings {short}; greedy baseline {g_total:.1f} "
          f"(unmet {g_short}) in {g_seconds:.2f} s -> score x{result['objective'] / g_total:.3f}")
    return {"seconds": seconds, "objective": result["objective"], "unmet": short,
            "greedy": g_total, "greedy_unmet": g_short}


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--quick", action="store_true", help="small sizes, for a smoke run")
    main(parser.parse_args().quick)
