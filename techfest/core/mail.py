"""The outbox: messages are written in the request's transaction and sent afterwards."""

from __future__ import annotations

import logging
import smtplib
from email.message import EmailMessage

from flask import current_app
from sqlalchemy.exc import IntegrityError
from sqlmodel import Session, select

from techfest.core.models import OutboxEmail
from techfest.db import now_utc

log = logging.getLogger(__name__)


def queue_email(
    session: Session,
    to_email: str,
    subject: str,
    body: str,
    dedupe_key: str | None = None,
    attachment_document_id: int | None = None,
) -> OutboxEmail | None:
    """Add a message to the outbox; a message with an already used `dedupe_key` is skipped."""
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


def deliver_pending(session: Session, limit: int = 100) -> int:
    """Send unsent messages (SMTP, or the console in development); returns how many."""
    config = current_app.config
    pending = session.exec(
        select(OutboxEmail)
        .where(OutboxEmail.sent_at.is_(None), OutboxEmail.attempts < 5)
        .order_by(OutboxEmail.id)
        .limit(limit)
    ).all()
    sent = 0
    for message in pending:
        message.attempts += 1
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
            log.warning("mail %s failed: %s", message.id, exc)
        session.add(message)
    session.flush()
    return sent


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
