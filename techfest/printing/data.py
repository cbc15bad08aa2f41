"""What each printed document shows, as plain data (strings, lists, dicts).

Everything is read with a few queries for a whole edition, so 3,000 agendas cost the same
handful of queries as one. Times are formatted here in the edition's time zone and in
the reader's language, so the data is also what a document's content hash is taken of.
"""

from __future__ import annotations

import io
from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date, datetime
from functools import lru_cache
from zoneinfo import ZoneInfo

import segno
from babel.dates import format_date
from sqlalchemy import func
from sqlmodel import Session, col, select

from techfest.agenda import services as agenda_services
from techfest.agenda.services import Attendee
from techfest.auth.models import User
from techfest.booths.models import Booth, BoothBooking, Zone
from techfest.booths.pages import hall_areas
from techfest.core.models import Edition, EditionRole, Organisation
from techfest.matchmaking.meetings import meetings_of_organisations
from techfest.matchmaking.slots import slots as meeting_slots
from techfest.matchmaking.slots import table_booths
from techfest.matchmaking.slots import tables as meeting_tables
from techfest.printing import maps, render
from techfest.programme.models import ProgrammeSession, Room, SessionSignup, Track
from techfest.registration.models import Registration, TicketType

#: the role a badge or agenda shows when a person holds several
ROLE_ORDER = ("organiser", "investor", "startup", "delegate")

#: the role band a badge prints, first that applies wins: door staff tell them apart by colour
#: and word. Edition roles come first, then a speaker of a session, then the ticket type.
BADGE_ROLES = (
    "organiser",
    "speaker",
    "vip",
    "press",
    "investor",
    "startup",
    "exhibitor",
    "student",
    "delegate",
)

#: ticket type codes whose holders wear that role's band (other codes: delegate)
TICKET_BADGE_ROLES = {
    "VIP": "vip",
    "PRESS": "press",
    "SPEAKER": "speaker",
    "EXHIBITOR": "exhibitor",
    "INVESTOR": "investor",
    "STUDENT": "student",
}


# --- formatting -------------------------------------------------------------------------


def _tz(edition: Edition) -> ZoneInfo:
    return ZoneInfo(edition.timezone or "Asia/Ho_Chi_Minh")


def hm(value: datetime, tz: ZoneInfo) -> str:
    return value.astimezone(tz).strftime("%H:%M")


def span(start: datetime, end: datetime, tz: ZoneInfo) -> str:
    return f"{hm(start, tz)}–{hm(end, tz)}"


def day_label(day: date, lang: str) -> str:
    text = format_date(day, "EEEE, d MMMM y", locale=lang)
    return text[:1].upper() + text[1:]


def short_date(day: date, lang: str) -> str:
    return format_date(day, "d/M/y" if lang == "vi" else "d MMM y", locale=lang)


def pick(obj, field: str, lang: str) -> str:
    first, second = ("en", "vi") if lang == "en" else ("vi", "en")
    return getattr(obj, f"{field}_{first}", "") or getattr(obj, f"{field}_{second}", "")


def name_class(name: str, long: int = 26, very_long: int = 44) -> str:
    """Long names print smaller, so they wrap onto two lines at most."""
    if len(name) > very_long:
        return "very-long"
    if len(name) > long:
        return "long"
    return ""


def edition_info(edition: Edition, lang: str) -> dict:
    start, end = edition.starts_on, edition.ends_on
    if lang == "vi":
        dates = f"{start.day}–{end.day}/{end.month}/{end.year}"
        if (start.month, start.year) != (end.month, end.year):
            dates = f"{short_date(start, lang)} – {short_date(end, lang)}"
    else:
        dates = (
            f"{format_date(start, 'd', locale='en')}–{format_date(end, 'd MMMM y', locale='en')}"
        )
        if (start.month, start.year) != (end.month, end.year):
            dates = f"{short_date(start, lang)} – {short_date(end, lang)}"
    return {
        "name": pick(edition, "name", lang),
        "dates": dates,
        "venue": pick(edition, "venue", lang),
    }


def qr_uri(text: str) -> str:
    """A QR code as a PNG data URI, one pixel per module, printed without smoothing.

    (As SVG, its path was parsed and drawn again on every page: a tenth of the time.)
    """
    return segno.make(text, error="m").png_data_uri(dark="#17212b", border=0, scale=1)


