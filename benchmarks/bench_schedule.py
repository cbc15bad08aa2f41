"""Scheduling benchmark: the 20 public B2B instances, each run as a user runs it (the whole
``python -m matching schedule --format dzn FILE --fairness 2`` process, timed from outside:
found / optimum / proven / seconds), and generated festivals, also with nearly full tables
(breaks versus the reported lower bound), each against greedy placement measured in the
same run.

    .venv/bin/python benchmarks/bench_schedule.py [--quick] [--seeds N] [--only public|festival]
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from matching.dzn import parse_dzn  # noqa: E402
from matching.scheduling import check_schedule, greedy_schedule, schedule  # noqa: E402
from matching.synth import festival_problem  # noqa: E402

B2B_DIRS = [ROOT / "b2b", ROOT.parent / "shared" / "b2b", Path("/work/shared/b2b")]
# The proven optima under fairness 2 (Bofill et al., JAIR 74, 2022, Table 5).
OPTIMUM = {
    "forum-13": 0, "forum-13crafb": 6, "forum-13crafc": 1, "forum-14": 2,
    "forumt-14": 5, "forumt-14crafc": 5, "forumt-14crafd": 4, "forumt-14crafe": 5,
    "tic-12": 0, "tic-12crafc": 0, "tic-13": 0, "tic-13crafb": 0, "tic-13crafc": 4,
    "tic-14crafa": 0, "tic-14crafc": 0, "tic-14crafd": 0,
    "ticf-13crafa": 0, "ticf-13crafb": 3, "ticf-13crafc": 1, "ticf-14crafa": 0,
}
# What a public instance may take, for the whole process, to be solved and proven.
B2B_BUDGET_S = 5.0


def _b2b_dir() -> Path | None:
    return next((d for d in B2B_DIRS if d.is_dir()), None)


def _greedy_text(problem: dict[str, Any]) -> str:
    g = greedy_schedule(problem)
    if g["status"] == "feasible":
        return f"greedy {g['breaks']} breaks"
    if g["breaks"] is not None:
        return f"greedy {g['breaks']} breaks (breaks the fairness bound)"
    return "greedy finds no placement"


def _run_cli(path: Path, fairness: int, time_limit: float | None) -> tuple[dict[str, Any], float]:
    """One ``python -m matching schedule`` process: its result and its wall time."""
    cmd = [sys.executable, "-m", "matching", "schedule", "--format", "dzn", str(path),
           "--fairness", str(fairness)]
    if time_limit is not None:
        cmd += ["--time-limit", f"{time_limit:g}"]
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    began = time.perf_counter()
    done = subprocess.run(cmd, capture_output=True, text=True, cwd=ROOT, env=env, check=False)
    wall = time.perf_counter() - began
    try:
        result = json.loads(done.stdout)
    except json.JSONDecodeError:
        result = {"status": f"exit {done.returncode}: {done.stderr.strip()[-200:]}",
                  "breaks": None, "lower_bound": None, "assignments": []}
    return result, wall


def run_public(fairness: int = 2, time_limit: float | None = None,
               names: list[str] | None = None) -> list[dict[str, Any]]:
    """Run every public instance through the command line; print one row each and the
    count proven optimal within the budget."""
    folder = _b2b_dir()
    rows: list[dict[str, Any]] = []
    if folder is None:
        print("b2b: instances not found, skipped")
        return rows
    paths = sorted(folder.glob("*.dzn"))
    if names:
        paths = [p for p in paths if p.stem in names]
    print("| instance | found | lower bound | optimum | status | proven | wall s | valid |")
    print("|---|---:|---:|---:|---|---|---:|---|")
    for path in paths:
        problem = parse_dzn(path.read_text())
        result, wall = _run_cli(path, fairness, time_limit)
        errors = (check_schedule(problem, result, fairness=fairness) if result["assignments"]
                  else ["no schedule"])
        optimum = OPTIMUM.get(path.stem) if fairness == 2 else None
        proven = (result["status"] == "optimal" and result["breaks"] is not None
                  and result["lower_bound"] == result["breaks"] and not errors)
        row = {"instance": path.stem, "found": result["breaks"], "optimum": optimum,
               "status": result["status"], "lower_bound": result["lower_bound"],
               "proven": proven, "wall_s": round(wall, 2), "valid": not errors,
               "in_budget": proven and wall <= B2B_BUDGET_S
               and (optimum is None or result["breaks"] == optimum)}
        rows.append(row)
        print(f"| {path.stem} | {result['breaks']} | {result['lower_bound']} | "
              f"{'' if optimum is None else optimum} | "
              f"{result['status']} | {'yes' if proven else 'no'} | {wall:.2f} | "
              f"{'yes' if not errors else errors[0]} |")
    slowest = max((r["wall_s"] for r in rows), default=0.0)
    print(f"schedule b2b (fairness {fairness}): {sum(r['in_budget'] for r in rows)}/{len(rows)} "
          f"instances at the optimum and proven within {B2B_BUDGET_S:g} s of wall time, "
          f"{sum(r['proven'] for r in rows)}/{len(rows)} proven within the time limit, "
          f"the slowest in {slowest:.2f} s; load average {os.getloadavg()[0]:.2f} on "
          f"{os.cpu_count()} cores")
    return rows


# Generated festivals: the default one (60 tables, where the goal is within 5 % of the
# bound) and nearly full ones, where people must take turns at the busy hours (within 10 %).
FESTIVALS = [
    ("festival", {}, 0.05),
    ("near-full festival", {"n_tables": 48}, 0.10),
    ("near-full festival", {"n_tables": 40, "n_meetings": 1200}, 0.10),
]


def run_festival(quick: bool = False, time_limit: float = 10.0, seeds: int = 5) -> dict[str, Any]:
    """Festival-scale instances from the generator, one per seed and kind: the goal is a
    valid schedule within ``time_limit`` whose breaks are within 5 % (10 % where tables are
    nearly full) of the reported bound."""
    rows = []
    kinds = FESTIVALS[:1] if quick else FESTIVALS
    for kind, sizes, share in kinds:
        done = []
        for seed in range(1 if quick else seeds):
            if quick:
                problem = festival_problem(n_startups=40, n_investors=12, n_meetings=150,
                                           slots_per_day=8, n_tables=12)
            else:
                problem = festival_problem(random_state=seed, **sizes)
            result = schedule(problem, time_limit=time_limit)
            errors = check_schedule(problem, result) if result["assignments"] else ["no schedule"]
            n = len(problem["meetings"])
            breaks, lower = result["breaks"], result["lower_bound"]
            within = (not errors and breaks is not None and lower is not None
                      and breaks <= (1 + share) * lower)
            gap = "" if breaks is None or lower is None else f", gap {breaks - lower}"
            print(f"schedule {kind} seed {seed}: {n} meetings, {len(problem['slots'])} slots, "
                  f"{len(problem['tables'])} tables, {len(problem['participants'])} people: "
                  f"{result['status']} {breaks} breaks (lower bound {lower}{gap}) in "
                  f"{result['solve_seconds']:.2f} s, {'valid' if not errors else errors[0]}; "
                  f"{_greedy_text(problem)}")
            done.append({"kind": kind, "seed": seed, "meetings": n,
                         "tables": len(problem["tables"]), "valid": not errors,
                         "within": within,
                         **{k: result[k] for k in ("status", "breaks", "lower_bound",
                                                   "solve_seconds")}})
        slowest = max(r["solve_seconds"] for r in done)
        print(f"schedule {kind}, {done[0]['meetings']} meetings on {done[0]['tables']} "
              f"tables: {sum(r['within'] for r in done)}/{len(done)} instances within "
              f"{share * 100:g} % of their lower bound, the slowest in {slowest:.2f} s "
              f"(limit {time_limit:g} s)")
        rows.extend(done)
    return {"instances": rows}


def main(quick: bool = False, seeds: int = 5, only: str | None = None) -> dict[str, Any]:
    """Print and return the figures."""
    public = [] if quick or only == "festival" else run_public()
    festival = {} if only == "public" else run_festival(quick=quick, seeds=seeds)
    return {"b2b": public, "festival": festival}


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--quick", action="store_true", help="small sizes, for a smoke run")
    parser.add_argument("--seeds", type=int, default=5, metavar="N",
                        help="festival instances to generate (seeds 0..N-1; default 5)")
    parser.add_argument("--only", choices=("public", "festival"),
                        help="run only the public instances or only the festivals")
    parser.add_argument("--fairness", type=int, default=2, metavar="D",
                        help="fairness of the public runs (default 2; the optima are for 2)")
    parser.add_argument("--time-limit", type=float, default=None, metavar="S",
                        help="--time-limit passed to the public runs (default: the CLI's)")
    parser.add_argument("--instance", action="append", metavar="NAME",
                        help="only this public instance (repeatable)")
    args = parser.parse_args()
    if args.only == "public" or args.instance or args.fairness != 2 or args.time_limit:
        run_public(args.fairness, args.time_limit, args.instance)
        if args.only != "public" and not args.instance:
            run_festival(quick=args.quick, seeds=args.seeds)
    else:
        main(args.quick, args.seeds, args.only)
