"""Load the demo editions from techfest/demo/data/*.json.

Public facts (dates, venue, theme, real programmes) come from the news about Techfest Hải
Phòng; every invented organisation and person is stored with `sample=True`. Loading twice
changes nothing: an edition that exists is left as it is.
"""

from __future__ import annotations

import random
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from flask import current_app
from sqlmodel import Session, select
from werkzeug.security import generate_password_hash

from techfest.auth.models import User
from techfest.auth.services import create_organisation, create_user, grant_role, slugify
from techfest.booths.models import Booth, BoothBooking, Zone
from techfest.core.domains import DemoLoader, demo_loaders
from techfest.core.mail import mark_confirmed
from techfest.core.models import Edition, Organisation
from techfest.db import now_utc
from techfest.demo.files import read
from techfest.matchmaking.models import (
    InvestorProfile,
    Meeting,
    MeetingSlot,
    MeetingTable,
    StartupProfile,
    table_code,
)
from techfest.programme.models import ProgrammeSession, Room, SessionSignup, Track
from techfest.registration.models import Registration, TicketType

DEMO_PASSWORD = "techfest2025"  # noqa: S105 - published demo password, sample accounts only
CONSENT_VERSION = "2025-08-v1"


@dataclass(frozen=True)
class DemoAccount:
    role: str
    email: str
    name: str


DEMO_ACCOUNTS = (
    DemoAccount("organiser", "organiser@techfest.vn", "Ban Tổ chức Techfest"),
    DemoAccount("startup", "startup@techfest.vn", ""),
    DemoAccount("investor", "investor@techfest.vn", ""),
    DemoAccount("delegate", "delegate@techfest.vn", "Nguyễn Thị Mai"),
)


def local_dt(day: date, hhmm: str, tz: ZoneInfo) -> datetime:
    hour, minute = (int(p) for p in hhmm.split(":"))
    return datetime.combine(day, time(hour, minute), tzinfo=tz)


@dataclass
class Loaded:
    edition: Edition
    users: dict[str, User] = field(default_factory=dict)
    created: bool = True


