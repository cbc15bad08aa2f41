"""Many startups pressing "request" at the same moment: the database keeps the rules."""

from __future__ import annotations

import threading
import time
from collections import Counter
from concurrent.futures import ThreadPoolExecutor

import pytest
from flask_babel import force_locale
from sqlalchemy.exc import IntegrityError, OperationalError
from sqlmodel import Session, select

from techfest.auth.models import User
from techfest.booths import booking, errors
from techfest.booths.models import BoothBooking
from techfest.core.models import Edition, Organisation
from techfest.db import writing
from tests.booths.conftest import make_booking, make_booth, make_startup_member

ATTEMPTS = 50


def attempt(app, barrier: threading.Barrier, edition_id: int, booth_id: int, user_id: int) -> str:
    """One person's request in its own session and transaction; returns what they were told."""
    engine = app.extensions["techfest_engine"]
    with app.test_request_context(), force_locale("en"), writing():
        barrier.wait()
        for _ in range(20):
            with Session(engine, expire_on_commit=False) as session:
                try:
                    edition = session.get(Edition, edition_id)
                    user = session.get(User, user_id)
                    booking.request_booth(session, edition, booth_id, user)
                    session.commit()
                    return "ok"
                except errors.BoothError as exc:
                    session.rollback()
                    return str(exc.message)
                except OperationalError as exc:
                    # a shared test server may run out of connection slots; nothing was
                    # written, so the person simply tries again
                    if "too many clients" not in str(exc):
                        return repr(exc)
            time.sleep(0.2)
        return "no connection"


def run_all(app, jobs: list[tuple[int, int, int]]) -> list[str]:
    barrier = threading.Barrier(len(jobs))
    with ThreadPoolExecutor(max_workers=len(jobs)) as pool:
        futures = [pool.submit(attempt, app, barrier, *job) for job in jobs]
        return [f.result(timeout=120) for f in futures]


@pytest.mark.both_databases
def test_fifty_startups_racing_for_one_booth_get_exactly_one_hold(app, session, plan):
    members = [make_startup_member(session, plan.edition) for _ in range(ATTEMPTS)]
    session.commit()
    booth = plan.booth("A01")

    answers = run_all(app, [(plan.edition.id, booth.id, m.id) for m in members])

    taken = "Booth A01 was just taken by another organisation. Please choose another booth."
    assert Counter(answers) == {"ok": 1, taken: ATTEMPTS - 1}
    session.expire_all()
    live = session.exec(select(BoothBooking).where(BoothBooking.booth_id == booth.id)).all()
    assert [b.status for b in live] == ["pending"]


