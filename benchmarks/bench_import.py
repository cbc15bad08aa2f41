"""Delegate CSV import of 20,000 rows: the bulk job against the row-by-row path.

    .venv/bin/python benchmarks/bench_import.py                  # SQLite, 20,000 rows
    .venv/bin/python benchmarks/bench_import.py --quick          # 2,000 rows
    TECHFEST_BENCH_PG_URL=postgresql+psycopg://postgres@127.0.0.1:5432/bench_import \\
        .venv/bin/python benchmarks/bench_import.py              # SQLite, then PostgreSQL
    .venv/bin/python benchmarks/bench_import.py --url postgresql+psycopg://…/db   # one only

Both figures come from the same run, each on a fresh schema with the same edition (one
free ticket type with room for everyone, one organiser) and the same generated file of
valid rows. The bulk figure is the whole background job as an organiser waits for it
(`registration.jobs`: read the stored file, check every row, write them in one
transaction, delete the file), run in this process. The baseline is the row-by-row path the
import used before (`import_delegates(bulk=False)`: a lookup, an insert and a savepoint per
row); it runs on a sample of rows (`--sample`) and its time is extrapolated linearly to the
full file, which the output says. A PostgreSQL database given here is emptied: use a
scratch one.
"""

from __future__ import annotations

import argparse
import csv
import io
import os
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

import sqlalchemy as sa  # noqa: E402
from sqlmodel import Session, func, select  # noqa: E402

from techfest import create_app  # noqa: E402
from techfest.config import TestConfig  # noqa: E402
from techfest.core.jobs import run_job  # noqa: E402
from techfest.core.models import Edition, Job  # noqa: E402
from techfest.models import metadata  # noqa: E402
from techfest.registration import csv as delegate_csv  # noqa: E402
from techfest.registration import jobs  # noqa: E402
from techfest.registration.models import Registration  # noqa: E402
from tests.factories import make_edition, make_user  # noqa: E402
from tests.factories.registration import make_ticket  # noqa: E402

FAMILY = ["Nguyễn", "Trần", "Lê", "Phạm", "Hoàng", "Vũ", "Đặng", "Bùi", "Đỗ", "Hồ", "Ngô"]
GIVEN = ["Mai", "Hùng", "Lan", "Bảo", "Phương", "Khoa", "Hà", "Tuấn", "Linh", "Dũng"]
ORGS = ["Cảng Hải Phòng", "Đại học Hàng hải", "Sở Khoa học và Công nghệ", "Công ty Sóng Biển"]


def delegate_file(rows: int, prefix: str) -> bytes:
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(
        ["email", "full_name", "ticket_code", "organisation", "job_title", "phone", "language"]
        + ["consent"]
    )
    for i in range(rows):
        writer.writerow(
            [
                f"{prefix}{i}@example.vn",
                f"{FAMILY[i % len(FAMILY)]} Văn {GIVEN[i % len(GIVEN)]} {i}",
                "DELEGATE",
                ORGS[i % len(ORGS)],
                "Kỹ sư",
                f"+84 912 {i // 1000 % 1000:03d} {i % 1000:03d}",
                "en" if i % 5 == 0 else "vi",
                "yes",
            ]
        )
    return out.getvalue().encode("utf-8")


def fresh(url: str):
    """An app on an empty schema with one edition, its ticket type and an organiser."""
    app = create_app(TestConfig, DATABASE_URL=url, JOBS_MODE="sync")
    engine = app.extensions["techfest_engine"]
    if url.startswith("postgresql"):
        with engine.begin() as conn:
            conn.execute(sa.text("DROP SCHEMA IF EXISTS public CASCADE"))
            conn.execute(sa.text("CREATE SCHEMA public"))
    metadata.create_all(engine)
    with Session(engine, expire_on_commit=False) as session:
        edition = make_edition(session)
        make_ticket(session, edition, "DELEGATE", capacity=1_000_000)
        organiser = make_user(session, edition, role="organiser")
        session.commit()
    return app, edition.id, organiser.id


