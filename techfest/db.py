"""Engine, one session per request, SQLite pragmas and the UTC datetime column type.

Services take a `Session` and only flush; the view (or CLI command) that called them
commits once. On SQLite, a request that may write starts its transaction with
BEGIN IMMEDIATE, so two writers queue on the database lock instead of both reading
the last free seat and one failing on upgrade.
"""

from __future__ import annotations

import contextlib
from collections.abc import Iterator
from contextvars import ContextVar
from datetime import UTC, datetime

import sqlalchemy as sa
from flask import Flask, g, request
from sqlalchemy import event
from sqlalchemy.engine import Engine
from sqlmodel import Session

#: True while the current request or job intends to write (see module docstring)
_write_intent: ContextVar[bool] = ContextVar("write_intent", default=False)

SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})


def now_utc() -> datetime:
    return datetime.now(UTC)


class UTCDateTime(sa.types.TypeDecorator):
    """Stores naive UTC, hands back aware UTC datetimes on every database."""

    impl = sa.DateTime
    cache_ok = True

    def process_bind_param(self, value, dialect):
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError("naive datetime given to a UTC column")
        return value.astimezone(UTC).replace(tzinfo=None)

    def process_result_value(self, value, dialect):
        if value is None:
            return None
        return value.replace(tzinfo=UTC)


def make_engine(url: str) -> Engine:
    """Create an engine; SQLite gets WAL, foreign keys, a busy timeout and manual BEGIN."""
    if url.startswith("sqlite"):
        memory = url in ("sqlite://", "sqlite:///:memory:")
        kwargs: dict = {"connect_args": {"check_same_thread": False, "timeout": 30}}
        if memory:
            kwargs["poolclass"] = sa.pool.StaticPool
        engine = sa.create_engine(url, **kwargs)

        @event.listens_for(engine, "connect")
        def _sqlite_pragmas(dbapi_conn, _record):
            dbapi_conn.isolation_level = None  # we emit BEGIN ourselves, below
            cur = dbapi_conn.cursor()
            if not memory:
                cur.execute("PRAGMA journal_mode=WAL")
            cur.execute("PRAGMA foreign_keys=ON")
            cur.execute("PRAGMA busy_timeout=30000")
            cur.execute("PRAGMA synchronous=NORMAL")
            cur.close()

        @event.listens_for(engine, "begin")
        def _sqlite_begin(conn):
            conn.exec_driver_sql("BEGIN IMMEDIATE" if _write_intent.get() else "BEGIN")

        return engine
    return sa.create_engine(url, pool_pre_ping=True, pool_size=10, max_overflow=20)


@contextlib.contextmanager
def writing() -> Iterator[None]:
    """Mark the enclosed transactions as writers (CLI commands, jobs, threads in tests)."""
    token = _write_intent.set(True)
    try:
        yield
    finally:
        _write_intent.reset(token)


#: app.extensions key: endpoints whose GET writes too (a thread page marks it read)
WRITING_GETS = "techfest_writing_gets"


def writes_on_get(app: Flask, endpoint: str) -> None:
    """Declare that a GET of `endpoint` writes, so its transaction starts as a writer."""
    app.extensions.setdefault(WRITING_GETS, set()).add(endpoint)


def engine() -> Engine:
    from flask import current_app

    return current_app.extensions["techfest_engine"]


def db() -> Session:
    """The request's session, opened on first use and closed at teardown."""
    if "db_session" not in g:
        g.db_session = Session(engine(), expire_on_commit=False)
    return g.db_session


def init_app(app: Flask) -> None:
    app.extensions["techfest_engine"] = make_engine(app.config["DATABASE_URL"])

    # An app-level URL preprocessor runs before the blueprints' ones, which already read
    # the database (the edition in the URL): the transaction's BEGIN must know the intent.
    @app.url_value_preprocessor
    def _mark_write_intent(endpoint, _values):
        if "write_intent_token" not in g:
            writes = request.method not in SAFE_METHODS or endpoint in app.extensions.get(
                WRITING_GETS, ()
            )
            g.write_intent_token = _write_intent.set(writes)

    @app.before_request
    def _mark_write_intent_unrouted():
        if "write_intent_token" not in g:
            g.write_intent_token = _write_intent.set(request.method not in SAFE_METHODS)

    @app.teardown_request
    def _clear_write_intent(exc):
        token = g.pop("write_intent_token", None)
        if token is not None:
            _write_intent.reset(token)

    @app.teardown_appcontext
    def _close_session(exc):
        session = g.pop("db_session", None)
        if session is not None:
            if exc is not None:
                session.rollback()
            session.close()
