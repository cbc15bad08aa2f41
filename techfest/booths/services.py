"""Booth rules: requests and holds, organiser decisions, the floor plan editor, CSV.

Every function takes the session first and only flushes; the caller commits once.
Booking follows lock → check → write: the organisation row and the booth row are locked
(SELECT ... FOR UPDATE on PostgreSQL; on SQLite the writer's BEGIN IMMEDIATE serialises),
availability is checked with techfest.booths.availability, and the partial unique index
uq_booth_booking_live backs the check up.
"""

from __future__ import annotations

import json
import re
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime, timedelta
from functools import cache
from pathlib import Path

import sqlalchemy as sa
from flask_babel import force_locale, gettext
from flask_babel import lazy_gettext as _l
from sqlalchemy.exc import IntegrityError
from sqlmodel import Session, select

from techfest.auth.models import User
from techfest.booths import availability
from techfest.booths.availability import HALL_HEIGHT, HALL_WIDTH, Spot
from techfest.booths.models import Booth, BoothAllowance, BoothBooking, Zone
from techfest.core import audit, csvio
from techfest.core.editions import code_taken, roles_of
from techfest.core.errors import DomainError
from techfest.core.mail import queue_email
from techfest.core.models import Edition, EditionRole, Organisation
from techfest.db import now_utc

SIZES = ("S", "M", "L")
BOOKING_STATUSES = ("pending", "approved", "rejected", "expired", "cancelled")
CODE_RE = re.compile(r"^[A-Z0-9][A-Z0-9._-]{0,15}$")
COLOR_RE = re.compile(r"^#[0-9a-fA-F]{6}$")
#: prices are whole đồng in a 32-bit column
MAX_PRICE_VND = 2_000_000_000
MAX_HOLD_HOURS = 24 * 30
MAX_BOOTHS_LIMIT = 50
CSV_COLUMNS = ("code", "zone", "size", "price_vnd", "x", "y", "w", "h", "status")
CSV_REQUIRED = ("code", "zone", "size", "price_vnd", "x", "y", "w", "h")
AREAS_FILE = Path(__file__).resolve().parent.parent / "demo" / "data" / "booths.json"


class BoothError(DomainError):
    """A booth rule refused the action; `message` is shown to the person (translatable)."""

    def __init__(self, message, field: str | None = None):
        super().__init__(message, field=field)


class BoothNotFound(BoothError):
    """No such booth or booking in this edition (answered with 404)."""

    not_found = True

    def __init__(self):
        super().__init__(_l("No such booth or booking."))


class BoothTaken(BoothError):
    """Someone else holds the booth (the clear "just taken" answer)."""

    def __init__(self, code: str):
        super().__init__(
            _l(
                "Booth %(code)s was just taken by another organisation. "
                "Please choose another booth.",
                code=code,
            )
        )


class BoothLimitReached(BoothError):
    def __init__(self, limit: int):
        super().__init__(
            _l(
                "Your organisation already holds %(n)s booth(s), the most allowed. "
                "Ask the organisers if you need more.",
                n=limit,
            )
        )


# --- reading ------------------------------------------------------------------------------


def booth_limit(session: Session, edition: Edition, organisation_id: int) -> int:
    """Live bookings the organisation may hold: its allowance, or the edition's limit."""
    allowance = session.exec(
        select(BoothAllowance.max_booths).where(
            BoothAllowance.edition_id == edition.id,
            BoothAllowance.organisation_id == organisation_id,
        )
    ).first()
    return edition.max_booths_per_organisation if allowance is None else allowance


def zones(session: Session, edition: Edition) -> list[Zone]:
    return list(session.exec(select(Zone).where(Zone.edition_id == edition.id).order_by(Zone.code)))


def get_booth(session: Session, edition: Edition, booth_id: int) -> Booth:
    booth = session.exec(
        select(Booth).where(Booth.id == booth_id, Booth.edition_id == edition.id)
    ).first()
    if booth is None:
        raise BoothNotFound()
    return booth


def booth_by_code(session: Session, edition: Edition, code: str) -> Booth | None:
    """The edition's booth with this code (as printed on the floor plan), or None."""
    return session.exec(
        select(Booth).where(Booth.edition_id == edition.id, Booth.code == code)
    ).first()


def get_zone(session: Session, edition: Edition, zone_id: int) -> Zone:
    zone = session.exec(
        select(Zone).where(Zone.id == zone_id, Zone.edition_id == edition.id)
    ).first()
    if zone is None:
        raise BoothNotFound()
    return zone


