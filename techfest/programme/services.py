"""The programme's rules: sessions, seats, waitlists, stars, agendas and the iCal feed.

Seats are scarce: a sign-up locks the person and the session (FOR UPDATE on PostgreSQL;
BEGIN IMMEDIATE on SQLite), then raises `seats_taken` with a conditional UPDATE that the
database's CHECK backs up. When no seat is left the person joins the waitlist; a seated
person who cancels hands the seat to the first one waiting. Services flush, never commit.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta
from typing import Any
from zoneinfo import ZoneInfo

import sqlalchemy as sa
from flask_babel import force_locale
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from sqlalchemy.exc import IntegrityError
from sqlmodel import Session, func, select

from techfest.auth.models import User
from techfest.core import audit
from techfest.core.csvio import ImportReport, RowError, import_rows, read_csv, write_csv
from techfest.core.editions import code_taken
from techfest.core.errors import DomainError
from techfest.core.mail import queue_email
from techfest.core.models import Edition, Organisation
from techfest.db import now_utc
from techfest.matchmaking.models import Meeting, MeetingSlot, MeetingTable
from techfest.programme.models import ProgrammeSession, Room, SessionSignup, SessionStar, Track

LANGUAGES = ("vi", "en", "vi-en")
LANGUAGE_LABELS = {
    "vi": _l("Vietnamese"),
    "en": _l("English"),
    "vi-en": _l("Vietnamese and English"),
}
ACTIVE = ("seated", "waitlisted")
#: meetings that belong on a personal agenda
AGENDA_MEETING_STATUSES = ("published", "held")
MAX_CAPACITY = 100_000


# --------------------------------------------------------------------------- errors


class ProgrammeError(DomainError):
    """A rule of the programme refused the action; `message` is shown to the person."""

    def __init__(self, message: str, field: str | None = None):
        #: the form field the message belongs to, when there is one
        super().__init__(str(message), field=field)


class NotFound(ProgrammeError):
    """No such session, track or room in this edition, or no such sign-up (404)."""

    not_found = True


class SignupClash(ProgrammeError):
    pass


class SessionFull(ProgrammeError):
    pass


# --------------------------------------------------------------------------- reading


def tz_of(edition: Edition) -> ZoneInfo:
    return ZoneInfo(edition.timezone or "Asia/Ho_Chi_Minh")


def local_day(edition: Edition, moment: datetime) -> date:
    return moment.astimezone(tz_of(edition)).date()


def edition_days(edition: Edition) -> list[date]:
    days = []
    day = edition.starts_on
    while day <= edition.ends_on and len(days) < 60:
        days.append(day)
        day += timedelta(days=1)
    return days


def tracks(session: Session, edition_id: int) -> list[Track]:
    return list(
        session.exec(select(Track).where(Track.edition_id == edition_id).order_by(Track.code))
    )


def rooms(session: Session, edition_id: int) -> list[Room]:
    return list(session.exec(select(Room).where(Room.edition_id == edition_id).order_by(Room.code)))


def get_track(session: Session, edition_id: int, track_id: int) -> Track:
    track = session.exec(
        select(Track).where(Track.id == track_id, Track.edition_id == edition_id)
    ).first()
    if track is None:
        raise NotFound(_l("No such track."))
    return track


def get_room(session: Session, edition_id: int, room_id: int) -> Room:
    room = session.exec(
        select(Room).where(Room.id == room_id, Room.edition_id == edition_id)
    ).first()
    if room is None:
        raise NotFound(_l("No such room."))
    return room


def get_session(session: Session, edition_id: int, session_id: int) -> ProgrammeSession:
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
    day: date | None = None
    track_id: int | None = None
    room_id: int | None = None
    language: str | None = None

    @classmethod
    def parse(cls, args: Any, edition: Edition) -> Filters:
        """Filters from query parameters; anything unreadable is ignored, never an error."""

        def as_int(name: str) -> int | None:
            value = (args.get(name) or "").strip()
            return int(value) if value.isdigit() and len(value) < 10 else None

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


# --------------------------------------------------------------------------- sign-ups


def _lock_user(session: Session, user_id: int) -> None:
    """Serialise one person's sign-ups, so two overlapping ones cannot both pass the check."""
    session.exec(select(User.id).where(User.id == user_id).with_for_update())


