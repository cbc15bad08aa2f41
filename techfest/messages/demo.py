"""Demo messages for 2025: the demo startup talks with two investors it has requests with.

One conversation has an answer the startup has not read yet (the inbox shows it as
unread); the other was reported, so the organisers' moderation page has one to show.
"""

from __future__ import annotations

from datetime import timedelta

from sqlmodel import Session, select

from techfest.auth.models import User
from techfest.core.models import Edition, Organisation
from techfest.db import now_utc
from techfest.matchmaking.requests import requests_of
from techfest.messages.models import Message, MessageThread

CONVERSATIONS = (
    (
        (
            "startup",
            "Chào anh chị, cảm ơn quỹ đã quan tâm. Bên em gửi trước bản tóm tắt số "
            "liệu vận hành tại cảng Đình Vũ nhé.",
        ),
        (
            "investor",
            "Cảm ơn bạn. Chúng tôi sẽ đọc trước buổi gặp. Bạn mang theo bản demo "
            "trên điện thoại được không?",
        ),
    ),
    (
        (
            "investor",
            "Hi, we saw your booth plan. Could you share your current monthly "
            "revenue before we meet?",
        ),
        ("startup", "Sure, we will bring the figures to the meeting table."),
        ("investor", "Please send them here today, or we cancel."),
    ),
)


def _demo_startup(session: Session) -> Organisation | None:
    user = session.exec(select(User).where(User.email == "startup@techfest.vn")).first()
    if user is None or user.organisation_id is None:
        return None
    return session.get(Organisation, user.organisation_id)


def load_demo(session: Session, edition: Edition) -> None:
    if edition.year != 2025:
        return
    startup = _demo_startup(session)
    if startup is None:
        return
    if session.exec(select(MessageThread.id).where(MessageThread.edition_id == edition.id)).first():
        return  # already loaded
    partners: list[int] = []
    for req in requests_of(session, edition, startup.id):
        other = (
            req.to_organisation_id
            if req.from_organisation_id == startup.id
            else (req.from_organisation_id)
        )
        if req.status in ("pending", "accepted") and other not in partners:
            partners.append(other)
    members = {
        org_id: session.exec(select(User.id).where(User.organisation_id == org_id)).first()
        for org_id in [startup.id, *partners]
    }
    now = now_utc()
    for n, (investor_id, lines) in enumerate(zip(partners, CONVERSATIONS, strict=False)):
        start = now - timedelta(hours=5 - n)
        thread = MessageThread(
            edition_id=edition.id,
            startup_organisation_id=startup.id,
            investor_organisation_id=investor_id,
            created_at=start,
            last_message_at=start + timedelta(minutes=10 * (len(lines) - 1)),
            # the startup read the first conversation before the investor's answer
            startup_read_at=start + timedelta(minutes=1),
            investor_read_at=start + timedelta(minutes=10 * len(lines)),
        )
        if n == 1:
            thread.reported_at = start + timedelta(minutes=10 * len(lines))
            thread.reported_by_organisation_id = startup.id
            thread.report_reason = "Nhà đầu tư gây áp lực, dọa hủy buổi gặp."
            thread.startup_read_at = thread.reported_at
        session.add(thread)
        session.flush()
        for k, (side, body) in enumerate(lines):
            org_id = startup.id if side == "startup" else investor_id
            session.add(
                Message(
                    thread_id=thread.id,
                    sender_organisation_id=org_id,
                    sender_user_id=members.get(org_id),
                    body=body,
                    created_at=start + timedelta(minutes=10 * k),
                )
            )
    session.flush()
