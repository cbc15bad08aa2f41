"""Crash safety: an operation killed by SIGKILL leaves all of it or none, and runs again.

The demo is loaded once into an SQLite file. For each operation, a first full run on one
copy tells how long it takes and what "all of it" looks like; then, on a fresh copy, the
same command starts in its own process group and the whole group (workers included) gets
SIGKILL at a random moment within that time. The database must pass SQLite's integrity
check and show the state from before or the state from after, nothing in between, with
every counter equal to its rows; and the same command must then run to the end.
"""

from __future__ import annotations

import contextlib
import csv
import io
import os
import random
import shutil
import signal
import sqlite3
import subprocess
import sys
import time
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
SEED = int(os.environ.get("TECHFEST_CRASH_SEED", time.time()))


def flask_cmd(*args: str) -> list[str]:
    return [sys.executable, "-m", "flask", "--app", "wsgi", *args]


def env_for(db: Path) -> dict:
    return {
        **os.environ,
        "DATABASE_URL": f"sqlite:///{db}",
        "TECHFEST_MAIL_TO_CONSOLE": "0",
        "TECHFEST_INSTANCE": str(db.parent / "instance"),
        "PYTHONWARNINGS": "ignore",
    }


def run(db: Path, *args: str, script: str | None = None) -> subprocess.CompletedProcess:
    cmd = [sys.executable, "-c", script, *args] if script else flask_cmd(*args)
    return subprocess.run(
        cmd, cwd=ROOT, env=env_for(db), capture_output=True, text=True, timeout=300
    )


def checkpoint(db: Path) -> None:
    with contextlib.closing(sqlite3.connect(db)) as conn:
        conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")


def copy_of(template: Path, tmp_path: Path, name: str) -> Path:
    folder = tmp_path / name
    folder.mkdir()
    target = folder / "techfest.db"
    shutil.copyfile(template, target)
    return target


def kill_midway(db: Path, seconds: float, args: tuple[str, ...], script: str | None) -> float:
    """Start the command and SIGKILL its process group after `seconds`; returns the moment."""
    cmd = [sys.executable, "-c", script, *args] if script else flask_cmd(*args)
    proc = subprocess.Popen(
        cmd,
        cwd=ROOT,
        env=env_for(db),
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        start_new_session=True,
    )
    time.sleep(seconds)
    with contextlib.suppress(ProcessLookupError):
        os.killpg(proc.pid, signal.SIGKILL)
    proc.wait(30)
    return seconds


def query(db: Path, sql: str, *params):
    with contextlib.closing(sqlite3.connect(db)) as conn:
        return conn.execute(sql, params).fetchall()


def integrity(db: Path) -> str:
    return query(db, "PRAGMA integrity_check")[0][0]


def counters_match(db: Path) -> list[str]:
    checks = {
        "ticket counter": """select count(*) from ticket_type t where t.confirmed_count <> (
            select count(*) from registration r where r.ticket_type_id = t.id
            and r.status = 'confirmed')""",
        "seat counter": """select count(*) from programme_session s where s.seats_taken <> (
            select count(*) from session_signup g where g.session_id = s.id
            and g.status = 'seated')""",
        "tickets over capacity": (
            "select count(*) from ticket_type where confirmed_count > capacity"
        ),
    }
    return [name for name, sql in checks.items() if query(db, sql)[0][0]]


@pytest.fixture(scope="module")
def demo_db(tmp_path_factory) -> Path:
    db = tmp_path_factory.mktemp("crash") / "demo.db"
    for args in (("init-db",), ("seed-demo", "--delegates", "60")):
        result = run(db, *args)
        assert result.returncode == 0, result.stderr
    checkpoint(db)
    return db


def timed(db: Path, *args: str, script: str | None = None) -> float:
    began = time.monotonic()
    result = run(db, *args, script=script)
    assert result.returncode == 0, result.stdout + result.stderr
    return time.monotonic() - began


def crash_and_recover(demo_db, tmp_path, name, args, state, script=None):
    """Full run → (after, seconds); killed run → state in {before, after}; rerun → after."""
    full = copy_of(demo_db, tmp_path, f"{name}-full")
    before = state(full)
    seconds = timed(full, *args, script=script)
    after = state(full)
    assert after != before, "the operation changed nothing: the test would prove nothing"

    rng = random.Random(SEED)
    killed = copy_of(demo_db, tmp_path, f"{name}-killed")
    moment = kill_midway(killed, rng.uniform(0.3, 0.95) * seconds, args, script)
    assert integrity(killed) == "ok"
    left = state(killed)
    assert left in (before, after), f"killed at {moment:.2f} s of {seconds:.2f} s: {left}"
    assert counters_match(killed) == []

    again = run(killed, *args, script=script)
    assert again.returncode == 0, again.stdout + again.stderr
    assert integrity(killed) == "ok"
    assert state(killed) == after
    assert counters_match(killed) == []


# --------------------------------------------------------------------------- CSV import


def delegates_csv(path: Path, rows: int) -> Path:
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(["email", "full_name", "ticket_code"])
    for i in range(rows):
        writer.writerow([f"nhap.{i:04d}@example.vn", f"Người Nhập {i}", ""])
    path.write_text(out.getvalue(), encoding="utf-8")
    return path


def registration_state(db: Path) -> tuple:
    return (
        query(db, "select count(*) from registration")[0][0],
        query(db, "select count(*) from user where email like 'nhap.%'")[0][0],
    )