def _lock_session(session: Session, edition_id: int, session_id: int) -> ProgrammeSession:
    ps = session.exec(
        select(ProgrammeSession)
        .where(ProgrammeSession.id == session_id, ProgrammeSession.edition_id == edition_id)
        .with_for_update()
        .execution_options(populate_existing=True)
    ).first()
    if ps is None:
        raise NotFound(_l("No such session."))
    return ps


def active_signup(session: Session, session_id: int, user_id: int) -> SessionSignup | None:
    return session.exec(
        select(SessionSignup).where(
            SessionSignup.session_id == session_id,
            SessionSignup.user_id == user_id,
            SessionSignup.status.in_(ACTIVE),
        )
    ).first()


def find_clash(
    session: Session,
    edition_id: int,
    user_id: int,
    starts_at: datetime,
    ends_at: datetime,
    exclude_session_id: int | None = None,
) -> ProgrammeSession | None:
    """A session the person holds (seated or waiting) that overlaps the given time."""
    query = (
        select(ProgrammeSession)
        .join(SessionSignup, SessionSignup.session_id == ProgrammeSession.id)
        .where(
            ProgrammeSession.edition_id == edition_id,
            SessionSignup.user_id == user_id,
            SessionSignup.status.in_(ACTIVE),
            ProgrammeSession.starts_at < ends_at,
            ProgrammeSession.ends_at > starts_at,
        )
        .order_by(ProgrammeSession.starts_at)
    )
    if exclude_session_id is not None:
        query = query.where(ProgrammeSession.id != exclude_session_id)
    return session.exec(query).first()


def _time_range(edition: Edition, ps: ProgrammeSession) -> str:
    """`09/10 14:00–15:30` in the edition's time zone: plain in both languages."""
    tz = tz_of(edition)
    start, end = ps.starts_at.astimezone(tz), ps.ends_at.astimezone(tz)
    return f"{start:%d/%m %H:%M}–{end:%H:%M}"


def sign_up(session: Session, edition: Edition, user: User, session_id: int) -> SessionSignup:
    """Give the person a seat, or a waitlist place when the session is full.

    Signing up twice for the same session returns the existing sign-up.
    """
    from techfest.i18n import pick

    _lock_user(session, user.id)
    ps = _lock_session(session, edition.id, session_id)
    existing = active_signup(session, ps.id, user.id)
    if existing is not None:
        return existing
    clash = find_clash(session, edition.id, user.id, ps.starts_at, ps.ends_at)
    if clash is not None:
        raise SignupClash(
            _(
                "This session overlaps “%(title)s” (%(time)s), which you already have.",
                title=pick(clash, "title"),
                time=_time_range(edition, clash),
            )
        )
    try:
        with session.begin_nested():
            taken = session.execute(
                sa.update(ProgrammeSession)
                .where(
                    ProgrammeSession.id == ps.id,
                    ProgrammeSession.seats_taken < ProgrammeSession.capacity,
                )
                .values(seats_taken=ProgrammeSession.seats_taken + 1)
                .execution_options(synchronize_session=False)
            ).rowcount
            if taken == 1:
                signup = SessionSignup(session_id=ps.id, user_id=user.id, status="seated")
            else:
                last = session.exec(
                    select(func.max(SessionSignup.waitlist_position)).where(
                        SessionSignup.session_id == ps.id
                    )
                ).one()
                signup = SessionSignup(
                    session_id=ps.id,
                    user_id=user.id,
                    status="waitlisted",
                    waitlist_position=(last or 0) + 1,
                )
            session.add(signup)
            session.flush()
    except IntegrityError:
        # the same person's other request got there first: theirs is the sign-up
        existing = active_signup(session, ps.id, user.id)
        if existing is None:
            raise
        return existing
    session.refresh(ps)
    return signup


