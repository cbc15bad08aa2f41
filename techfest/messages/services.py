"""Messages between a startup and an investor that are matched or meeting.

A thread belongs to one startup-investor pair of an edition (unique in the database) and
opens only while matchmaking says the pair is connected (`matchmaking.pairs`). Messages
are plain text, at most BODY_MAX characters under the input policy, and never rendered
as HTML. A person sends at most RATE_LIMIT messages in RATE_WINDOW, counted from the
stored messages (so every process agrees) after locking the sender's account row.

Either side may block the other (then nobody writes; only the blocker unblocks) or report
the thread with a reason; organisers of the edition see reported threads only, and may
close them. The other side gets one email for the first unread message of a thread, and
no more until one of them has opened it.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

import sqlalchemy as sa
from flask_babel import force_locale
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from sqlalchemy.exc import IntegrityError
from sqlmodel import Session, func, select

from techfest.auth.models import User
from techfest.core.audit import record
from techfest.core.errors import DomainError
from techfest.core.inputs import clean_text, text_problem
from techfest.core.mail import greeting_name, queue_email
from techfest.core.models import Edition, Organisation
from techfest.db import now_utc
from techfest.matchmaking.pairs import are_connected
from techfest.matchmaking.participants import Participant, edition_name, members
from techfest.messages.models import BODY_MAX, REASON_MAX, Message, MessageThread

#: at most RATE_LIMIT messages by one person within RATE_WINDOW
RATE_LIMIT = 20
RATE_WINDOW = timedelta(minutes=10)


class MessageError(DomainError):
    """A messaging rule said no; `not_found` for threads that are not the person's."""


def _not_found() -> MessageError:
    return MessageError(_l("Not found."), not_found=True)


# ---------------------------------------------------------------- who talks to whom


@dataclass(frozen=True)
class Pair:
    """Me (the organisation I speak for) and the other side, in the thread's order."""

    me: Organisation
    other: Organisation
    side: str  # my side: 'startup' or 'investor'

    @property
    def startup_id(self) -> int:
        return self.me.id if self.side == "startup" else self.other.id

    @property
    def investor_id(self) -> int:
        return self.other.id if self.side == "startup" else self.me.id


def pair_with(session: Session, edition: Edition, me: Participant | None, other_id: int) -> Pair:
    """Me and the organisation `other_id`, if we are connected or already have a thread."""
    if me is None:
        raise _not_found()
    other = session.get(Organisation, other_id)
    wanted = "investor" if me.side == "startup" else "startup"
    if other is None or other.kind != wanted:
        raise _not_found()
    pair = Pair(me.organisation, other, me.side)
    if thread_of(session, edition, pair) is None and not _connected(session, edition, pair):
        raise _not_found()
    return pair


def _connected(session: Session, edition: Edition, pair: Pair) -> bool:
    return are_connected(session, edition, pair.startup_id, pair.investor_id)


def thread_of(
    session: Session, edition: Edition, pair: Pair, *, lock: bool = False
) -> MessageThread | None:
    query = select(MessageThread).where(
        MessageThread.edition_id == edition.id,
        MessageThread.startup_organisation_id == pair.startup_id,
        MessageThread.investor_organisation_id == pair.investor_id,
    )
    if lock:
        query = query.with_for_update()
    return session.exec(query).first()


def _thread_for_writing(session: Session, edition: Edition, pair: Pair) -> MessageThread:
    """The pair's thread, locked; made first if the pair has none (once, even at once)."""
    thread = thread_of(session, edition, pair, lock=True)
    if thread is not None:
        return thread
    try:
        with session.begin_nested():
            session.add(
                MessageThread(
                    edition_id=edition.id,
                    startup_organisation_id=pair.startup_id,
                    investor_organisation_id=pair.investor_id,
                )
            )
            session.flush()
    except IntegrityError:
        pass  # the other side opened it in the meantime
    return thread_of(session, edition, pair, lock=True)


def _side_of(thread: MessageThread, org_id: int) -> str:
    return "startup" if thread.startup_organisation_id == org_id else "investor"


def _other_side(side: str) -> str:
    return "investor" if side == "startup" else "startup"


# ---------------------------------------------------------------- writing


