"""A booking asks the startup first: the place is held, then accepted, declined, withdrawn
or expired; only the side asked may answer, and every step is mailed to both sides."""

from __future__ import annotations

import threading
from datetime import timedelta

import pytest
from sqlmodel import Session, select

from techfest.core.models import Edition, OutboxEmail
from techfest.db import now_utc, writing
from techfest.matchmaking import bookings, errors, participants
from techfest.matchmaking.models import Meeting, MeetingRequest, MeetingSlot
from tests.factories import make_user
from tests.matchmaking.conftest import build_world, url


def _publish(session, world, **settings):
    world.edition.meetings_published_at = now_utc()
    for key, value in settings.items():
        setattr(world.edition, key, value)
    session.add(world.edition)
    session.commit()


def _fresh(session):
    session.rollback()
    session.expire_all()


def _meetings(session):
    _fresh(session)
    return session.exec(select(Meeting).order_by(Meeting.id)).all()


def _requests(session):
    _fresh(session)
    return session.exec(select(MeetingRequest).order_by(MeetingRequest.id)).all()


def _mails(session, user):
    _fresh(session)
    return session.exec(
        select(OutboxEmail).where(OutboxEmail.to_email == user.email).order_by(OutboxEmail.id)
    ).all()


def _book(client, auth, world, investor=None, startup=None, slot=1, message="Xin gặp"):
    investor = investor or world.investors[0]
    startup = startup or world.startups[0]
    auth.login(world.users[investor.id].email)
    response = client.post(
        url(world, f"/book/{startup.id}"),
        data={"slot_id": world.slots[slot].id, "message": message},
    )
    auth.logout()
    return response


def _answer(client, auth, world, org, answer, request_id, **data):
    auth.login(world.users[org.id].email)
    response = client.post(
        url(world, f"/requests/{request_id}/{answer}"), data=data, follow_redirects=True
    )
    auth.logout()
    return response


def test_a_booking_holds_the_place_and_asks_the_startup(client, auth, session, world):
    _publish(session, world)
    startup, investor = world.startups[0], world.investors[0]

    response = _book(client, auth, world)

    assert response.status_code == 302
    assert response.headers["Location"].endswith("/matchmaking/requests")
    [hold] = _meetings(session)
    [req] = _requests(session)
    assert (hold.status, hold.source, hold.slot_id) == ("requested", "request", world.slots[1].id)
    assert (req.status, req.from_organisation_id, req.to_organisation_id) == (
        "pending",
        investor.id,
        startup.id,
    )
    assert (req.slot_id, req.meeting_id, req.message) == (world.slots[1].id, hold.id, "Xin gặp")
    # held no later than its slot, and no longer than the edition's answer time
    assert req.expires_at <= world.slots[1].starts_at
    [to_startup] = _mails(session, world.users[startup.id])
    [to_investor] = _mails(session, world.users[investor.id])
    assert to_startup.subject == f"Lời mời gặp từ {investor.name}"
    assert "Giờ Việt Nam" in to_startup.body
    assert "UTC" not in to_startup.body
    local = world.slots[1].starts_at.astimezone(__import__("zoneinfo").ZoneInfo("Asia/Ho_Chi_Minh"))
    assert local.strftime("%H:%M, ") in to_startup.body
    assert local.strftime("%d/%m/%Y") in to_startup.body
    assert "Xin gặp" in to_startup.body
    assert startup.name in to_investor.subject


def test_a_pending_booking_keeps_the_slot_from_other_investors(client, auth, session, world):
    _publish(session, world)
    _book(client, auth, world)
    rival = world.investors[1]
    auth.login(world.users[rival.id].email)

    form = client.get(url(world, f"/book/{world.startups[0].id}")).get_data(as_text=True)
    client.post(url(world, f"/book/{world.startups[0].id}"), data={"slot_id": world.slots[1].id})

    assert f'value="{world.slots[1].id}"' not in form
    assert len(_meetings(session)) == 1


def test_the_startup_sees_the_request_with_accept_and_decline(client, auth, session, world):
    _publish(session, world)
    _book(client, auth, world)
    auth.login(world.users[world.startups[0].id].email)

    page = client.get(url(world, "/requests")).get_data(as_text=True)
    english = client.get(url(world, "/requests?lang=en")).get_data(as_text=True)

    [req] = _requests(session)
    assert f"/requests/{req.id}/accept" in page
    assert f"/requests/{req.id}/decline" in page
    assert 'name="reason"' in page
    assert "Đang chờ trả lời" in page
    assert "Bàn" in page
    assert "Waiting for an answer" in english
    assert "Decline the request" in english


