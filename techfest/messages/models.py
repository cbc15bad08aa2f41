"""Messages: one thread per startup-investor pair of an edition, and its messages."""

from __future__ import annotations

from datetime import datetime

import sqlalchemy as sa
from sqlmodel import Field, SQLModel

from techfest.core.models import utc_field
from techfest.db import now_utc

#: longest message, in characters (the column holds no more)
BODY_MAX = 2000
#: longest reason given with a report
REASON_MAX = 500


class MessageThread(SQLModel, table=True):
    """The conversation of one startup and one investor in an edition."""

    __tablename__ = "message_thread"
    __table_args__ = (
        sa.UniqueConstraint(
            "edition_id",
            "startup_organisation_id",
            "investor_organisation_id",
            name="uq_message_thread_pair",
        ),
    )
    id: int | None = Field(default=None, primary_key=True)
    edition_id: int = Field(foreign_key="edition.id", index=True)
    startup_organisation_id: int = Field(foreign_key="organisation.id", index=True)
    investor_organisation_id: int = Field(foreign_key="organisation.id", index=True)
    created_at: datetime = utc_field(default_factory=now_utc)
    last_message_at: datetime | None = utc_field(default=None, nullable=True)
    #: when each side last opened the thread; later messages of the other side are unread
    startup_read_at: datetime | None = utc_field(default=None, nullable=True)
    investor_read_at: datetime | None = utc_field(default=None, nullable=True)
    #: a notice was mailed to this side since it last read the thread (one mail, no more)
    startup_notified: bool = False
    investor_notified: bool = False
    #: the side that blocked the other; while set, nobody writes
    blocked_by_organisation_id: int | None = Field(default=None, foreign_key="organisation.id")
    #: a report makes the thread visible to the edition's organisers
    reported_at: datetime | None = utc_field(default=None, nullable=True)
    reported_by_organisation_id: int | None = Field(default=None, foreign_key="organisation.id")
    report_reason: str = Field(default="", sa_type=sa.String(REASON_MAX))
    #: closed by an organiser: readable, never written to again
    closed_at: datetime | None = utc_field(default=None, nullable=True)
    closed_by_id: int | None = Field(default=None, foreign_key="user.id")


class Message(SQLModel, table=True):
    """One plain-text message; never rendered as HTML."""

    __table_args__ = (sa.Index("ix_message_sender_time", "sender_user_id", "created_at"),)
    id: int | None = Field(default=None, primary_key=True)
    thread_id: int = Field(foreign_key="message_thread.id", index=True)
    sender_organisation_id: int = Field(foreign_key="organisation.id")
    sender_user_id: int | None = Field(default=None, foreign_key="user.id")
    body: str = Field(sa_type=sa.String(BODY_MAX))
    created_at: datetime = utc_field(default_factory=now_utc)
