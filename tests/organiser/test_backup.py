"""`flask backup` and `flask restore`: a round trip brings the data back."""

import pytest
from sqlmodel import select

from techfest.core.models import Edition
from tests.factories import make_edition
from tests.organiser.builders import fresh


@pytest.mark.both_databases
def test_backup_then_restore_brings_the_data_back(app, session, tmp_path, backend):
    edition = make_edition(session, 2025, theme_en="Before")
    session.commit()
    runner = app.test_cli_runner()
    backup_file = tmp_path / "backups" / "techfest.bak"

    taken = runner.invoke(args=["backup", "--output", str(backup_file)])
    edition.theme_en = "After"
    make_edition(session, 2026)
    session.commit()
    session.close()
    restored = runner.invoke(args=["restore", str(backup_file), "--yes"])

    assert taken.exit_code == 0, taken.output
    assert restored.exit_code == 0, restored.output
    fresh(session)
    rows = session.exec(select(Edition.year, Edition.theme_en)).all()
    assert rows == [(2025, "Before")]


def test_restore_refuses_a_file_that_is_not_a_backup(app, tmp_path):
    junk = tmp_path / "junk.bak"
    junk.write_bytes(b"not a database at all" * 100)

    result = app.test_cli_runner().invoke(args=["restore", str(junk), "--yes"])

    assert result.exit_code == 1
    assert "not a" in result.output


def test_backup_of_sqlite_is_a_consistent_database_file(app, session, tmp_path):
    import sqlite3

    make_edition(session)
    session.commit()
    target = tmp_path / "copy.db"

    result = app.test_cli_runner().invoke(args=["backup", "--output", str(target)])

    assert result.exit_code == 0
    with sqlite3.connect(target) as conn:
        assert conn.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
        assert conn.execute("select year from edition").fetchall() == [(2025,)]


def test_pg_dump_gets_the_password_from_the_environment_not_the_command_line(tmp_path):
    from techfest.organiser.services import backup_database

    calls = []

    def run(args, **kwargs):
        calls.append((args, kwargs))

    backup_database(
        "postgresql+psycopg://tf:s3cret@db.local:5432/techfest", tmp_path / "x.sql", run=run
    )

    ((args, kwargs),) = calls
    assert args[0] == "pg_dump"
    assert "s3cret" not in " ".join(args)
    assert args[-1] == "postgresql://tf@db.local:5432/techfest"
    assert kwargs["env"]["PGPASSWORD"] == "s3cret"
    assert kwargs["check"] is True
