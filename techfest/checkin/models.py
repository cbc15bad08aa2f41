"""Check-ins at the entrance and at session doors."""

from __future__ import annotations

from datetime import datetime

import sqlalchemy as sa
from sqlmodel import Field, SQLModel

from techfest.core.models import utc_field
from techfest.db import now_utc


class CheckIn(SQLModel, table=True):
    __table_args__ = (
        # one entrance check-in per registration, one per session door
        sa.Index(
            "uq_checkin_entrance",
            "registration_id",
            unique=True,
            sqlite_where=sa.text("session_id IS NULL"),
            postgresql_where=sa.text("session_id IS NULL"),
        ),
        sa.Index(
            "uq_checkin_session",
            "registration_id",
            "session_id",
            unique=True,
            sqlite_where=sa.text("session_id IS NOT NULL"),
            postgresql_where=sa.text("session_id IS NOT NULL"),
        ),
    )
    id: int | None = Field(default=None, primary_key=True)
    edition_id: int = Field(foreign_key="edition.id", index=True)
    registration_id: int = Field(foreign_key="registration.id", index=True)
    #: None for the entrance; a programme session for room check-in
    session_id: int | None = Field(default=None, foreign_key="programme_session.id", index=True)
    #: when the scan happened on the device (it may arrive later, after an outage)
    scanned_at: datetime = utc_field(default_factory=now_utc)
    received_at: datetime = utc_field(default_factory=now_utc)
    #: id the scanning device gave this scan, so a replayed queue counts once
    client_scan_id: str | None = Field(default=None, unique=True)
    checked_in_by_id: int | None = Field(default=None, foreign_key="user.id")