@lru_cache(maxsize=256)
def qr_asset(text: str) -> str:
    """The same QR code as an "asset:" URL, for a code printed on many documents."""
    buffer = io.BytesIO()
    segno.make(text, error="m").save(buffer, kind="png", dark="#17212b", border=0, scale=1)
    return render.add_asset(buffer.getvalue(), "image/png")


def speakers_line(speakers: list) -> str:
    names = []
    for s in speakers or []:
        if isinstance(s, dict) and s.get("name"):
            org = s.get("organisation")
            names.append(f"{s['name']} ({org})" if org else s["name"])
        elif isinstance(s, str):
            names.append(s)
    return ", ".join(names)


# --- people -------------------------------------------------------------------------------


@dataclass(frozen=True)
class Person:
    user_id: int
    name: str
    job_title: str
    organisation: str
    organisation_id: int | None
    role: str
    lang: str
    email: str


def _roles(session: Session, edition: Edition) -> dict[int, str]:
    rows = session.exec(
        select(EditionRole.user_id, EditionRole.role).where(EditionRole.edition_id == edition.id)
    ).all()
    best: dict[int, str] = {}
    for user_id, role in rows:
        if user_id not in best or ROLE_ORDER.index(role) < ROLE_ORDER.index(best[user_id]):
            best[user_id] = role
    return best


def agenda_people(
    session: Session, edition: Edition, user_ids: list[int] | None = None
) -> list[Person]:
    """People with an agenda: confirmed delegates, and members of startups and investors."""
    roles = _roles(session, edition)
    regs = {
        r.user_id: r
        for r in session.exec(
            select(Registration).where(
                Registration.edition_id == edition.id, Registration.status == "confirmed"
            )
        )
    }
    wanted = set(regs) | {u for u, r in roles.items() if r in ("startup", "investor")}
    if user_ids is not None:
        wanted &= set(user_ids)
    if not wanted:
        return []
    users = session.exec(
        select(User).where(col(User.id).in_(wanted), col(User.erased_at).is_(None))
    ).all()
    org_ids = {u.organisation_id for u in users if u.organisation_id}
    orgs = _org_names(session, org_ids)
    people = []
    for user in users:
        reg = regs.get(user.id)
        org_name = orgs.get(user.organisation_id, "") if user.organisation_id else ""
        people.append(
            Person(
                user_id=user.id,
                name=(reg.full_name if reg else "") or user.full_name,
                job_title=(reg.job_title if reg else "") or user.job_title,
                organisation=org_name or (reg.organisation_name if reg else ""),
                organisation_id=user.organisation_id,
                role=roles.get(user.id, "delegate"),
                lang=user.locale if user.locale in ("vi", "en") else "vi",
                email=user.email,
            )
        )
    people.sort(key=lambda p: (p.name.casefold(), p.user_id))
    return people


def _org_names(session: Session, ids) -> dict[int, str]:
    if not ids:
        return {}
    rows = session.exec(
        select(Organisation.id, Organisation.name).where(col(Organisation.id).in_(ids))
    ).all()
    return dict(rows)


# --- agendas ------------------------------------------------------------------------------


@dataclass
class EditionContext:
    """What every agenda of an edition shares, read once."""

    edition: Edition
    hall: maps.HallMap | None
    booth_rects: dict[int, maps.Rect]
    #: every booth each organisation holds (approved), in booking order
    booths_of_org: dict[int, list[maps.Rect]]
    #: where each meeting table is drawn: its booth, or its square in the meeting area
    table_rects: dict[int, maps.Rect]
    #: the code of the booth each table stands at, by table id
    table_booths: dict[int, str]
    agenda_url: str
    #: "at booth %(code)s" in each language
    at_booth: dict[str, str] = field(default_factory=dict)


