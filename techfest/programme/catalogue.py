"""The programme as people browse it: tracks, rooms, sessions, filters and days."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from flask_babel import lazy_gettext as _l
from sqlmodel import Session, func, select

from techfest.auth.models import User
from techfest.core.inputs import id_value
from techfest.core.models import Edition
from techfest.programme.errors import NotFound
from techfest.programme.models import ProgrammeSession, Room, SessionSignup, SessionStar, Track

LANGUAGES = ("vi", "en", "vi-en")


LANGUAGE_LABELS = {
    "vi": _l("Vietnamese"),
    "en": _l("English"),
    "vi-en": _l("Vietnamese and English"),
}


ACTIVE = ("seated", "waitlisted")


MAX_CAPACITY = 100_000


def tz_of(edition: Edition) -> ZoneInfo:
    """The edition's time zone."""
    return ZoneInfo(edition.timezone or "Asia/Ho_Chi_Minh")


def local_day(edition: Edition, moment: datetime) -> date:
    """The edition-local date of a moment."""
    return moment.astimezone(tz_of(edition)).date()


def edition_days(edition: Edition) -> list[date]:
    """The dates of the edition, first to last."""
    days = []
    day = edition.starts_on
    while day <= edition.ends_on and len(days) < 60:
        days.append(day)
        day += timedelta(days=1)
    return days


def tracks(session: Session, edition_id: int) -> list[Track]:
    """The edition's tracks."""
    return list(
        session.exec(select(Track).where(Track.edition_id == edition_id).order_by(Track.code))
    )


def rooms(session: Session, edition_id: int) -> list[Room]:
    """The edition's rooms."""
    return list(session.exec(select(Room).where(Room.edition_id == edition_id).order_by(Room.code)))


def get_track(session: Session, edition_id: int, track_id: int) -> Track:
    """The edition's track with this id; NotFound otherwise."""
    track = session.exec(
        select(Track).where(Track.id == track_id, Track.edition_id == edition_id)
    ).first()
    if track is None:
        raise NotFound(_l("No such track."))
    return track


def get_room(session: Session, edition_id: int, room_id: int) -> Room:
    """The edition's room with this id; NotFound otherwise."""
    room = session.exec(
        select(Room).where(Room.id == room_id, Room.edition_id == edition_id)
    ).first()
    if room is None:
        raise NotFound(_l("No such room."))
    return room


def get_session(session: Session, edition_id: int, session_id: int) -> ProgrammeSession:
    """The edition's session with this id; NotFound otherwise."""
    ps = session.exec(
        select(ProgrammeSession).where(
            ProgrammeSession.id == session_id, ProgrammeSession.edition_id == edition_id
        )
    ).first()
    if ps is None:
        raise NotFound(_l("No such session."))
    return ps


@dataclass(frozen=True)
class Filters:
    """What a visitor filters the programme by: day, track, room, language, words."""

    day: date | None = None
    track_id: int | None = None
    room_id: int | None = None
    language: str | None = None

    @classmethod
    def parse(cls, args: Any, edition: Edition) -> Filters:
        """Filters from query parameters; anything unreadable is ignored, never an error."""

        def as_int(name: str) -> int | None:
            try:
                return id_value(args.get(name) or "")
            except ValueError:
                return None

        day = None
        raw_day = (args.get("day") or "").strip()
        try:
            parsed = date.fromisoformat(raw_day) if raw_day else None
        except ValueError:
            parsed = None
        if parsed is not None and parsed in edition_days(edition):
            day = parsed
        language = args.get("language")
        return cls(
            day=day,
            track_id=as_int("track"),
            room_id=as_int("room"),
            language=language if language in LANGUAGES else None,
        )

    @property
    def active(self) -> bool:
        return any((self.day, self.track_id, self.room_id, self.language))


@dataclass
class SessionCard:
    """A session with what the programme page shows about it."""

    ps: ProgrammeSession
    track: Track | None
    room: Room | None
    waiting: int = 0
    #: the viewer's own state: 'seated', 'waitlisted' or None
    my_status: str | None = None
    my_position: int | None = None
    starred: bool = False
    #: wall-clock times in the edition's zone, e.g. "14:00" (computed once per card)
    start_hm: str = ""
    end_hm: str = ""

    @property
    def seats_left(self) -> int:
        return max(0, self.ps.capacity - self.ps.seats_taken)

    @property
    def full(self) -> bool:
        return self.seats_left == 0


