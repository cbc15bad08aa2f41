"""Booth availability, computed in this one place.

A booth is *blocked* when the organiser took it off sale, *taken* when it has an approved
booking, *held* when a startup's request is pending and its hold has not run out, and
*free* otherwise. A pending booking whose hold expired counts as nothing, everywhere, even
before `expire_holds` has marked it expired.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime

import sqlalchemy as sa
from sqlmodel import Session, select

from techfest.booths.models import Booth, BoothBooking, Zone

FREE = "free"
HELD = "held"
TAKEN = "taken"
BLOCKED = "blocked"
STATES = (FREE, HELD, TAKEN, BLOCKED)

#: statuses the partial unique index uq_booth_booking_live covers
LIVE_STATUSES = ("pending", "approved")

#: the hall, in map units (10 units = 1 m)
HALL_WIDTH = 1200
HALL_HEIGHT = 800


def live_clause(now: datetime) -> sa.ColumnElement[bool]:
    """SQL condition: the booking still holds its booth at `now`."""
    return sa.or_(
        BoothBooking.status == "approved",
        sa.and_(
            BoothBooking.status == "pending",
            sa.or_(BoothBooking.hold_expires_at.is_(None), BoothBooking.hold_expires_at > now),
        ),
    )


def is_live(booking: BoothBooking | None, now: datetime) -> bool:
    """Python twin of `live_clause`, for a booking already loaded."""
    if booking is None:
        return False
    if booking.status == "approved":
        return True
    if booking.status != "pending":
        return False
    return booking.hold_expires_at is None or booking.hold_expires_at > now


def state_of(booth: Booth, live_booking: BoothBooking | None) -> str:
    """A booth's state given the booking that holds it now (if any): free, held, taken, blocked."""
    if booth.status == "blocked":
        return BLOCKED
    if live_booking is None:
        return FREE
    return TAKEN if live_booking.status == "approved" else HELD


def live_booking_of(session: Session, booth_id: int, now: datetime) -> BoothBooking | None:
    """The booking that holds the booth at `now`, if any."""
    return session.exec(
        select(BoothBooking).where(BoothBooking.booth_id == booth_id, live_clause(now))
    ).first()


def live_count_of(session: Session, edition_id: int, organisation_id: int, now: datetime) -> int:
    """Booths an organisation holds (pending or approved) in one edition."""
    return session.exec(
        select(sa.func.count(BoothBooking.id))
        .join(Booth, Booth.id == BoothBooking.booth_id)
        .where(
            Booth.edition_id == edition_id,
            BoothBooking.organisation_id == organisation_id,
            live_clause(now),
        )
    ).one()


@dataclass(frozen=True)
class Spot:
    """One booth as participants see it."""

    booth: Booth
    zone: Zone
    state: str
    booking: BoothBooking | None
    #: matches the zone and size filters of the page
    shown: bool = True

    @property
    def bookable(self) -> bool:
        return self.state == FREE


def floor_plan(
    session: Session,
    edition_id: int,
    now: datetime,
    zone_code: str | None = None,
    size: str | None = None,
) -> list[Spot]:
    """Every booth of the edition with its state; `shown` says whether it passes the filters."""
    rows = session.exec(
        select(Booth, Zone)
        .join(Zone, Zone.id == Booth.zone_id)
        .where(Booth.edition_id == edition_id)
        .order_by(Booth.code)
    ).all()
    live = {
        b.booth_id: b
        for b in session.exec(
            select(BoothBooking)
            .join(Booth, Booth.id == BoothBooking.booth_id)
            .where(Booth.edition_id == edition_id, live_clause(now))
        )
    }
    spots = []
    for booth, zone in rows:
        booking = live.get(booth.id)
        shown = (not zone_code or zone.code == zone_code) and (not size or booth.size == size)
        spots.append(Spot(booth, zone, state_of(booth, booking), booking, shown))
    return spots


def counts(spots: Iterable[Spot]) -> dict[str, int]:
    """How many booths are in each state (of those shown)."""
    totals = dict.fromkeys(STATES, 0)
    for spot in spots:
        if spot.shown:
            totals[spot.state] += 1
    return totals


def overlaps(a: tuple[int, int, int, int], b: tuple[int, int, int, int]) -> bool:
    """Two (x, y, w, h) rectangles share some area (touching edges is fine)."""
    ax, ay, aw, ah = a
    bx, by, bw, bh = b
    return ax < bx + bw and bx < ax + aw and ay < by + bh and by < ay + ah


def inside_hall(x: int, y: int, w: int, h: int) -> bool:
    """Whether a rectangle lies inside the hall."""
    return x >= 0 and y >= 0 and w > 0 and h > 0 and x + w <= HALL_WIDTH and y + h <= HALL_HEIGHT
