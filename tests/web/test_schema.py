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