def cancel_signup(
    session: Session, edition: Edition, user: User, session_id: int, agenda_url: str = ""
) -> SessionSignup | None:
    """Cancel the person's seat or waitlist place; a freed seat goes to the first waiting.

    Returns the promoted sign-up, if any.
    """
    _lock_user(session, user.id)
    ps = _lock_session(session, edition.id, session_id)
    signup = active_signup(session, ps.id, user.id)
    if signup is None:
        raise NotFound(_l("You are not signed up for this session."))
    was_seated = signup.status == "seated"
    signup.status = "cancelled"
    signup.waitlist_position = None
    signup.cancelled_at = now_utc()
    session.add(signup)
    session.flush()
    if not was_seated:
        return None
    promoted = session.exec(
        select(SessionSignup)
        .where(SessionSignup.session_id == ps.id, SessionSignup.status == "waitlisted")
        .order_by(SessionSignup.waitlist_position, SessionSignup.id)
        .limit(1)
    ).first()
    if promoted is None:
        session.execute(
            sa.update(ProgrammeSession)
            .where(ProgrammeSession.id == ps.id, ProgrammeSession.seats_taken > 0)
            .values(seats_taken=ProgrammeSession.seats_taken - 1)
            .execution_options(synchronize_session=False)
        )
        session.flush()
        session.refresh(ps)
        return None
    # the seat passes from one person to the next: seats_taken stays as it is
    promoted.status = "seated"
    promoted.waitlist_position = None
    session.add(promoted)
    session.flush()
    _tell_promoted(session, edition, ps, promoted, agenda_url)
    return promoted


def _tell_promoted(
    session: Session, edition: Edition, ps: ProgrammeSession, signup: SessionSignup, agenda_url: str
) -> None:
    from techfest.i18n import pick

    person = session.get(User, signup.user_id)
    if person is None or person.erased_at is not None:
        return
    with force_locale(person.locale or "vi"):
        title = pick(ps, "title")
        subject = _("A seat is yours: %(title)s", title=title)
        body = _(
            "Hello %(name)s,\n\nA seat became free in “%(title)s” (%(time)s) and it is now "
            "yours: you were first on the waitlist.\n\nIf you can no longer come, please "
            "cancel so that the next person gets the seat.\n%(url)s\n\n%(edition)s",
            name=person.full_name,
            title=title,
            time=_time_range(edition, ps),
            url=agenda_url,
            edition=pick(edition, "name"),
        )
    queue_email(session, person.email, subject, body, dedupe_key=f"programme-promoted:{signup.id}")


def fill_from_waitlist(
    session: Session, edition: Edition, session_id: int, agenda_url: str = ""
) -> list[SessionSignup]:
    """Seat waiting people, first come first served, while the session has free seats.

    Runs after an organiser raises a capacity; each promoted person gets an email.
    """
    ps = _lock_session(session, edition.id, session_id)
    promoted: list[SessionSignup] = []
    while True:
        waiting = session.exec(
            select(SessionSignup)
            .where(SessionSignup.session_id == ps.id, SessionSignup.status == "waitlisted")
            .order_by(SessionSignup.waitlist_position, SessionSignup.id)
            .limit(1)
        ).first()
        if waiting is None:
            break
        taken = session.execute(
            sa.update(ProgrammeSession)
            .where(
                ProgrammeSession.id == ps.id,
                ProgrammeSession.seats_taken < ProgrammeSession.capacity,
            )
            .values(seats_taken=ProgrammeSession.seats_taken + 1)
            .execution_options(synchronize_session=False)
        ).rowcount
        if taken != 1:
            break
        waiting.status = "seated"
        waiting.waitlist_position = None
        session.add(waiting)
        session.flush()
        _tell_promoted(session, edition, ps, waiting, agenda_url)
        promoted.append(waiting)
    session.refresh(ps)
    return promoted


