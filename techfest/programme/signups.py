"""Seats and stars: signing up for a session (seat or waitlist), cancelling, starring.

Lock, check, write: the session row is locked and the seat count is updated atomically,
so two people pressing the button at once never both get the last seat. A person's busy
times (`busy_intervals`) are read here for the other domains."""

from __future__ import annotations

from collections import defaultdict
from datetime import datetime

import sqlalchemy as sa
from flask_babel import force_locale
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from sqlalchemy.exc import IntegrityError
from sqlmodel import Session, func, select

from techfest.auth.models import User
from techfest.core.mail import greeting_name, queue_email
from techfest.core.models import Edition
from techfest.db import now_utc
from techfest.programme.catalogue import ACTIVE, get_session, tz_of
from techfest.programme.errors import NotFound, SignupClash
from techfest.programme.models import ProgrammeSession, SessionSignup, SessionStar


def _lock_user(session: Session, user_id: int) -> None:
    """Serialise one person's sign-ups, so two overlapping ones cannot both pass the check."""
    session.exec(select(User.id).where(User.id == user_id).with_for_update())


def lock_session(session: Session, edition_id: int, session_id: int) -> ProgrammeSession:
    """The edition's session, locked for a seat change (FOR UPDATE on PostgreSQL)."""
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
    """The person's seat or waitlist place in the session, if any."""
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


def time_range(edition: Edition, ps: ProgrammeSession) -> str:
    """`09/10 14:00–15:30` in the edition's time zone: plain in both languages."""
    tz = tz_of(edition)
    start, end = ps.starts_at.astimezone(tz), ps.ends_at.astimezone(tz)
    return f"{start:%d/%m %H:%M}–{end:%H:%M}"


def _take_seat(session: Session, session_id: int) -> bool:
    """Take one seat of the session if one is free, in one atomic update (no race)."""
    taken = session.execute(
        sa.update(ProgrammeSession)
        .where(
            ProgrammeSession.id == session_id,
            ProgrammeSession.seats_taken < ProgrammeSession.capacity,
        )
        .values(seats_taken=ProgrammeSession.seats_taken + 1)
        .execution_options(synchronize_session=False)
    ).rowcount
    return taken == 1


def sign_up(session: Session, edition: Edition, user: User, session_id: int) -> SessionSignup:
    """Give the person a seat, or a waitlist place when the session is full.

    Signing up twice for the same session returns the existing sign-up.
    """
    from techfest.i18n import pick

    _lock_user(session, user.id)
    ps = lock_session(session, edition.id, session_id)
    existing = active_signup(session, ps.id, user.id)
    if existing is not None:
        return existing
    clash = find_clash(session, edition.id, user.id, ps.starts_at, ps.ends_at)
    if clash is not None:
        raise SignupClash(
            _(
                "This session overlaps “%(title)s” (%(time)s), which you already have.",
                title=pick(clash, "title"),
                time=time_range(edition, clash),
            )
        )
    try:
        with session.begin_nested():
            if _take_seat(session, ps.id):
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
    ps = lock_session(session, edition.id, session_id)
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
            name=greeting_name(person.full_name),
            title=title,
            time=time_range(edition, ps),
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
    ps = lock_session(session, edition.id, session_id)
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
        if not _take_seat(session, ps.id):
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
    """Star a session: it shows in the agenda and counts as busy for meetings."""
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
    """Remove the star from a session."""
    ps = get_session(session, edition.id, session_id)
    session.execute(
        sa.delete(SessionStar)
        .where(SessionStar.session_id == ps.id, SessionStar.user_id == user.id)
        .execution_options(synchronize_session=False)
    )
    session.flush()


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


def sessions_of_people(
    session: Session, edition_id: int, user_ids: list[int]
) -> dict[int, list[tuple[ProgrammeSession, str, int | None]]]:
    """Each person's sessions in the edition: (session, 'seated' | 'waitlisted' | 'starred',
    place on the waitlist or None), in a few queries for many people (agendas).

    A session the person holds a seat or a waitlist place in is not listed again as starred.
    """
    result: dict[int, list[tuple[ProgrammeSession, str, int | None]]] = {u: [] for u in user_ids}
    held: dict[int, set[int]] = defaultdict(set)
    for chunk in _chunks(list(result)):
        signups = session.exec(
            select(SessionSignup, ProgrammeSession)
            .join(ProgrammeSession, ProgrammeSession.id == SessionSignup.session_id)
            .where(
                ProgrammeSession.edition_id == edition_id,
                SessionSignup.user_id.in_(chunk),
                SessionSignup.status.in_(ACTIVE),
            )
        ).all()
        ranks = _waitlist_ranks(session, {ps.id for s, ps in signups if s.status == "waitlisted"})
        for signup, ps in signups:
            held[signup.user_id].add(ps.id)
            result[signup.user_id].append((ps, signup.status, ranks.get(signup.id)))
        stars = session.exec(
            select(SessionStar.user_id, ProgrammeSession)
            .join(ProgrammeSession, ProgrammeSession.id == SessionStar.session_id)
            .where(ProgrammeSession.edition_id == edition_id, SessionStar.user_id.in_(chunk))
        ).all()
        for user_id, ps in stars:
            if ps.id not in held[user_id]:
                result[user_id].append((ps, "starred", None))
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
