"""Builders for programme data: rooms, tracks, sessions and sign-ups on an edition."""

from __future__ import annotations

from datetime import datetime
from itertools import count

from sqlmodel import Session

from techfest.core.models import Edition
from techfest.programme.models import ProgrammeSession, Room, SessionSignup, Track
from tests.factories import local

_seq = count(1)


def make_room(session: Session, edition: Edition, capacity: int = 100, **fields) -> Room:
    n = next(_seq)
    room = Room(
        edition_id=edition.id,
        code=fields.pop("code", f"R{n}"),
        name_vi=fields.pop("name_vi", f"Phòng {n}"),
        name_en=fields.pop("name_en", f"Room {n}"),
        capacity=capacity,
        **fields,
    )
    session.add(room)
    session.flush()
    return room


def make_track(session: Session, edition: Edition, **fields) -> Track:
    n = next(_seq)
    track = Track(
        edition_id=edition.id,
        code=fields.pop("code", f"T{n}"),
        name_vi=fields.pop("name_vi", f"Chủ đề {n}"),
        name_en=fields.pop("name_en", f"Track {n}"),
        color=fields.pop("color", "#20c997"),
        **fields,
    )
    session.add(track)
    session.flush()
    return track


def make_session(
    session: Session,
    edition: Edition,
    starts_at: datetime | None = None,
    ends_at: datetime | None = None,
    capacity: int = 50,
    **fields,
) -> ProgrammeSession:
    n = next(_seq)
    year = edition.year
    ps = ProgrammeSession(
        edition_id=edition.id,
        code=fields.pop("code", f"S{n}"),
        title_vi=fields.pop("title_vi", f"Phiên {n}"),
        title_en=fields.pop("title_en", f"Session {n}"),
        starts_at=starts_at or local(year, 10, 9, 9),
        ends_at=ends_at or local(year, 10, 9, 10),
        capacity=capacity,
        **fields,
    )
    session.add(ps)
    session.flush()
    return ps


def seat(session: Session, ps: ProgrammeSession, user, status: str = "seated", position=None):
    """A sign-up written directly, as if the person had signed up before."""
    signup = SessionSignup(
        session_id=ps.id, user_id=user.id, status=status, waitlist_position=position
    )
    if status == "seated":
        ps.seats_taken += 1
        session.add(ps)
    session.add(signup)
    session.flush()
    return signup
