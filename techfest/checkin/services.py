"""Check-in at the entrance (badge QR) and at session doors.

A scan counts once: the device gives each scan a `client_scan_id` (a UUID) and the database
keeps one check-in per id, one entrance check-in per registration and one per session
door (unique indexes on CheckIn). A queue replayed after a network outage, or the same
scan sent twice at once, therefore finds the first check-in and counts nothing new.
"""

from __future__ import annotations

import re
import uuid
from dataclasses import asdict, dataclass
from datetime import datetime, timedelta

import sqlalchemy as sa
from flask_babel import lazy_gettext as _l
from sqlalchemy.exc import IntegrityError
from sqlmodel import Session, col, func, select

from techfest.checkin.models import CheckIn
from techfest.core.audit import record
from techfest.core.models import Edition
from techfest.core.text import fold
from techfest.db import now_utc
from techfest.programme.models import ProgrammeSession, SessionSignup
from techfest.registration.models import Registration, TicketType

#: a device clock this far ahead is not believed
CLOCK_SKEW = timedelta(minutes=5)
MAX_CODE = 200


class CheckInError(Exception):
    def __init__(self, status: str, message):
        super().__init__(message)
        self.status = status
        self.message = message


@dataclass(frozen=True)
class ScanResult:
    #: 'checked_in' (new), 'already' (checked in before, or this scan was counted already)
    status: str
    registration_id: int
    name: str
    organisation: str
    ticket_vi: str
    ticket_en: str
    already_checked_in: bool
    checked_in_at: datetime
    #: for a session door: whether the person holds a seat in it
    has_seat: bool | None = None

    def as_json(self, lang: str) -> dict:
        data = asdict(self)
        data["ticket"] = self.ticket_en if lang == "en" else self.ticket_vi
        data["checked_in_at"] = self.checked_in_at.isoformat()
        del data["ticket_vi"], data["ticket_en"]
        return data


def parse_client_scan_id(value: object) -> str | None:
    if value in (None, ""):
        return None
    try:
        return str(uuid.UUID(str(value)))
    except ValueError as exc:
        raise CheckInError("invalid", _l("The scan id is not a UUID.")) from exc


def parse_scanned_at(value: object, now: datetime) -> datetime:
    """The device's time of the scan (ISO 8601), or now when missing or implausible."""
    if not isinstance(value, str) or not value:
        return now
    try:
        moment = datetime.fromisoformat(value.replace("Z", "+00:00"))
    except ValueError:
        return now
    if moment.tzinfo is None or moment > now + CLOCK_SKEW:
        return now
    return moment


def _registration_by_code(session: Session, edition: Edition, code: str) -> Registration:
    code = (code or "").strip()
    # a QR may hold a URL ending in the code; keep the last path segment
    code = re.split(r"[/=]", code)[-1] if code else code
    if not code or len(code) > MAX_CODE:
        raise CheckInError("unknown", _l("No badge with this code in this edition."))
    reg = session.exec(
        select(Registration).where(
            Registration.badge_code == code, Registration.edition_id == edition.id
        )
    ).first()
    if reg is None:
        raise CheckInError("unknown", _l("No badge with this code in this edition."))
    return reg


def _session_in_edition(session: Session, edition: Edition, session_id: int) -> ProgrammeSession:
    ps = session.get(ProgrammeSession, session_id)
    if ps is None or ps.edition_id != edition.id:
        raise CheckInError("unknown_session", _l("No such session in this edition."))
    return ps


def _result(
    session: Session, reg: Registration, check: CheckIn, new: bool, has_seat: bool | None
) -> ScanResult:
    ticket = session.get(TicketType, reg.ticket_type_id)
    return ScanResult(
        status="checked_in" if new else "already",
        registration_id=reg.id,
        name=reg.full_name,
        organisation=reg.organisation_name,
        ticket_vi=ticket.name_vi if ticket else "",
        ticket_en=ticket.name_en if ticket else "",
        already_checked_in=not new,
        checked_in_at=check.scanned_at,
        has_seat=has_seat,
    )


def _existing(session: Session, reg_id: int, session_id: int | None) -> CheckIn | None:
    where = CheckIn.session_id.is_(None) if session_id is None else CheckIn.session_id == session_id
    return session.exec(select(CheckIn).where(CheckIn.registration_id == reg_id, where)).first()


def check_in_registration(
    session: Session,
    edition: Edition,
    reg: Registration,
    *,
    by_user_id: int | None,
    programme_session_id: int | None = None,
    client_scan_id: str | None = None,
    scanned_at: datetime | None = None,
) -> ScanResult:
    """Check a registration in at the entrance (or a session door); counts once."""
    now = now_utc()
    has_seat = None
    if programme_session_id is not None:
        _session_in_edition(session, edition, programme_session_id)
        has_seat = (
            session.exec(
                select(SessionSignup.id).where(
                    SessionSignup.session_id == programme_session_id,
                    SessionSignup.user_id == reg.user_id,
                    SessionSignup.status == "seated",
                )
            ).first()
            is not None
        )
    if client_scan_id is not None:
        replay = session.exec(
            select(CheckIn).where(CheckIn.client_scan_id == client_scan_id)
        ).first()
        if replay is not None:
            counted = session.get(Registration, replay.registration_id)
            return _result(session, counted or reg, replay, False, has_seat)
    if reg.status != "confirmed":
        raise CheckInError(
            "not_confirmed",
            _l("This registration is cancelled.")
            if reg.status == "cancelled"
            else _l("This person is on the waitlist."),
        )
    existing = _existing(session, reg.id, programme_session_id)
    if existing is not None:
        return _result(session, reg, existing, False, has_seat)
    check = CheckIn(
        edition_id=edition.id,
        registration_id=reg.id,
        session_id=programme_session_id,
        scanned_at=scanned_at or now,
        received_at=now,
        client_scan_id=client_scan_id,
        checked_in_by_id=by_user_id,
    )
    try:
        with session.begin_nested():
            session.add(check)
            session.flush()
    except IntegrityError:
        # the same scan, or the same person, was counted by a concurrent request
        winner = None
        if client_scan_id is not None:
            winner = session.exec(
                select(CheckIn).where(CheckIn.client_scan_id == client_scan_id)
            ).first()
        winner = winner or _existing(session, reg.id, programme_session_id)
        if winner is None:
            raise
        return _result(session, reg, winner, False, has_seat)
    return _result(session, reg, check, True, has_seat)


