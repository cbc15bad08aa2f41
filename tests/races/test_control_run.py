"""Control run: with the locking switched off, the same crowd and checks do find the race.

The seat booking is replaced by a naive read → check → write (no row lock, no conditional
UPDATE), and the database's capacity CHECK is dropped, in a scratch PostgreSQL database.
The crowd of test_mixed_races then overbooks, and the invariant checks say so: the
passing run there is evidence, not luck. (SQLite serialises writers with BEGIN IMMEDIATE,
so the naive code cannot race there; the control runs on PostgreSQL.)
"""

from __future__ import annotations

import time

import sqlalchemy as sa
from sqlmodel import Session, select

from techfest import create_app
from techfest.config import TestConfig
from techfest.models import metadata
from techfest.programme import signups as programme
from techfest.programme.models import ProgrammeSession, SessionSignup
from tests.conftest import PG_URL, ensure_pg_database, require_pg
from tests.races.conftest import broken_rules, build_crowd
from tests.races.test_mixed_races import run_crowd


def naive_sign_up(session, edition, user, session_id):
    """Read the seat count, decide, then write it back: the textbook lost update."""
    ps = session.exec(
        select(ProgrammeSession).where(
            ProgrammeSession.id == session_id, ProgrammeSession.edition_id == edition.id
        )
    ).one()
    existing = session.exec(
        select(SessionSignup).where(
            SessionSignup.session_id == ps.id,
            SessionSignup.user_id == user.id,
            SessionSignup.status != "cancelled",
        )
    ).first()
    if existing is not None:
        return existing
    free = ps.seats_taken < ps.capacity
    time.sleep(0.002)  # the gap between check and write that every request has
    if free:
        ps.seats_taken = ps.seats_taken + 1
        signup = SessionSignup(session_id=ps.id, user_id=user.id, status="seated")
    else:
        signup = SessionSignup(
            session_id=ps.id, user_id=user.id, status="waitlisted", waitlist_position=1
        )
    session.add_all([ps, signup])
    session.flush()
    return signup


def scratch_url() -> str:
    url = sa.engine.make_url(PG_URL)
    return url.set(database=f"{url.database}_scratch").render_as_string(hide_password=False)


def test_crowd_with_locking_switched_off_breaks_capacity_and_the_checks_see_it(monkeypatch):
    require_pg()
    url = scratch_url()
    ensure_pg_database(url)
    app = create_app(TestConfig, DATABASE_URL=url, JOBS_MODE="sync")
    engine = app.extensions["techfest_engine"]
    try:
        metadata.drop_all(engine)
        metadata.create_all(engine)
        with engine.begin() as conn:
            conn.execute(
                sa.text(
                    "ALTER TABLE programme_session DROP CONSTRAINT ck_programme_session_capacity"
                )
            )
        with Session(engine, expire_on_commit=False) as session:
            crowd = build_crowd(session)
        monkeypatch.setattr(programme, "sign_up", naive_sign_up)
        run_crowd(app, crowd, seconds=3, seed=7)
        broken = broken_rules(engine)
    finally:
        metadata.drop_all(engine)
        engine.dispose()
    assert {"session seats over capacity", "session seat counter differs from seated sign-ups"} & (
        broken.keys()
    )
