"""What the booth pages show: the floor plan, a booth, the booking lists."""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import datetime
from functools import cache

import sqlalchemy as sa
from sqlmodel import Session, select

from techfest.auth.models import User
from techfest.booths import availability
from techfest.booths.availability import HALL_HEIGHT, HALL_WIDTH, Spot
from techfest.booths.catalogue import (
    AREAS_FILE,
    BOOKING_STATUSES,
    booth_limit,
    effective_status,
    get_booth,
    zones,
)
from techfest.booths.errors import BoothNotFound
from techfest.booths.models import Booth, BoothBooking, Zone
from techfest.core.models import Edition, Organisation
from techfest.db import now_utc


@dataclass(frozen=True)
class ZoneBox:
    """A zone's box on the floor plan."""

    zone: Zone
    x: int
    y: int
    w: int
    h: int


@dataclass(frozen=True)
class Area:
    """A named area of the hall drawn under the booths."""

    code: str
    name_vi: str
    name_en: str
    x: int
    y: int
    w: int
    h: int


@dataclass(frozen=True)
class FloorPlan:
    """What the floor plan page draws."""

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
    """What a booth's page shows."""

    booth: Booth
    zone: Zone
    state: str
    booking: BoothBooking | None
    #: the booking belongs to the viewer's organisation
    own: bool
    #: the viewer's organisation already holds as many booths as it may (request disabled)
    at_limit: bool = False
    #: how many booths the viewer's organisation may hold at a time
    limit: int = 0


def booth_detail(
    session: Session, edition: Edition, booth_id: int, organisation_id: int | None = None
) -> BoothDetail:
    """One booth as its page shows it, with the viewer's own request."""
    booth = get_booth(session, edition, booth_id)
    zone = session.get(Zone, booth.zone_id)
    booking = availability.live_booking_of(session, booth.id, now_utc())
    own = (
        booking is not None
        and organisation_id is not None
        and booking.organisation_id == organisation_id
    )
    limit, at_limit = 0, False
    if organisation_id is not None:
        limit = booth_limit(session, edition, organisation_id)
        at_limit = (
            availability.live_count_of(session, edition.id, organisation_id, now_utc()) >= limit
        )
    state = availability.state_of(booth, booking)
    return BoothDetail(booth, zone, state, booking, own, at_limit, limit)


@dataclass(frozen=True)
class BookingRow:
    """One booking in the organiser's lists."""

    booking: BoothBooking
    booth: Booth
    zone: Zone
    organisation: Organisation
    requested_by: User | None
    #: the status people see: a pending booking whose hold ran out reads "expired"
    status: str


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
    """One booking of the edition, for the organiser's decision page."""
    query = _booking_query(edition).where(BoothBooking.id == booking_id)
    rows = _booking_rows(session, query, now_utc())
    if not rows:
        raise BoothNotFound()
    return rows[0]