def check_in_by_code(
    session: Session,
    edition: Edition,
    code: str,
    *,
    by_user_id: int | None,
    programme_session_id: int | None = None,
    client_scan_id: str | None = None,
    scanned_at: datetime | None = None,
) -> ScanResult:
    """A badge scan: find the registration by its QR code, then check it in."""
    if client_scan_id is not None:
        replay = session.exec(
            select(CheckIn).where(CheckIn.client_scan_id == client_scan_id)
        ).first()
        if replay is not None and replay.edition_id == edition.id:
            reg = session.get(Registration, replay.registration_id)
            return _result(session, reg, replay, False, None)
    reg = _registration_by_code(session, edition, code)
    return check_in_registration(
        session,
        edition,
        reg,
        by_user_id=by_user_id,
        programme_session_id=programme_session_id,
        client_scan_id=client_scan_id,
        scanned_at=scanned_at,
    )


def check_in_by_id(
    session: Session,
    edition: Edition,
    registration_id: int,
    *,
    by_user_id: int | None,
    programme_session_id: int | None = None,
) -> ScanResult:
    """Check-in from the search list, for someone without a badge."""
    reg = session.exec(
        select(Registration).where(
            Registration.id == registration_id, Registration.edition_id == edition.id
        )
    ).first()
    if reg is None:
        raise CheckInError("unknown", _l("No such registration in this edition."))
    result = check_in_registration(
        session, edition, reg, by_user_id=by_user_id, programme_session_id=programme_session_id
    )
    if not result.already_checked_in:
        # a badge scan is its own record (CheckIn.checked_in_by_id); a check-in without a
        # badge is the desk's judgement, so it goes to the audit log too
        record(
            session,
            "checkin.manual",
            user_id=by_user_id,
            edition_id=edition.id,
            object_type="registration",
            object_id=reg.id,
            session_id=programme_session_id,
        )
    return result


@dataclass(frozen=True)
class Found:
    registration: Registration
    ticket: TicketType | None
    checked_in_at: datetime | None


def search(session: Session, edition: Edition, query: str, limit: int = 30) -> list[Found]:
    """Registrations whose name, organisation or e-mail contains `query`.

    Case and diacritics are ignored: both sides are folded (techfest.core.text).
    """
    folded = fold(query)
    if len(folded) < 2:
        return []
    pattern = "%" + folded.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_") + "%"
    rows = session.exec(
        select(Registration, TicketType, CheckIn.scanned_at)
        .join(TicketType, TicketType.id == Registration.ticket_type_id, isouter=True)
        .join(
            CheckIn,
            sa.and_(CheckIn.registration_id == Registration.id, CheckIn.session_id.is_(None)),
            isouter=True,
        )
        .where(
            Registration.edition_id == edition.id,
            Registration.status != "cancelled",
            col(Registration.search_key).like(pattern, escape="\\"),
        )
        .order_by(Registration.full_name)
        .limit(limit)
    ).all()
    return [Found(reg, ticket, at) for reg, ticket, at in rows]


@dataclass(frozen=True)
class SessionAttendance:
    session: ProgrammeSession
    seated: int
    attended: int


def sessions_with_attendance(session: Session, edition: Edition) -> list[SessionAttendance]:
    seated = dict(
        session.exec(
            select(SessionSignup.session_id, func.count())
            .where(SessionSignup.status == "seated")
            .group_by(SessionSignup.session_id)
        ).all()
    )
    attended = dict(
        session.exec(
            select(CheckIn.session_id, func.count())
            .where(CheckIn.edition_id == edition.id, CheckIn.session_id.is_not(None))
            .group_by(CheckIn.session_id)
        ).all()
    )
    sessions = session.exec(
        select(ProgrammeSession)
        .where(ProgrammeSession.edition_id == edition.id)
        .order_by(ProgrammeSession.starts_at, ProgrammeSession.code)
    ).all()
    return [SessionAttendance(ps, seated.get(ps.id, 0), attended.get(ps.id, 0)) for ps in sessions]


def session_for_door(session: Session, edition: Edition, session_id: int) -> SessionAttendance:
    for item in sessions_with_attendance(session, edition):
        if item.session.id == session_id:
            return item
    raise CheckInError("unknown_session", _l("No such session in this edition."))


def entrance_count(session: Session, edition: Edition) -> int:
    return session.exec(
        select(func.count())
        .select_from(CheckIn)
        .where(CheckIn.edition_id == edition.id, CheckIn.session_id.is_(None))
    ).one()
