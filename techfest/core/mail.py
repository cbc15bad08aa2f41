"""The outbox: messages are written in the request's transaction and sent afterwards.

Mail goes only to addresses their owners control. An address nobody has confirmed yet
(`MailAddress`) receives exactly one kind of message: a request to confirm it, with a
signed link and no text anyone else wrote. Everything else queued for it waits in the
outbox and leaves once the link is followed. Addresses an organiser vouches for (the
command line, the demo) are confirmed directly.

The app delivers its outbox itself: `start_sender(app)` runs a sender in every web process
(a thread, woken when a request queued mail, and every SENDER_INTERVAL seconds anyway).
Each message is claimed with one atomic UPDATE, so several processes never send one
message twice; a failure is retried with growing pauses, up to MAX_ATTEMPTS times.
`flask send-mail` does the same once, from the command line.
"""

from __future__ import annotations

import logging
import re
import smtplib
import threading
from datetime import timedelta
from email.message import EmailMessage

import sqlalchemy as sa
from flask import Flask, current_app, g, has_app_context
from flask_babel import gettext as _
from itsdangerous import BadSignature, URLSafeTimedSerializer
from sqlalchemy.exc import IntegrityError
from sqlmodel import Session, select

from techfest.core.models import MailAddress, OutboxEmail
from techfest.db import now_utc, writing

log = logging.getLogger(__name__)

MAX_ATTEMPTS = 5
#: seconds between two rounds of the sender when nothing wakes it
SENDER_INTERVAL = 20
#: how long a sender may hold a message it claimed
CLAIM = timedelta(minutes=2)
#: a confirmation link stays valid this long
CONFIRM_MAX_AGE = 7 * 24 * 3600
#: longest name shown in a greeting
NAME_MAX = 60


def normalise(email: str) -> str:
    return (email or "").strip().lower()


def greeting_name(name: str | None) -> str:
    """Free text (a name someone typed) as a mail may show it: one line, no control
    characters, no markup or link characters, at most NAME_MAX characters."""
    text = re.sub(r"[\x00-\x1f\x7f-\x9f]+", " ", name or "")
    text = re.sub(r"[<>\"'`]|://|www\.", " ", text)
    text = " ".join(text.split())
    if len(text) > NAME_MAX:
        text = text[: NAME_MAX - 1].rstrip() + "…"
    return text


def _serializer() -> URLSafeTimedSerializer:
    return URLSafeTimedSerializer(current_app.config["SECRET_KEY"], salt="mail-address")


def confirmation_link(email: str) -> str:
    """The signed link that confirms `email` (built from PUBLIC_URL, works outside requests)."""
    token = _serializer().dumps(normalise(email))
    base = current_app.config.get("PUBLIC_URL", "").rstrip("/")
    return f"{base}/mail/confirm/{token}"


def is_confirmed(session: Session, email: str) -> bool:
    row = session.exec(select(MailAddress).where(MailAddress.email == normalise(email))).first()
    return row is not None and row.confirmed_at is not None


def mark_confirmed(session: Session, email: str) -> None:
    """Record `email` as confirmed (its owner followed the link, or an organiser vouched)."""
    address = normalise(email)
    row = session.exec(select(MailAddress).where(MailAddress.email == address)).first()
    if row is None:
        try:
            with session.begin_nested():
                session.add(MailAddress(email=address, confirmed_at=now_utc()))
                session.flush()
        except IntegrityError:
            row = session.exec(select(MailAddress).where(MailAddress.email == address)).one()
    if row is not None and row.confirmed_at is None:
        row.confirmed_at = now_utc()
        session.add(row)
        session.flush()


def token_email(token: str) -> str | None:
    """The address a confirmation link names, if the link is valid and not expired."""
    try:
        email = _serializer().loads(token, max_age=CONFIRM_MAX_AGE)
    except BadSignature:
        return None
    return email if isinstance(email, str) and email else None


def confirm_from_token(session: Session, token: str) -> str | None:
    """The address a valid link confirms (now recorded), or None."""
    email = token_email(token)
    if email is not None:
        mark_confirmed(session, email)
    return email


