"""Editions, organisations, the mail outbox, the audit log and background jobs."""

from __future__ import annotations

from datetime import date, datetime

import sqlalchemy as sa
from sqlmodel import Field, SQLModel

from techfest.db import UTCDateTime, now_utc


def utc_field(**kwargs) -> datetime:
    return Field(sa_type=UTCDateTime, **kwargs)


class Edition(SQLModel, table=True):
    """One year of the festival."""

    id: int | None = Field(default=None, primary_key=True)
    year: int = Field(unique=True, index=True)
    #: ordinal of the edition (Techfest Hải Phòng 2025 is the 9th)
    number: int | None = None
    name_vi: str
    name_en: str
    theme_vi: str = ""
    theme_en: str = ""
    venue_vi: str = ""
    venue_en: str = ""
    address: str = ""
    starts_on: date
    ends_on: date
    timezone: str = "Asia/Ho_Chi_Minh"
    #: hours a booth selection is held before it lapses unless an organiser approves it
    booth_hold_hours: int = 48
    #: booths one organisation may hold at once
    max_booths_per_organisation: int = 1
    #: hours before an unanswered meeting request expires
    request_expiry_hours: int = 72
    #: an investor's booking becomes a confirmed meeting at once, without asking the startup
    meeting_auto_accept: bool = False
    #: days after the edition ends before its personal data is erased
    retention_days: int = 365
    #: set when the organiser publishes the meeting schedule
    meetings_published_at: datetime | None = utc_field(default=None, nullable=True)
    #: set once retention erased this edition's personal data
    personal_data_erased_at: datetime | None = utc_field(default=None, nullable=True)


class Organisation(SQLModel, table=True):
    """A company, fund or institution; startups and investors are organisations."""

    __table_args__ = (
        sa.CheckConstraint(
            "kind IN ('startup', 'investor', 'sponsor', 'other')", name="ck_organisation_kind"
        ),
    )
    id: int | None = Field(default=None, primary_key=True)
    kind: str = Field(index=True)
    name: str
    slug: str = Field(unique=True, index=True)
    website: str = ""
    #: generated file name under instance/uploads/logos, never the uploader's name
    logo_filename: str | None = None
    #: invented demo record
    sample: bool = False
    created_at: datetime = utc_field(default_factory=now_utc)


class OutboxEmail(SQLModel, table=True):
    """A message waiting to be sent; the sender marks it sent. Never sent twice."""

    id: int | None = Field(default=None, primary_key=True)
    to_email: str = Field(index=True)
    subject: str
    body: str
    #: identifies the reason for a message (e.g. "reminder-day:42"); one message per key
    dedupe_key: str | None = Field(default=None, unique=True)
    #: optional link or stored document id referenced by the message
    attachment_document_id: int | None = None
    created_at: datetime = utc_field(default_factory=now_utc)
    sent_at: datetime | None = utc_field(default=None, nullable=True)
    attempts: int = 0
    last_error: str | None = None
    #: this message asks its recipient to confirm the address (the only kind of message
    #: sent to an address nobody has confirmed yet); see core/mail.py
    confirms_address: bool = False
    #: after a failure, not retried before this time
    next_attempt_at: datetime | None = utc_field(default=None, nullable=True)
    #: a sender took the message until this time (another worker leaves it alone)
    claimed_until: datetime | None = utc_field(default=None, nullable=True)


class MailAddress(SQLModel, table=True):
    """An address its owner confirmed by following a link (or that an organiser vouched
    for on the command line). Mail other than the confirmation request waits for it."""

    __tablename__ = "mail_address"
    id: int | None = Field(default=None, primary_key=True)
    email: str = Field(unique=True, index=True, max_length=320)
    confirmed_at: datetime | None = utc_field(default=None, nullable=True)
    created_at: datetime = utc_field(default_factory=now_utc)


class AuditLog(SQLModel, table=True):
    """Who changed what and when."""

    id: int | None = Field(default=None, primary_key=True)
    edition_id: int | None = Field(default=None, foreign_key="edition.id", index=True)
    user_id: int | None = Field(default=None, foreign_key="user.id", index=True)
    action: str = Field(index=True)
    #: kind and id of the changed object, e.g. "booth_booking", "17"
    object_type: str = ""
    object_id: str = ""
    details: dict = Field(default_factory=dict, sa_type=sa.JSON)
    created_at: datetime = utc_field(default_factory=now_utc, index=True)


class Job(SQLModel, table=True):
    """A background job (matcher run, bulk print, import) with its progress."""

    __table_args__ = (
        sa.CheckConstraint(
            "status IN ('queued', 'running', 'done', 'failed')", name="ck_job_status"
        ),
    )
    id: int | None = Field(default=None, primary_key=True)
    edition_id: int | None = Field(default=None, foreign_key="edition.id", index=True)
    kind: str = Field(index=True)
    status: str = "queued"
    #: 0..100
    progress: int = 0
    message: str = ""
    params: dict = Field(default_factory=dict, sa_type=sa.JSON)
    result: dict = Field(default_factory=dict, sa_type=sa.JSON)
    error: str | None = None
    created_by_id: int | None = Field(default=None, foreign_key="user.id")
    created_at: datetime = utc_field(default_factory=now_utc)
    started_at: datetime | None = utc_field(default=None, nullable=True)
    finished_at: datetime | None = utc_field(default=None, nullable=True)
    #: "host:pid" of the process running the job, to tell a dead run from a live one
    worker: str = ""
    #: last sign of life (start or progress) of a running job
    heartbeat_at: datetime | None = utc_field(default=None, nullable=True)


class JobFile(SQLModel, table=True):
    """A file a job works on (an uploaded CSV), kept until the job is done with it."""

    __tablename__ = "job_file"

    id: int | None = Field(default=None, primary_key=True)
    job_id: int = Field(foreign_key="job.id", unique=True, index=True)
    data: bytes = Field(sa_type=sa.LargeBinary)
    created_at: datetime = utc_field(default_factory=now_utc)


#: the roles a person can hold in an edition
ROLES = ("organiser", "startup", "investor", "delegate")


class EditionRole(SQLModel, table=True):
    """A person's role in one edition: organiser, startup member, investor or delegate."""

    __table_args__ = (
        sa.UniqueConstraint("user_id", "edition_id", "role", name="uq_edition_role"),
        sa.CheckConstraint(
            "role IN ('organiser', 'startup', 'investor', 'delegate')", name="ck_edition_role"
        ),
    )
    id: int | None = Field(default=None, primary_key=True)
    user_id: int = Field(foreign_key="user.id", index=True)
    edition_id: int = Field(foreign_key="edition.id", index=True)
    role: str
