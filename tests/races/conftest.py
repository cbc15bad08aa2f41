"""A small, crowded edition and the checks that must hold however requests interleave."""

from __future__ import annotations

from dataclasses import dataclass, field

import sqlalchemy as sa
from sqlmodel import Session

from techfest.booths.models import Booth, Zone
from techfest.programme.models import ProgrammeSession
from techfest.registration.models import TicketType
from tests.factories import local, make_edition, make_org, make_user


@dataclass
class Crowd:
    edition_id: int
    delegates: list[int] = field(default_factory=list)
    startup_members: list[int] = field(default_factory=list)
    sessions: list[int] = field(default_factory=list)
    tickets: list[int] = field(default_factory=list)
    booths: list[int] = field(default_factory=list)


def build_crowd(session: Session, delegates: int = 30, startups: int = 8) -> Crowd:
    """Few places, many people: three sessions (two overlap), two tickets, three booths."""
    edition = make_edition(session, 2025)
    crowd = Crowd(edition.id)
    times = [(9, 10), (9, 11), (14, 15)]  # the first two overlap
    for n, ((start, end), capacity) in enumerate(zip(times, (3, 4, 2), strict=True)):
        ps = ProgrammeSession(
            edition_id=edition.id,
            code=f"S{n}",
            title_vi=f"Phiên {n}",
            title_en=f"Session {n}",
            starts_at=local(2025, 10, 9, start),
            ends_at=local(2025, 10, 9, end),
            capacity=capacity,
        )
        session.add(ps)
        session.flush()
        crowd.sessions.append(ps.id)
    for code, capacity in (("std", 5), ("vip", 2)):
        ticket = TicketType(
            edition_id=edition.id, code=code, name_vi=code, name_en=code, capacity=capacity
        )
        session.add(ticket)
        session.flush()
        crowd.tickets.append(ticket.id)
    zone = Zone(edition_id=edition.id, code="A", name_vi="Khu A", name_en="Zone A")
    session.add(zone)
    session.flush()
    for n in range(3):
        booth = Booth(
            edition_id=edition.id, zone_id=zone.id, code=f"A{n}", x=n * 40, y=0, w=30, h=30
        )
        session.add(booth)
        session.flush()
        crowd.booths.append(booth.id)
    for _ in range(delegates):
        crowd.delegates.append(make_user(session, edition, "delegate").id)
    for n in range(startups):
        org = make_org(session, "startup", f"Khởi nghiệp {n}")
        crowd.startup_members.append(make_user(session, edition, "startup", organisation=org).id)
    session.commit()
    return crowd


#: every check counts rows that break a rule; all must be 0 after any run
INVARIANTS = {
    "session seats over capacity": (
        "select count(*) from programme_session where seats_taken > capacity"
    ),
    "session seat counter differs from seated sign-ups": """
        select count(*) from programme_session s where s.seats_taken <> (
            select count(*) from session_signup g where g.session_id = s.id and g.status = 'seated')
    """,
    "more people seated than seats": """
        select count(*) from programme_session s where s.capacity < (
            select count(*) from session_signup g where g.session_id = s.id and g.status = 'seated')
    """,
    "people waiting while a seat is free": """
        select count(*) from programme_session s where s.seats_taken < s.capacity and exists (
            select 1 from session_signup g where g.session_id = s.id and g.status = 'waitlisted')
    """,
    "person in two overlapping sessions": """
        select count(*) from session_signup a
        join session_signup b on a.user_id = b.user_id and a.id < b.id
        join programme_session sa on sa.id = a.session_id
        join programme_session sb on sb.id = b.session_id
        where a.status <> 'cancelled' and b.status <> 'cancelled'
        and sa.starts_at < sb.ends_at and sb.starts_at < sa.ends_at
    """,
    "tickets over capacity": "select count(*) from ticket_type where confirmed_count > capacity",
    "ticket counter differs from confirmed registrations": """
        select count(*) from ticket_type t where t.confirmed_count <> (
            select count(*) from registration r where r.ticket_type_id = t.id
            and r.status = 'confirmed')
    """,
    "people waiting while a ticket is free": """
        select count(*) from ticket_type t where t.confirmed_count < t.capacity and exists (
            select 1 from registration r where r.ticket_type_id = t.id
            and r.status = 'waitlisted')
    """,
    "person registered twice": """
        select count(*) from (select edition_id, user_id from registration
            where status <> 'cancelled' group by edition_id, user_id having count(*) > 1) d
    """,
    "booth with two live bookings": """
        select count(*) from (select booth_id from booth_booking
            where status in ('pending', 'approved') group by booth_id having count(*) > 1) d
    """,
    "organisation holding more booths than allowed": """
        select count(*) from (select organisation_id from booth_booking
            where status in ('pending', 'approved') group by organisation_id
            having count(*) > 1) d
    """,
}


def broken_rules(engine) -> dict[str, int]:
    with engine.connect() as conn:
        found = {name: conn.execute(sa.text(sql)).scalar_one() for name, sql in INVARIANTS.items()}
    return {name: count for name, count in found.items() if count}