def _ask_confirmation(session: Session, email: str) -> None:
    """Queue the one message an unconfirmed address gets (at most one a day)."""
    recent = session.exec(
        select(OutboxEmail.id).where(
            OutboxEmail.to_email == email,
            OutboxEmail.confirms_address,
            OutboxEmail.created_at > now_utc() - timedelta(days=1),
        )
    ).first()
    if recent is not None:
        return
    day = now_utc().date().isoformat()
    subject = _("Confirm your email address for Techfest")
    body = _(
        "Someone asked Techfest to send messages about the festival to this address. "
        "If it was you, confirm it here: %(link)s\n\n"
        "Until then nothing else is sent to this address. If it was not you, ignore this "
        "message.",
        link=confirmation_link(email),
    )
    queue_email(
        session,
        email,
        subject,
        body,
        dedupe_key=f"confirm-address:{email}:{day}",
        confirms_address=True,
    )


def queue_email(
    session: Session,
    to_email: str,
    subject: str,
    body: str,
    dedupe_key: str | None = None,
    attachment_document_id: int | None = None,
    confirms_address: bool = False,
) -> OutboxEmail | None:
    """Add a message to the outbox; a message with an already used `dedupe_key` is skipped.

    For an address nobody confirmed yet the message waits, and a confirmation request is
    queued (unless this message is one: `confirms_address`, its body holding the link).
    """
    to_email = normalise(to_email)
    if not confirms_address and not is_confirmed(session, to_email):
        _ask_confirmation(session, to_email)
    _wake_sender()
    if dedupe_key is not None:
        existing = session.exec(
            select(OutboxEmail).where(OutboxEmail.dedupe_key == dedupe_key)
        ).first()
        if existing is not None:
            return None
    message = OutboxEmail(
        to_email=to_email,
        subject=subject,
        body=body,
        dedupe_key=dedupe_key,
        attachment_document_id=attachment_document_id,
        confirms_address=confirms_address,
    )
    if dedupe_key is None:
        session.add(message)
        session.flush()
        return message
    try:
        with session.begin_nested():
            session.add(message)
            session.flush()
    except IntegrityError:
        return None  # another request queued it in the meantime
    return message


def _chunks(items: list, size: int = 500):
    for start in range(0, len(items), size):
        yield items[start : start + size]


def queue_emails(session: Session, messages: list[tuple[str, str, str, str]]) -> int:
    """`queue_email` for many messages at once (an import): (to, subject, body, dedupe_key).

    The same rules, with a few queries per 500 messages instead of several per message:
    a dedupe key already used is skipped, and an unconfirmed address gets its one
    confirmation request of the day while its messages wait. Returns how many were queued.
    """
    if not messages:
        return 0
    now = now_utc()
    day = now.date().isoformat()
    addresses = sorted({normalise(to) for to, _s, _b, _k in messages})
    confirmed: set[str] = set()
    asked: set[str] = set()
    for chunk in _chunks(addresses):
        confirmed.update(
            session.exec(
                select(MailAddress.email).where(
                    MailAddress.email.in_(chunk), MailAddress.confirmed_at.is_not(None)
                )
            ).all()
        )
        asked.update(
            session.exec(
                select(OutboxEmail.to_email).where(
                    OutboxEmail.to_email.in_(chunk),
                    OutboxEmail.confirms_address,
                    OutboxEmail.created_at > now - timedelta(days=1),
                )
            ).all()
        )
    rows = []
    subject = _("Confirm your email address for Techfest")
    slot = "LINKSLOT7F3A"
    text = _(
        "Someone asked Techfest to send messages about the festival to this address. "
        "If it was you, confirm it here: %(link)s\n\n"
        "Until then nothing else is sent to this address. If it was not you, ignore this "
        "message.",
        link=slot,
    )
    for email in addresses:
        if email in confirmed or email in asked:
            continue
        body = text.replace(slot, confirmation_link(email), 1)
        rows.append((email, subject, body, f"confirm-address:{email}:{day}", True))
    rows.extend((normalise(to), subj, body, key, False) for to, subj, body, key in messages)
    used: set[str] = set()
    keys = [row[3] for row in rows]
    for chunk in _chunks(keys):
        used.update(
            session.exec(select(OutboxEmail.dedupe_key).where(OutboxEmail.dedupe_key.in_(chunk)))
        )
    values = []
    for to, subj, body, key, confirms in rows:
        if key in used:
            continue
        used.add(key)
        values.append(
            {
                "to_email": to,
                "subject": subj,
                "body": body,
                "dedupe_key": key,
                "attachment_document_id": None,
                "created_at": now,
                "sent_at": None,
                "attempts": 0,
                "last_error": None,
                "confirms_address": confirms,
                "next_attempt_at": None,
                "claimed_until": None,
            }
        )
    if values:
        session.execute(sa.insert(OutboxEmail.__table__), values)
        _wake_sender()
    return len(values)


