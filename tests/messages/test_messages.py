"""Messages between a startup and an investor, through the pages both sides and others use."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlmodel import func, select

from techfest.core.models import OutboxEmail
from techfest.db import now_utc
from techfest.matchmaking.models import InvestorProfile, MeetingRequest, StartupProfile
from techfest.messages.models import BODY_MAX, Message, MessageThread
from techfest.messages.services import RATE_LIMIT, RATE_WINDOW
from tests.factories import PASSWORD, make_edition, make_org, make_user
from tests.organiser.builders import fresh


@pytest.fixture
def pair(session):
    """A startup that asked an investor for a meeting; a rival startup; a stranger investor
    (no profile this year, so no pair with anyone); a delegate and an organiser."""
    edition = make_edition(session)
    startup = make_org(session, "startup", "Cảng Xanh")
    rival = make_org(session, "startup", "Nông Nghiệp Số")
    investor = make_org(session, "investor", "Quỹ Biển Lớn")
    stranger = make_org(session, "investor", "Quỹ Lạ")
    for org in (startup, rival):
        session.add(
            StartupProfile(
                edition_id=edition.id,
                organisation_id=org.id,
                pitch_en="container yard booking software",
                sectors=["logistics"],
                stage="seed",
            )
        )
    session.add(
        InvestorProfile(
            edition_id=edition.id,
            organisation_id=investor.id,
            thesis_en="seed rounds in port logistics",
            sectors=["logistics"],
            stages=["seed"],
        )
    )
    make_user(session, edition, "startup", email="an@cx.vn", organisation=startup)
    make_user(session, edition, "startup", email="binh@cx.vn", organisation=startup)
    make_user(session, edition, "startup", email="rival@nns.vn", organisation=rival)
    make_user(session, edition, "investor", email="le@bl.vn", organisation=investor)
    make_user(session, edition, "investor", email="x@la.vn", organisation=stranger)
    make_user(session, edition, "delegate", email="mai@example.vn")
    make_user(session, edition, "organiser", email="btc@techfest.vn")
    session.add(
        MeetingRequest(
            edition_id=edition.id,
            from_organisation_id=startup.id,
            to_organisation_id=investor.id,
            message="Xin gặp",
            expires_at=now_utc() + timedelta(days=3),
        )
    )
    session.commit()
    return {
        "edition": edition,
        "startup": startup,
        "rival": rival,
        "investor": investor,
        "stranger": stranger,
    }


def _with(org) -> str:
    return f"/2025/messages/with/{org.id}"


def _send(client, org, body: str):
    return client.post(_with(org), data={"body": body})


def _as(client, auth, email: str) -> None:
    auth.logout()
    client.delete_cookie("session")
    auth.login(email, PASSWORD)


def _count(session, model, *where) -> int:
    fresh(session)
    return session.exec(select(func.count()).select_from(model).where(*where)).one()


def _thread(session, pair) -> MessageThread:
    fresh(session)
    return session.exec(
        select(MessageThread).where(
            MessageThread.startup_organisation_id == pair["startup"].id,
            MessageThread.investor_organisation_id == pair["investor"].id,
        )
    ).one()


def test_two_sides_exchange_messages_and_see_unread_counts(client, auth, session, pair):
    auth.login("an@cx.vn", PASSWORD)
    sent = _send(client, pair["investor"], "Chào quỹ, hẹn gặp ở bàn T01 nhé.")
    assert sent.status_code == 302

    _as(client, auth, "le@bl.vn")
    inbox = client.get("/2025/messages/").get_data(as_text=True)
    assert "Cảng Xanh" in inbox
    assert 'rounded-pill" title="Unread messages: 1">1</span>' in inbox.replace(
        "Tin nhắn chưa đọc", "Unread messages"
    )
    page = client.get(_with(pair["startup"])).get_data(as_text=True)
    assert "Chào quỹ, hẹn gặp ở bàn T01 nhé." in page
    assert "rounded-pill" not in client.get("/2025/messages/").get_data(as_text=True)
    assert _send(client, pair["startup"], "Đồng ý.").status_code == 302

    # the startup's other member reads the same conversation: it is the organisation's
    _as(client, auth, "binh@cx.vn")
    page = client.get(_with(pair["investor"])).get_data(as_text=True)
    assert page.index("hẹn gặp ở bàn T01") < page.index("Đồng ý.")


def test_a_thread_is_seen_only_by_its_two_sides(client, auth, session, pair):
    auth.login("an@cx.vn", PASSWORD)
    _send(client, pair["investor"], "Bí mật kinh doanh")
    thread_id = _thread(session, pair).id

    # the rival startup reaches only its own conversation with the investor
    _as(client, auth, "rival@nns.vn")
    rival_page = client.get(_with(pair["investor"]))
    assert "Bí mật kinh doanh" not in rival_page.get_data(as_text=True)
    assert "Bí mật kinh doanh" not in client.get("/2025/messages/").get_data(as_text=True)
    # the stranger investor has no pair with the startup: no conversation to open or write
    _as(client, auth, "x@la.vn")
    assert client.get(_with(pair["startup"])).status_code == 404
    assert _send(client, pair["startup"], "Chào").status_code == 404
    # people without a startup or investor role are turned away
    for email in ("mai@example.vn", "btc@techfest.vn"):
        _as(client, auth, email)
        assert client.get(_with(pair["startup"])).status_code == 403
        assert client.get(_with(pair["investor"])).status_code == 403
    # organisers see nothing until someone reports the conversation
    assert client.get(f"/2025/messages/reported/{thread_id}").status_code == 404
    assert client.post(f"/2025/messages/reported/{thread_id}/close").status_code == 404
    assert "Cảng Xanh" not in client.get("/2025/messages/reported").get_data(as_text=True)
    assert _count(session, Message) == 1


def test_an_unconnected_pair_cannot_write(client, auth, session, pair):
    auth.login("an@cx.vn", PASSWORD)

    assert client.get(_with(pair["stranger"])).status_code == 404
    assert _send(client, pair["stranger"], "Chào").status_code == 404
    # a startup is not the other side of a startup
    assert client.get(_with(pair["rival"])).status_code == 404
    assert _count(session, Message) == 0


def test_html_in_a_message_is_shown_as_text(client, auth, session, pair):
    auth.login("an@cx.vn", PASSWORD)
    body = '<script>alert(1)</script><a href="javascript:alert(2)">xem</a> https://example.vn'
    _send(client, pair["investor"], body)

    _as(client, auth, "le@bl.vn")
    page = client.get(_with(pair["startup"])).get_data(as_text=True)
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in page
    assert "<script>alert(1)" not in page
    assert 'href="javascript:' not in page
    assert 'href="https://example.vn' not in page  # links stay text
    fresh(session)
    assert session.exec(select(Message.body)).one() == body


def test_too_long_or_control_characters_are_refused(client, auth, session, pair):
    auth.login("an@cx.vn", PASSWORD)

    too_long = _send(client, pair["investor"], "a" * (BODY_MAX + 1))
    control = _send(client, pair["investor"], "xin\x00chào")
    empty = _send(client, pair["investor"], "   ")

    assert [too_long.status_code, control.status_code, empty.status_code] == [200, 200, 200]
    assert "2000" in too_long.get_data(as_text=True)
    assert _count(session, Message) == 0
    assert _send(client, pair["investor"], "a" * BODY_MAX).status_code == 302
    assert _count(session, Message) == 1


def test_the_blocked_side_cannot_write_and_only_the_blocker_unblocks(client, auth, session, pair):
    auth.login("an@cx.vn", PASSWORD)
    _send(client, pair["investor"], "Lần một")
    _as(client, auth, "le@bl.vn")
    assert client.post(f"{_with(pair['startup'])}/block").status_code == 302

    _as(client, auth, "an@cx.vn")
    refused = _send(client, pair["investor"], "Lần hai")
    assert refused.status_code == 200
    assert _count(session, Message) == 1
    client.post(f"{_with(pair['investor'])}/unblock")
    assert _thread(session, pair).blocked_by_organisation_id == pair["investor"].id
    # the blocker does not write into a conversation it blocked either
    _as(client, auth, "le@bl.vn")
    assert _send(client, pair["startup"], "Một chiều").status_code == 200
    assert _count(session, Message) == 1

    client.post(f"{_with(pair['startup'])}/unblock")
    _as(client, auth, "an@cx.vn")
    assert _send(client, pair["investor"], "Lần ba").status_code == 302
    assert _count(session, Message) == 2


def test_a_sender_is_held_to_the_rate_limit(client, auth, session, pair):
    auth.login("an@cx.vn", PASSWORD)
    for n in range(RATE_LIMIT):
        assert _send(client, pair["investor"], f"Tin {n}").status_code == 302

    refused = _send(client, pair["investor"], "Một tin quá nhiều")

    assert refused.status_code == 200
    assert _count(session, Message) == RATE_LIMIT
    # the colleague's messages are counted on their own
    _as(client, auth, "binh@cx.vn")
    assert _send(client, pair["investor"], "Tin của Bình").status_code == 302
    # once the window has passed, the first sender writes again
    fresh(session)
    for message in session.exec(select(Message)):
        message.created_at = message.created_at - RATE_WINDOW - timedelta(seconds=1)
        session.add(message)
    session.commit()
    _as(client, auth, "an@cx.vn")
    assert _send(client, pair["investor"], "Lại được viết").status_code == 302
    assert _count(session, Message) == RATE_LIMIT + 2


def test_only_the_first_unread_message_is_mailed(client, auth, session, pair):
    def notices() -> int:
        return _count(
            session,
            OutboxEmail,
            OutboxEmail.to_email == "le@bl.vn",
            OutboxEmail.subject.contains("Cảng Xanh"),
        )

    auth.login("an@cx.vn", PASSWORD)
    for n in range(3):
        _send(client, pair["investor"], f"Tin {n}")
    assert notices() == 1
    # the sending side is never mailed its own messages
    assert _count(session, OutboxEmail, OutboxEmail.to_email == "binh@cx.vn") == 0

    _as(client, auth, "le@bl.vn")
    client.get(_with(pair["startup"]))
    _as(client, auth, "an@cx.vn")
    _send(client, pair["investor"], "Sau khi đọc")
    _send(client, pair["investor"], "Thêm nữa")

    assert notices() == 2
    fresh(session)
    mail = session.exec(select(OutboxEmail).where(OutboxEmail.to_email == "le@bl.vn")).first()
    assert f"/2025/messages/with/{pair['startup'].id}" in mail.body
    assert "Tin 0" not in mail.body  # the notice carries no text the sender wrote


def test_a_reported_thread_reaches_the_organisers_who_close_it(client, auth, session, pair):
    auth.login("an@cx.vn", PASSWORD)
    _send(client, pair["investor"], "Chào quỹ")
    _as(client, auth, "le@bl.vn")
    _send(client, pair["startup"], "Gửi số liệu ngay, không thì hủy")
    assert client.post(f"{_with(pair['startup'])}/report", data={"reason": ""}).status_code == 302
    assert _thread(session, pair).reported_at is None
    client.post(f"{_with(pair['startup'])}/report", data={"reason": "Lời lẽ đe dọa"})
    thread_id = _thread(session, pair).id

    _as(client, auth, "btc@techfest.vn")
    listing = client.get("/2025/messages/reported").get_data(as_text=True)
    assert "Lời lẽ đe dọa" in listing
    page = client.get(f"/2025/messages/reported/{thread_id}").get_data(as_text=True)
    assert "Gửi số liệu ngay, không thì hủy" in page
    assert client.post(f"/2025/messages/reported/{thread_id}/close").status_code == 302

    _as(client, auth, "an@cx.vn")
    assert _send(client, pair["investor"], "Còn đó không?").status_code == 200
    assert _count(session, Message) == 2
    assert "Chào quỹ" in client.get(_with(pair["investor"])).get_data(as_text=True)


def test_a_person_who_erases_their_account_leaves_no_message_text(client, auth, session, pair):
    auth.login("an@cx.vn", PASSWORD)
    _send(client, pair["investor"], "Số điện thoại riêng của tôi")
    _as(client, auth, "le@bl.vn")
    _send(client, pair["startup"], "Cảm ơn")
    _as(client, auth, "an@cx.vn")

    erased = client.post("/privacy/erase", data={"password": PASSWORD, "confirm": "y"})

    assert erased.status_code == 302
    fresh(session)
    bodies = session.exec(select(Message.body).order_by(Message.id)).all()
    assert bodies == ["", "Cảm ơn"]