def star(session: Session, edition: Edition, user: User, session_id: int) -> SessionStar:
    ps = get_session(session, edition.id, session_id)
    existing = session.exec(
        select(SessionStar).where(SessionStar.session_id == ps.id, SessionStar.user_id == user.id)
    ).first()
    if existing is not None:
        return existing
    mark = SessionStar(session_id=ps.id, user_id=user.id)
    try:
        with session.begin_nested():
            session.add(mark)
            session.flush()
    except IntegrityError:
        return session.exec(
            select(SessionStar).where(
                SessionStar.session_id == ps.id, SessionStar.user_id == user.id
            )
        ).one()
    return mark


def unstar(session: Session, edition: Edition, user: User, session_id: int) -> None:
    ps = get_session(session, edition.id, session_id)
    session.execute(
        sa.delete(SessionStar)
        .where(SessionStar.session_id == ps.id, SessionStar.user_id == user.id)
        .execution_options(synchronize_session=False)
    )
    session.flush()


# --------------------------------------------------------------------------- agenda


@dataclass
class AgendaItem:
    kind: str  # 'session' or 'meeting'
    starts_at: datetime
    ends_at: datetime
    uid: str
    title_vi: str
    title_en: str
    location_vi: str = ""
    location_en: str = ""
    #: 'seated', 'waitlisted', 'starred' for sessions; the meeting's status for meetings
    status: str = ""
    waitlist_position: int | None = None
    session: ProgrammeSession | None = None
    meeting: Meeting | None = None
    counterpart: str = ""
    description_vi: str = ""
    description_en: str = ""
    extra: dict = field(default_factory=dict)


def agenda_items(session: Session, edition: Edition, user: User) -> list[AgendaItem]:
    """The person's sessions (seated, waiting, starred) and published meetings, in time order."""
    return agendas(session, edition, [user])[user.id]


def agendas(session: Session, edition: Edition, users: list[User]) -> dict[int, list[AgendaItem]]:
    """`agenda_items` for many people at once, in a handful of queries (bulk printing)."""
    result: dict[int, list[AgendaItem]] = {u.id: [] for u in users}
    if not users:
        return result
    room_map = {r.id: r for r in rooms(session, edition.id)}
    held: dict[int, set[int]] = defaultdict(set)
    for chunk in _chunks(list(result)):
        signups = session.exec(
            select(SessionSignup, ProgrammeSession)
            .join(ProgrammeSession, ProgrammeSession.id == SessionSignup.session_id)
            .where(
                ProgrammeSession.edition_id == edition.id,
                SessionSignup.user_id.in_(chunk),
                SessionSignup.status.in_(ACTIVE),
            )
        ).all()
        ranks = _waitlist_ranks(session, {ps.id for s, ps in signups if s.status == "waitlisted"})
        for signup, ps in signups:
            held[signup.user_id].add(ps.id)
            result[signup.user_id].append(
                _session_item(ps, room_map.get(ps.room_id), signup.status, ranks.get(signup.id))
            )
        stars = session.exec(
            select(SessionStar.user_id, ProgrammeSession)
            .join(ProgrammeSession, ProgrammeSession.id == SessionStar.session_id)
            .where(ProgrammeSession.edition_id == edition.id, SessionStar.user_id.in_(chunk))
        ).all()
        for user_id, ps in stars:
            if ps.id not in held[user_id]:
                result[user_id].append(_session_item(ps, room_map.get(ps.room_id), "starred", None))
    org_ids = {u.organisation_id for u in users if u.organisation_id is not None}
    meetings = _meeting_items(session, edition, org_ids)
    for user in users:
        items = result[user.id]
        items.extend(meetings.get(user.organisation_id, []))
        items.sort(key=lambda i: (i.starts_at, i.ends_at, i.uid))
    return result


def _chunks(ids: list[int], size: int = 500) -> list[list[int]]:
    return [ids[i : i + size] for i in range(0, len(ids), size)]


def _waitlist_ranks(session: Session, session_ids: set[int]) -> dict[int, int]:
    """Sign-up id -> place in its session's waitlist (1 = next to get a seat)."""
    if not session_ids:
        return {}
    ranks: dict[int, int] = {}
    counters: dict[int, int] = defaultdict(int)
    rows = session.exec(
        select(SessionSignup.id, SessionSignup.session_id)
        .where(SessionSignup.session_id.in_(session_ids), SessionSignup.status == "waitlisted")
        .order_by(SessionSignup.session_id, SessionSignup.waitlist_position, SessionSignup.id)
    ).all()
    for signup_id, session_id in rows:
        counters[session_id] += 1
        ranks[signup_id] = counters[session_id]
    return ranks