def _zone_labels(zones: dict[int, Zone], booths: list[Booth]) -> list[maps.ZoneLabel]:
    """Each zone's name at the top left of its booths."""
    extent: dict[int, list[int]] = {}
    for b in booths:
        box = extent.setdefault(b.zone_id, [b.x, b.y, b.x + b.w])
        box[0], box[1], box[2] = min(box[0], b.x), min(box[1], b.y), max(box[2], b.x + b.w)
    return [
        maps.ZoneLabel(
            zones[zid].name_vi, zones[zid].name_en, zones[zid].color, x0, y0, max(x1 - x0, 60)
        )
        for zid, (x0, y0, x1) in sorted(extent.items(), key=lambda kv: zones[kv[0]].code)
        if zid in zones
    ]


def edition_context(session: Session, edition: Edition, agenda_url: str) -> EditionContext:
    zones = {z.id: z for z in session.exec(select(Zone).where(Zone.edition_id == edition.id))}
    booths = session.exec(
        select(Booth).where(Booth.edition_id == edition.id).order_by(col(Booth.code))
    ).all()
    rects = {
        b.id: maps.Rect(
            b.code, b.x, b.y, b.w, b.h, zones[b.zone_id].color if b.zone_id in zones else "#dfe6ec"
        )
        for b in booths
    }
    booked = session.exec(
        select(BoothBooking.organisation_id, BoothBooking.booth_id)
        .join(Booth, col(Booth.id) == BoothBooking.booth_id)
        .where(Booth.edition_id == edition.id, BoothBooking.status == "approved")
        .order_by(col(BoothBooking.id))
    ).all()
    booths_of_org: dict[int, list[maps.Rect]] = defaultdict(list)
    for org_id, booth_id in booked:
        booths_of_org[org_id].append(rects[booth_id])
    tables = meeting_tables(session, edition)
    areas = (
        [maps.Area(a.code, a.name_vi, a.name_en, a.x, a.y, a.w, a.h) for a in hall_areas()]
        if booths
        else []
    )
    meeting_area = next((a for a in areas if a.code == maps.MEETING_AREA), None)
    table_rects = {t.id: rects[t.booth_id] for t in tables if t.booth_id in rects}
    drawn = (
        maps.place_tables(
            meeting_area, [(t.id, t.x, t.y) for t in tables if t.id not in table_rects]
        )
        if meeting_area is not None
        else {}
    )
    table_rects.update(drawn)
    return EditionContext(
        edition=edition,
        hall=maps.build_map(list(rects.values()), _zone_labels(zones, booths), areas, drawn),
        booth_rects=rects,
        booths_of_org=dict(booths_of_org),
        table_rects=table_rects,
        table_booths={t.id: rects[t.booth_id].code for t in tables if t.booth_id in rects},
        agenda_url=agenda_url,
        at_booth=agenda_services.at_booth_phrases(),
    )


def _contacts(session: Session, edition: Edition, org_ids: set[int]) -> dict[int, str]:
    """The first startup or investor member of each organisation: their named contact."""
    if not org_ids:
        return {}
    rows = session.exec(
        select(User.organisation_id, User.full_name)
        .join(EditionRole, col(EditionRole.user_id) == User.id)
        .where(
            EditionRole.edition_id == edition.id,
            col(EditionRole.role).in_(("startup", "investor")),
            col(User.organisation_id).in_(org_ids),
            col(User.erased_at).is_(None),
        )
        .order_by(col(User.id))
    ).all()
    out: dict[int, str] = {}
    for org_id, name in rows:
        out.setdefault(org_id, name)
    return out


