"""Builders for the organiser and check-in tests: tickets, registrations, sessions, booths."""

from __future__ import annotations

from datetime import datetime, timedelta
from itertools import count

from sqlmodel import Session

from techfest.auth.models import User
from techfest.booths.models import Booth, BoothBooking, Zone
from techfest.core.models import Edition, Organisation
from techfest.db import now_utc
from techfest.matchmaking.models import Meeting, MeetingRequest, MeetingSlot, MeetingTable
from techfest.registration.models import Registration, TicketType
from tests.factories import local

_seq = count(1)


def register(
    session: Session,
    edition: Edition,
    user: User,
    ticket: TicketType,
    status: str = "confirmed",
    created_at: datetime | None = None,
    **fields,
) -> Registration:
    reg = Registration(
        edition_id=edition.id,
        user_id=user.id,
        ticket_type_id=ticket.id,
        status=status,
        full_name=fields.pop("full_name", user.full_name),
        email=fields.pop("email", user.email),
        created_at=created_at or now_utc(),
        consent_version="2025-08-v1",
        consent_at=now_utc(),
        **fields,
    )
    if status == "confirmed":
        ticket.confirmed_count += 1
        session.add(ticket)
    session.add(reg)
    session.flush()
    return reg


def make_zone_with_booths(
    session: Session, edition: Edition, code: str, booths: int
) -> tuple[Zone, list[Booth]]:
    zone = Zone(edition_id=edition.id, code=code, name_vi=f"Khu {code}", name_en=f"Zone {code}")
    session.add(zone)
    session.flush()
    made = []
    for i in range(booths):
        booth = Booth(
            edition_id=edition.id, zone_id=zone.id, code=f"{code}{i + 1:02d}", x=i, y=0, w=30, h=30
        )
        session.add(booth)
        made.append(booth)
    session.flush()
    return zone, made


def book(
    session: Session, booth: Booth, org: Organisation, status: str, expires: datetime | None = None
) -> BoothBooking:
    booking = BoothBooking(
        booth_id=booth.id, organisation_id=org.id, status=status, hold_expires_at=expires
    )
    session.add(booking)
    session.flush()
    return booking


def meeting_grid(
    session: Session, edition: Edition, slots: int = 3, tables: int = 3, day: int = 10, hour=14
) -> tuple[list[MeetingSlot], list[MeetingTable]]:
    made_slots, made_tables = [], []
    for k in range(slots):
        start = local(edition.year, 10, day, hour) + timedelta(minutes=25 * k)
        slot = MeetingSlot(
            edition_id=edition.id,
            day=day - 8,
            block="afternoon",
            starts_at=start,
            ends_at=start + timedelta(minutes=20),
        )
        session.add(slot)
        made_slots.append(slot)
    for n in range(1, tables + 1):
        table = MeetingTable(edition_id=edition.id, number=n, label=f"T{n:02d}")
        session.add(table)
        made_tables.append(table)
    session.flush()
    return made_slots, made_tables


def make_meeting(session, edition, startup, investor, slot, table, status="published") -> Meeting:
    meeting = Meeting(
        edition_id=edition.id,
        startup_organisation_id=startup.id,
        investor_organisation_id=investor.id,
        slot_id=slot.id if slot else None,
        table_id=table.id if table else None,
        status=status,
    )
    session.add(meeting)
    session.flush()
    return meeting


def make_request(session, edition, from_org, to_org, status="pending", **fields) -> MeetingRequest:
    request = MeetingRequest(
        edition_id=edition.id,
        from_organisation_id=from_org.id,
        to_organisation_id=to_org.id,
        status=status,
        **fields,
    )
    session.add(request)
    session.flush()
    return request


def fresh(session: Session) -> None:
    """Forget what the test session read: end its snapshot and expire every object."""
    session.rollback()
    session.expire_all()
