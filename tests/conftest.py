"""Fixtures: an app on an empty database (SQLite file, or PostgreSQL), clients and logins.

Every test gets an empty schema. Tests marked `both_databases` run once on SQLite and once
on PostgreSQL; set TECHFEST_TEST_BACKENDS=sqlite,postgresql to run every test on both.
PostgreSQL comes from TECHFEST_TEST_PG_URL (default: database `test` on 127.0.0.1); when it
does not answer, its tests skip, except under CI=true where that is a failure.
"""

from __future__ import annotations

import os
from collections.abc import Iterator

import pytest
import sqlalchemy as sa
from sqlmodel import Session

from techfest import create_app
from techfest.config import TestConfig
from techfest.models import metadata

PG_URL = os.environ.get("TECHFEST_TEST_PG_URL", "postgresql+psycopg://postgres@127.0.0.1:5432/test")
IN_CI = os.environ.get("CI", "").lower() == "true"
_pg_state: dict[str, object] = {}


def pytest_configure(config):
    config.addinivalue_line("markers", "both_databases: run on SQLite and on PostgreSQL")


def _backends_for(item_markers) -> list[str]:
    env = os.environ.get("TECHFEST_TEST_BACKENDS", "")
    if env:
        return [b.strip() for b in env.split(",") if b.strip()]
    if "both_databases" in item_markers:
        return ["sqlite", "postgresql"]
    return ["sqlite"]


def pytest_generate_tests(metafunc):
    if "backend" in metafunc.fixturenames:
        markers = {m.name for m in metafunc.definition.iter_markers()}
        metafunc.parametrize("backend", _backends_for(markers), indirect=True)


@pytest.fixture
def backend(request) -> str:
    return request.param


def pg_available() -> bool:
    if "ok" not in _pg_state:
        try:
            ensure_pg_database(PG_URL)
            engine = sa.create_engine(PG_URL)
            with engine.connect() as conn:
                conn.execute(sa.text("select 1"))
            engine.dispose()
            _pg_state["ok"] = True
        except sa.exc.OperationalError as exc:
            _pg_state["ok"] = False
            _pg_state["error"] = str(exc).splitlines()[0]
    return bool(_pg_state["ok"])


def ensure_pg_database(url: str) -> None:
    """Create the database named in `url` if the server does not have it yet."""
    parsed = sa.engine.make_url(url)
    admin = sa.create_engine(parsed.set(database="postgres"), isolation_level="AUTOCOMMIT")
    try:
        with admin.connect() as conn:
            exists = conn.execute(
                sa.text("select 1 from pg_database where datname = :n"), {"n": parsed.database}
            ).first()
            if not exists:
                conn.execute(sa.text(f'create database "{parsed.database}"'))
    finally:
        admin.dispose()


def require_pg() -> None:
    if not pg_available():
        message = f"PostgreSQL not reachable: {_pg_state.get('error')}"
        if IN_CI:
            pytest.fail(message)
        pytest.skip(message)


def _reset_pg_schema(url: str) -> None:
    engine = sa.create_engine(url)
    try:
        if "schema_ready" not in _pg_state:
            # the whole schema goes, not only our tables: a table left by another
            # branch's run (with a foreign key into ours) must not stop the suite
            with engine.begin() as conn:
                conn.execute(sa.text("DROP SCHEMA IF EXISTS public CASCADE"))
                conn.execute(sa.text("CREATE SCHEMA public"))
            metadata.create_all(engine)
            _pg_state["schema_ready"] = True
        else:
            names = ", ".join(f'"{t.name}"' for t in metadata.sorted_tables)
            with engine.begin() as conn:
                conn.execute(sa.text(f"TRUNCATE {names} RESTART IDENTITY CASCADE"))
    finally:
        engine.dispose()


@pytest.fixture
def database_url(backend, tmp_path) -> str:
    if backend == "postgresql":
        require_pg()
        _reset_pg_schema(PG_URL)
        return PG_URL
    return f"sqlite:///{tmp_path / 'test.db'}"


@pytest.fixture
def app(database_url):
    app = create_app(TestConfig, DATABASE_URL=database_url, JOBS_MODE="sync")
    engine = app.extensions["techfest_engine"]
    if database_url.startswith("sqlite"):
        metadata.create_all(engine)
    # no app context stays pushed: each request must get its own (and its own `g`)
    yield app
    engine.dispose()


@pytest.fixture
def app_ctx(app):
    """For calling services that read current_app outside a request."""
    with app.test_request_context():
        yield app


@pytest.fixture
def client(app):
    return app.test_client()


@pytest.fixture
def session(app) -> Iterator[Session]:
    """A session for arranging data and checking results; commit what a request must see.

    It reads with plain BEGIN, so an idle read never blocks a request's write on SQLite.
    """
    with Session(app.extensions["techfest_engine"], expire_on_commit=False) as s:
        yield s


class AuthActions:
    def __init__(self, client):
        self.client = client

    def login(self, email: str, password: str = "password123"):
        return self.client.post(
            "/auth/login", data={"email": email, "password": password}, follow_redirects=False
        )

    def logout(self):
        return self.client.post("/auth/logout")


@pytest.fixture
def auth(client) -> AuthActions:
    return AuthActions(client)