def agendas(session: Session, ctx: EditionContext, people: list[Person]) -> list[dict]:
    """The printed agenda of each person, in the person's language.

    The entries come from the one personal agenda (`techfest.agenda`): the sessions the
    person holds a seat in and the organisation's confirmed meetings.
    """
    edition = ctx.edition
    tz = _tz(edition)
    items_of = agenda_services.agendas(
        session, edition, [Attendee(p.user_id, p.organisation_id) for p in people]
    )
    counterpart_ids: set[int] = set()
    for items in items_of.values():
        for item in items:
            if item.kind == "meeting":
                m = item.meeting
                counterpart_ids |= {m.startup_organisation_id, m.investor_organisation_id}
    contacts = _contacts(session, edition, counterpart_ids)

    out = []
    for person in people:
        lang = person.lang
        items: list[tuple[datetime, dict]] = []
        marks: list[maps.Mark] = []
        tables: list[dict] = []
        for entry in items_of[person.user_id]:
            if entry.kind == "session" and entry.status in ("seated", "waitlisted"):
                ps, room = entry.session, entry.room
                items.append(
                    (
                        ps.starts_at,
                        {
                            "kind": "session",
                            "time": span(ps.starts_at, ps.ends_at, tz),
                            "title": pick(ps, "title", lang),
                            "sub": speakers_line(ps.speakers),
                            "where": pick(room, "name", lang) if room else "",
                            "where_sub": pick(room, "location", lang) if room else "",
                            "reason": "",
                            "waitlist": entry.waitlist_position or 0
                            if entry.status == "waitlisted"
                            else None,
                        },
                    )
                )
            if entry.kind != "meeting":
                continue
            meeting, table = entry.meeting, entry.table
            other = (
                meeting.investor_organisation_id
                if meeting.startup_organisation_id == person.organisation_id
                else meeting.startup_organisation_id
            )
            contact = contacts.get(other)
            reasons = (meeting.reasons_en if lang == "en" else meeting.reasons_vi) or (
                meeting.reasons_vi if lang == "en" else meeting.reasons_en
            )
            booth_code = ctx.table_booths.get(table.id) if table is not None else None
            items.append(
                (
                    entry.starts_at,
                    {
                        "kind": "meeting",
                        "time": span(entry.starts_at, entry.ends_at, tz),
                        "title": entry.counterpart,
                        "sub": contact or "",
                        "where": table.label if table else "",
                        "where_sub": agenda_services.table_place(
                            "", booth_code, pick(table, "location", lang), ctx.at_booth[lang]
                        )
                        if table
                        else "",
                        "reason": str(reasons[0]) if reasons else "",
                        "waitlist": None,
                    },
                )
            )
            rect = ctx.table_rects.get(table.id) if table is not None else None
            if rect is not None and all(t["code"] != table.label for t in tables):
                place = ctx.at_booth[lang] % {"code": booth_code} if booth_code else ""
                tables.append({"code": table.label, "place": place})
                marks.append(maps.Mark("table", rect, table.label))
        items.sort(key=lambda pair: (pair[0], pair[1]["kind"], pair[1]["title"]))
        days: list[dict] = []
        for when, item in items:
            label = day_label(when.astimezone(tz).date(), lang)
            if not days or days[-1]["label"] != label:
                days.append({"label": label, "entries": []})
            days[-1]["entries"].append(item)
        own_booths = ctx.booths_of_org.get(person.organisation_id or -1, [])
        hall_map = None
        if ctx.hall is not None:
            # booths under the table tags: a table at the person's own booth stays readable
            booth_marks = [maps.Mark("booth", b, b.code) for b in own_booths]
            hall_map = {
                "base": ctx.hall.base_uri(lang),
                "shape": ctx.hall.shape,
                "marks": maps.marks_uri(ctx.hall, booth_marks + marks),
                "booths": [b.code for b in own_booths],
                "tables": tables,
                "tables_text": ", ".join(
                    f"{t['code']} ({t['place']})" if t["place"] else t["code"] for t in tables
                ),
            }
        out.append(
            {
                "user_id": person.user_id,
                "lang": lang,
                "edition": edition_info(edition, lang),
                "person": {
                    "name": person.name,
                    "name_class": name_class(person.name),
                    "job_title": person.job_title,
                    "organisation": person.organisation,
                    "role": person.role,
                },
                "url": ctx.agenda_url,
                "days": days,
                "compact": len(items) > 9,
                "map": hall_map,
            }
        )
    return out


# --- table and room sheets ----------------------------------------------------------------


