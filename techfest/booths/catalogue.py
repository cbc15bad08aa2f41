"""The booths and zones of an edition, and how many booths an organisation may hold."""

from __future__ import annotations

import re
from datetime import datetime
from pathlib import Path

from sqlmodel import Session, select

from techfest.booths import availability
from techfest.booths.errors import BoothNotFound
from techfest.booths.models import Booth, BoothAllowance, BoothBooking, Zone
from techfest.core.models import Edition

SIZES = ("S", "M", "L")


BOOKING_STATUSES = ("pending", "approved", "rejected", "expired", "cancelled")


CODE_RE = re.compile(r"^[A-Z0-9][A-Z0-9._-]{0,15}$")


COLOR_RE = re.compile(r"^#[0-9a-fA-F]{6}$")


#: prices are whole đồng in a 32-bit column
MAX_PRICE_VND = 2_000_000_000


AREAS_FILE = Path(__file__).resolve().parent.parent / "demo" / "data" / "booths.json"


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
    """The edition's zones."""
    return list(session.exec(select(Zone).where(Zone.edition_id == edition.id).order_by(Zone.code)))


def get_booth(session: Session, edition: Edition, booth_id: int) -> Booth:
    """The edition's booth with this id; BoothNotFound otherwise."""
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
    """The edition's zone with this id; BoothNotFound otherwise."""
    zone = session.exec(
        select(Zone).where(Zone.id == zone_id, Zone.edition_id == edition.id)
    ).first()
    if zone is None:
        raise BoothNotFound()
    return zone


def effective_status(booking: BoothBooking, now: datetime) -> str:
    """A booking's status at `now` (a pending hold past its time reads expired)."""
    if booking.status == "pending" and not availability.is_live(booking, now):
        return "expired"
    return booking.status


def booth_codes(session: Session, booth_ids) -> dict[int, str]:
    """The code of each of these booths, by id."""
    if not booth_ids:
        return {}
    return dict(session.exec(select(Booth.id, Booth.code).where(Booth.id.in_(booth_ids))).all())


def booths_held_by(session: Session, edition: Edition, organisation_id: int) -> list[Booth]:
    """The edition's booths the organisation holds (an approved booking), by code."""
    return list(
        session.exec(
            select(Booth)
            .join(BoothBooking, BoothBooking.booth_id == Booth.id)
            .where(
                Booth.edition_id == edition.id,
                BoothBooking.organisation_id == organisation_id,
                BoothBooking.status == "approved",
            )
            .order_by(Booth.code)
        )
    )


def booths_with_zones(session: Session, edition: Edition) -> list[tuple[Booth, Zone]]:
    """Every booth of the edition with its zone, by zone and booth code."""
    return list(
        session.exec(
            select(Booth, Zone)
            .join(Zone, Zone.id == Booth.zone_id)
            .where(Booth.edition_id == edition.id)
            .order_by(Zone.code, Booth.code)
        )
    )