def test_accepting_confirms_the_meeting_and_tells_both_sides(client, auth, session, world):
    _publish(session, world)
    startup, investor = world.startups[0], world.investors[0]
    _book(client, auth, world)
    [req] = _requests(session)

    _answer(client, auth, world, startup, "accept", req.id)

    [m] = _meetings(session)
    assert (m.status, m.source) == ("published", "request")
    assert _requests(session)[0].status == "accepted"
    assert [x.subject for x in _mails(session, world.users[investor.id])][-1] == (
        f"{startup.name} đã nhận lời gặp bạn"
    )
    last = _mails(session, world.users[startup.id])[-1]
    assert last.subject == f"Cuộc gặp với {investor.name}"
    assert "Giờ Việt Nam" in last.body
    assert "T01" in last.body


def test_declining_frees_the_place_and_passes_the_reason_on(client, auth, session, world):
    _publish(session, world)
    startup, investor = world.startups[0], world.investors[0]
    _book(client, auth, world)
    [req] = _requests(session)

    _answer(client, auth, world, startup, "decline", req.id, reason="Lịch kín cả ngày")

    assert _meetings(session) == []
    done = _requests(session)[0]
    assert (done.status, done.decline_reason, done.meeting_id) == (
        "declined",
        "Lịch kín cả ngày",
        None,
    )
    last = _mails(session, world.users[investor.id])[-1]
    assert "Lịch kín cả ngày" in last.body
    # the place is free again for anyone
    _book(client, auth, world, investor=world.investors[1])
    assert [m.status for m in _meetings(session)] == ["requested"]


def test_accepting_twice_counts_once(client, auth, session, world):
    _publish(session, world)
    startup = world.startups[0]
    _book(client, auth, world)
    [req] = _requests(session)

    _answer(client, auth, world, startup, "accept", req.id)
    again = _answer(client, auth, world, startup, "accept", req.id)

    assert "đã được trả lời" in again.get_data(as_text=True)
    assert [m.status for m in _meetings(session)] == ["published"]


def test_declined_request_cannot_be_accepted_afterwards(client, auth, session, world):
    _publish(session, world)
    startup = world.startups[0]
    _book(client, auth, world)
    [req] = _requests(session)

    _answer(client, auth, world, startup, "decline", req.id)
    late = _answer(client, auth, world, startup, "accept", req.id)

    assert "đã được trả lời" in late.get_data(as_text=True)
    assert _meetings(session) == []
    assert _requests(session)[0].status == "declined"


def test_accepting_after_expiry_is_refused_and_frees_the_place(client, auth, session, world):
    _publish(session, world)
    startup, investor = world.startups[0], world.investors[0]
    _book(client, auth, world)
    req = _requests(session)[0]
    req.expires_at = now_utc() - timedelta(minutes=1)
    session.add(req)
    session.commit()

    late = _answer(client, auth, world, startup, "accept", req.id)

    assert "đã hết hạn" in late.get_data(as_text=True)
    assert _meetings(session) == []
    assert _requests(session)[0].status == "expired"
    for org in (startup, investor):
        assert _mails(session, world.users[org.id])[-1].subject.startswith("Lời mời gặp đã hết hạn")


@pytest.mark.parametrize("who", ["requester", "other_startup", "other_investor", "organiser"])
def test_only_the_side_asked_may_answer(client, auth, session, world, who):
    _publish(session, world)
    _book(client, auth, world)
    [req] = _requests(session)
    login = {
        "requester": world.users[world.investors[0].id],
        "other_startup": world.users[world.startups[1].id],
        "other_investor": world.users[world.investors[1].id],
        "organiser": world.organiser,
    }[who]
    auth.login(login.email)

    accepted = client.post(url(world, f"/requests/{req.id}/accept"))
    declined = client.post(url(world, f"/requests/{req.id}/decline"))

    want = 403 if who == "organiser" else 404
    assert (accepted.status_code, declined.status_code) == (want, want)
    assert [r.status for r in _requests(session)] == ["pending"]
    assert [m.status for m in _meetings(session)] == ["requested"]


def test_a_second_member_of_the_startup_may_answer(client, auth, session, world):
    _publish(session, world)
    startup = world.startups[0]
    colleague = make_user(session, world.edition, "startup", organisation=startup)
    session.commit()
    _book(client, auth, world)
    [req] = _requests(session)
    auth.login(colleague.email)

    client.post(url(world, f"/requests/{req.id}/accept"))

    assert [m.status for m in _meetings(session)] == ["published"]


