"""Builders for the booth tests: an edition with a zone, booths, startups and an organiser."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import timedelta

import pytest
from sqlmodel import Session

from techfest.auth.models import User
from techfest.booths.models import Booth, BoothBooking, Zone
from techfest.core.models import Edition, Organisation
from techfest.db import now_utc
from tests.factories import make_edition, make_org, make_user


def make_zone(session: Session, edition: Edition, code: str = "A", **fields) -> Zone:
    zone = Zone(
        edition_id=edition.id,
        code=code,
        name_vi=fields.pop("name_vi", f"Khu {code}"),
        name_en=fields.pop("name_en", f"Zone {code}"),
        **fields,
    )
    session.add(zone)
    session.flush()
    return zone


def make_booth(
    session: Session, edition: Edition, zone: Zone, code: str, x: int, y: int = 100, **fields
) -> Booth:
    booth = Booth(
        edition_id=edition.id,
        zone_id=zone.id,
        code=code,
        x=x,
        y=y,
        w=fields.pop("w", 30),
        h=fields.pop("h", 30),
        size=fields.pop("size", "S"),
        price_vnd=fields.pop("price_vnd", 8_000_000),
        **fields,
    )
    session.add(booth)
    session.flush()
    return booth


def make_startup_member(
    session: Session, edition: Edition, org: Organisation | None = None, **fields
) -> User:
    org = org or make_org(session, "startup")
    return make_user(session, edition, "startup", organisation=org, **fields)


def make_booking(
    session: Session, booth: Booth, user: User, status: str = "pending", hours: int = 48
) -> BoothBooking:
    booking = BoothBooking(
        booth_id=booth.id,
        organisation_id=user.organisation_id,
        requested_by_id=user.id,
        status=status,
        hold_expires_at=now_utc() + timedelta(hours=hours) if status == "pending" else None,
    )
    session.add(booking)
    session.flush()
    return booking


@dataclass
class Plan:
    edition: Edition
    zone: Zone
    booths: list[Booth]
    organiser: User
    startup: User
    other_startup: User
    delegate: User
    extra: dict = field(default_factory=dict)

    def booth(self, code: str) -> Booth:
        return next(b for b in self.booths if b.code == code)


@pytest.fixture
def plan(session) -> Plan:
    """Edition 2025 with zone A and booths A01–A04 in a row, all free."""
    edition = make_edition(session, 2025)
    zone = make_zone(session, edition, "A")
    booths = [make_booth(session, edition, zone, f"A0{i}", x=30 * i) for i in range(1, 5)]
    organiser = make_user(session, edition, "organiser", email="org@example.vn")
    startup = make_startup_member(session, edition, email="founder@example.vn")
    other = make_startup_member(session, edition, email="other@example.vn")
    delegate = make_user(session, edition, "delegate", email="delegate@example.vn")
    session.commit()
    return Plan(edition, zone, booths, organiser, startup, other, delegate)
