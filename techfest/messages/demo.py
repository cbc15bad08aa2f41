"""Demo messages for 2025: the demo startup and the demo investor each have a conversation.

The demo startup talks with an investor it has a request with, and has an answer it has
not read yet (the inbox shows it as unread). The demo investor reported a startup that
pressed it, so the organisers' moderation page has one conversation to show.
"""

from __future__ import annotations

from datetime import timedelta

from sqlmodel import Session, select

from techfest.auth.models import User
from techfest.core.models import Edition
from techfest.db import now_utc
from techfest.matchmaking.requests import requests_of
from techfest.messages.models import Message, MessageThread

STARTUP_TALK = (
    (
        "startup",
        "Chào anh chị, cảm ơn quỹ đã quan tâm. Bên em gửi trước bản tóm tắt số liệu vận "
        "hành tại cảng Đình Vũ nhé.",
    ),
    (
        "investor",
        "Cảm ơn bạn. Chúng tôi sẽ đọc trước buổi gặp. Bạn mang theo bản demo trên điện "
        "thoại được không?",
    ),
)
REPORTED_TALK = (
    ("startup", "Anh chị xem giúp hồ sơ của bên em, hôm nay bên em cần câu trả lời."),
    ("startup", "Nếu quỹ không trả lời trong hôm nay, bên em sẽ đăng công khai chuyện này."),
    ("investor", "Chúng tôi sẽ trả lời sau buổi gặp, như mọi startup khác."),
)


def _org_of(session: Session, email: str) -> int | None:
    user = session.exec(select(User).where(User.email == email)).first()
    return user.organisation_id if user else None


def _partner(session: Session, edition: Edition, org_id: int, skip: set[int]) -> int | None:
    """The first organisation with an open request to or from `org_id`."""
    for req in requests_of(session, edition, org_id):
        other = (
            req.to_organisation_id
            if req.from_organisation_id == org_id
            else req.from_organisation_id
        )
        if req.status in ("pending", "accepted") and other not in skip:
            return other
    return None


def _member(session: Session, org_id: int) -> int | None:
    return session.exec(
        select(User.id).where(User.organisation_id == org_id).order_by(User.id)
    ).first()


def _conversation(session, edition, startup_id, investor_id, lines, start, reported_by=None):
    last = start + timedelta(minutes=10 * (len(lines) - 1))
    thread = MessageThread(
        edition_id=edition.id,
        startup_organisation_id=startup_id,
        investor_organisation_id=investor_id,
        created_at=start,
        last_message_at=last,
        # the startup read only the first message; the investor read everything
        startup_read_at=start + timedelta(minutes=1),
        investor_read_at=last + timedelta(minutes=1),
    )
    if reported_by is not None:
        thread.reported_at = last + timedelta(minutes=2)
        thread.reported_by_organisation_id = reported_by
        thread.report_reason = "Startup gây áp lực và dọa đăng công khai nếu quỹ không trả lời."
    session.add(thread)
    session.flush()
    sides = {"startup": startup_id, "investor": investor_id}
    for k, (side, body) in enumerate(lines):
        session.add(
            Message(
                thread_id=thread.id,
                sender_organisation_id=sides[side],
                sender_user_id=_member(session, sides[side]),
                body=body,
                created_at=start + timedelta(minutes=10 * k),
            )
        )
    session.flush()


def load_demo(session: Session, edition: Edition) -> None:
    if edition.year != 2025:
        return
    if session.exec(select(MessageThread.id).where(MessageThread.edition_id == edition.id)).first():
        return  # already loaded
    demo_s = _org_of(session, "startup@techfest.vn")
    demo_i = _org_of(session, "investor@techfest.vn")
    now = now_utc()
    if demo_s is not None:
        investor = _partner(session, edition, demo_s, {demo_i})
        if investor is not None:
            _conversation(
                session, edition, demo_s, investor, STARTUP_TALK, now - timedelta(hours=5)
            )
    if demo_i is not None:
        startup = _partner(session, edition, demo_i, {demo_s})
        if startup is not None:
            _conversation(
                session,
                edition,
                startup,
                demo_i,
                REPORTED_TALK,
                now - timedelta(hours=3),
                reported_by=demo_i,
            )
