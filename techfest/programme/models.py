"""Rooms, tracks, programme sessions and sign-ups.

`ProgrammeSession` is the festival's session (a talk, forum or workshop); the name keeps
it apart from the database session. Seats: `seats_taken` rises by an atomic conditional
UPDATE and the database refuses more than `capacity`.
"""

from __future__ import annotations

from datetime import datetime

import sqlalchemy as sa
from sqlmodel import Field, SQLModel

from techfest.core.models import utc_field
from techfest.db import now_utc


class Room(SQLModel, table=True):
    __table_args__ = (sa.UniqueConstraint("edition_id", "code", name="uq_room_code"),)
    id: int | None = Field(default=None, primary_key=True)
    edition_id: int = Field(foreign_key="edition.id", index=True)
    code: str
    name_vi: str
    name_en: str
    capacity: int = 100
    location_vi: str = ""
    location_en: str = ""


class Track(SQLModel, table=True):
    __table_args__ = (sa.UniqueConstraint("edition_id", "code", name="uq_track_code"),)
    id: int | None = Field(default=None, primary_key=True)
    edition_id: int = Field(foreign_key="edition.id", index=True)
    code: str
    name_vi: str
    name_en: str
    color: str = "#0d6efd"


class ProgrammeSession(SQLModel, table=True):
    __tablename__ = "programme_session"
    __table_args__ = (
        sa.UniqueConstraint("edition_id", "code", name="uq_programme_session_code"),
        sa.CheckConstraint("ends_at > starts_at", name="ck_programme_session_times"),
        sa.CheckConstraint("seats_taken >= 0", name="ck_programme_session_seats_positive"),
        sa.CheckConstraint("seats_taken <= capacity", name="ck_programme_session_capacity"),
    )
    id: int | None = Field(default=None, primary_key=True)
    edition_id: int = Field(foreign_key="edition.id", index=True)
    track_id: int | None = Field(default=None, foreign_key="track.id", index=True)
    room_id: int | None = Field(default=None, foreign_key="room.id", index=True)
    code: str
    title_vi: str
    title_en: str
    description_vi: str = ""
    description_en: str = ""
    #: [{"name", "title_vi", "title_en", "organisation"}]
    speakers: list = Field(default_factory=list, sa_type=sa.JSON)
    starts_at: datetime = utc_field(index=True)
    ends_at: datetime = utc_field()
    #: 'vi', 'en' or 'vi-en'
    language: str = "vi"
    capacity: int = 100
    seats_taken: int = 0
    sample: bool = False


class SessionSignup(SQLModel, table=True):
    """A person's seat in, or waitlist place for, a programme session."""

    __tablename__ = "session_signup"
    __table_args__ = (
        sa.CheckConstraint(
            "status IN ('seated', 'waitlisted', 'cancelled')", name="ck_session_signup_status"
        ),
        sa.Index(
            "uq_session_signup_active",
            "session_id",
            "user_id",
            unique=True,
            sqlite_where=sa.text("status != 'cancelled'"),
            postgresql_where=sa.text("status != 'cancelled'"),
        ),
    )
    id: int | None = Field(default=None, primary_key=True)
    session_id: int = Field(foreign_key="programme_session.id", index=True)
    user_id: int = Field(foreign_key="user.id", index=True)
    status: str = "seated"
    waitlist_position: int | None = None
    created_at: datetime = utc_field(default_factory=now_utc)
    cancelled_at: datetime | None = utc_field(default=None, nullable=True)


class SessionStar(SQLModel, table=True):
    """A session a person marked as interesting; it counts as busy for meetings."""

    __tablename__ = "session_star"
    __table_args__ = (sa.UniqueConstraint("session_id", "user_id", name="uq_session_star"),)
    id: int | None = Field(default=None, primary_key=True)
    session_id: int = Field(foreign_key="programme_session.id", index=True)
    user_id: int = Field(foreign_key="user.id", index=True)