def _session_item(ps: ProgrammeSession, room: Room | None, status: str, position) -> AgendaItem:
    return AgendaItem(
        kind="session",
        starts_at=ps.starts_at,
        ends_at=ps.ends_at,
        uid=f"session-{ps.id}",
        title_vi=ps.title_vi,
        title_en=ps.title_en,
        description_vi=ps.description_vi,
        description_en=ps.description_en,
        location_vi=room.name_vi if room else "",
        location_en=room.name_en if room else "",
        status=status,
        waitlist_position=position,
        session=ps,
    )


def _meeting_items(
    session: Session, edition: Edition, organisation_ids: set[int]
) -> dict[int, list[AgendaItem]]:
    """Published and held meetings of these organisations, keyed by organisation."""
    out: dict[int, list[AgendaItem]] = defaultdict(list)
    if not organisation_ids:
        return out
    ids = list(organisation_ids)
    rows = session.exec(
        select(Meeting, MeetingSlot, MeetingTable)
        .join(MeetingSlot, MeetingSlot.id == Meeting.slot_id)
        .outerjoin(MeetingTable, MeetingTable.id == Meeting.table_id)
        .where(
            Meeting.edition_id == edition.id,
            Meeting.status.in_(AGENDA_MEETING_STATUSES),
            sa.or_(
                Meeting.startup_organisation_id.in_(ids),
                Meeting.investor_organisation_id.in_(ids),
            ),
        )
    ).all()
    names = (
        dict(
            session.exec(
                select(Organisation.id, Organisation.name).where(
                    Organisation.id.in_(
                        {m.startup_organisation_id for m, _s, _t in rows}
                        | {m.investor_organisation_id for m, _s, _t in rows}
                    )
                )
            ).all()
        )
        if rows
        else {}
    )
    for meeting, slot, table in rows:
        sides = (
            (meeting.startup_organisation_id, meeting.investor_organisation_id),
            (meeting.investor_organisation_id, meeting.startup_organisation_id),
        )
        for own, other in sides:
            if own in organisation_ids:
                out[own].append(_meeting_item(meeting, slot, table, names.get(other, "")))
    return out


def _meeting_item(meeting: Meeting, slot: MeetingSlot, table, name: str) -> AgendaItem:
    label = table.label if table else ""
    return AgendaItem(
        kind="meeting",
        starts_at=slot.starts_at,
        ends_at=slot.ends_at,
        uid=f"meeting-{meeting.id}",
        title_vi=f"Gặp gỡ: {name}",
        title_en=f"Meeting: {name}",
        location_vi=", ".join(p for p in (label, table.location_vi if table else "") if p),
        location_en=", ".join(p for p in (label, table.location_en if table else "") if p),
        status=meeting.status,
        meeting=meeting,
        counterpart=name,
        description_vi="; ".join(meeting.reasons_vi or []),
        description_en="; ".join(meeting.reasons_en or []),
    )


def busy_intervals(
    session: Session, edition_id: int, user_ids: list[int]
) -> dict[int, list[tuple[datetime, datetime]]]:
    """Times each person is taken by programme sessions: seated sign-ups and starred ones."""
    busy: dict[int, set[tuple[datetime, datetime]]] = {uid: set() for uid in user_ids}
    if not user_ids:
        return {}
    seated = session.exec(
        select(SessionSignup.user_id, ProgrammeSession.starts_at, ProgrammeSession.ends_at)
        .join(ProgrammeSession, ProgrammeSession.id == SessionSignup.session_id)
        .where(
            ProgrammeSession.edition_id == edition_id,
            SessionSignup.user_id.in_(user_ids),
            SessionSignup.status == "seated",
        )
    ).all()
    starred = session.exec(
        select(SessionStar.user_id, ProgrammeSession.starts_at, ProgrammeSession.ends_at)
        .join(ProgrammeSession, ProgrammeSession.id == SessionStar.session_id)
        .where(ProgrammeSession.edition_id == edition_id, SessionStar.user_id.in_(user_ids))
    ).all()
    for uid, start, end in [*seated, *starred]:
        busy[uid].add((start, end))
    return {uid: sorted(spans) for uid, spans in busy.items()}