def load_demo(
    session: Session, delegates: int = 320, loaders: list[DemoLoader] | None = None
) -> list[Loaded]:
    """Load 2024 then 2025; returns what was created (editions that existed are skipped).

    `loaders` are the domains' own demo loaders, by default those the current application
    registered (`techfest.core.domains.demo_loaders`).
    """
    if loaders is None:
        loaders = demo_loaders(current_app)
    password_hash = generate_password_hash(DEMO_PASSWORD)
    results = []
    for name, count in (("edition_2024.json", delegates // 4), ("edition_2025.json", delegates)):
        data = read(name)
        existing = session.exec(select(Edition).where(Edition.year == data["year"])).first()
        if existing is not None:
            results.append(Loaded(existing, created=False))
            continue
        results.append(_load_edition(session, data, count, password_hash, loaders))
    return results


def _load_edition(
    session: Session, data: dict, n_delegates: int, password_hash: str, loaders: list[DemoLoader]
) -> Loaded:
    rng = random.Random(data["year"])
    tz = ZoneInfo(data.get("timezone", "Asia/Ho_Chi_Minh"))
    edition = Edition(
        year=data["year"],
        number=data.get("number"),
        name_vi=data["name_vi"],
        name_en=data["name_en"],
        theme_vi=data.get("theme_vi", ""),
        theme_en=data.get("theme_en", ""),
        venue_vi=data.get("venue_vi", ""),
        venue_en=data.get("venue_en", ""),
        address=data.get("address", ""),
        starts_on=date.fromisoformat(data["starts_on"]),
        ends_on=date.fromisoformat(data["ends_on"]),
        timezone=str(tz),
    )
    session.add(edition)
    session.flush()
    loaded = Loaded(edition)
    current = data["year"] == 2025

    tickets = []
    for t in data.get("ticket_types", []):
        tt = TicketType(
            edition_id=edition.id,
            code=t["code"],
            name_vi=t["name_vi"],
            name_en=t["name_en"],
            price_vnd=int(t.get("price_vnd", 0)),
            capacity=int(t["capacity"]),
            is_public=bool(t.get("public", True)),
        )
        session.add(tt)
        tickets.append(tt)
    zones = {}
    for z in data.get("zones", []):
        zone = Zone(
            edition_id=edition.id,
            code=z["code"],
            name_vi=z["name_vi"],
            name_en=z["name_en"],
            color=z.get("color", "#6c757d"),
        )
        session.add(zone)
        zones[z["code"]] = zone
    rooms = {}
    for r in data.get("rooms", []):
        room = Room(
            edition_id=edition.id,
            code=r["code"],
            name_vi=r["name_vi"],
            name_en=r["name_en"],
            capacity=int(r.get("capacity", 100)),
            location_vi=r.get("location_vi", ""),
            location_en=r.get("location_en", ""),
        )
        session.add(room)
        rooms[r["code"]] = room
    tracks = {}
    for t in data.get("tracks", []):
        track = Track(
            edition_id=edition.id,
            code=t["code"],
            name_vi=t["name_vi"],
            name_en=t["name_en"],
            color=t.get("color", "#0d6efd"),
        )
        session.add(track)
        tracks[t["code"]] = track
    session.flush()

    sessions = []
    for s in data.get("sessions", []):
        day = edition.starts_on + timedelta(days=int(s.get("day", 1)) - 1)
        room = rooms.get(s.get("room"))
        ps = ProgrammeSession(
            edition_id=edition.id,
            code=s["code"],
            track_id=tracks[s["track"]].id if s.get("track") in tracks else None,
            room_id=room.id if room else None,
            title_vi=s["title_vi"],
            title_en=s["title_en"],
            description_vi=s.get("description_vi", ""),
            description_en=s.get("description_en", ""),
            speakers=s.get("speakers", []),
            starts_at=local_dt(day, s["start"], tz),
            ends_at=local_dt(day, s["end"], tz),
            language=s.get("language", "vi"),
            capacity=int(s.get("capacity") or (room.capacity if room else 100)),
            sample=bool(s.get("sample", False)),
        )
        session.add(ps)
        sessions.append(ps)
    session.flush()

    # Booth floor plan (the 2025 edition)
    booths = []
    if current and zones:
        plan = read("booths.json")
        for b in plan["booths"]:
            zone = zones.get(b["zone"]) or next(iter(zones.values()))
            booth = Booth(
                edition_id=edition.id,
                zone_id=zone.id,
                code=b["code"],
                size=b.get("size", "S"),
                price_vnd=int(b.get("price_vnd", 0)),
                x=int(b["x"]),
                y=int(b["y"]),
                w=int(b["w"]),
                h=int(b["h"]),
            )
            session.add(booth)
            booths.append(booth)
        session.flush()

    organiser = _account(
        session,
        "organiser@techfest.vn",
        "Ban Tổ chức Techfest",
        password_hash,
        loaded,
        "organiser",
        edition,
        sample=False,
    )
    if not current:
        # the 2025 organiser team ran 2024 too; a second organiser only for 2024
        grant_role(session, organiser, edition.id, "organiser")
        _account(
            session,
            "organiser2024@techfest.vn",
            "Ban Tổ chức Techfest 2024",
            password_hash,
            loaded,
            "organiser",
            edition,
            sample=True,
        )

    startups = _load_startups(session, edition, password_hash, loaded, current, rng)
    investors = _load_investors(session, edition, password_hash, loaded, current)

    # Booth bookings: most booths taken, some pending, some free
    if booths:
        for i, (booth, org) in enumerate(zip(booths, startups, strict=False)):
            status = "approved" if i % 5 else "pending"
            session.add(
                BoothBooking(
                    booth_id=booth.id,
                    organisation_id=org.id,
                    status=status,
                    decided_at=now_utc() if status == "approved" else None,
                    decided_by_id=organiser.id if status == "approved" else None,
                    # held as a real request is: a deadline a person can act on, not 2036
                    hold_expires_at=now_utc() + timedelta(hours=edition.booth_hold_hours)
                    if status == "pending"
                    else None,
                )
            )

    people = read("people.json")
    delegates = _make_delegates(session, edition, people, n_delegates, password_hash, rng, loaded)
    _register(session, edition, tickets, delegates, rng)
    _sign_up_sessions(session, sessions, delegates, rng)
    if current:
        _meeting_grid(session, edition, data.get("meeting_event"), tz, rooms)
    else:
        _past_meetings(session, edition, startups, investors, tz)
    session.flush()
    _domain_demo_data(session, edition, loaders)
    return loaded


def _domain_demo_data(session: Session, edition: Edition, loaders: list[DemoLoader]) -> None:
    """Let each domain add its own demo records (the loaders its `init_app` registered)."""
    for loader in loaders:
        loader(session, edition)
        session.flush()


def _account(session, email, name, password_hash, loaded, role, edition, sample=True, **fields):
    user = session.exec(select(User).where(User.email == email)).first()
    if user is None:
        user = create_user(
            session, email, "", name, password_hash=password_hash, sample=sample, **fields
        )
    grant_role(session, user, edition.id, role)
    # the demo's addresses are the organisers' own examples: mail to them may leave
    mark_confirmed(session, user.email)
    loaded.users.setdefault(role, user)
    return user


def _org(session, kind, record) -> Organisation:
    slug = record.get("slug") or slugify(record["name"])
    org = session.exec(select(Organisation).where(Organisation.slug == slug)).first()
    if org is None:
        org = create_organisation(
            session, kind, record["name"], website=record.get("website", ""), sample=True
        )
        org.slug = slug
        session.add(org)
        session.flush()
    return org


def _load_startups(session, edition, password_hash, loaded, current, rng):
    records = read("startups.json")["startups"]
    if not current:
        records = records[: max(12, len(records) // 3)]
    orgs = []
    for i, s in enumerate(records):
        org = _org(session, "startup", s)
        orgs.append(org)
        founder = s.get("founder") or {}
        email = (
            "startup@techfest.vn" if i == 0 else founder.get("email") or f"{org.slug}@example.vn"
        )
        name = founder.get("name") or s["name"]
        _account(
            session,
            email,
            name,
            password_hash,
            loaded,
            "startup",
            edition,
            organisation_id=org.id,
            job_title="Founder & CEO",
        )
        session.add(
            StartupProfile(
                edition_id=edition.id,
                organisation_id=org.id,
                pitch_vi=s.get("pitch_vi", ""),
                pitch_en=s.get("pitch_en", ""),
                sectors=s.get("sectors", []),
                tags=s.get("tags", []),
                stage=s.get("stage"),
                raised_usd=s.get("raised_usd"),
                raising_usd=s.get("raising_usd"),
                location=s.get("location", ""),
                founded_year=s.get("founded_year"),
                min_meetings=1,
                max_meetings=rng.choice((4, 5, 6, 8)),
            )
        )
    session.flush()
    return orgs


def _load_investors(session, edition, password_hash, loaded, current):
    records = read("investors.json")["investors"]
    if not current:
        records = records[: max(8, len(records) // 3)]
    orgs = []
    for i, r in enumerate(records):
        org = _org(session, "investor", r)
        orgs.append(org)
        contact = r.get("contact") or {}
        email = (
            "investor@techfest.vn" if i == 0 else contact.get("email") or f"{org.slug}@example.com"
        )
        _account(
            session,
            email,
            contact.get("name") or r["name"],
            password_hash,
            loaded,
            "investor",
            edition,
            organisation_id=org.id,
            job_title="Partner",
        )
        session.add(
            InvestorProfile(
                edition_id=edition.id,
                organisation_id=org.id,
                kind=r.get("kind", "vc"),
                thesis_vi=r.get("thesis_vi", ""),
                thesis_en=r.get("thesis_en", ""),
                sectors=r.get("sectors", []),
                stages=r.get("stages", []),
                ticket_min_usd=r.get("ticket_min_usd"),
                ticket_max_usd=r.get("ticket_max_usd"),
                locations=r.get("locations", []),
                portfolio=r.get("portfolio", []),
                max_meetings=int(r.get("max_meetings", 10)),
            )
        )
    session.flush()
    return orgs


def _make_delegates(session, edition, people, n, password_hash, rng, loaded):
    users = []
    demo = session.exec(select(User).where(User.email == "delegate@techfest.vn")).first()
    if demo is None:
        demo = create_user(
            session,
            "delegate@techfest.vn",
            "",
            "Nguyễn Thị Mai",
            password_hash=password_hash,
            job_title="Kỹ sư phần mềm",
            sample=True,
        )
    grant_role(session, demo, edition.id, "delegate")
    loaded.users.setdefault("delegate", demo)
    users.append(demo)
    titles = list(zip(people["titles_vi"], people["titles_en"], strict=False))
    for i in range(1, n):
        if i % 25 == 0 and people.get("foreign_names"):
            name = rng.choice(people["foreign_names"])
        else:
            name = " ".join(
                (
                    rng.choice(people["family_names"][:8] * 3 + people["family_names"]),
                    rng.choice(people["middle_names"]),
                    rng.choice(people["given_names"]),
                )
            )
        email = f"delegate{edition.year}.{i:04d}@example.vn"
        user = create_user(
            session,
            email,
            "",
            name,
            password_hash=password_hash,
            job_title=rng.choice(titles)[0],
            sample=True,
            locale="en" if i % 25 == 0 else "vi",
        )
        grant_role(session, user, edition.id, "delegate")
        users.append(user)
    session.flush()
    return users


def _register(session, edition, tickets, delegates, rng):
    if not tickets:
        return
    people = read("people.json")
    free = [t for t in tickets if t.price_vnd == 0 and t.is_public] or tickets
    for user in delegates:
        ticket = free[0] if rng.random() < 0.8 else rng.choice(tickets)
        if ticket.confirmed_count >= ticket.capacity:
            ticket = free[0]
        ticket.confirmed_count += 1
        session.add(
            Registration(
                edition_id=edition.id,
                user_id=user.id,
                ticket_type_id=ticket.id,
                status="confirmed",
                full_name=user.full_name,
                email=user.email,
                organisation_name=rng.choice(people["organisations"]),
                job_title=user.job_title,
                language=user.locale,
                consent_version=CONSENT_VERSION,
                consent_at=now_utc(),
                confirmed_at=now_utc(),
            )
        )
    for t in tickets:
        session.add(t)
    session.flush()


def _sign_up_sessions(session, sessions, delegates, rng):
    for user in delegates:
        chosen: list[ProgrammeSession] = []
        for ps in rng.sample(sessions, k=min(len(sessions), rng.randint(1, 4))):
            clash = any(ps.starts_at < c.ends_at and c.starts_at < ps.ends_at for c in chosen)
            if clash or ps.seats_taken >= ps.capacity:
                continue
            chosen.append(ps)
            ps.seats_taken += 1
            session.add(SessionSignup(session_id=ps.id, user_id=user.id, status="seated"))
    for ps in sessions:
        session.add(ps)
    session.flush()


def _meeting_grid(session, edition, event, tz, rooms):
    """Meeting slots and tables of the startup–investor connection event."""
    if not event:
        return
    minutes = int(event.get("slot_minutes", 20))
    days = event.get("days") or [event.get("day", 2)]
    for day_no in days:
        day = edition.starts_on + timedelta(days=int(day_no) - 1)
        for block, start, end in (
            ("morning", "08:30", "11:30"),
            ("afternoon", event.get("start", "13:30"), event.get("end", "17:00")),
        ):
            t = local_dt(day, start, tz)
            stop = local_dt(day, end, tz)
            while t + timedelta(minutes=minutes) <= stop:
                session.add(
                    MeetingSlot(
                        edition_id=edition.id,
                        day=int(day_no),
                        block=block,
                        starts_at=t,
                        ends_at=t + timedelta(minutes=minutes),
                    )
                )
                t += timedelta(minutes=minutes + 5)
    room = rooms.get(event.get("room"))
    where_vi = room.name_vi if room else "Khu kết nối"
    where_en = room.name_en if room else "Connection area"
    for n in range(1, int(event.get("tables", 40)) + 1):
        row, col = divmod(n - 1, 8)
        session.add(
            MeetingTable(
                edition_id=edition.id,
                number=n,
                label=table_code(n),
                location_vi=f"{where_vi}, dãy {row + 1}",
                location_en=f"{where_en}, row {row + 1}",
                x=col,
                y=row,
            )
        )
    session.flush()


def _past_meetings(session, edition, startups, investors, tz):
    """The older edition: a few held meetings, so the next run does not repeat the pairs."""
    day = edition.starts_on
    slots = []
    for k in range(6):
        start = local_dt(day, "14:00", tz) + timedelta(minutes=25 * k)
        slot = MeetingSlot(
            edition_id=edition.id,
            day=1,
            block="afternoon",
            starts_at=start,
            ends_at=start + timedelta(minutes=20),
        )
        session.add(slot)
        slots.append(slot)
    tables = []
    for n in range(1, 6):
        table = MeetingTable(edition_id=edition.id, number=n, label=table_code(n))
        session.add(table)
        tables.append(table)
    session.flush()
    for k, startup in enumerate(startups[:10]):
        investor = investors[k % len(investors)]
        session.add(
            Meeting(
                edition_id=edition.id,
                startup_organisation_id=startup.id,
                investor_organisation_id=investor.id,
                slot_id=slots[k % 6].id,
                table_id=tables[k % 5].id,
                status="held",
                source="matcher",
            )
        )
    session.flush()