def table_sheets(session: Session, edition: Edition, lang: str) -> list[dict]:
    """One sheet per meeting table and day: each slot and the pair meeting there."""
    tz = _tz(edition)
    slots = meeting_slots(session, edition)
    tables = meeting_tables(session, edition)
    meetings = [
        m
        for m, _slot, table in meetings_of_organisations(session, edition.id, None)
        if table is not None
    ]
    at = {(m.table_id, m.slot_id): m for m in meetings}
    org_ids = {m.startup_organisation_id for m in meetings} | {
        m.investor_organisation_id for m in meetings
    }
    names = _org_names(session, org_ids)
    contacts = _contacts(session, edition, org_ids)
    at_booth = table_booths(session, tables)
    phrase = agenda_services.at_booth_phrases()[lang] if at_booth else ""

    def side(org_id: int) -> dict:
        return {"name": names.get(org_id, ""), "contact": contacts.get(org_id, "")}

    sheets = []
    for table in tables:
        by_day: dict[date, list[dict]] = {}
        for slot in slots:
            meeting = at.get((table.id, slot.id))
            by_day.setdefault(slot.starts_at.astimezone(tz).date(), []).append(
                {
                    "time": span(slot.starts_at, slot.ends_at, tz),
                    "startup": side(meeting.startup_organisation_id) if meeting else None,
                    "investor": side(meeting.investor_organisation_id) if meeting else None,
                }
            )
        for day, rows in by_day.items():
            sheets.append(
                {
                    "label": table.label,
                    "location": agenda_services.table_place(
                        "", at_booth.get(table.id), pick(table, "location", lang), phrase
                    ),
                    "day": day_label(day, lang),
                    "rows": rows,
                    "count": sum(1 for r in rows if r["startup"]),
                }
            )
    return sheets


def room_sheets(session: Session, edition: Edition, lang: str) -> list[dict]:
    """One sheet per room: its sessions by day with speakers, capacity and sign-ups."""
    tz = _tz(edition)
    rooms = session.exec(
        select(Room).where(Room.edition_id == edition.id).order_by(col(Room.code))
    ).all()
    sessions = session.exec(
        select(ProgrammeSession)
        .where(
            ProgrammeSession.edition_id == edition.id, col(ProgrammeSession.room_id).is_not(None)
        )
        .order_by(col(ProgrammeSession.starts_at))
    ).all()
    counts = dict(
        session.exec(
            select(SessionSignup.session_id, func.count())
            .join(ProgrammeSession, col(ProgrammeSession.id) == SessionSignup.session_id)
            .where(ProgrammeSession.edition_id == edition.id, SessionSignup.status == "seated")
            .group_by(col(SessionSignup.session_id))
        ).all()
    )
    waiting = dict(
        session.exec(
            select(SessionSignup.session_id, func.count())
            .join(ProgrammeSession, col(ProgrammeSession.id) == SessionSignup.session_id)
            .where(ProgrammeSession.edition_id == edition.id, SessionSignup.status == "waitlisted")
            .group_by(col(SessionSignup.session_id))
        ).all()
    )
    by_room: dict[int, list[ProgrammeSession]] = defaultdict(list)
    for ps in sessions:
        by_room[ps.room_id].append(ps)
    sheets = []
    for room in rooms:
        days: list[dict] = []
        for ps in by_room.get(room.id, []):
            label = day_label(ps.starts_at.astimezone(tz).date(), lang)
            if not days or days[-1]["label"] != label:
                days.append({"label": label, "sessions": []})
            days[-1]["sessions"].append(
                {
                    "time": span(ps.starts_at, ps.ends_at, tz),
                    "title": pick(ps, "title", lang),
                    "speakers": speakers_line(ps.speakers),
                    "capacity": ps.capacity,
                    "signed_up": counts.get(ps.id, 0),
                    "waitlisted": waiting.get(ps.id, 0),
                }
            )
        sheets.append(
            {
                "name": pick(room, "name", lang),
                "code": room.code,
                "location": pick(room, "location", lang),
                "capacity": room.capacity,
                "days": days,
                "sessions": sum(len(d["sessions"]) for d in days),
            }
        )
    return sheets


# --- programme booklet --------------------------------------------------------------------