def registrations(app) -> int:
    with Session(app.extensions["techfest_engine"]) as session:
        return session.exec(select(func.count()).select_from(Registration)).one()


def bulk_job(url: str, data: bytes, rows: int) -> float:
    app, edition_id, organiser_id = fresh(url)
    engine = app.extensions["techfest_engine"]
    with app.test_request_context():
        with Session(engine, expire_on_commit=False) as session:
            edition = session.get(Edition, edition_id)
            job = jobs.start_import(
                session, edition, organiser_id, data, lang="vi", my_url="http://x/me"
            )
            session.commit()
        start = time.perf_counter()
        run_job(app, job.id)
        seconds = time.perf_counter() - start
        with Session(engine) as session:
            done = session.get(Job, job.id)
            assert done.status == "done", done.error
            assert done.result.get("ok"), done.result
    assert registrations(app) == rows, registrations(app)
    engine.dispose()
    return seconds


def row_by_row(url: str, data: bytes, rows: int) -> float:
    app, edition_id, organiser_id = fresh(url)
    engine = app.extensions["techfest_engine"]
    with app.test_request_context(), Session(engine, expire_on_commit=False) as session:
        edition = session.get(Edition, edition_id)
        start = time.perf_counter()
        result = delegate_csv.import_delegates(
            session, edition, data, by_user_id=organiser_id, my_url="http://x/me", bulk=False
        )
        session.commit()
        seconds = time.perf_counter() - start
        assert result.report.ok, result.report.errors[:3]
    assert registrations(app) == rows
    engine.dispose()
    return seconds


def measure(label: str, url: str, rows: int, sample: int) -> None:
    data = delegate_file(rows, "bulk")
    sqlite = url.startswith("sqlite")
    bulk = bulk_job(url.replace(".db", "-bulk.db") if sqlite else url, data, rows)
    sample = min(sample, rows)
    per_row = row_by_row(
        url.replace(".db", "-row.db") if sqlite else url, delegate_file(sample, "row"), sample
    )
    extrapolated = per_row * rows / sample
    print(f"{label}: {rows:,} valid delegate rows ({len(data) / 1e6:.1f} MB)")
    print(f"  bulk job (check + write, one transaction): {bulk:8.2f} s  {rows / bulk:9,.0f} rows/s")
    print(
        f"  row by row, measured on {sample:,} rows:      {per_row:8.2f} s  "
        f"{sample / per_row:9,.0f} rows/s"
    )
    print(f"  row by row, extrapolated to {rows:,} rows:   {extrapolated:8.2f} s  (linear)")
    print(f"  ratio (row by row / bulk): {extrapolated / bulk:.1f}x")
    print(f"  target <= 20 s for 20,000 rows: {'met' if bulk <= 20 * rows / 20000 else 'MISSED'}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=20_000)
    parser.add_argument("--sample", type=int, default=1_000, help="rows for the row-by-row path")
    parser.add_argument("--url", help="one database URL only (default: SQLite, then PG if set)")
    parser.add_argument("--quick", action="store_true", help="2,000 rows, a 200-row sample")
    args = parser.parse_args()
    rows, sample = (2_000, 200) if args.quick else (args.rows, args.sample)
    tmp = tempfile.TemporaryDirectory()
    targets = []
    if args.url:
        targets.append(("given database", args.url))
    else:
        targets.append(("SQLite", f"sqlite:///{tmp.name}/bench.db"))
        pg = os.environ.get("TECHFEST_BENCH_PG_URL")
        if pg:
            targets.append(("PostgreSQL", pg))
        else:
            print("(set TECHFEST_BENCH_PG_URL to a scratch PostgreSQL database to measure it too)")
    for label, url in targets:
        measure(label, url, rows, sample)
    tmp.cleanup()


if __name__ == "__main__":
    main()