def test_the_requester_withdraws_and_the_startup_cannot(client, auth, session, world):
    _publish(session, world)
    startup, investor = world.startups[0], world.investors[0]
    _book(client, auth, world)
    [req] = _requests(session)
    auth.login(world.users[startup.id].email)
    refused = client.post(url(world, f"/requests/{req.id}/cancel"))
    auth.logout()

    _answer(client, auth, world, investor, "cancel", req.id)

    assert refused.status_code == 404
    assert _meetings(session) == []
    assert _requests(session)[0].status == "cancelled"
    assert "rút" in _mails(session, world.users[startup.id])[-1].subject


def test_the_expiry_command_releases_lapsed_holds_and_tells_both_sides(app, session, world):
    _publish(session, world)
    startup, investor = world.startups[0], world.investors[0]
    with app.test_request_context():
        me = participants.participant_for(session, world.edition, world.users[investor.id])
        bookings.book_meeting(
            session, world.edition, me, world.users[investor.id], startup.id, world.slots[2].id
        )
        session.commit()
    req = _requests(session)[0]
    req.expires_at = now_utc() - timedelta(seconds=1)
    session.add(req)
    session.commit()

    result = app.test_cli_runner().invoke(args=["expire-meeting-requests"])

    assert result.exit_code == 0, result.output
    assert "1 request(s) expired" in result.output
    assert _meetings(session) == []
    assert _requests(session)[0].status == "expired"
    assert len(_mails(session, world.users[startup.id])) == 2  # asked, then expired


def test_a_lapsed_hold_shows_its_slot_free_and_the_next_booking_takes_it(
    client, auth, session, world
):
    _publish(session, world)
    _book(client, auth, world)
    req = _requests(session)[0]
    req.expires_at = now_utc() - timedelta(seconds=1)
    session.add(req)
    session.commit()
    rival = world.investors[1]
    auth.login(world.users[rival.id].email)

    form = client.get(url(world, f"/book/{world.startups[0].id}")).get_data(as_text=True)
    client.post(url(world, f"/book/{world.startups[0].id}"), data={"slot_id": world.slots[1].id})

    assert f'value="{world.slots[1].id}"' in form
    holds = _meetings(session)
    assert [(m.investor_organisation_id, m.status) for m in holds] == [(rival.id, "requested")]
    assert [r.status for r in _requests(session)] == ["expired", "pending"]


def test_auto_accept_confirms_a_booking_without_asking(client, auth, session, world):
    _publish(session, world, meeting_auto_accept=True)

    response = _book(client, auth, world)

    assert response.headers["Location"].endswith("/matchmaking/meetings")
    assert [(m.status, m.source) for m in _meetings(session)] == [("published", "booking")]
    assert _requests(session) == []


def test_the_organiser_sets_auto_accept_in_the_edition_settings(client, auth, session, world):
    auth.login(world.organiser.email)
    page = client.get(f"/{world.edition.year}/settings").get_data(as_text=True)
    e = world.edition
    data = {
        "year": e.year,
        "name_vi": e.name_vi,
        "name_en": e.name_en,
        "starts_on": e.starts_on.isoformat(),
        "ends_on": e.ends_on.isoformat(),
        "booth_hold_hours": 48,
        "max_booths_per_organisation": 1,
        "request_expiry_hours": 24,
        "retention_days": 365,
        "meeting_auto_accept": "y",
    }

    client.post(f"/{world.edition.year}/settings", data=data)

    assert 'name="meeting_auto_accept"' in page
    _fresh(session)
    saved = session.get(Edition, world.edition.id)
    assert (saved.meeting_auto_accept, saved.request_expiry_hours) == (True, 24)


def _race(app, edition_id, attempts):
    """Run (investor_user_id, startup_id, slot_id) booking requests released together."""
    barrier = threading.Barrier(len(attempts))
    results = []
    engine = app.extensions["techfest_engine"]

    def attempt(user_id, startup_id, slot_id):
        from techfest.auth.models import User

        with app.test_request_context(), writing(), Session(engine, expire_on_commit=False) as s:
            edition = s.get(Edition, edition_id)
            user = s.get(User, user_id)
            me = participants.participant_for(s, edition, user)
            s.commit()
            barrier.wait()
            try:
                bookings.book_meeting(s, edition, me, user, startup_id, slot_id)
                s.commit()
                results.append("ok")
            except errors.MatchmakingError:
                s.rollback()
                results.append("refused")

    threads = [threading.Thread(target=attempt, args=a) for a in attempts]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    return results