def list_sessions(
    session: Session, edition: Edition, filters: Filters | None = None
) -> list[ProgrammeSession]:
    """The edition's sessions in time order, filtered."""
    filters = filters or Filters()
    query = select(ProgrammeSession).where(ProgrammeSession.edition_id == edition.id)
    if filters.day is not None:
        tz = tz_of(edition)
        start = datetime.combine(filters.day, time(0), tzinfo=tz)
        query = query.where(
            ProgrammeSession.starts_at >= start,
            ProgrammeSession.starts_at < start + timedelta(days=1),
        )
    if filters.track_id is not None:
        query = query.where(ProgrammeSession.track_id == filters.track_id)
    if filters.room_id is not None:
        query = query.where(ProgrammeSession.room_id == filters.room_id)
    if filters.language is not None:
        query = query.where(ProgrammeSession.language == filters.language)
    return list(session.exec(query.order_by(ProgrammeSession.starts_at, ProgrammeSession.code)))


def session_cards(
    session: Session,
    edition: Edition,
    sessions: list[ProgrammeSession],
    user_id: int | None,
    track_list: list[Track] | None = None,
    room_list: list[Room] | None = None,
) -> list[SessionCard]:
    """Attach track, room, waitlist length and the viewer's own state to each session."""
    track_map = {
        t.id: t for t in (track_list if track_list is not None else tracks(session, edition.id))
    }
    room_map = {
        r.id: r for r in (room_list if room_list is not None else rooms(session, edition.id))
    }
    tz = tz_of(edition)
    ids = [ps.id for ps in sessions]
    waiting: dict[int, int] = {}
    mine: dict[int, SessionSignup] = {}
    starred: set[int] = set()
    if ids:
        waiting = dict(
            session.exec(
                select(SessionSignup.session_id, func.count())
                .where(SessionSignup.session_id.in_(ids), SessionSignup.status == "waitlisted")
                .group_by(SessionSignup.session_id)
            ).all()
        )
        if user_id is not None:
            mine = {
                s.session_id: s
                for s in session.exec(
                    select(SessionSignup).where(
                        SessionSignup.user_id == user_id,
                        SessionSignup.session_id.in_(ids),
                        SessionSignup.status.in_(ACTIVE),
                    )
                )
            }
            starred = set(
                session.exec(
                    select(SessionStar.session_id).where(
                        SessionStar.user_id == user_id, SessionStar.session_id.in_(ids)
                    )
                )
            )
    cards = []
    for ps in sessions:
        signup = mine.get(ps.id)
        cards.append(
            SessionCard(
                ps=ps,
                track=track_map.get(ps.track_id),
                room=room_map.get(ps.room_id),
                waiting=waiting.get(ps.id, 0),
                my_status=signup.status if signup else None,
                my_position=waitlist_rank(session, signup) if signup else None,
                starred=ps.id in starred,
                start_hm=ps.starts_at.astimezone(tz).strftime("%H:%M"),
                end_hm=ps.ends_at.astimezone(tz).strftime("%H:%M"),
            )
        )
    return cards


def group_by_day(
    edition: Edition, items: list, key=lambda x: x.starts_at
) -> list[tuple[date, list]]:
    """Items grouped by their edition-local day, days in order."""
    days: dict[date, list] = defaultdict(list)
    for item in items:
        days[local_day(edition, key(item))].append(item)
    return sorted(days.items())


def sessions_by_day(
    session: Session, edition: Edition
) -> list[tuple[date, list[ProgrammeSession]]]:
    """Every session of the edition, grouped by local day, in time order (the booklet)."""
    return group_by_day(edition, list_sessions(session, edition))


def waitlist_rank(session: Session, signup: SessionSignup) -> int | None:
    """1 for the first person waiting; None when not waiting."""
    if signup.status != "waitlisted" or signup.waitlist_position is None:
        return None
    ahead = session.exec(
        select(func.count()).where(
            SessionSignup.session_id == signup.session_id,
            SessionSignup.status == "waitlisted",
            SessionSignup.waitlist_position < signup.waitlist_position,
        )
    ).one()
    return int(ahead) + 1


def attendees(
    session: Session, ps: ProgrammeSession
) -> dict[str, list[tuple[SessionSignup, User]]]:
    """Seated and waiting people of a session (organiser view), waitlist in FIFO order."""
    rows = session.exec(
        select(SessionSignup, User)
        .join(User, User.id == SessionSignup.user_id)
        .where(SessionSignup.session_id == ps.id, SessionSignup.status.in_(ACTIVE))
        .order_by(SessionSignup.waitlist_position, SessionSignup.created_at, SessionSignup.id)
    ).all()
    out: dict[str, list] = {"seated": [], "waitlisted": []}
    for signup, user in rows:
        out[signup.status].append((signup, user))
    return out
