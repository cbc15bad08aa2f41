"""A randomised crowd books, cancels and gets promoted at once; every capacity still holds.

Fifty threads, each with its own database session, are released together and then, until
the time is up, pick a person and an action at random: sign up for a session or cancel
it (cancelling a seat promotes the first person waiting), register or cancel a ticket
(same), request a booth or withdraw the request. People are drawn from a small pool, so
the same person often acts in two threads at once. At the end no capacity is exceeded,
the counters equal the rows, no one waits while a place is free, and no one holds two
overlapping sessions, two registrations or a second booth.

TECHFEST_RACE_SECONDS sets how long the crowd runs (default 6 s per database; use e.g.
300 for a several-minute soak).
"""

from __future__ import annotations

import os
import random
import threading
import time
from collections import Counter

import pytest
from sqlalchemy.exc import IntegrityError
from sqlmodel import Session, select

from techfest.auth.models import User
from techfest.booths import booking as booth_booking
from techfest.booths import errors as booth_errors
from techfest.booths.models import BoothBooking
from techfest.core.models import Edition
from techfest.db import writing
from techfest.programme import errors as programme_errors
from techfest.programme import signups as programme
from techfest.registration import booking, errors
from techfest.registration.booking import BadgeDetails
from tests.races.conftest import broken_rules, build_crowd

SECONDS = float(os.environ.get("TECHFEST_RACE_SECONDS", "6"))
THREADS = 50
#: answers a person may get in a crowd: full, clash, not signed up, taken, limit...
REFUSALS = (
    programme_errors.SignupClash,
    programme_errors.NotFound,
    errors.RegistrationError,
    booth_errors.BoothError,
)


def details_for(user: User) -> BadgeDetails:
    return BadgeDetails(
        full_name=user.full_name,
        organisation_name="",
        job_title="",
        phone="",
        email=user.email,
        language="vi",
    )


def act(app, crowd, rng: random.Random) -> str:
    engine = app.extensions["techfest_engine"]
    choice = rng.random()
    with app.test_request_context(), writing(), Session(engine, expire_on_commit=False) as s:
        edition = s.get(Edition, crowd.edition_id)
        try:
            if choice < 0.5:
                user = s.get(User, rng.choice(crowd.delegates))
                session_id = rng.choice(crowd.sessions)
                if rng.random() < 0.6:
                    programme.sign_up(s, edition, user, session_id)
                    name = "session sign-up"
                else:
                    programme.cancel_signup(s, edition, user, session_id)
                    name = "session cancel"
            elif choice < 0.8:
                user = s.get(User, rng.choice(crowd.delegates))
                if rng.random() < 0.6:
                    booking.register_delegate(
                        s,
                        edition,
                        user,
                        rng.choice(crowd.tickets),
                        details_for(user),
                        consented=True,
                    )
                    name = "registration"
                else:
                    booking.cancel_registration(s, edition.id, user.id)
                    name = "registration cancel"
            else:
                user = s.get(User, rng.choice(crowd.startup_members))
                if rng.random() < 0.6:
                    booth_booking.request_booth(s, edition, rng.choice(crowd.booths), user)
                    name = "booth request"
                else:
                    mine = s.exec(
                        select(BoothBooking.id).where(
                            BoothBooking.organisation_id == user.organisation_id,
                            BoothBooking.status == "pending",
                        )
                    ).first()
                    if mine is None:
                        return "nothing to withdraw"
                    booth_booking.withdraw_booking(s, edition, mine, user)
                    name = "booth withdraw"
            s.commit()
            return name
        except REFUSALS:
            s.rollback()
            return "refused"


def run_crowd(app, crowd, seconds: float, seed: int) -> tuple[Counter, list[str]]:
    barrier = threading.Barrier(THREADS)
    done: Counter = Counter()
    failures: list[str] = []
    lock = threading.Lock()

    def worker(n: int) -> None:
        rng = random.Random(seed * 100 + n)
        barrier.wait()
        deadline = time.monotonic() + seconds
        while time.monotonic() < deadline:
            try:
                outcome = act(app, crowd, rng)
            except IntegrityError as exc:  # the database refused what the code let through
                outcome = "constraint"
                with lock:
                    failures.append(f"IntegrityError: {str(exc.orig).splitlines()[0]}")
            except Exception as exc:  # anything else is a failure of the booking code
                outcome = "error"
                with lock:
                    failures.append(f"{type(exc).__name__}: {exc}".splitlines()[0])
            with lock:
                done[outcome] += 1
            # a person's next click comes a moment later; without any pause the threads
            # beyond the connection pool's size starve (a harness artefact, not a race)
            time.sleep(rng.uniform(0, 0.02))

    threads = [threading.Thread(target=worker, args=(n,)) for n in range(THREADS)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    return done, failures


@pytest.mark.both_databases
def test_random_crowd_of_bookings_and_cancellations_keeps_every_capacity(app, session):
    crowd = build_crowd(session)
    done, failures = run_crowd(app, crowd, SECONDS, seed=int(time.time()))
    print(dict(done))
    assert failures == []
    assert broken_rules(app.extensions["techfest_engine"]) == {}
    assert done["session sign-up"] > 0
    assert done["registration"] > 0
    assert done["booth request"] > 0
