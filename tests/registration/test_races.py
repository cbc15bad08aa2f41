"""Capacity under races: many people at once, on SQLite and on PostgreSQL.

Each thread has its own database session inside `writing()` and starts at the same
moment (a barrier), as concurrent requests would.
"""

from __future__ import annotations

import random
import threading

import pytest
from sqlmodel import Session, func, select

from techfest.auth.models import User
from techfest.core.models import Edition, OutboxEmail
from techfest.db import writing
from techfest.registration.booking import BadgeDetails, cancel_registration, register_delegate
from techfest.registration.models import Registration, TicketType
from tests.factories import PASSWORD, make_user
from tests.factories.registration import make_ticket
from tests.registration.conftest import form_data, outbox, register

pytestmark = pytest.mark.both_databases

THREADS = 50


def run_together(app, jobs):
    """Run each job(session) in its own thread and session, all released at once."""
    barrier = threading.Barrier(len(jobs))
    results: list = [None] * len(jobs)
    errors: list = []

    def worker(index, job):
        try:
            with app.app_context(), writing():
                barrier.wait()
                with Session(app.extensions["techfest_engine"], expire_on_commit=False) as s:
                    results[index] = job(s)
                    s.commit()
        except Exception as exc:  # noqa: BLE001 - reported below with the test's failure
            errors.append(exc)

    threads = [threading.Thread(target=worker, args=(i, j)) for i, j in enumerate(jobs)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert errors == []
    return results


def registering(edition_id: int, user_id: int, ticket_id: int):
    def job(s: Session) -> str:
        user = s.get(User, user_id)
        edition = s.get(Edition, edition_id)
        details = BadgeDetails(full_name=user.full_name, email=user.email)
        outcome = register_delegate(s, edition, user, ticket_id, details, consented=True)
        return outcome.registration.status

    return job


def cancelling(edition_id: int, user_id: int):
    def job(s: Session) -> list[int]:
        try:
            return [r.id for r in cancel_registration(s, edition_id, user_id)]
        except Exception as exc:  # a repeated click finds nothing left to cancel
            if type(exc).__name__ == "NotRegistered":
                return []
            raise

    return job


def ticket_count(session, ticket) -> int:
    session.expire_all()
    return session.get(TicketType, ticket.id).confirmed_count


def count(session, *where) -> int:
    session.expire_all()
    return session.exec(select(func.count()).select_from(Registration).where(*where)).one()


def test_fifty_people_at_the_last_place_one_is_confirmed(app, session, edition):
    ticket = make_ticket(session, edition, capacity=3)
    register(session, edition, make_user(session, edition), ticket)
    register(session, edition, make_user(session, edition), ticket)
    users = [make_user(session, edition) for _ in range(THREADS)]
    session.commit()

    statuses = run_together(app, [registering(edition.id, u.id, ticket.id) for u in users])

    assert sorted(statuses) == ["confirmed"] + ["waitlisted"] * (THREADS - 1)
    assert ticket_count(session, ticket) == 3
    assert count(session, Registration.status == "confirmed") == 3
    positions = session.exec(
        select(Registration.waitlist_position).where(Registration.status == "waitlisted")
    ).all()
    assert sorted(positions) == list(range(1, THREADS))
    assert len(outbox(session)) == THREADS + 2


def test_concurrent_cancellations_promote_exactly_as_many_as_freed(app, session, edition):
    ticket = make_ticket(session, edition, capacity=THREADS)
    holders = [make_user(session, edition) for _ in range(THREADS)]
    for user in holders:
        register(session, edition, user, ticket)
    waiting = [register(session, edition, make_user(session, edition), ticket) for _ in range(70)]
    session.commit()

    promoted = run_together(app, [cancelling(edition.id, u.id) for u in holders])

    promoted_ids = sorted(i for ids in promoted for i in ids)
    assert promoted_ids == [r.id for r in waiting[:THREADS]]
    assert ticket_count(session, ticket) == THREADS
    assert count(session, Registration.status == "confirmed") == THREADS
    assert count(session, Registration.status == "waitlisted") == 70 - THREADS
    session.expire_all()
    promotion_mails = session.exec(
        select(func.count())
        .select_from(OutboxEmail)
        .where(OutboxEmail.dedupe_key.like("registration:%:promoted"))
    ).one()
    assert promotion_mails == THREADS


def test_double_clicked_cancellations_free_each_place_once(app, session, edition):
    ticket = make_ticket(session, edition, capacity=25)
    holders = [make_user(session, edition) for _ in range(25)]
    for user in holders:
        register(session, edition, user, ticket)
    waiting = [register(session, edition, make_user(session, edition), ticket) for _ in range(40)]
    session.commit()

    jobs = [cancelling(edition.id, u.id) for u in holders for _ in range(2)]
    promoted = run_together(app, jobs)

    assert sorted(i for ids in promoted for i in ids) == [r.id for r in waiting[:25]]
    assert ticket_count(session, ticket) == 25
    assert count(session, Registration.status == "waitlisted") == 15


def test_five_identical_submissions_register_once_and_email_once(app, session, edition):
    ticket = make_ticket(session, edition, capacity=10)
    make_user(session, edition, email="mai@example.vn", full_name="Nguyễn Thị Mai")
    session.commit()
    first = app.test_client()
    first.post("/auth/login", data={"email": "mai@example.vn", "password": PASSWORD})
    cookie = first.get_cookie("session").value
    clients = [app.test_client() for _ in range(5)]
    for c in clients:
        c.set_cookie("session", cookie)
    barrier = threading.Barrier(5)
    answers: list = [None] * 5

    def submit(i):
        barrier.wait()
        answers[i] = clients[i].post("/2025/registration/register", data=form_data(ticket))

    threads = [threading.Thread(target=submit, args=(i,)) for i in range(5)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()

    assert [(a.status_code, a.headers.get("Location")) for a in answers] == [
        (302, "/2025/registration/me")
    ] * 5
    assert count(session) == 1
    assert len(outbox(session, "mai@example.vn")) == 1
    assert ticket_count(session, ticket) == 1


def test_random_mix_of_registrations_and_cancellations_keeps_every_rule(app, session, edition):
    ticket = make_ticket(session, edition, capacity=10)
    users = [make_user(session, edition) for _ in range(30)]
    for user in users[:12]:
        register(session, edition, user, ticket)
    session.commit()
    rng = random.Random(2025)
    jobs = []
    for _ in range(THREADS):
        user = rng.choice(users)
        if rng.random() < 0.5:
            jobs.append(registering(edition.id, user.id, ticket.id))
        else:
            jobs.append(cancelling(edition.id, user.id))

    run_together(app, jobs)

    session.expire_all()
    live = session.exec(select(Registration).where(Registration.status != "cancelled")).all()
    confirmed = [r for r in live if r.status == "confirmed"]
    waiting = [r for r in live if r.status == "waitlisted"]
    assert len({r.user_id for r in live}) == len(live)
    assert ticket_count(session, ticket) == len(confirmed)
    assert len(confirmed) <= 10
    # nobody waits while a place is free
    assert (len(confirmed) == 10) or (waiting == [])