@dataclass(frozen=True)
class ZoneBox:
    zone: Zone
    x: int
    y: int
    w: int
    h: int


@dataclass(frozen=True)
class Area:
    code: str
    name_vi: str
    name_en: str
    x: int
    y: int
    w: int
    h: int


@dataclass(frozen=True)
class FloorPlan:
    spots: list[Spot]
    zones: list[Zone]
    boxes: list[ZoneBox]
    areas: list[Area]
    counts: dict[str, int]
    width: int = HALL_WIDTH
    height: int = HALL_HEIGHT

    @property
    def shown(self) -> list[Spot]:
        return [s for s in self.spots if s.shown]


@cache
def hall_areas() -> tuple[Area, ...]:
    """Fixed parts of the hall (stage, meeting zone, entrance) drawn under the booths."""
    try:
        data = json.loads(AREAS_FILE.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return ()
    return tuple(
        Area(a["code"], a["name_vi"], a["name_en"], a["x"], a["y"], a["w"], a["h"])
        for a in data.get("areas", [])
    )


def floor_plan(
    session: Session,
    edition: Edition,
    zone_code: str | None = None,
    size: str | None = None,
    now: datetime | None = None,
) -> FloorPlan:
    """The map and list pages' data: booths with their state, zone outlines, hall areas."""
    spots = availability.floor_plan(session, edition.id, now or now_utc(), zone_code, size)
    extent: dict[int, list[int]] = {}
    by_id: dict[int, Zone] = {}
    for spot in spots:
        b = spot.booth
        by_id[spot.zone.id] = spot.zone
        box = extent.setdefault(spot.zone.id, [b.x, b.y, b.x + b.w, b.y + b.h])
        box[0], box[1] = min(box[0], b.x), min(box[1], b.y)
        box[2], box[3] = max(box[2], b.x + b.w), max(box[3], b.y + b.h)
    boxes = [
        ZoneBox(by_id[zid], x0 - 6, y0 - 6, x1 - x0 + 12, y1 - y0 + 12)
        for zid, (x0, y0, x1, y1) in sorted(extent.items(), key=lambda kv: by_id[kv[0]].code)
    ]
    return FloorPlan(
        spots=spots,
        zones=zones(session, edition),
        boxes=boxes,
        areas=list(hall_areas()) if spots else [],
        counts=availability.counts(spots),
    )


@dataclass(frozen=True)
class BoothDetail:
    booth: Booth
    zone: Zone
    state: str
    booking: BoothBooking | None
    #: the booking belongs to the viewer's organisation
    own: bool


def booth_detail(
    session: Session, edition: Edition, booth_id: int, organisation_id: int | None = None
) -> BoothDetail:
    booth = get_booth(session, edition, booth_id)
    zone = session.get(Zone, booth.zone_id)
    booking = availability.live_booking_of(session, booth.id, now_utc())
    own = (
        booking is not None
        and organisation_id is not None
        and booking.organisation_id == organisation_id
    )
    return BoothDetail(booth, zone, availability.state_of(booth, booking), booking, own)


@dataclass(frozen=True)
class BookingRow:
    booking: BoothBooking
    booth: Booth
    zone: Zone
    organisation: Organisation
    requested_by: User | None
    #: the status people see: a pending booking whose hold ran out reads "expired"
    status: str


def effective_status(booking: BoothBooking, now: datetime) -> str:
    if booking.status == "pending" and not availability.is_live(booking, now):
        return "expired"
    return booking.status


def _booking_rows(session: Session, query, now: datetime) -> list[BookingRow]:
    rows = session.exec(query).all()
    return [
        BookingRow(booking, booth, zone, org, user, effective_status(booking, now))
        for booking, booth, zone, org, user in rows
    ]


def _booking_query(edition: Edition):
    return (
        select(BoothBooking, Booth, Zone, Organisation, User)
        .join(Booth, Booth.id == BoothBooking.booth_id)
        .join(Zone, Zone.id == Booth.zone_id)
        .join(Organisation, Organisation.id == BoothBooking.organisation_id)
        .outerjoin(User, User.id == BoothBooking.requested_by_id)
        .where(Booth.edition_id == edition.id)
    )


def organisation_bookings(
    session: Session, edition: Edition, organisation_id: int | None
) -> list[BookingRow]:
    """The "my booth" page: every booking of one organisation, newest first."""
    if organisation_id is None:
        return []
    query = _booking_query(edition).where(BoothBooking.organisation_id == organisation_id)
    return _booking_rows(session, query.order_by(BoothBooking.id.desc()), now_utc())


def bookings_by_status(session: Session, edition: Edition, status: str) -> list[BookingRow]:
    """The organiser's list of requests; "pending" means holds still running."""
    now = now_utc()
    query = _booking_query(edition)
    if status == "pending":
        query = query.where(BoothBooking.status == "pending", availability.live_clause(now))
    elif status == "expired":
        query = query.where(
            sa.or_(
                BoothBooking.status == "expired",
                sa.and_(BoothBooking.status == "pending", sa.not_(availability.live_clause(now))),
            )
        )
    else:
        query = query.where(BoothBooking.status == status)
    return _booking_rows(session, query.order_by(BoothBooking.id), now)


def status_counts(session: Session, edition: Edition) -> dict[str, int]:
    """How many bookings of the edition are in each status, as people see it."""
    now = now_utc()
    counts = dict.fromkeys(BOOKING_STATUSES, 0)
    bookings = session.exec(
        select(BoothBooking)
        .join(Booth, Booth.id == BoothBooking.booth_id)
        .where(Booth.edition_id == edition.id)
    )
    for booking in bookings:
        counts[effective_status(booking, now)] += 1
    return counts


def organiser_booking(session: Session, edition: Edition, booking_id: int) -> BookingRow:
    query = _booking_query(edition).where(BoothBooking.id == booking_id)
    rows = _booking_rows(session, query, now_utc())
    if not rows:
        raise BoothNotFound()
    return rows[0]


# --- holds ---------------------------------------------------------------------------------


def expire_holds(
    session: Session,
    now: datetime | None = None,
    *,
    edition_id: int | None = None,
    booth_id: int | None = None,
    organisation_id: int | None = None,
) -> int:
    """Mark pending bookings whose hold ran out as expired; returns how many."""
    now = now or now_utc()
    query = sa.update(BoothBooking).where(
        BoothBooking.status == "pending",
        BoothBooking.hold_expires_at.is_not(None),
        BoothBooking.hold_expires_at <= now,
    )
    if booth_id is not None and organisation_id is not None:
        query = query.where(
            sa.or_(
                BoothBooking.booth_id == booth_id, BoothBooking.organisation_id == organisation_id
            )
        )
    elif booth_id is not None:
        query = query.where(BoothBooking.booth_id == booth_id)
    elif organisation_id is not None:
        query = query.where(BoothBooking.organisation_id == organisation_id)
    if edition_id is not None:
        query = query.where(
            BoothBooking.booth_id.in_(select(Booth.id).where(Booth.edition_id == edition_id))
        )
    result = session.exec(
        query.values(status="expired", decided_at=now).execution_options(synchronize_session=False)
    )
    session.flush()
    return result.rowcount or 0


# --- booking -------------------------------------------------------------------------------


def request_booth(
    session: Session, edition: Edition, booth_id: int, user: User, now: datetime | None = None
) -> BoothBooking:
    """A startup member selects a free booth: a pending booking held for a while."""
    now = now or now_utc()
    if user.organisation_id is None or "startup" not in roles_of(session, user.id, edition.id):
        raise BoothError(_l("Only members of a startup can request a booth."))
    org = session.exec(
        select(Organisation).where(Organisation.id == user.organisation_id).with_for_update()
    ).one()
    if org.kind != "startup":
        raise BoothError(_l("Only members of a startup can request a booth."))
    booth = session.exec(
        select(Booth).where(Booth.id == booth_id, Booth.edition_id == edition.id).with_for_update()
    ).first()
    if booth is None:
        raise BoothNotFound()
    expire_holds(session, now, booth_id=booth.id, organisation_id=org.id)
    if booth.status == "blocked":
        raise BoothError(_l("Booth %(code)s is not available.", code=booth.code))
    live = availability.live_booking_of(session, booth.id, now)
    if live is not None:
        if live.organisation_id == org.id:
            raise BoothError(_l("Your organisation already holds booth %(code)s.", code=booth.code))
        raise BoothTaken(booth.code)
    limit = booth_limit(session, edition, org.id)
    if availability.live_count_of(session, edition.id, org.id, now) >= limit:
        raise BoothLimitReached(limit)
    booking = BoothBooking(
        booth_id=booth.id,
        organisation_id=org.id,
        requested_by_id=user.id,
        status="pending",
        hold_expires_at=now + timedelta(hours=edition.booth_hold_hours),
        created_at=now,
    )
    try:
        with session.begin_nested():
            session.add(booking)
            session.flush()
    except IntegrityError:
        raise BoothTaken(booth.code) from None
    return booking


def withdraw_booking(
    session: Session, edition: Edition, booking_id: int, user: User
) -> BoothBooking:
    """The startup takes back its own pending request."""
    booking = _locked_booking(session, edition, booking_id, organisation_id=user.organisation_id)
    if effective_status(booking, now_utc()) != "pending":
        raise BoothError(_l("Only a pending request can be withdrawn."))
    booking.status = "cancelled"
    booking.decided_at = now_utc()
    booking.decided_by_id = user.id
    booking.reason = gettext("Withdrawn by the startup.")
    session.add(booking)
    session.flush()
    return booking


def _locked_booking(
    session: Session, edition: Edition, booking_id: int, organisation_id: int | None = None
) -> BoothBooking:
    query = (
        select(BoothBooking)
        .join(Booth, Booth.id == BoothBooking.booth_id)
        .where(BoothBooking.id == booking_id, Booth.edition_id == edition.id)
    )
    if organisation_id is not None:
        query = query.where(BoothBooking.organisation_id == organisation_id)
    booking = session.exec(query.with_for_update(of=BoothBooking)).first()
    if booking is None:
        raise BoothNotFound()
    return booking


def _notify(session: Session, edition: Edition, booking: BoothBooking, action: str) -> None:
    """Tell the startup's members about a decision, each in their own language."""
    booth = session.get(Booth, booking.booth_id)
    members = session.exec(
        select(User)
        .join(EditionRole, EditionRole.user_id == User.id)
        .where(
            User.organisation_id == booking.organisation_id,
            EditionRole.edition_id == edition.id,
            EditionRole.role == "startup",
        )
    ).all()
    for member in members:
        with force_locale(member.locale or "vi"):
            name = edition.name_en if member.locale == "en" else edition.name_vi
            if action == "approved":
                subject = gettext("Booth %(code)s is yours", code=booth.code)
                body = gettext(
                    "Your request for booth %(code)s at %(event)s was approved.",
                    code=booth.code,
                    event=name,
                )
            elif action == "rejected":
                subject = gettext("Booth %(code)s: request not approved", code=booth.code)
                body = gettext(
                    "Your request for booth %(code)s at %(event)s was not approved.",
                    code=booth.code,
                    event=name,
                )
            else:
                subject = gettext("Booth %(code)s: booking cancelled", code=booth.code)
                body = gettext(
                    "Your booking of booth %(code)s at %(event)s was cancelled by the organisers.",
                    code=booth.code,
                    event=name,
                )
            if booking.reason:
                body += "\n\n" + gettext("Reason: %(reason)s", reason=booking.reason)
        queue_email(
            session,
            member.email,
            subject,
            body,
            dedupe_key=f"booth-booking:{booking.id}:{action}:{member.id}",
        )


def _decide(
    session: Session,
    edition: Edition,
    booking_id: int,
    organiser: User,
    status: str,
    reason: str,
) -> BoothBooking:
    now = now_utc()
    booking = _locked_booking(session, edition, booking_id)
    current = effective_status(booking, now)
    if status in ("approved", "rejected") and current != "pending":
        raise BoothError(_l("This request is no longer pending; nothing was changed."))
    if status == "cancelled" and current not in ("pending", "approved"):
        raise BoothError(_l("Only a pending or approved booking can be cancelled."))
    if status == "approved":
        booth = session.get(Booth, booking.booth_id)
        if booth.status == "blocked":
            raise BoothError(_l("Unblock booth %(code)s before approving it.", code=booth.code))
    booking.status = status
    booking.decided_at = now
    booking.decided_by_id = organiser.id
    booking.reason = reason.strip()
    session.add(booking)
    session.flush()
    action = {"approved": "approve", "rejected": "reject", "cancelled": "cancel"}[status]
    audit.record(
        session,
        f"booth.{action}",
        user_id=organiser.id,
        edition_id=edition.id,
        object_type="booth_booking",
        object_id=booking.id,
        booth_id=booking.booth_id,
        organisation_id=booking.organisation_id,
        reason=booking.reason,
    )
    _notify(session, edition, booking, status)
    return booking


def approve_booking(
    session: Session, edition: Edition, booking_id: int, organiser: User, reason: str = ""
) -> BoothBooking:
    return _decide(session, edition, booking_id, organiser, "approved", reason)


def reject_booking(
    session: Session, edition: Edition, booking_id: int, organiser: User, reason: str
) -> BoothBooking:
    if not reason.strip():
        raise BoothError(_l("Give the startup a reason for the rejection."), field="reason")
    return _decide(session, edition, booking_id, organiser, "rejected", reason)


def cancel_booking(
    session: Session, edition: Edition, booking_id: int, organiser: User, reason: str
) -> BoothBooking:
    if not reason.strip():
        raise BoothError(_l("Give the startup a reason for the cancellation."), field="reason")
    return _decide(session, edition, booking_id, organiser, "cancelled", reason)


# --- floor plan editor ---------------------------------------------------------------------


def set_blocked(
    session: Session, edition: Edition, booth_id: int, organiser: User, blocked: bool
) -> Booth:
    """Take a booth off sale (only when nobody holds it), or put it back."""
    booth = session.exec(
        select(Booth).where(Booth.id == booth_id, Booth.edition_id == edition.id).with_for_update()
    ).first()
    if booth is None:
        raise BoothNotFound()
    if blocked and availability.live_booking_of(session, booth.id, now_utc()) is not None:
        raise BoothError(
            _l("Booth %(code)s is booked; cancel the booking before blocking it.", code=booth.code)
        )
    booth.status = "blocked" if blocked else "open"
    session.add(booth)
    session.flush()
    audit.record(
        session,
        "booth.block" if blocked else "booth.unblock",
        user_id=organiser.id,
        edition_id=edition.id,
        object_type="booth",
        object_id=booth.id,
        code=booth.code,
    )
    return booth


@dataclass(frozen=True)
class BoothData:
    code: str
    zone_id: int
    size: str
    price_vnd: int
    x: int
    y: int
    w: int
    h: int


def _overlapping(
    session: Session, edition: Edition, rect: tuple[int, int, int, int], exclude_id: int | None
) -> Booth | None:
    x, y, w, h = rect
    query = select(Booth).where(
        Booth.edition_id == edition.id,
        Booth.x < x + w,
        Booth.x + Booth.w > x,
        Booth.y < y + h,
        Booth.y + Booth.h > y,
    )
    if exclude_id is not None:
        query = query.where(Booth.id != exclude_id)
    return session.exec(query.order_by(Booth.code)).first()


def save_booth(
    session: Session,
    edition: Edition,
    organiser: User,
    data: BoothData,
    booth_id: int | None = None,
) -> Booth:
    """Create or change a booth; a used code, or a place off the hall or on a booth, is refused."""
    code = data.code.strip().upper()
    if not CODE_RE.match(code):
        raise BoothError(
            _l("Use 1 to 16 letters, digits, dots, dashes or underscores."), field="code"
        )
    if data.size not in SIZES:
        raise BoothError(_l("Choose one of the listed options."), field="size")
    if not 0 <= data.price_vnd <= MAX_PRICE_VND:
        raise BoothError(_l("Enter a price between 0 and 2,000,000,000 ₫."), field="price_vnd")
    get_zone(session, edition, data.zone_id)
    rect = (data.x, data.y, data.w, data.h)
    if not availability.inside_hall(*rect):
        raise BoothError(
            _l("The booth must lie inside the hall (%(w)s × %(h)s).", w=HALL_WIDTH, h=HALL_HEIGHT),
            field="x",
        )
    booth = get_booth(session, edition, booth_id) if booth_id is not None else None
    if code_taken(session, Booth, edition.id, code, booth_id):
        raise BoothError(_l("Another booth already uses the code %(code)s.", code=code), "code")
    other = _overlapping(session, edition, rect, booth_id)
    if other is not None:
        raise BoothError(_l("This place overlaps booth %(code)s.", code=other.code), field="x")
    if booth is None:
        booth = Booth(edition_id=edition.id, code=code, zone_id=data.zone_id, x=0, y=0, w=1, h=1)
    booth.code = code
    booth.zone_id = data.zone_id
    booth.size = data.size
    booth.price_vnd = data.price_vnd
    booth.x, booth.y, booth.w, booth.h = rect
    try:
        with session.begin_nested():
            session.add(booth)
            session.flush()
    except IntegrityError:
        raise BoothError(
            _l("Another booth already uses the code %(code)s.", code=code), "code"
        ) from None
    audit.record(
        session,
        "booth.create" if booth_id is None else "booth.update",
        user_id=organiser.id,
        edition_id=edition.id,
        object_type="booth",
        object_id=booth.id,
        code=booth.code,
    )
    return booth


def save_zone(
    session: Session,
    edition: Edition,
    organiser: User,
    *,
    code: str,
    name_vi: str,
    name_en: str,
    color: str,
    zone_id: int | None = None,
) -> Zone:
    code = code.strip().upper()
    if not CODE_RE.match(code):
        raise BoothError(
            _l("Use 1 to 16 letters, digits, dots, dashes or underscores."), field="code"
        )
    if not COLOR_RE.match(color or ""):
        raise BoothError(_l("Give a colour such as #1d3557."), field="color")
    for name, value in (("name_vi", name_vi), ("name_en", name_en)):
        if not value.strip():
            raise BoothError(_l("This field is required."), field=name)
    zone = get_zone(session, edition, zone_id) if zone_id is not None else None
    if code_taken(session, Zone, edition.id, code, zone_id):
        raise BoothError(_l("Another zone already uses the code %(code)s.", code=code), "code")
    if zone is None:
        zone = Zone(edition_id=edition.id, code=code, name_vi="", name_en="")
    zone.code = code
    zone.name_vi = name_vi.strip()
    zone.name_en = name_en.strip()
    zone.color = color.lower()
    try:
        with session.begin_nested():
            session.add(zone)
            session.flush()
    except IntegrityError:
        raise BoothError(
            _l("Another zone already uses the code %(code)s.", code=code), "code"
        ) from None
    audit.record(
        session,
        "zone.create" if zone_id is None else "zone.update",
        user_id=organiser.id,
        edition_id=edition.id,
        object_type="zone",
        object_id=zone.id,
        code=zone.code,
    )
    return zone


# --- limits --------------------------------------------------------------------------------


def update_settings(
    session: Session, edition: Edition, organiser: User, hold_hours: int, max_booths: int
) -> Edition:
    if not 1 <= hold_hours <= MAX_HOLD_HOURS:
        raise BoothError(_l("Enter between 1 and 720 hours."), field="hold_hours")
    if not 0 <= max_booths <= MAX_BOOTHS_LIMIT:
        raise BoothError(_l("Enter between 0 and 50 booths."), field="max_booths")
    edition.booth_hold_hours = hold_hours
    edition.max_booths_per_organisation = max_booths
    session.add(edition)
    session.flush()
    audit.record(
        session,
        "booth.settings",
        user_id=organiser.id,
        edition_id=edition.id,
        object_type="edition",
        object_id=edition.id,
        hold_hours=hold_hours,
        max_booths=max_booths,
    )
    return edition


def startup_organisations(session: Session, edition: Edition) -> list[Organisation]:
    """Startups with a member in this edition (those who may request booths)."""
    return list(
        session.exec(
            select(Organisation)
            .where(
                Organisation.kind == "startup",
                Organisation.id.in_(
                    select(User.organisation_id)
                    .join(EditionRole, EditionRole.user_id == User.id)
                    .where(EditionRole.edition_id == edition.id, EditionRole.role == "startup")
                ),
            )
            .order_by(Organisation.name)
        )
    )


def allowances(session: Session, edition: Edition) -> list[tuple[BoothAllowance, Organisation]]:
    return list(
        session.exec(
            select(BoothAllowance, Organisation)
            .join(Organisation, Organisation.id == BoothAllowance.organisation_id)
            .where(BoothAllowance.edition_id == edition.id)
            .order_by(Organisation.name)
        )
    )


def set_allowance(
    session: Session, edition: Edition, organiser: User, organisation_id: int, max_booths: int
) -> BoothAllowance:
    """Let one organisation hold a different number of booths than the edition's limit."""
    if not 0 <= max_booths <= MAX_BOOTHS_LIMIT:
        raise BoothError(_l("Enter between 0 and 50 booths."), field="max_booths")
    if organisation_id not in {o.id for o in startup_organisations(session, edition)}:
        raise BoothError(_l("Choose one of the listed options."), field="organisation_id")
    allowance = session.exec(
        select(BoothAllowance).where(
            BoothAllowance.edition_id == edition.id,
            BoothAllowance.organisation_id == organisation_id,
        )
    ).first() or BoothAllowance(
        edition_id=edition.id, organisation_id=organisation_id, max_booths=0
    )
    allowance.max_booths = max_booths
    session.add(allowance)
    session.flush()
    audit.record(
        session,
        "booth.allowance",
        user_id=organiser.id,
        edition_id=edition.id,
        object_type="organisation",
        object_id=organisation_id,
        max_booths=max_booths,
    )
    return allowance


def remove_allowance(
    session: Session, edition: Edition, organiser: User, allowance_id: int
) -> None:
    allowance = session.exec(
        select(BoothAllowance).where(
            BoothAllowance.id == allowance_id, BoothAllowance.edition_id == edition.id
        )
    ).first()
    if allowance is None:
        raise BoothNotFound()
    session.delete(allowance)
    session.flush()
    audit.record(
        session,
        "booth.allowance_removed",
        user_id=organiser.id,
        edition_id=edition.id,
        object_type="organisation",
        object_id=allowance.organisation_id,
    )


# --- CSV -----------------------------------------------------------------------------------


def export_booths_csv(session: Session, edition: Edition) -> str:
    rows = session.exec(
        select(Booth, Zone)
        .join(Zone, Zone.id == Booth.zone_id)
        .where(Booth.edition_id == edition.id)
        .order_by(Booth.code)
    ).all()
    return csvio.write_csv(
        (
            {
                "code": b.code,
                "zone": z.code,
                "size": b.size,
                "price_vnd": b.price_vnd,
                "x": b.x,
                "y": b.y,
                "w": b.w,
                "h": b.h,
                "status": b.status,
            }
            for b, z in rows
        ),
        CSV_COLUMNS,
    )


@dataclass(frozen=True)
class BoothRow:
    line: int
    code: str
    zone_id: int
    size: str
    price_vnd: int
    x: int
    y: int
    w: int
    h: int
    #: None keeps the booth's current status (or "open" for a new booth)
    status: str | None


def _int_cell(
    row: dict[str, str], column: str, low: int, high: int, line: int, errors: list
) -> int | None:
    raw = row.get(column, "")
    try:
        value = int(raw) if raw and len(raw) <= 12 else None
    except ValueError:
        value = None
    if value is None:
        errors.append(csvio.RowError(line, column, gettext("Enter a whole number.")))
        return None
    if not low <= value <= high:
        errors.append(
            csvio.RowError(
                line,
                column,
                gettext("Enter a number from %(low)s to %(high)s.", low=low, high=high),
            )
        )
        return None
    return value


def _parse_booth_row(
    row: dict[str, str], line: int, zone_ids: dict[str, int]
) -> tuple[BoothRow | None, list[csvio.RowError]]:
    errors: list[csvio.RowError] = []
    code = row.get("code", "").upper()
    if not CODE_RE.match(code):
        errors.append(
            csvio.RowError(
                line, "code", gettext("Use 1 to 16 letters, digits, dots, dashes or underscores.")
            )
        )
    zone_id = zone_ids.get(row.get("zone", "").upper())
    if zone_id is None:
        errors.append(csvio.RowError(line, "zone", gettext("No zone with this code.")))
    size = row.get("size", "").upper()
    if size not in SIZES:
        errors.append(csvio.RowError(line, "size", gettext("Size must be S, M or L.")))
    price = _int_cell(row, "price_vnd", 0, MAX_PRICE_VND, line, errors)
    x = _int_cell(row, "x", 0, HALL_WIDTH - 1, line, errors)
    y = _int_cell(row, "y", 0, HALL_HEIGHT - 1, line, errors)
    w = _int_cell(row, "w", 1, HALL_WIDTH, line, errors)
    h = _int_cell(row, "h", 1, HALL_HEIGHT, line, errors)
    if None not in (x, y, w, h) and not availability.inside_hall(x, y, w, h):
        errors.append(
            csvio.RowError(
                line,
                "x",
                gettext(
                    "The booth must lie inside the hall (%(w)s × %(h)s).",
                    w=HALL_WIDTH,
                    h=HALL_HEIGHT,
                ),
            )
        )
    status = row.get("status", "").lower() or None
    if status not in (None, "open", "blocked"):
        errors.append(csvio.RowError(line, "status", gettext("Status must be open or blocked.")))
    if errors:
        return None, errors
    return BoothRow(line, code, zone_id, size, price, x, y, w, h, status), []


#: side of the squares used to find overlapping booths without comparing every pair
_CELL = 50


def _cells(rect: tuple[int, int, int, int]) -> Iterable[tuple[int, int]]:
    x, y, w, h = rect
    for cx in range(x // _CELL, (x + w - 1) // _CELL + 1):
        for cy in range(y // _CELL, (y + h - 1) // _CELL + 1):
            yield cx, cy


def _layout_errors(
    parsed: list[BoothRow], existing: dict[str, Booth], live_booth_ids: set[int]
) -> list[csvio.RowError]:
    """Overlaps and duplicate codes in the map the import would produce."""
    errors = []
    final: dict[str, tuple[int, int, int, int]] = {
        code: (b.x, b.y, b.w, b.h) for code, b in existing.items()
    }
    first_line: dict[str, int] = {}
    for row in parsed:
        if row.code in first_line:
            errors.append(
                csvio.RowError(
                    row.line,
                    "code",
                    gettext("Code %(code)s appears twice in the file.", code=row.code),
                )
            )
            continue
        first_line[row.code] = row.line
        final[row.code] = (row.x, row.y, row.w, row.h)
        booth = existing.get(row.code)
        if row.status == "blocked" and booth is not None and booth.id in live_booth_ids:
            errors.append(
                csvio.RowError(
                    row.line,
                    "status",
                    gettext(
                        "Booth %(code)s is booked; cancel the booking before blocking it.",
                        code=row.code,
                    ),
                )
            )
    grid: dict[tuple[int, int], list[str]] = defaultdict(list)
    for code, rect in final.items():
        for cell in _cells(rect):
            grid[cell].append(code)
    for row in parsed:
        if first_line.get(row.code) != row.line:
            continue
        rect = final[row.code]
        near = {c for cell in _cells(rect) for c in grid[cell] if c != row.code}
        clash = sorted(c for c in near if availability.overlaps(rect, final[c]))
        if clash:
            errors.append(
                csvio.RowError(
                    row.line, "x", gettext("This place overlaps booth %(code)s.", code=clash[0])
                )
            )
    return errors


def _csv_problem(exc: csvio.CsvFormatError) -> str:
    """The shared CSV reader's complaint, in the reader's language."""
    text = str(exc)
    if text.startswith("Missing columns: "):
        return gettext("these columns are missing: %(columns)s", columns=text.split(": ", 1)[1])
    if text == "The file is empty.":
        return gettext("the file is empty.")
    if text == "The file is not UTF-8 text.":
        return gettext("the file is not UTF-8 text.")
    if text.startswith("More than "):
        return gettext("the file has more than %(n)s rows.", n=csvio.MAX_ROWS)
    return gettext("the rows are not valid CSV.")


def import_booths_csv(
    session: Session, edition: Edition, organiser: User, data: bytes | str
) -> csvio.ImportReport:
    """Create or update booths by code from a CSV file: every row valid, or nothing changes."""
    zone_ids = {z.code: z.id for z in zones(session, edition)}
    existing = {
        b.code: b for b in session.exec(select(Booth).where(Booth.edition_id == edition.id))
    }
    live_ids = set(
        session.exec(
            select(BoothBooking.booth_id)
            .join(Booth, Booth.id == BoothBooking.booth_id)
            .where(Booth.edition_id == edition.id, availability.live_clause(now_utc()))
        )
    )

    def apply(session: Session, values: list[BoothRow]) -> tuple[int, int]:
        created = updated = 0
        for row in values:
            booth = existing.get(row.code)
            if booth is None:
                booth = Booth(
                    edition_id=edition.id, code=row.code, zone_id=row.zone_id, x=0, y=0, w=1, h=1
                )
                created += 1
            else:
                updated += 1
            booth.zone_id = row.zone_id
            booth.size = row.size
            booth.price_vnd = row.price_vnd
            booth.x, booth.y, booth.w, booth.h = row.x, row.y, row.w, row.h
            if row.status is not None:
                booth.status = row.status
            session.add(booth)
        return created, updated

    try:
        report = csvio.import_csv(
            session,
            data,
            required=CSV_REQUIRED,
            parse=lambda row, line: _parse_booth_row(row, line, zone_ids),
            check_rows=lambda parsed: _layout_errors(parsed, existing, live_ids),
            apply=apply,
        )
    except csvio.CsvFormatError as exc:
        raise BoothError(
            _l("The file could not be read: %(detail)s", detail=_csv_problem(exc))
        ) from None
    if report.ok:
        audit.record(
            session,
            "booth.import",
            user_id=organiser.id,
            edition_id=edition.id,
            object_type="booth",
            object_id="",
            created=report.created,
            updated=report.updated,
        )
    return report