def user_by_feed_token(session: Session, token: str) -> User | None:
    if not token or len(token) > 200:
        return None
    user = session.exec(select(User).where(User.feed_token == token)).first()
    if user is None or not user.is_active:
        return None
    return user


def ical_feed(session: Session, edition: Edition, user: User, base_url: str = "") -> bytes:
    """The person's agenda as an iCalendar file with a VTIMEZONE for the edition."""
    from icalendar import Calendar, Event, Timezone

    from techfest.i18n import pick

    tz = tz_of(edition)
    with force_locale(user.locale or "vi"):
        cal = Calendar()
        cal.add("prodid", "-//Techfest//Programme//VI")
        cal.add("version", "2.0")
        cal.add("calscale", "GREGORIAN")
        cal.add("method", "PUBLISH")
        cal.add("x-wr-calname", f"{pick(edition, 'name')} – {_('My agenda')}")
        cal.add("x-wr-timezone", str(tz))
        cal.add_component(Timezone.from_tzid(str(tz)))
        stamp = datetime.now(UTC).replace(microsecond=0)
        host = "techfest"
        for item in agenda_items(session, edition, user):
            if item.status == "starred":
                continue
            event = Event()
            event.add("uid", f"{item.uid}-{edition.year}@{host}")
            event.add("dtstamp", stamp)
            event.add("dtstart", item.starts_at.astimezone(tz))
            event.add("dtend", item.ends_at.astimezone(tz))
            title = pick(item, "title")
            if item.status == "waitlisted":
                title = _("[Waitlist] %(title)s", title=title)
            event.add("summary", title)
            location = pick(item, "location")
            if location:
                event.add("location", location)
            description = pick(item, "description")
            if description:
                event.add("description", description)
            event.add("status", "TENTATIVE" if item.status == "waitlisted" else "CONFIRMED")
            if base_url and item.session is not None:
                event.add("url", f"{base_url.rstrip('/')}/sessions/{item.session.id}")
            cal.add_component(event)
    return cal.to_ical()


# --------------------------------------------------------------------------- organiser


@dataclass
class SessionData:
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
                    time=_time_range(edition, clash),
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
    current = _lock_session(session, edition.id, session_id) if session_id is not None else None
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


# --------------------------------------------------------------------------- CSV

CSV_COLUMNS = (
    "code",
    "title_vi",
    "title_en",
    "date",
    "start",
    "end",
    "track",
    "room",
    "language",
    "capacity",
    "speakers",
    "description_vi",
    "description_en",
)
CSV_REQUIRED = ("code", "title_vi", "date", "start", "end")


def export_sessions_csv(session: Session, edition: Edition) -> str:
    tz = tz_of(edition)
    track_codes = {t.id: t.code for t in tracks(session, edition.id)}
    room_codes = {r.id: r.code for r in rooms(session, edition.id)}
    rows = []
    for ps in list_sessions(session, edition):
        start = ps.starts_at.astimezone(tz)
        rows.append(
            {
                "code": ps.code,
                "title_vi": ps.title_vi,
                "title_en": ps.title_en,
                "date": start.date().isoformat(),
                "start": start.strftime("%H:%M"),
                "end": ps.ends_at.astimezone(tz).strftime("%H:%M"),
                "track": track_codes.get(ps.track_id, ""),
                "room": room_codes.get(ps.room_id, ""),
                "language": ps.language,
                "capacity": ps.capacity,
                "speakers": format_speakers(ps.speakers, "; "),
                "description_vi": ps.description_vi,
                "description_en": ps.description_en,
            }
        )
    return write_csv(rows, CSV_COLUMNS)


