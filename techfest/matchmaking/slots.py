"""Meeting slots and tables: the organiser cuts the days into slots and numbers the tables."""

from __future__ import annotations

from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

import sqlalchemy as sa
from flask_babel import lazy_gettext as _l
from sqlmodel import Session, select

from techfest.auth.models import User
from techfest.core.audit import record
from techfest.core.models import Edition
from techfest.matchmaking.errors import MatchmakingError, NotFound
from techfest.matchmaking.models import (
    Meeting,
    MeetingRequest,
    MeetingSlot,
    MeetingTable,
    Unavailability,
    table_code,
)


def slots(session: Session, edition: Edition) -> list[MeetingSlot]:
    """The edition's meeting slots in time order."""
    return list(
        session.exec(
            select(MeetingSlot)
            .where(MeetingSlot.edition_id == edition.id)
            .order_by(MeetingSlot.starts_at)
        )
    )


def tables(session: Session, edition: Edition) -> list[MeetingTable]:
    """The edition's meeting tables by number."""
    return list(
        session.exec(
            select(MeetingTable)
            .where(MeetingTable.edition_id == edition.id)
            .order_by(MeetingTable.number)
        )
    )


def table_booths(session: Session, tables: list[MeetingTable]) -> dict[int, str]:
    """The code of the booth each table stands at, by table id (tables at no booth left out)."""
    from techfest.booths.catalogue import booth_codes

    codes = booth_codes(session, {t.booth_id for t in tables if t.booth_id is not None})
    return {t.id: codes[t.booth_id] for t in tables if t.booth_id in codes}


def add_slots(
    session: Session,
    edition: Edition,
    user: User,
    *,
    day: int,
    start: time,
    end: time,
    minutes: int,
    gap: int = 0,
    breaks: list[tuple[time, time]] | None = None,
) -> list[MeetingSlot]:
    """Cut the hours from `start` to `end` of edition day `day` into slots of `minutes`.

    `gap` minutes separate consecutive slots; slots overlapping one of `breaks` (e.g. lunch)
    are left out; the morning block ends at noon. Slots that already exist are kept.
    """
    n_days = (edition.ends_on - edition.starts_on).days + 1
    if not 1 <= day <= n_days:
        raise MatchmakingError(_l("The edition has days 1 to %(n)s.", n=n_days))
    if minutes < 5 or minutes > 240:
        raise MatchmakingError(_l("A slot lasts between 5 and 240 minutes."))
    if end <= start:
        raise MatchmakingError(_l("The end must be after the start."))
    tz = ZoneInfo(edition.timezone)
    the_day = edition.starts_on + timedelta(days=day - 1)
    t = datetime.combine(the_day, start, tzinfo=tz)
    stop = datetime.combine(the_day, end, tzinfo=tz)
    pauses = [
        (datetime.combine(the_day, a, tzinfo=tz), datetime.combine(the_day, b, tzinfo=tz))
        for a, b in breaks or ()
    ]
    existing = {s.starts_at for s in slots(session, edition)}
    created = []
    while t + timedelta(minutes=minutes) <= stop:
        finish = t + timedelta(minutes=minutes)
        clash = next((b for a, b in pauses if t < b and a < finish), None)
        if clash is not None:
            t = clash
            continue
        if t not in existing:
            slot = MeetingSlot(
                edition_id=edition.id,
                day=day,
                block="morning" if t.hour < 12 else "afternoon",
                starts_at=t,
                ends_at=finish,
            )
            session.add(slot)
            created.append(slot)
        t = finish + timedelta(minutes=gap)
    session.flush()
    record(
        session,
        "matchmaking.slots.add",
        user_id=user.id,
        edition_id=edition.id,
        object_type="meeting_slot",
        object_id=",".join(str(s.id) for s in created),
        day=day,
        count=len(created),
    )
    return created


def delete_slot(session: Session, edition: Edition, user: User, slot_id: int) -> None:
    """Remove a slot no meeting uses (and the unavailability marks on it)."""
    slot = session.get(MeetingSlot, slot_id)
    if slot is None or slot.edition_id != edition.id:
        raise NotFound()
    used = session.exec(select(Meeting.id).where(Meeting.slot_id == slot.id)).first()
    if used is not None:
        raise MatchmakingError(_l("Meetings use this slot; move or cancel them first."))
    session.exec(sa.delete(Unavailability).where(Unavailability.slot_id == slot.id))
    # answered booking requests keep their history, without the slot that no longer exists
    session.exec(
        sa.update(MeetingRequest).where(MeetingRequest.slot_id == slot.id).values(slot_id=None)
    )
    session.delete(slot)
    session.flush()
    record(
        session,
        "matchmaking.slots.delete",
        user_id=user.id,
        edition_id=edition.id,
        object_type="meeting_slot",
        object_id=slot_id,
    )


def add_tables(
    session: Session,
    edition: Edition,
    user: User,
    *,
    count: int,
    location_vi: str = "",
    location_en: str = "",
    booth_code: str = "",
) -> list[MeetingTable]:
    """Add `count` numbered tables after the last one, optionally placed at a booth."""
    if not 1 <= count <= 200:
        raise MatchmakingError(_l("Add between 1 and 200 tables at a time."))
    booth_id = None
    if booth_code.strip():
        from techfest.booths.catalogue import booth_by_code

        booth = booth_by_code(session, edition, booth_code.strip())
        if booth is None:
            raise MatchmakingError(_l("No booth has the code %(code)s.", code=booth_code))
        booth_id = booth.id
    last = session.exec(
        select(sa.func.max(MeetingTable.number)).where(MeetingTable.edition_id == edition.id)
    ).one()
    start = (last or 0) + 1
    created = []
    for n in range(start, start + count):
        table = MeetingTable(
            edition_id=edition.id,
            number=n,
            label=table_code(n),
            location_vi=location_vi.strip(),
            location_en=location_en.strip(),
            booth_id=booth_id,
        )
        session.add(table)
        created.append(table)
    session.flush()
    record(
        session,
        "matchmaking.tables.add",
        user_id=user.id,
        edition_id=edition.id,
        object_type="meeting_table",
        object_id=f"{start}-{start + count - 1}",
        count=count,
    )
    return created


def delete_table(session: Session, edition: Edition, user: User, table_id: int) -> None:
    """Remove a table no meeting uses."""
    table = session.get(MeetingTable, table_id)
    if table is None or table.edition_id != edition.id:
        raise NotFound()
    if session.exec(select(Meeting.id).where(Meeting.table_id == table.id)).first():
        raise MatchmakingError(_l("Meetings use this table; move or cancel them first."))
    session.delete(table)
    session.flush()
    record(
        session,
        "matchmaking.tables.delete",
        user_id=user.id,
        edition_id=edition.id,
        object_type="meeting_table",
        object_id=table_id,
    )


def parse_hhmm(text: str) -> time:
    """A time of day written HH:MM."""
    hour, minute = (int(p) for p in text.strip().split(":"))
    return time(hour, minute)


def edition_days(edition: Edition) -> list[date]:
    """The dates of the edition, first to last."""
    return [
        edition.starts_on + timedelta(days=k)
        for k in range((edition.ends_on - edition.starts_on).days + 1)
    ]
