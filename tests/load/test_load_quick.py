"""The load benchmark's short mode: gunicorn + PostgreSQL under 100 clients, no errors.

Timing is printed, never asserted (the machine is shared); what must hold is that no
request fails and that the database shows no capacity exceeded after the run.
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import sqlalchemy as sa

from tests.conftest import PG_URL, require_pg

ROOT = Path(__file__).resolve().parents[2]


def load_database_url() -> str:
    default = sa.engine.make_url(PG_URL).set(database="tf_load")
    return os.environ.get(
        "TECHFEST_LOAD_DATABASE_URL", default.render_as_string(hide_password=False)
    )


def test_quick_load_run_has_no_errors_and_breaks_no_capacity():
    require_pg()
    result = subprocess.run(
        [sys.executable, "benchmarks/bench_load.py", "--quick", "--clients", "100"],
        cwd=ROOT,
        env={**os.environ, "TECHFEST_LOAD_DATABASE_URL": load_database_url()},
        capture_output=True,
        text=True,
        timeout=400,
    )
    print(result.stdout)
    assert result.returncode == 0, result.stdout + result.stderr
    lines = result.stdout.splitlines()
    assert "errors: 0 (goal 0)" in lines
    assert "RESULT: OK" in lines
    capacity = lines[lines.index("capacity after the run:") + 1 :][:8]
    assert [line.rsplit(" ", 1)[1] for line in capacity] == ["0"] * 8