def _deliverable(now):
    confirmed = select(MailAddress.email).where(MailAddress.confirmed_at.is_not(None))
    return (
        OutboxEmail.sent_at.is_(None),
        OutboxEmail.attempts < MAX_ATTEMPTS,
        sa.or_(OutboxEmail.next_attempt_at.is_(None), OutboxEmail.next_attempt_at <= now),
        sa.or_(OutboxEmail.claimed_until.is_(None), OutboxEmail.claimed_until <= now),
        sa.or_(OutboxEmail.confirms_address, OutboxEmail.to_email.in_(confirmed)),
    )


def _claim(session: Session, message_id: int, now) -> bool:
    """Take one message for this sender; False when another sender has it."""
    result = session.execute(
        sa.update(OutboxEmail)
        .where(OutboxEmail.id == message_id, *_deliverable(now))
        .values(claimed_until=now + CLAIM, attempts=OutboxEmail.attempts + 1)
    )
    session.commit()
    return result.rowcount == 1


def deliver_pending(session: Session, limit: int = 100) -> int:
    """Send what may leave now (SMTP, or the console in development); returns how many.

    Commits after each message: a message is claimed, sent, then marked sent. Every
    transaction here writes, so SQLite queues the senders instead of failing one.
    """
    with writing():
        return _deliver_pending(session, limit)


def _deliver_pending(session: Session, limit: int) -> int:
    config = current_app.config
    now = now_utc()
    ids = session.exec(
        select(OutboxEmail.id).where(*_deliverable(now)).order_by(OutboxEmail.id).limit(limit)
    ).all()
    session.commit()
    sent = 0
    for message_id in ids:
        if not _claim(session, message_id, now_utc()):
            continue
        message = session.get(OutboxEmail, message_id)
        session.refresh(message)
        try:
            if config["MAIL_TO_CONSOLE"] or not config["SMTP_HOST"]:
                print(  # noqa: T201 - development mail goes to the console on purpose
                    f"--- mail to {message.to_email}: {message.subject}\n{message.body}\n---"
                )
            else:
                _send_smtp(message)
            message.sent_at = now_utc()
            message.last_error = None
            sent += 1
        except (OSError, smtplib.SMTPException) as exc:
            message.last_error = str(exc)[:500]
            # 1, 4, 9, 16 minutes before the next attempts
            message.next_attempt_at = now_utc() + timedelta(minutes=message.attempts**2)
            log.warning("mail %s failed: %s", message.id, exc)
        message.claimed_until = None
        session.add(message)
        session.commit()
    return sent


# ----------------------------------------------------------------------- the sender

_senders: dict[int, threading.Event] = {}
_senders_lock = threading.Lock()


def _wake_sender() -> None:
    if has_app_context():
        g.mail_queued = True


def start_sender(app: Flask) -> None:
    """Deliver the outbox from this process: woken after a request that queued mail."""
    if not app.config.get("MAIL_SENDER_THREAD", True):
        return

    @app.before_request
    def _sender_running():
        _event_for(app)

    @app.teardown_request
    def _wake(exc):
        if exc is None and g.get("mail_queued"):
            _event_for(app).set()


def _event_for(app: Flask) -> threading.Event:
    with _senders_lock:
        event = _senders.get(id(app))
        if event is None:
            event = _senders[id(app)] = threading.Event()
            threading.Thread(target=_run_sender, args=(app, event), daemon=True).start()
        return event


def _run_sender(app: Flask, event: threading.Event) -> None:
    while True:
        event.wait(SENDER_INTERVAL)
        event.clear()
        try:
            with app.app_context(), Session(app.extensions["techfest_engine"]) as session:
                while deliver_pending(session) > 0:
                    pass
        except Exception:  # the sender must outlive a database hiccup; it tries again
            log.exception("outbox sender")


def _send_smtp(message: OutboxEmail) -> None:
    config = current_app.config
    email = EmailMessage()
    email["From"] = config["MAIL_SENDER"]
    email["To"] = message.to_email
    email["Subject"] = message.subject
    email.set_content(message.body)
    with smtplib.SMTP(config["SMTP_HOST"], config["SMTP_PORT"], timeout=20) as smtp:
        smtp.starttls()
        if config["SMTP_USER"]:
            smtp.login(config["SMTP_USER"], config["SMTP_PASSWORD"])
        smtp.send_message(email)
