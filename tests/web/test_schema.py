"""The migrations build exactly the schema the models describe, on both databases."""

import pytest
import sqlalchemy as sa
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext

from techfest.migrations import upgrade
from techfest.models import metadata
from tests.conftest import PG_URL, ensure_pg_database, require_pg


def _diff(url: str) -> list:
    upgrade(url)
    engine = sa.create_engine(url)
    try:
        with engine.connect() as conn:
            context = MigrationContext.configure(conn, opts={"compare_type": True})
            return compare_metadata(context, metadata)
    finally:
        engine.dispose()


def test_migrated_sqlite_schema_equals_models(tmp_path):
    assert _diff(f"sqlite:///{tmp_path / 'migrated.db'}") == []


@pytest.mark.postgres
def test_migrated_postgresql_schema_equals_models():
    require_pg()
    url = sa.engine.make_url(PG_URL).set(database="techfest_migration_check")
    admin = sa.create_engine(url.set(database="postgres"), isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(sa.text('drop database if exists "techfest_migration_check"'))
    admin.dispose()
    ensure_pg_database(url.render_as_string(hide_password=False))
    assert _diff(url.render_as_string(hide_password=False)) == []


def _row(table: sa.Table, **given) -> dict:
    """A row for `table` with the values given and a plain one in every other required column."""
    import datetime as dt

    plain = {
        sa.Integer: 1,
        sa.Boolean: True,
        sa.DateTime: dt.datetime(2025, 10, 9, 1),
        sa.Date: dt.date(2025, 10, 9),
    }
    row = dict(given)
    for column in table.columns:
        if column.name in row or column.nullable or column.primary_key:
            continue
        value = next((v for t, v in plain.items() if isinstance(column.type, t)), None)
        row[column.name] = f"{table.name}-{column.name}" if value is None else value
    return row


def test_search_key_migration_fills_rows_of_a_database_with_check_ins(tmp_path):
    """Adding the column must not rebuild the table: SQLite's foreign keys refuse that."""
    url = f"sqlite:///{tmp_path / 'old.db'}"
    upgrade(url, "0002")
    engine = sa.create_engine(url)
    tables = sa.MetaData()
    tables.reflect(engine)
    with engine.begin() as conn:
        conn.exec_driver_sql("PRAGMA foreign_keys=ON")
        conn.execute(tables.tables["edition"].insert(), _row(tables.tables["edition"], id=1))
        conn.execute(tables.tables["user"].insert(), _row(tables.tables["user"], id=1))
        conn.execute(
            tables.tables["ticket_type"].insert(), _row(tables.tables["ticket_type"], id=1)
        )
        reg = tables.tables["registration"]
        conn.execute(
            reg.insert(),
            _row(
                reg,
                id=1,
                full_name="Nguyễn Thị Mai",
                organisation_name="Cảng Hải Phòng",
                email="Mai@Example.vn",
                status="confirmed",
            ),
        )
        check_in = tables.tables["checkin"]
        conn.execute(check_in.insert(), _row(check_in, id=1, registration_id=1))
    engine.dispose()

    upgrade(url)

    engine = sa.create_engine(url)
    with engine.connect() as conn:
        key = conn.exec_driver_sql("SELECT search_key FROM registration").scalar_one()
    engine.dispose()
    assert key == "nguyen thi mai | cang hai phong | mai@example.vn"


def test_table_codes_migration_renames_platform_labels_only(tmp_path):
    """Tables the platform numbered "B05" (a booth's code) become "T05"; chosen labels stay."""
    url = f"sqlite:///{tmp_path / 'old.db'}"
    upgrade(url, "0008_hostile_mail_addresses")
    engine = sa.create_engine(url)
    tables = sa.MetaData()
    tables.reflect(engine)
    table = tables.tables["meeting_table"]
    with engine.begin() as conn:
        conn.execute(tables.tables["edition"].insert(), _row(tables.tables["edition"], id=1))
        for number, label in ((5, "B05"), (6, "Bàn VIP"), (7, "B09"), (12, "B12")):
            conn.execute(table.insert(), _row(table, edition_id=1, number=number, label=label))
    engine.dispose()

    upgrade(url)

    engine = sa.create_engine(url)
    with engine.connect() as conn:
        labels = conn.execute(sa.select(table.c.label).order_by(table.c.number)).scalars().all()
    engine.dispose()
    assert labels == ["T05", "Bàn VIP", "B09", "T12"]
