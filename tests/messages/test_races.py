"""Messages written and read at the same moment: one thread per pair, the rate limit holds,
and opening a thread (which marks it read) while the other side writes fails nobody."""

from __future__ import annotations

import threading
from datetime import timedelta

import pytest
from sqlmodel import func, select

from techfest.auth.models import User
from techfest.db import now_utc
from techfest.messages.models import Message, MessageThread
from techfest.messages.services import RATE_LIMIT
from tests.factories import PASSWORD
from tests.messages.test_messages import pair  # noqa: F401 - the fixture
from tests.organiser.builders import fresh


def _at_once(app, jobs) -> list[int]:
    """Run (email, method, path, data) requests together; their status codes."""
    barrier = threading.Barrier(len(jobs))
    codes: list[int] = []
    lock = threading.Lock()

    def run(email, method, path, data):
        client = app.test_client()
        client.post("/auth/login", data={"email": email, "password": PASSWORD})
        barrier.wait()
        response = client.open(path, method=method, data=data)
        with lock:
            codes.append(response.status_code)

    threads = [threading.Thread(target=run, args=job) for job in jobs]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    return codes


def _count(session, model) -> int:
    fresh(session)
    return session.exec(select(func.count()).select_from(model)).one()


@pytest.mark.both_databases
def test_both_sides_writing_first_at_once_make_one_thread(app, session, pair, backend):  # noqa: F811
    startup, investor = pair["startup"].id, pair["investor"].id
    jobs = [("an@cx.vn", "POST", f"/2025/messages/with/{investor}", {"body": "Chào"})] * 3
    jobs += [("le@bl.vn", "POST", f"/2025/messages/with/{startup}", {"body": "Xin chào"})] * 3

    codes = _at_once(app, jobs)

    assert codes == [302] * 6
    assert _count(session, MessageThread) == 1
    assert _count(session, Message) == 6


@pytest.mark.both_databases
def test_the_rate_limit_holds_when_messages_arrive_at_once(app, session, pair, backend):  # noqa: F811
    investor = pair["investor"].id
    session.add(
        MessageThread(
            edition_id=pair["edition"].id,
            startup_organisation_id=pair["startup"].id,
            investor_organisation_id=investor,
        )
    )
    session.flush()
    thread = session.exec(select(MessageThread)).one()
    an = session.exec(select(User).where(User.email == "an@cx.vn")).one()
    for n in range(RATE_LIMIT - 2):
        session.add(
            Message(
                thread_id=thread.id,
                sender_organisation_id=pair["startup"].id,
                sender_user_id=an.id,
                body=f"Tin {n}",
                created_at=now_utc() - timedelta(minutes=1),
            )
        )
    session.commit()

    codes = _at_once(
        app, [("an@cx.vn", "POST", f"/2025/messages/with/{investor}", {"body": "Nữa"})] * 6
    )

    assert sorted(codes) == [200] * 4 + [302] * 2  # two sent, four refused on the page
    assert _count(session, Message) == RATE_LIMIT


@pytest.mark.both_databases
def test_opening_a_thread_while_the_other_side_writes_fails_nobody(app, session, pair, backend):  # noqa: F811
    startup, investor = pair["startup"].id, pair["investor"].id
    jobs = [("an@cx.vn", "POST", f"/2025/messages/with/{investor}", {"body": "Chào"})] * 3
    jobs += [("le@bl.vn", "GET", f"/2025/messages/with/{startup}", None)] * 3
    _at_once(app, jobs[:1])  # the thread exists, so each GET marks it read

    codes = _at_once(app, jobs)

    assert sorted(codes) == [200] * 3 + [302] * 3
    assert _count(session, Message) == 4