def booklet(session: Session, edition: Edition) -> dict:
    """All days, by day and track, in Vietnamese and English."""
    tz = _tz(edition)
    tracks = {t.id: t for t in session.exec(select(Track).where(Track.edition_id == edition.id))}
    rooms = {r.id: r for r in session.exec(select(Room).where(Room.edition_id == edition.id))}
    sessions = session.exec(
        select(ProgrammeSession)
        .where(ProgrammeSession.edition_id == edition.id)
        .order_by(col(ProgrammeSession.starts_at), col(ProgrammeSession.code))
    ).all()
    day_map: dict[date, dict[int | None, list[dict]]] = {}
    for ps in sessions:
        day = ps.starts_at.astimezone(tz).date()
        room = rooms.get(ps.room_id)
        day_map.setdefault(day, {}).setdefault(ps.track_id, []).append(
            {
                "time": span(ps.starts_at, ps.ends_at, tz),
                "title_vi": ps.title_vi,
                "title_en": ps.title_en if ps.title_en != ps.title_vi else "",
                "room_vi": room.name_vi if room else "",
                "room_en": room.name_en if room else "",
                "speakers": speakers_line(ps.speakers),
                "language": ps.language,
            }
        )
    days = []
    for number, day in enumerate(sorted(day_map), start=1):
        groups = []
        ordered = sorted(
            day_map[day].items(),
            key=lambda kv: (kv[0] is None, tracks[kv[0]].code if kv[0] in tracks else ""),
        )
        for track_id, items in ordered:
            track = tracks.get(track_id)
            groups.append(
                {
                    "name_vi": track.name_vi if track else "Chương trình chung",
                    "name_en": track.name_en if track else "General programme",
                    "color_class": f"track-{(track.code if track else 'general').lower()}",
                    "sessions": items,
                }
            )
        days.append(
            {
                "number": number,
                "label_vi": day_label(day, "vi"),
                "label_en": day_label(day, "en"),
                "tracks": groups,
            }
        )
    return {
        "edition_vi": edition_info(edition, "vi"),
        "edition_en": edition_info(edition, "en"),
        "theme_vi": edition.theme_vi,
        "theme_en": edition.theme_en,
        "address": edition.address,
        "days": days,
        "count": len(sessions),
    }


# --- badges -------------------------------------------------------------------------------


def _speaker_names(session: Session, edition: Edition) -> set[str]:
    rows = session.exec(
        select(ProgrammeSession.speakers).where(ProgrammeSession.edition_id == edition.id)
    ).all()
    return {
        " ".join(str(s.get("name", "")).split()).casefold()
        for speakers in rows
        for s in speakers or []
        if isinstance(s, dict) and s.get("name")
    }


def badge_role(edition_roles: set[str], is_speaker: bool, ticket_code: str) -> str:
    """The one role band a badge shows (see BADGE_ROLES for the order)."""
    held = set(edition_roles)
    if is_speaker:
        held.add("speaker")
    held.add(TICKET_BADGE_ROLES.get((ticket_code or "").upper(), "delegate"))
    return next(role for role in BADGE_ROLES if role in held)


def badges(
    session: Session, edition: Edition, registration_ids: list[int] | None = None
) -> list[dict]:
    """One badge per confirmed registration (or those asked for), with its check-in QR code."""
    held: dict[int, set[str]] = defaultdict(set)
    for user_id, role in session.exec(
        select(EditionRole.user_id, EditionRole.role).where(EditionRole.edition_id == edition.id)
    ).all():
        held[user_id].add(role)
    speakers = _speaker_names(session, edition)
    query = (
        select(Registration, User, TicketType.code)
        .join(User, col(User.id) == Registration.user_id)
        .join(TicketType, col(TicketType.id) == Registration.ticket_type_id)
        .where(
            Registration.edition_id == edition.id,
            Registration.status == "confirmed",
            col(User.erased_at).is_(None),
        )
    )
    if registration_ids is not None:
        query = query.where(col(Registration.id).in_(registration_ids))
    regs = session.exec(query).all()
    org_ids = {u.organisation_id for _, u, _code in regs if u.organisation_id}
    orgs = _org_names(session, org_ids)
    out = []
    for reg, user, ticket_code in regs:
        lang = reg.language if reg.language in ("vi", "en") else "vi"
        is_speaker = " ".join(reg.full_name.split()).casefold() in speakers
        out.append(
            {
                "name": reg.full_name,
                "name_class": name_class(reg.full_name, 20, 34),
                "job_title": reg.job_title,
                "organisation": reg.organisation_name or orgs.get(user.organisation_id, ""),
                "role": badge_role(held.get(user.id, set()), is_speaker, ticket_code),
                "lang": lang,
                "code": reg.badge_code,
                "edition": edition_info(edition, lang),
            }
        )
    out.sort(key=lambda b: (b["name"].casefold(), b["code"]))
    return out
