from __future__ import annotations

from pathlib import Path

import pytest

from matching.dzn import parse_dzn
from matching.scheduling import check_schedule, schedule

from .checker import violations

B2B = Path("/work/shared/b2b")
if not B2B.is_dir():  # the repo's sibling folder, wherever it is checked out
    B2B = Path(__file__).resolve().parents[3] / "shared" / "b2b"


@pytest.mark.parametrize(("name", "optimum"), [("forum-13", 0), ("forumt-14", 5)])
def test_schedule_b2b_instance_reaches_known_optimum(name, optimum):
    path = B2B / f"{name}.dzn"
    if not path.exists():
        pytest.skip("public B2B instances not available")
    problem = parse_dzn(path.read_text())
    result = schedule(problem, time_limit=60, fairness=2)
    assert result["status"] == "optimal"
    assert result["breaks"] == optimum
    assert violations(problem, result, 2) == []
    assert check_schedule(problem, result) == []