@pytest.mark.both_databases
def test_two_investors_requesting_one_startup_slot_make_one_pending_hold(app, session, backend):
    world = build_world(session, n_slots=1, n_tables=4, startups=1, investors=2)
    _publish(session, world)
    startup = world.startups[0]
    attempts = [(world.users[i.id].id, startup.id, world.slots[0].id) for i in world.investors]

    results = _race(app, world.edition.id, attempts)

    assert sorted(results) == ["ok", "refused"]
    assert [m.status for m in _meetings(session)] == ["requested"]
    pending = [r for r in _requests(session) if r.status == "pending"]
    assert len(pending) == 1
    assert pending[0].meeting_id == _meetings(session)[0].id


def test_a_pending_booking_cannot_be_rated_or_marked(client, auth, session):
    world = build_world(session, future=False)
    _publish(session, world)
    startup, investor = world.startups[0], world.investors[0]
    hold = Meeting(
        edition_id=world.edition.id,
        startup_organisation_id=startup.id,
        investor_organisation_id=investor.id,
        slot_id=world.slots[0].id,
        table_id=world.tables[0].id,
        status="requested",
        source="request",
    )
    session.add(hold)
    session.commit()
    auth.login(world.users[startup.id].email)

    page = client.get(url(world, "/meetings")).get_data(as_text=True)
    rated = client.post(url(world, f"/meetings/{hold.id}/feedback"), data={"rating": "useful"})
    client.post(url(world, f"/meetings/{hold.id}/held"))

    assert "Đánh giá cuộc gặp này" not in page
    assert "chỗ được giữ cho đến khi có trả lời" in page
    assert rated.status_code == 404
    assert [m.status for m in _meetings(session)] == ["requested"]


@pytest.mark.both_databases
def test_accept_decline_and_withdraw_at_once_leave_one_answer(app, session, backend):
    world = build_world(session, n_slots=1, n_tables=1, startups=1, investors=1)
    _publish(session, world)
    startup, investor = world.startups[0], world.investors[0]
    colleague = make_user(session, world.edition, "startup", organisation=startup)
    session.commit()
    with app.test_request_context():
        me = participants.participant_for(session, world.edition, world.users[investor.id])
        bookings.book_meeting(
            session, world.edition, me, world.users[investor.id], startup.id, world.slots[0].id
        )
        session.commit()
    req_id = _requests(session)[0].id
    engine = app.extensions["techfest_engine"]
    moves = [
        (world.users[startup.id].id, "accept"),
        (colleague.id, "decline"),
        (world.users[investor.id].id, "cancel"),
    ]
    barrier = threading.Barrier(len(moves))
    results = []

    def attempt(user_id, move):
        from techfest.auth.models import User
        from techfest.matchmaking import requests

        with app.test_request_context(), writing(), Session(engine, expire_on_commit=False) as s:
            edition = s.get(Edition, world.edition.id)
            user = s.get(User, user_id)
            me = participants.participant_for(s, edition, user)
            s.commit()
            barrier.wait()
            try:
                if move == "cancel":
                    requests.cancel_request(s, edition, me, req_id)
                else:
                    requests.decide_request(s, edition, me, user, req_id, move == "accept")
                s.commit()
                results.append(move)
            except errors.MatchmakingError:
                s.rollback()

    threads = [threading.Thread(target=attempt, args=m) for m in moves]
    for t in threads:
        t.start()
    for t in threads:
        t.join()

    assert len(results) == 1
    final = _requests(session)[0].status
    held = [m.status for m in _meetings(session)]
    assert (final, held) == {
        "accept": ("accepted", ["published"]),
        "decline": ("declined", []),
        "cancel": ("cancelled", []),
    }[results[0]]


def test_a_slot_named_by_a_declined_booking_can_still_be_removed(client, auth, session, world):
    _publish(session, world)
    _book(client, auth, world, slot=3)
    [req] = _requests(session)
    _answer(client, auth, world, world.startups[0], "decline", req.id)
    auth.login(world.organiser.email)
    slot_id = world.slots[3].id

    response = client.post(url(world, f"/admin/slots/{slot_id}/delete"))

    assert response.status_code == 302
    _fresh(session)
    assert session.get(MeetingSlot, slot_id) is None
    assert (_requests(session)[0].status, _requests(session)[0].slot_id) == ("declined", None)


def test_a_slot_held_by_a_pending_booking_cannot_be_removed(client, auth, session, world):
    _publish(session, world)
    _book(client, auth, world, slot=3)
    auth.login(world.organiser.email)

    client.post(url(world, f"/admin/slots/{world.slots[3].id}/delete"))

    _fresh(session)
    assert session.get(MeetingSlot, world.slots[3].id) is not None
    assert [m.status for m in _meetings(session)] == ["requested"]
