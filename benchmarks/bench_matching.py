"""All matching benchmarks in one run: ranking, assignment, scheduling.

    .venv/bin/python benchmarks/bench_matching.py [--quick]

Each line prints a figure and its ratio to a baseline measured in the same run (per-pair
loop, plain TF-IDF cosine, greedy assignment, greedy placement). ``--quick`` uses small
sizes so the run only proves that everything works (the tests call it that way).
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))

import bench_assign  # noqa: E402
import bench_rank  # noqa: E402
import bench_schedule  # noqa: E402


def main(quick: bool = False) -> dict[str, Any]:
    """Run every benchmark and return their figures."""
    return {
        "rank": bench_rank.main(quick),
        "assign": bench_assign.main(quick),
        "schedule": bench_schedule.main(quick),
    }


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--quick", action="store_true", help="small sizes, for a smoke run")
    main(parser.parse_args().quick)