@pytest.mark.both_databases
def test_one_organisation_racing_for_many_booths_gets_only_its_limit(app, session, plan):
    org = session.get(Organisation, plan.startup.organisation_id)
    members = [make_startup_member(session, plan.edition, org=org) for _ in range(ATTEMPTS)]
    booths = [
        make_booth(
            session, plan.edition, plan.zone, f"R{i:02d}", x=(i % 30) * 35, y=300 + (i // 30) * 40
        )
        for i in range(ATTEMPTS)
    ]
    session.commit()

    answers = run_all(
        app, [(plan.edition.id, b.id, m.id) for b, m in zip(booths, members, strict=True)]
    )

    limit = (
        "Your organisation already holds 1 booth(s), the most allowed. "
        "Ask the organisers if you need more."
    )
    assert Counter(answers) == {"ok": 1, limit: ATTEMPTS - 1}
    session.expire_all()
    statuses = session.exec(
        select(BoothBooking.status).where(BoothBooking.organisation_id == org.id)
    ).all()
    assert statuses == ["pending"]


@pytest.mark.both_databases
def test_database_refuses_a_second_live_booking_for_one_booth(app, session, plan):
    make_booking(session, plan.booth("A01"), plan.startup, "approved")
    session.commit()

    with pytest.raises(IntegrityError):
        make_booking(session, plan.booth("A01"), plan.other_startup, "pending")
    session.rollback()
    make_booking(session, plan.booth("A01"), plan.other_startup, "rejected")
    session.commit()


def bulk_attempt(app, barrier, edition_id: int, organiser_id: int, booking_ids: list[int]) -> str:
    """One organiser's bulk approval in its own session and transaction."""
    engine = app.extensions["techfest_engine"]
    with app.test_request_context(), force_locale("en"), writing():
        barrier.wait()
        with Session(engine, expire_on_commit=False) as session:
            try:
                edition = session.get(Edition, edition_id)
                organiser = session.get(User, organiser_id)
                booking.decide_many(session, edition, booking_ids, organiser, "approve")
                session.commit()
                return "ok"
            except errors.BoothError:
                session.rollback()
                return "refused"


@pytest.mark.both_databases
def test_organisers_bulk_approving_at_once_never_pass_the_startups_allowance(app, session, plan):
    from techfest.booths.models import BoothAllowance

    org_id = plan.startup.organisation_id
    # free booths: no payment order is made, nothing else serialises the approvals
    booths = [plan.booth(c) for c in ("A01", "A02", "A03")]
    booths.append(make_booth(session, plan.edition, plan.zone, "A05", x=200))
    for b in booths:
        b.price_vnd = 0
        session.add(b)
    pending = [make_booking(session, b, plan.startup) for b in booths]
    session.add(BoothAllowance(edition_id=plan.edition.id, organisation_id=org_id, max_booths=2))
    session.commit()
    ids = [b.id for b in pending]
    batches = [[ids[0], ids[1]], [ids[2], ids[3]], [ids[0], ids[2]], [ids[1], ids[3]]] * 3

    barrier = threading.Barrier(len(batches))
    with ThreadPoolExecutor(max_workers=len(batches)) as pool:
        futures = [
            pool.submit(bulk_attempt, app, barrier, plan.edition.id, plan.organiser.id, batch)
            for batch in batches
        ]
        answers = [f.result(timeout=120) for f in futures]

    # one batch wins whole; every other one is refused whole
    assert Counter(answers) == {"ok": 1, "refused": len(batches) - 1}
    session.expire_all()
    statuses = session.exec(
        select(BoothBooking.status).where(BoothBooking.organisation_id == org_id)
    ).all()
    assert sorted(statuses) == ["approved", "approved", "pending", "pending"]


@pytest.mark.both_databases
def test_a_bulk_approval_waits_for_the_one_in_progress_for_the_same_startup(app, session, plan):
    """Two organisers approve different booths of one startup: the second waits for the
    first (the startup is locked), then counts its approvals and is refused."""
    from techfest.booths.models import BoothAllowance

    org_id = plan.startup.organisation_id
    booths = [plan.booth(c) for c in ("A01", "A02", "A03", "A04")]
    for b in booths:
        b.price_vnd = 0
        session.add(b)
    ids = [make_booking(session, b, plan.startup).id for b in booths]
    session.add(BoothAllowance(edition_id=plan.edition.id, organisation_id=org_id, max_booths=2))
    session.commit()
    engine = app.extensions["techfest_engine"]
    second: list[str] = []

    def other_organiser(started: threading.Event) -> None:
        started.set()
        second.append(
            bulk_attempt(app, threading.Barrier(1), plan.edition.id, plan.organiser.id, ids[2:])
        )

    with app.test_request_context(), force_locale("en"), writing():
        first = Session(engine, expire_on_commit=False)
        booking.decide_many(
            first,
            first.get(Edition, plan.edition.id),
            ids[:2],
            first.get(User, plan.organiser.id),
            "approve",
        )
        started = threading.Event()
        thread = threading.Thread(target=other_organiser, args=(started,))
        thread.start()
        started.wait()
        time.sleep(0.5)  # room for the second approval to run ahead if nothing held it
        first.commit()
        first.close()
    thread.join(timeout=60)

    assert second == ["refused"]
    session.expire_all()
    statuses = session.exec(
        select(BoothBooking.status).where(BoothBooking.organisation_id == org_id)
    ).all()
    assert sorted(statuses) == ["approved", "approved", "pending", "pending"]