def test_killed_delegate_import_leaves_all_or_nothing_and_runs_again(demo_db, tmp_path):
    ticket = query(
        demo_db,
        "select t.code from ticket_type t join edition e on e.id = t.edition_id "
        "where e.year = 2025 order by t.capacity desc limit 1",
    )[0][0]
    source = delegates_csv(tmp_path / "delegates.csv", 400)
    source.write_text(source.read_text(encoding="utf-8").replace(",\n", f",{ticket}\n"))
    args = ("import-delegates", str(source), "--year", "2025")
    crash_and_recover(demo_db, tmp_path, "import", args, registration_state)


# --------------------------------------------------------------------------- publish

PUBLISH = """
import sys
from sqlmodel import Session, select
from techfest import create_app
from techfest.auth.models import User
from techfest.core.editions import edition_by_year
from techfest.db import writing
from techfest.matchmaking import review
from techfest.matchmaking.models import Meeting

app = create_app()
with app.test_request_context(), writing(), Session(app.extensions["techfest_engine"]) as s:
    edition = edition_by_year(s, 2025)
    user = s.exec(select(User).where(User.email == "organiser@techfest.vn")).one()
    if s.exec(select(Meeting).where(
            Meeting.edition_id == edition.id, Meeting.status == "draft")).first() is None:
        sys.exit(0)
    review.publish(s, edition, user, review.publish_plan(s, edition).digest)
    s.commit()
"""


def publish_state(db: Path) -> tuple:
    return (
        query(db, "select status, count(*) from meeting group by status order by status"),
        query(db, "select count(*) from outboxemail")[0][0],
        query(db, "select meetings_published_at is not null from edition order by year"),
    )


@pytest.fixture(scope="module")
def drafted_db(demo_db, tmp_path_factory) -> Path:
    """The demo after `flask match`: a draft schedule waiting to be published."""
    db = tmp_path_factory.mktemp("crash-drafted") / "drafted.db"
    shutil.copyfile(demo_db, db)
    result = run(db, "match", "--year", "2025", "--time-limit", "10")
    assert result.returncode == 0, result.stdout + result.stderr
    checkpoint(db)
    return db


def test_killed_publish_leaves_all_or_nothing_and_runs_again(drafted_db, tmp_path):
    assert query(drafted_db, "select count(*) from meeting where status = 'draft'")[0][0] > 0
    crash_and_recover(drafted_db, tmp_path, "publish", (), publish_state, script=PUBLISH)


# --------------------------------------------------------------------------- bulk print


def print_state(db: Path) -> tuple:
    return (
        query(db, "select count(*) from document where kind = 'agenda'")[0][0],
        query(db, "select count(*) from document where kind = 'agendas'")[0][0],
    )


@pytest.fixture(scope="module")
def fewer_people_db(demo_db, tmp_path_factory) -> Path:
    """The demo with 40 delegates and 12 startup/investor members left, to print quickly."""
    db = tmp_path_factory.mktemp("crash-print") / "small.db"
    shutil.copyfile(demo_db, db)
    with contextlib.closing(sqlite3.connect(db)) as conn:
        edition = conn.execute("select id from edition where year = 2025").fetchone()[0]
        conn.execute(
            "update registration set status = 'cancelled', waitlist_position = null "
            "where edition_id = ? and id not in (select id from registration "
            "where edition_id = ? and status = 'confirmed' order by id limit 40)",
            (edition, edition),
        )
        conn.execute(
            "update ticket_type set confirmed_count = (select count(*) from registration r "
            "where r.ticket_type_id = ticket_type.id and r.status = 'confirmed')"
        )
        conn.execute(
            "delete from editionrole where edition_id = ? and role in ('startup', 'investor') "
            "and id not in (select id from editionrole where edition_id = ? "
            "and role in ('startup', 'investor') order by id limit 12)",
            (edition, edition),
        )
        conn.commit()
    checkpoint(db)
    return db


def test_killed_bulk_print_leaves_all_or_nothing_and_runs_again(fewer_people_db, tmp_path):
    args = ("print-agendas", "--year", "2025", "--out", str(tmp_path / "out"), "--workers", "2")
    crash_and_recover(fewer_people_db, tmp_path, "print", args, print_state)


# --------------------------------------------------------------------------- matcher run


def draft_state(db: Path) -> tuple:
    return query(db, "select status, count(*) from meeting group by status order by status")


def kill_when(db: Path, args: tuple[str, ...], ready_sql: str, seconds: float = 90) -> None:
    """Start the command and SIGKILL its process group as soon as `ready_sql` finds a row."""
    proc = subprocess.Popen(
        flask_cmd(*args),
        cwd=ROOT,
        env=env_for(db),
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        start_new_session=True,
    )
    deadline = time.monotonic() + seconds
    try:
        while time.monotonic() < deadline and proc.poll() is None:
            with contextlib.suppress(sqlite3.OperationalError):
                if query(db, ready_sql):
                    break
            time.sleep(0.05)
    finally:
        with contextlib.suppress(ProcessLookupError):
            os.killpg(proc.pid, signal.SIGKILL)
        proc.wait(30)


def test_killed_matcher_run_leaves_all_or_nothing_and_runs_again(demo_db, tmp_path):
    args = ("match", "--year", "2025", "--time-limit", "10")
    full = copy_of(demo_db, tmp_path, "match-full")
    before = draft_state(full)
    timed(full, *args)
    after = draft_state(full)
    assert after != before

    killed = copy_of(demo_db, tmp_path, "match-killed")
    kill_when(
        killed, args, "select 1 from job where kind = 'matchmaking.run' and status = 'running'"
    )
    assert integrity(killed) == "ok"
    assert draft_state(killed) in (before, after)

    again = run(killed, *args)
    assert again.returncode == 0, again.stdout + again.stderr[-400:]
    assert draft_state(killed) == after
