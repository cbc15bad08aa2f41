"""Capacity under concurrency: many people at once for the last seat, and cancellations."""

import threading

import pytest
from sqlmodel import Session, select

from techfest.auth.models import User
from techfest.core.models import Edition, OutboxEmail
from techfest.db import writing
from techfest.programme import signups
from techfest.programme.models import ProgrammeSession, SessionSignup
from tests.factories import make_edition, make_user
from tests.factories.programme import make_session, seat

THREADS = 50


def run_together(app, user_ids, action):
    """Run `action(session, edition, user, ps_id)` for every user at once, each in a thread."""
    barrier = threading.Barrier(len(user_ids))
    results: dict[int, object] = {}

    def worker(uid):
        with app.test_request_context(), writing():
            engine = app.extensions["techfest_engine"]
            with Session(engine, expire_on_commit=False) as s:
                edition = s.exec(select(Edition)).one()
                user = s.get(User, uid)
                s.commit()
                barrier.wait()
                try:
                    outcome = action(s, edition, user)
                    s.commit()
                    results[uid] = outcome
                except Exception as exc:  # noqa: BLE001 - every outcome is recorded and checked
                    s.rollback()
                    results[uid] = exc

    threads = [threading.Thread(target=worker, args=(uid,)) for uid in user_ids]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    return results


def state(session, ps):
    session.rollback()
    session.expire_all()
    rows = session.exec(
        select(SessionSignup.user_id, SessionSignup.status, SessionSignup.waitlist_position).where(
            SessionSignup.session_id == ps.id
        )
    ).all()
    return session.get(ProgrammeSession, ps.id).seats_taken, rows


@pytest.mark.both_databases
def test_fifty_people_at_once_for_the_last_seat_seat_exactly_one(app, session, backend):
    edition = make_edition(session)
    ps = make_session(session, edition, capacity=3)
    for _ in range(2):
        seat(session, ps, make_user(session, edition))
    people = [make_user(session, edition).id for _ in range(THREADS)]
    session.commit()

    results = run_together(app, people, lambda s, e, u: signups.sign_up(s, e, u, ps.id).status)

    seats_taken, rows = state(session, ps)
    outcomes = sorted(str(r) for r in results.values())
    assert outcomes == ["seated"] + ["waitlisted"] * (THREADS - 1)
    assert seats_taken == 3
    assert len([r for r in rows if r[1] == "seated"]) == 3
    positions = sorted(r[2] for r in rows if r[1] == "waitlisted")
    assert positions == list(range(1, THREADS))


@pytest.mark.both_databases
def test_same_person_signing_up_many_times_at_once_gets_one_sign_up(app, session, backend):
    edition = make_edition(session)
    ps = make_session(session, edition, capacity=5)
    user = make_user(session, edition)
    session.commit()
    barrier = threading.Barrier(10)
    outcomes = []

    def worker():
        engine = app.extensions["techfest_engine"]
        with (
            app.test_request_context(),
            writing(),
            Session(engine, expire_on_commit=False) as s,
        ):
            edition_ = s.get(Edition, edition.id)
            person = s.get(User, user.id)
            s.commit()
            barrier.wait()
            outcomes.append(signups.sign_up(s, edition_, person, ps.id).id)
            s.commit()

    threads = [threading.Thread(target=worker) for _ in range(10)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()

    seats_taken, rows = state(session, ps)
    assert rows == [(user.id, "seated", None)]
    assert seats_taken == 1
    assert len(outcomes) == 10
    assert len(set(outcomes)) == 1


@pytest.mark.both_databases
@pytest.mark.parametrize(("cancelling", "waiting"), [(THREADS, 20), (THREADS, THREADS + 10)])
def test_concurrent_cancellations_promote_exactly_as_many_as_freed(
    app, session, backend, cancelling, waiting
):
    edition = make_edition(session)
    capacity = cancelling + 5
    ps = make_session(session, edition, capacity=capacity)
    seated = [make_user(session, edition) for _ in range(capacity)]
    for user in seated:
        seat(session, ps, user)
    queue = [make_user(session, edition) for _ in range(waiting)]
    for position, user in enumerate(queue, start=1):
        seat(session, ps, user, status="waitlisted", position=position)
    session.commit()

    results = run_together(
        app,
        [u.id for u in seated[:cancelling]],
        lambda s, e, u: signups.cancel_signup(s, e, u, ps.id),
    )

    assert [r for r in results.values() if isinstance(r, Exception)] == []
    promoted = min(cancelling, waiting)
    seats_taken, rows = state(session, ps)
    by_user = {uid: (status, pos) for uid, status, pos in rows}
    assert seats_taken == capacity - cancelling + promoted
    assert [by_user[u.id][0] for u in queue[:promoted]] == ["seated"] * promoted
    assert [by_user[u.id][0] for u in queue[promoted:]] == ["waitlisted"] * (waiting - promoted)
    assert sum(1 for status, _pos in by_user.values() if status == "seated") == seats_taken
    assert len(session.exec(select(OutboxEmail)).all()) == promoted
