"""Five identical submissions within 100 ms: one record, one email.

A double click, an impatient user or a flaky connection sends the same form several times
at once. Each test logs one person in, then five threads, released together by a barrier,
post the same form with that person's cookie through the real HTTP door.
"""

from __future__ import annotations

import threading
import time

import pytest
from sqlmodel import func, select

from techfest.booths.models import BoothBooking
from techfest.core.models import OutboxEmail
from techfest.programme.models import SessionSignup
from techfest.registration.models import Registration
from tests.factories import PASSWORD
from tests.races.conftest import build_crowd

COPIES = 5


def send_together(app, email: str, path: str, data: dict) -> tuple[list[int], float]:
    """Log in once, then post `data` to `path` from COPIES threads at the same moment."""
    first = app.test_client()
    assert first.post("/auth/login", data={"email": email, "password": PASSWORD}).status_code == 302
    cookie = first.get_cookie("session").value
    barrier = threading.Barrier(COPIES)
    codes: list[int] = []
    started: list[float] = []
    lock = threading.Lock()

    def submit() -> None:
        client = app.test_client()
        client.set_cookie("session", cookie)
        barrier.wait()
        with lock:
            started.append(time.monotonic())
        response = client.post(path, data=data)
        with lock:
            codes.append(response.status_code)

    threads = [threading.Thread(target=submit) for _ in range(COPIES)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    return sorted(codes), max(started) - min(started)


def count(session, model, *where) -> int:
    session.rollback()  # end the read snapshot: see what the requests committed
    return session.exec(select(func.count()).select_from(model).where(*where)).one()


@pytest.mark.both_databases
def test_five_identical_registrations_make_one_registration_and_one_email(app, session):
    crowd = build_crowd(session, delegates=1, startups=0)
    from techfest.auth.models import User

    user = session.get(User, crowd.delegates[0])
    form = {
        "ticket_type": str(crowd.tickets[0]),
        "full_name": "Nguyễn Văn Bình",
        "organisation_name": "Cảng Hải Phòng",
        "job_title": "Kỹ sư",
        "phone": "+84 912 345 678",
        "email": "binh@cang.vn",
        "language": "vi",
        "consent": "y",
    }
    codes, spread = send_together(app, user.email, "/2025/registration/register", form)
    assert codes == [302] * COPIES
    assert spread < 0.1
    assert count(session, Registration, Registration.user_id == user.id) == 1
    # mail about a registration goes to the account's own address, not the one typed
    assert count(session, OutboxEmail, OutboxEmail.to_email == user.email) == 1
    assert count(session, OutboxEmail, OutboxEmail.to_email == "binh@cang.vn") == 0


@pytest.mark.both_databases
def test_five_identical_session_sign_ups_make_one_seat(app, session):
    crowd = build_crowd(session, delegates=1, startups=0)
    from techfest.auth.models import User

    user = session.get(User, crowd.delegates[0])
    path = f"/2025/programme/sessions/{crowd.sessions[0]}/signup"
    codes, spread = send_together(app, user.email, path, {})
    assert codes == [302] * COPIES
    assert spread < 0.1
    assert count(session, SessionSignup, SessionSignup.user_id == user.id) == 1


@pytest.mark.both_databases
def test_five_identical_booth_requests_make_one_booking(app, session):
    crowd = build_crowd(session, delegates=0, startups=1)
    from techfest.auth.models import User

    user = session.get(User, crowd.startup_members[0])
    codes, spread = send_together(app, user.email, f"/2025/booths/{crowd.booths[0]}/request", {})
    assert codes == [302] * COPIES
    assert spread < 0.1
    assert count(session, BoothBooking, BoothBooking.organisation_id == user.organisation_id) == 1
