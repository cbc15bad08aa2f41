"""The organiser's programme editor: sessions, tracks and rooms, checked and saved."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from sqlmodel import Session, select

from techfest.auth.models import User
from techfest.core import audit
from techfest.core.editions import code_taken
from techfest.core.models import Edition
from techfest.programme.catalogue import LANGUAGES, MAX_CAPACITY, get_room, get_track
from techfest.programme.errors import ProgrammeError
from techfest.programme.models import ProgrammeSession, Room, Track
from techfest.programme.signups import fill_from_waitlist, lock_session, time_range


@dataclass
class SessionData:
    """A session as the editor and the CSV import hand it over, checked by `check_session`."""

    code: str
    title_vi: str
    title_en: str
    starts_at: datetime
    ends_at: datetime
    language: str = "vi"
    capacity: int = 100
    description_vi: str = ""
    description_en: str = ""
    track_id: int | None = None
    room_id: int | None = None
    speakers: list = field(default_factory=list)


def parse_speakers(text: str) -> list[dict]:
    """One speaker per line (or `;`): `Name | Organisation | title vi | title en`."""
    speakers = []
    for raw in (text or "").replace(";", "\n").splitlines():
        parts = [p.strip() for p in raw.split("|")]
        if not parts or not parts[0]:
            continue
        parts += [""] * (4 - len(parts))
        speakers.append(
            {
                "name": parts[0][:120],
                "organisation": parts[1][:160],
                "title_vi": parts[2][:160],
                "title_en": parts[3][:160],
            }
        )
    return speakers


def format_speakers(speakers: list, separator: str = "\n") -> str:
    """Speakers as the editor's text: one per line, `name | organisation`."""
    lines = []
    for s in speakers or []:
        if not isinstance(s, dict):
            continue
        parts = [
            s.get("name", ""),
            s.get("organisation", ""),
            s.get("title_vi", ""),
            s.get("title_en", ""),
        ]
        while parts and not parts[-1]:
            parts.pop()
        lines.append(" | ".join(parts))
    return separator.join(lines)


def check_session(
    session: Session, edition: Edition, data: SessionData, current: ProgrammeSession | None = None
) -> list[str]:
    """Refuse what breaks a rule (raises); return warnings the organiser should see."""
    if data.ends_at <= data.starts_at:
        raise ProgrammeError(_l("The session must end after it starts."), field="end_time")
    if not 1 <= data.capacity <= MAX_CAPACITY:
        raise ProgrammeError(_l("Capacity must be between 1 and 100000."), field="capacity")
    if data.language not in LANGUAGES:
        raise ProgrammeError(_l("Choose a language."), field="language")
    if data.track_id is not None:
        get_track(session, edition.id, data.track_id)
    if code_taken(session, ProgrammeSession, edition.id, data.code, current and current.id):
        raise ProgrammeError(_l("Another session already uses this code."), field="code")
    if current is not None and data.capacity < current.seats_taken:
        raise ProgrammeError(
            _(
                "%(n)s people already hold a seat; the capacity cannot be lower.",
                n=current.seats_taken,
            ),
            field="capacity",
        )
    warnings = []
    if data.room_id is not None:
        room = get_room(session, edition.id, data.room_id)
        clash = room_clash(session, edition.id, data.room_id, data.starts_at, data.ends_at, current)
        if clash is not None:
            from techfest.i18n import pick

            raise ProgrammeError(
                _(
                    "%(room)s is already booked for “%(title)s” (%(time)s).",
                    room=pick(room, "name"),
                    title=pick(clash, "title"),
                    time=time_range(edition, clash),
                ),
                field="room_id",
            )
        if data.capacity > room.capacity:
            from techfest.i18n import pick

            warnings.append(
                _(
                    "The capacity (%(capacity)s) is larger than %(room)s holds (%(seats)s).",
                    capacity=data.capacity,
                    room=pick(room, "name"),
                    seats=room.capacity,
                )
            )
    return warnings


def room_clash(
    session: Session,
    edition_id: int,
    room_id: int,
    starts_at: datetime,
    ends_at: datetime,
    current: ProgrammeSession | None = None,
) -> ProgrammeSession | None:
    """The session already in the room at that time, if any."""
    query = select(ProgrammeSession).where(
        ProgrammeSession.edition_id == edition_id,
        ProgrammeSession.room_id == room_id,
        ProgrammeSession.starts_at < ends_at,
        ProgrammeSession.ends_at > starts_at,
    )
    if current is not None:
        query = query.where(ProgrammeSession.id != current.id)
    return session.exec(query.order_by(ProgrammeSession.starts_at)).first()


def save_session(
    session: Session,
    edition: Edition,
    actor: User,
    data: SessionData,
    session_id: int | None = None,
    agenda_url: str = "",
) -> tuple[ProgrammeSession, list[str]]:
    """Create or update a session after checking its rules; returns it and any warnings.

    A higher capacity seats people from the waitlist at once.
    """
    current = lock_session(session, edition.id, session_id) if session_id is not None else None
    warnings = check_session(session, edition, data, current)
    ps = current or ProgrammeSession(
        edition_id=edition.id,
        code=data.code,
        title_vi="",
        title_en="",
        starts_at=data.starts_at,
        ends_at=data.ends_at,
    )
    for name in (
        "code",
        "title_vi",
        "title_en",
        "description_vi",
        "description_en",
        "track_id",
        "room_id",
        "starts_at",
        "ends_at",
        "language",
        "capacity",
        "speakers",
    ):
        setattr(ps, name, getattr(data, name))
    session.add(ps)
    session.flush()
    audit.record(
        session,
        "programme.session.update" if current else "programme.session.create",
        user_id=actor.id,
        edition_id=edition.id,
        object_type="programme_session",
        object_id=ps.id,
        code=ps.code,
        title=ps.title_vi,
    )
    if current is not None:
        fill_from_waitlist(session, edition, ps.id, agenda_url)
    return ps, warnings


def save_track(
    session: Session, edition: Edition, actor: User, values: dict, track_id: int | None = None
) -> Track:
    """Create or change a track (code, names, colour); audited."""
    track = get_track(session, edition.id, track_id) if track_id is not None else None
    if code_taken(session, Track, edition.id, values["code"], track and track.id):
        raise ProgrammeError(_l("Another track already uses this code."), field="code")
    track = track or Track(edition_id=edition.id, code=values["code"], name_vi="", name_en="")
    for name in ("code", "name_vi", "name_en", "color"):
        setattr(track, name, values[name])
    session.add(track)
    session.flush()
    audit.record(
        session,
        "programme.track.update" if track_id else "programme.track.create",
        user_id=actor.id,
        edition_id=edition.id,
        object_type="track",
        object_id=track.id,
        code=track.code,
    )
    return track


def save_room(
    session: Session, edition: Edition, actor: User, values: dict, room_id: int | None = None
) -> Room:
    """Create or change a room (code, names, capacity, location); audited."""
    room = get_room(session, edition.id, room_id) if room_id is not None else None
    if code_taken(session, Room, edition.id, values["code"], room and room.id):
        raise ProgrammeError(_l("Another room already uses this code."), field="code")
    room = room or Room(edition_id=edition.id, code=values["code"], name_vi="", name_en="")
    for name in ("code", "name_vi", "name_en", "capacity", "location_vi", "location_en"):
        setattr(room, name, values[name])
    session.add(room)
    session.flush()
    audit.record(
        session,
        "programme.room.update" if room_id else "programme.room.create",
        user_id=actor.id,
        edition_id=edition.id,
        object_type="room",
        object_id=room.id,
        code=room.code,
        capacity=room.capacity,
    )
    return room