def _parse_hhmm(value: str) -> time | None:
    try:
        parsed = datetime.strptime(value.strip(), "%H:%M")  # noqa: DTZ007 - a wall-clock time
    except ValueError:
        return None
    return parsed.time()


LIMITS = {
    "code": 40,
    "title_vi": 300,
    "title_en": 300,
    "description_vi": 5000,
    "description_en": 5000,
}


def import_sessions_csv(
    session: Session, edition: Edition, actor: User, data: bytes | str
) -> ImportReport:
    """Create or update sessions (by code) from CSV: every row checked, all applied or none."""
    try:
        rows = read_csv(data, required=CSV_REQUIRED)
    except ValueError as exc:
        return ImportReport(errors=[RowError(1, "", _csv_format_message(str(exc)))])
    tz = tz_of(edition)
    days = set(edition_days(edition))
    track_ids = {t.code: t.id for t in tracks(session, edition.id)}
    room_map = {r.code: r for r in rooms(session, edition.id)}
    existing = {
        ps.code: ps
        for ps in session.exec(
            select(ProgrammeSession).where(ProgrammeSession.edition_id == edition.id)
        )
    }
    seen: dict[str, int] = {}
    file_codes = {row.get("code") or "" for row in rows}
    planned: list[tuple[int, SessionData]] = []

    def parse(row: dict[str, str], line: int) -> tuple[Any, list[RowError]]:
        errors: list[RowError] = []

        def err(column: str, message: str) -> None:
            errors.append(RowError(line, column, str(message)))

        for column in ("code", "title_vi"):
            if not row.get(column):
                err(column, _("This field is required."))
        for column, limit in LIMITS.items():
            if len(row.get(column) or "") > limit:
                err(column, _("At most %(n)s characters.", n=limit))
        code = row.get("code") or ""
        if code and code in seen:
            err(
                "code",
                _("The code %(code)s appears twice (line %(line)s).", code=code, line=seen[code]),
            )
        elif code:
            seen[code] = line
        day = None
        try:
            day = date.fromisoformat(row.get("date") or "")
        except ValueError:
            err("date", _("Write the date as YYYY-MM-DD."))
        if day is not None and day not in days:
            err("date", _("The date is not a day of this edition."))
        start, end = _parse_hhmm(row.get("start") or ""), _parse_hhmm(row.get("end") or "")
        if start is None:
            err("start", _("Write the time as HH:MM."))
        if end is None:
            err("end", _("Write the time as HH:MM."))
        if start is not None and end is not None and end <= start:
            err("end", _("The session must end after it starts."))
        track = row.get("track") or ""
        if track and track not in track_ids:
            err("track", _("Unknown track code %(code)s.", code=track))
        room_code = row.get("room") or ""
        if room_code and room_code not in room_map:
            err("room", _("Unknown room code %(code)s.", code=room_code))
        language = row.get("language") or "vi"
        if language not in LANGUAGES:
            err("language", _("Language must be vi, en or vi-en."))
        capacity = None
        raw_capacity = row.get("capacity") or ""
        if raw_capacity:
            if (
                raw_capacity.isdigit()
                and len(raw_capacity) < 7
                and 1 <= int(raw_capacity) <= MAX_CAPACITY
            ):
                capacity = int(raw_capacity)
            else:
                err("capacity", _("Capacity must be between 1 and 100000."))
        elif room_code in room_map:
            capacity = room_map[room_code].capacity
        else:
            capacity = 100
        if code in existing and capacity is not None and capacity < existing[code].seats_taken:
            err(
                "capacity",
                _(
                    "%(n)s people already hold a seat; the capacity cannot be lower.",
                    n=existing[code].seats_taken,
                ),
            )
        if errors:
            return None, errors
        item = SessionData(
            code=code,
            title_vi=row["title_vi"],
            title_en=row.get("title_en") or "",
            description_vi=row.get("description_vi") or "",
            description_en=row.get("description_en") or "",
            starts_at=datetime.combine(day, start, tzinfo=tz).astimezone(UTC),
            ends_at=datetime.combine(day, end, tzinfo=tz).astimezone(UTC),
            language=language,
            capacity=capacity or 100,
            track_id=track_ids.get(track) if track else None,
            room_id=room_map[room_code].id if room_code else None,
            speakers=parse_speakers(row.get("speakers") or ""),
        )
        clash = _room_clash_in_plan(item, planned, existing, file_codes)
        if clash:
            err("room", clash)
            return None, errors
        planned.append((line, item))
        return item, errors

    def apply(s: Session, items: list[SessionData]) -> tuple[int, int]:
        created = updated = 0
        for item in items:
            ps = existing.get(item.code)
            if ps is None:
                ps = ProgrammeSession(
                    edition_id=edition.id,
                    code=item.code,
                    title_vi="",
                    title_en="",
                    starts_at=item.starts_at,
                    ends_at=item.ends_at,
                )
                created += 1
            else:
                updated += 1
            for name in (
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
                setattr(ps, name, getattr(item, name))
            s.add(ps)
        s.flush()
        for item in items:
            if item.code in existing:
                fill_from_waitlist(s, edition, existing[item.code].id)
        audit.record(
            s,
            "programme.session.import",
            user_id=actor.id,
            edition_id=edition.id,
            object_type="programme_session",
            created=created,
            updated=updated,
        )
        return created, updated

    return import_rows(session, rows, parse, apply)


def _room_clash_in_plan(
    item: SessionData,
    planned: list[tuple[int, SessionData]],
    existing: dict[str, ProgrammeSession],
    file_codes: set[str],
) -> str | None:
    """A room booked twice at once, by two rows or by a row and a session not in the file."""
    if item.room_id is None:
        return None
    for line, other in planned:
        if (
            other.room_id == item.room_id
            and other.starts_at < item.ends_at
            and item.starts_at < other.ends_at
        ):
            return _("The room is already booked at this time by line %(line)s.", line=line)
    # sessions in the file will take their new times; the rest keep theirs
    for code, ps in existing.items():
        if code in file_codes or ps.room_id != item.room_id:
            continue
        if ps.starts_at < item.ends_at and item.starts_at < ps.ends_at:
            from techfest.i18n import pick

            return _(
                "The room is already booked at this time for “%(title)s”.", title=pick(ps, "title")
            )
    return None


def _csv_format_message(message: str) -> str:
    if message.startswith("Missing columns"):
        return _("Missing columns: %(columns)s", columns=message.split(":", 1)[1].strip())
    if "UTF-8" in message:
        return _("The file is not UTF-8 text.")
    if "empty" in message:
        return _("The file is empty.")
    if message.startswith("More than"):
        return _("The file has too many rows.")
    return _("The file cannot be read as CSV.")


# --------------------------------------------------------------------------- pages


@dataclass
class ProgrammePage:
    days: list[tuple[date, list[SessionCard]]]
    tracks: list[Track]
    rooms: list[Room]
    all_days: list[date]
    total: int


def programme_page(
    session: Session, edition: Edition, filters: Filters, user_id: int | None
) -> ProgrammePage:
    """What the public programme shows: filtered sessions by day, with the viewer's state."""
    sessions = list_sessions(session, edition, filters)
    track_list, room_list = tracks(session, edition.id), rooms(session, edition.id)
    cards = session_cards(session, edition, sessions, user_id, track_list, room_list)
    return ProgrammePage(
        days=group_by_day(edition, cards, key=lambda c: c.ps.starts_at),
        tracks=track_list,
        rooms=room_list,
        all_days=edition_days(edition),
        total=len(cards),
    )


def session_card(
    session: Session, edition: Edition, session_id: int, user_id: int | None
) -> SessionCard:
    ps = get_session(session, edition.id, session_id)
    return session_cards(session, edition, [ps], user_id)[0]


@dataclass
class ManagePage:
    sessions: list[SessionCard]
    tracks: list[Track]
    rooms: list[Room]


def manage_page(session: Session, edition: Edition) -> ManagePage:
    return ManagePage(
        sessions=session_cards(session, edition, list_sessions(session, edition), None),
        tracks=tracks(session, edition.id),
        rooms=rooms(session, edition.id),
    )