def _checked(text: str | None, field: str, empty: str, max_length: int) -> str:
    """Text as it is stored: trimmed, not empty, plain multi-line text within max_length."""
    value = clean_text(text)
    if not value:
        raise MessageError(empty, field=field)
    problem = text_problem(value, multiline=True, max_length=max_length)
    if problem is not None:
        raise MessageError(problem, field=field)
    return value


def check_body(text: str | None) -> str:
    """The message as it is stored: trimmed, not empty, plain text within BODY_MAX."""
    return _checked(text, "body", _l("Write a message first."), BODY_MAX)


def _refuse_if_shut(thread: MessageThread, my_org_id: int) -> None:
    if thread.closed_at is not None:
        raise MessageError(_l("The organisers closed this conversation."), field="body")
    if thread.blocked_by_organisation_id == my_org_id:
        raise MessageError(_l("You blocked this conversation; unblock it to write."), field="body")
    if thread.blocked_by_organisation_id is not None:
        raise MessageError(_l("You cannot write in this conversation."), field="body")


def sent_recently(session: Session, user_id: int, now: datetime) -> int:
    return session.exec(
        select(func.count())
        .select_from(Message)
        .where(Message.sender_user_id == user_id, Message.created_at > now - RATE_WINDOW)
    ).one()


def _check_rate(session: Session, user: User, now: datetime) -> None:
    # lock → count → write: two messages sent at once by one person are counted in turn
    session.exec(select(User.id).where(User.id == user.id).with_for_update()).first()
    if sent_recently(session, user.id, now) >= RATE_LIMIT:
        raise MessageError(
            _l(
                "You sent %(n)s messages in the last %(m)s minutes. Wait a little before "
                "writing again.",
                n=RATE_LIMIT,
                m=int(RATE_WINDOW.total_seconds() // 60),
            ),
            field="body",
        )


def send_message(
    session: Session,
    edition: Edition,
    user: User,
    pair: Pair,
    text: str | None,
    reader_url: str,
) -> Message:
    """Write `text` to the other side; `reader_url` is the thread's address for them."""
    body = check_body(text)
    if not _connected(session, edition, pair):
        raise MessageError(
            _l("You can write only to people you are matched with or meeting."), field="body"
        )
    thread = _thread_for_writing(session, edition, pair)
    _refuse_if_shut(thread, pair.me.id)
    now = now_utc()
    _check_rate(session, user, now)
    message = Message(
        thread_id=thread.id, sender_organisation_id=pair.me.id, sender_user_id=user.id, body=body
    )
    session.add(message)
    thread.last_message_at = now
    setattr(thread, f"{pair.side}_read_at", now)
    session.add(thread)
    session.flush()
    _notify_first_unread(session, edition, thread, pair, message, reader_url)
    return message


def _notify_first_unread(
    session: Session,
    edition: Edition,
    thread: MessageThread,
    pair: Pair,
    message: Message,
    reader_url: str,
) -> None:
    """Mail the other side's members, unless they were told since they last read it."""
    flag = f"{_other_side(pair.side)}_notified"
    if getattr(thread, flag):
        return
    setattr(thread, flag, True)
    session.add(thread)
    sender = greeting_name(pair.me.name)
    for person in members(session, pair.other.id):
        with force_locale(person.locale or "vi"):
            queue_email(
                session,
                person.email,
                _("New message from %(org)s", org=sender),
                _(
                    "%(org)s wrote to you on the platform of %(edition)s. Read and answer "
                    "here: %(link)s\n\nWe send one notice per conversation until you "
                    "open it.",
                    org=sender,
                    edition=edition_name(edition),
                    link=reader_url,
                ),
                dedupe_key=f"message-notice:{message.id}:{person.id}",
            )
    session.flush()


# ---------------------------------------------------------------- reading


@dataclass(frozen=True)
class MessageView:
    mine: bool
    sender: str
    body: str
    created_at: datetime


@dataclass(frozen=True)
class ThreadView:
    """What a participant's thread page shows."""

    other: Organisation
    messages: list[MessageView]
    can_write: bool
    #: why nobody may write, when `can_write` is false
    shut_reason: str
    blocked_by_me: bool
    blocked: bool
    reported: bool
    closed: bool


def _messages(session: Session, thread: MessageThread | None, my_org_id: int | None):
    if thread is None:
        return []
    rows = session.exec(
        select(Message, User.full_name)
        .join(User, User.id == Message.sender_user_id, isouter=True)
        .where(Message.thread_id == thread.id)
        .order_by(Message.created_at, Message.id)
    ).all()
    names = _organisation_names(
        session, {thread.startup_organisation_id, thread.investor_organisation_id}
    )
    return [
        MessageView(
            mine=m.sender_organisation_id == my_org_id,
            sender=name or names.get(m.sender_organisation_id, ""),
            body=m.body,
            created_at=m.created_at,
        )
        for m, name in rows
    ]


def _organisation_names(session: Session, ids: set[int]) -> dict[int, str]:
    rows = session.exec(select(Organisation.id, Organisation.name).where(Organisation.id.in_(ids)))
    return dict(rows.all())


def _shut_reason(thread: MessageThread | None, my_org_id: int) -> str:
    if thread is None:
        return ""
    try:
        _refuse_if_shut(thread, my_org_id)
    except MessageError as exc:
        return str(exc.message)
    return ""


def read_thread(session: Session, edition: Edition, pair: Pair) -> ThreadView:
    """The thread with its messages; opening it marks it read for my side."""
    thread = thread_of(session, edition, pair)
    if thread is not None:
        setattr(thread, f"{pair.side}_read_at", now_utc())
        setattr(thread, f"{pair.side}_notified", False)
        session.add(thread)
        session.flush()
    shut = _shut_reason(thread, pair.me.id)
    return ThreadView(
        other=pair.other,
        messages=_messages(session, thread, pair.me.id),
        can_write=not shut and _connected(session, edition, pair),
        shut_reason=shut,
        blocked_by_me=thread is not None and thread.blocked_by_organisation_id == pair.me.id,
        blocked=thread is not None and thread.blocked_by_organisation_id is not None,
        reported=thread is not None and thread.reported_at is not None,
        closed=thread is not None and thread.closed_at is not None,
    )


@dataclass(frozen=True)
class InboxRow:
    other_id: int
    other_name: str
    last_message_at: datetime | None
    unread: int
    blocked: bool
    closed: bool


def _unread_counts(session: Session, edition: Edition, org_id: int, side: str) -> dict[int, int]:
    mine = getattr(MessageThread, f"{side}_organisation_id")
    read_at = getattr(MessageThread, f"{side}_read_at")
    rows = session.exec(
        select(Message.thread_id, func.count())
        .join(MessageThread, MessageThread.id == Message.thread_id)
        .where(
            MessageThread.edition_id == edition.id,
            mine == org_id,
            Message.sender_organisation_id != org_id,
            sa.or_(read_at.is_(None), Message.created_at > read_at),
        )
        .group_by(Message.thread_id)
    ).all()
    return dict(rows)


def inbox(session: Session, edition: Edition, me: Participant | None) -> list[InboxRow]:
    """My organisation's threads in the edition, the latest first, with unread counts."""
    if me is None:
        return []
    org_id = me.organisation.id
    mine = getattr(MessageThread, f"{me.side}_organisation_id")
    other_col = getattr(MessageThread, f"{_other_side(me.side)}_organisation_id")
    threads = session.exec(
        select(MessageThread).where(
            MessageThread.edition_id == edition.id,
            mine == org_id,
            MessageThread.last_message_at.is_not(None),
        )
    ).all()
    unread = _unread_counts(session, edition, org_id, me.side)
    other_key = other_col.key
    names = _organisation_names(session, {getattr(t, other_key) for t in threads})
    rows = [
        InboxRow(
            other_id=getattr(t, other_key),
            other_name=names.get(getattr(t, other_key), ""),
            last_message_at=t.last_message_at,
            unread=unread.get(t.id, 0),
            blocked=t.blocked_by_organisation_id is not None,
            closed=t.closed_at is not None,
        )
        for t in threads
    ]
    rows.sort(key=lambda r: r.last_message_at, reverse=True)
    return rows


def unread_total(rows: list[InboxRow]) -> int:
    return sum(r.unread for r in rows)


# ---------------------------------------------------------------- block and report


def block(session: Session, edition: Edition, pair: Pair) -> MessageThread:
    """Stop the conversation: nobody writes until I unblock it."""
    thread = _thread_for_writing(session, edition, pair)
    if thread.blocked_by_organisation_id is not None:
        raise MessageError(_l("This conversation is already blocked."))
    thread.blocked_by_organisation_id = pair.me.id
    session.add(thread)
    session.flush()
    return thread


def unblock(session: Session, edition: Edition, pair: Pair) -> MessageThread:
    """Lift my block; a block set by the other side stays."""
    thread = thread_of(session, edition, pair, lock=True)
    if thread is None or thread.blocked_by_organisation_id != pair.me.id:
        raise MessageError(_l("Only the side that blocked a conversation can unblock it."))
    thread.blocked_by_organisation_id = None
    session.add(thread)
    session.flush()
    return thread


def check_reason(text: str | None) -> str:
    return _checked(text, "reason", _l("Say what is wrong, for the organisers."), REASON_MAX)


def report(session: Session, edition: Edition, user: User, pair: Pair, text: str | None):
    """Show the thread to the edition's organisers, with the reason."""
    reason = check_reason(text)
    thread = _thread_for_writing(session, edition, pair)
    thread.reported_at = now_utc()
    thread.reported_by_organisation_id = pair.me.id
    thread.report_reason = reason
    session.add(thread)
    session.flush()
    record(
        session,
        "messages.report",
        user_id=user.id,
        edition_id=edition.id,
        object_type="message_thread",
        object_id=thread.id,
    )
    return thread


# ---------------------------------------------------------------- moderation


@dataclass(frozen=True)
class ReportedThread:
    id: int
    startup: str
    investor: str
    reported_by: str
    reason: str
    reported_at: datetime
    closed: bool
    messages: list[MessageView]


def _reported(session: Session, thread: MessageThread, with_messages: bool) -> ReportedThread:
    names = _organisation_names(
        session, {thread.startup_organisation_id, thread.investor_organisation_id}
    )
    return ReportedThread(
        id=thread.id,
        startup=names.get(thread.startup_organisation_id, ""),
        investor=names.get(thread.investor_organisation_id, ""),
        reported_by=names.get(thread.reported_by_organisation_id or 0, ""),
        reason=thread.report_reason,
        reported_at=thread.reported_at,
        closed=thread.closed_at is not None,
        messages=_messages(session, thread, None) if with_messages else [],
    )


def reported_threads(session: Session, edition: Edition) -> list[ReportedThread]:
    """The edition's reported threads, the latest report first (others stay private)."""
    threads = session.exec(
        select(MessageThread)
        .where(MessageThread.edition_id == edition.id, MessageThread.reported_at.is_not(None))
        .order_by(MessageThread.reported_at.desc())
    ).all()
    return [_reported(session, t, with_messages=False) for t in threads]


def _reported_thread_row(session: Session, edition: Edition, thread_id: int) -> MessageThread:
    thread = session.get(MessageThread, thread_id)
    if thread is None or thread.edition_id != edition.id or thread.reported_at is None:
        raise _not_found()
    return thread


def reported_thread(session: Session, edition: Edition, thread_id: int) -> ReportedThread:
    """A reported thread with its messages; any other thread is not found."""
    return _reported(session, _reported_thread_row(session, edition, thread_id), True)


def close_thread(session: Session, edition: Edition, organiser: User, thread_id: int):
    """Close a reported thread: both sides still read it, nobody writes."""
    thread = _reported_thread_row(session, edition, thread_id)
    if thread.closed_at is None:
        thread.closed_at = now_utc()
        thread.closed_by_id = organiser.id
        session.add(thread)
        session.flush()
        record(
            session,
            "messages.close",
            user_id=organiser.id,
            edition_id=edition.id,
            object_type="message_thread",
            object_id=thread.id,
        )
    return thread


# ---------------------------------------------------------------- erasure


def erase_person(session: Session, user_id: int) -> None:
    """A person erased: what they wrote goes; the count of messages stays."""
    session.execute(
        sa.update(Message)
        .where(Message.sender_user_id == user_id)
        .values(body="")
        .execution_options(synchronize_session=False)
    )
    session.flush()


def erase_edition(session: Session, edition_id: int) -> None:
    """An edition past retention: every message and report reason goes."""
    threads = select(MessageThread.id).where(MessageThread.edition_id == edition_id)
    session.execute(
        sa.update(Message)
        .where(Message.thread_id.in_(threads))
        .values(body="")
        .execution_options(synchronize_session=False)
    )
    session.execute(
        sa.update(MessageThread)
        .where(MessageThread.edition_id == edition_id)
        .values(report_reason="")
        .execution_options(synchronize_session=False)
    )
    session.flush()
