"""A person's agenda: their sessions and confirmed meetings, in time order.

One source for the agenda page, the iCalendar feed and the printed agenda. Sessions come
from the programme (`sessions_of_people`: seated, waiting, starred), meetings from
matchmaking (`meetings_of_organisations`); neither domain's tables are read here.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any

from flask_babel import force_locale
from flask_babel import gettext as _
from sqlmodel import Session, select

from techfest.auth.models import User
from techfest.core.models import Edition, Organisation
from techfest.matchmaking.meetings import meetings_of_organisations
from techfest.matchmaking.slots import table_booths
from techfest.programme.catalogue import rooms, tz_of
from techfest.programme.signups import sessions_of_people


@dataclass(frozen=True)
class Attendee:
    """Whose agenda: a person's account id and the organisation they belong to, if any."""

    id: int
    organisation_id: int | None


@dataclass
class AgendaItem:
    """One entry of a person's agenda: a session or a meeting."""

    kind: str  # 'session' or 'meeting'
    starts_at: datetime
    ends_at: datetime
    uid: str
    title_vi: str
    title_en: str
    location_vi: str = ""
    location_en: str = ""
    #: 'seated', 'waitlisted', 'starred' for sessions; the meeting's status for meetings
    status: str = ""
    waitlist_position: int | None = None
    #: the programme session row, for sessions
    session: Any = None
    #: the matchmaking meeting row, for meetings
    meeting: Any = None
    #: where it happens: the session's room, or the meeting's table (None when unknown)
    room: Any = None
    table: Any = None
    counterpart: str = ""
    description_vi: str = ""
    description_en: str = ""
    extra: dict = field(default_factory=dict)


def agenda_items(session: Session, edition: Edition, user: User) -> list[AgendaItem]:
    """The person's sessions (seated, waiting, starred) and confirmed meetings, in time order."""
    return agendas(session, edition, [user])[user.id]


def agendas(session: Session, edition: Edition, users: list) -> dict[int, list[AgendaItem]]:
    """`agenda_items` for many people at once, in a handful of queries (bulk printing).

    `users` are accounts, or anything with their `id` and `organisation_id`.
    """
    result: dict[int, list[AgendaItem]] = {u.id: [] for u in users}
    if not users:
        return result
    room_map = {r.id: r for r in rooms(session, edition.id)}
    for user_id, entries in sessions_of_people(session, edition.id, list(result)).items():
        for ps, status, position in entries:
            result[user_id].append(_session_item(ps, room_map.get(ps.room_id), status, position))
    org_ids = {u.organisation_id for u in users if u.organisation_id is not None}
    meetings = _meeting_items(session, edition, org_ids)
    for user in users:
        items = result[user.id]
        items.extend(meetings.get(user.organisation_id, []))
        items.sort(key=lambda i: (i.starts_at, i.ends_at, i.uid))
    return result


def _session_item(ps, room, status: str, position) -> AgendaItem:
    """A programme session (with its room) as an agenda entry."""
    return AgendaItem(
        kind="session",
        starts_at=ps.starts_at,
        ends_at=ps.ends_at,
        uid=f"session-{ps.id}",
        title_vi=ps.title_vi,
        title_en=ps.title_en,
        description_vi=ps.description_vi,
        description_en=ps.description_en,
        location_vi=room.name_vi if room else "",
        location_en=room.name_en if room else "",
        status=status,
        waitlist_position=position,
        session=ps,
        room=room,
    )


def _meeting_items(
    session: Session, edition: Edition, organisation_ids: set[int]
) -> dict[int, list[AgendaItem]]:
    """Confirmed meetings (published or held) of these organisations, keyed by organisation."""
    out: dict[int, list[AgendaItem]] = defaultdict(list)
    if not organisation_ids:
        return out
    rows = meetings_of_organisations(session, edition.id, organisation_ids)
    names = (
        dict(
            session.exec(
                select(Organisation.id, Organisation.name).where(
                    Organisation.id.in_(
                        {m.startup_organisation_id for m, _s, _t in rows}
                        | {m.investor_organisation_id for m, _s, _t in rows}
                    )
                )
            ).all()
        )
        if rows
        else {}
    )
    at_booth = table_booths(session, [t for _m, _s, t in rows if t is not None])
    phrases = at_booth_phrases() if at_booth else {"vi": "", "en": ""}
    for meeting, slot, table in rows:
        booth = at_booth.get(table.id) if table is not None else None
        sides = (
            (meeting.startup_organisation_id, meeting.investor_organisation_id),
            (meeting.investor_organisation_id, meeting.startup_organisation_id),
        )
        for own, other in sides:
            if own in organisation_ids:
                out[own].append(
                    _meeting_item(meeting, slot, table, names.get(other, ""), booth, phrases)
                )
    return out


def at_booth_phrases() -> dict[str, str]:
    """The words "at booth %(code)s" in each language (switching locale reloads catalogues)."""
    out = {}
    for lang in ("vi", "en"):
        with force_locale(lang):
            out[lang] = _("at booth %(code)s")
    return out


def table_place(label: str, booth_code: str | None, location: str, at_booth: str) -> str:
    """Where a meeting table is, as people read it: "T05 · tại gian B12 · Khu kết nối"."""
    parts = [label, at_booth % {"code": booth_code} if booth_code else "", location]
    return " · ".join(p for p in parts if p)


def _meeting_item(
    meeting, slot, table, name: str, booth_code: str | None, phrases: dict[str, str]
) -> AgendaItem:
    """A meeting (with its slot and table, from matchmaking) as an agenda entry."""
    label = table.label if table else ""
    where_vi, where_en = (table.location_vi, table.location_en) if table else ("", "")
    return AgendaItem(
        kind="meeting",
        starts_at=slot.starts_at,
        ends_at=slot.ends_at,
        uid=f"meeting-{meeting.id}",
        title_vi=f"Gặp gỡ: {name}",
        title_en=f"Meeting: {name}",
        location_vi=table_place(label, booth_code, where_vi, phrases["vi"]),
        location_en=table_place(label, booth_code, where_en, phrases["en"]),
        status=meeting.status,
        meeting=meeting,
        table=table,
        counterpart=name,
        extra={"booth": booth_code} if booth_code else {},
        description_vi="; ".join(meeting.reasons_vi or []),
        description_en="; ".join(meeting.reasons_en or []),
    )


def starting_soon(items: list[AgendaItem], now: datetime, within: timedelta) -> list[AgendaItem]:
    """The items that start within `within` from `now` (the page's reminder banner)."""
    return [i for i in items if now < i.starts_at <= now + within]


def user_by_feed_token(session: Session, token: str) -> User | None:
    """The active account whose calendar-feed token this is, or None."""
    if not token or len(token) > 200:
        return None
    user = session.exec(select(User).where(User.feed_token == token)).first()
    if user is None or not user.is_active:
        return None
    return user


def ical_feed(session: Session, edition: Edition, user: User, base_url: str = "") -> bytes:
    """The person's agenda as an iCalendar file with a VTIMEZONE for the edition."""
    from icalendar import Calendar, Event, Timezone

    from techfest.i18n import pick

    tz = tz_of(edition)
    with force_locale(user.locale or "vi"):
        cal = Calendar()
        cal.add("prodid", "-//Techfest//Programme//VI")
        cal.add("version", "2.0")
        cal.add("calscale", "GREGORIAN")
        cal.add("method", "PUBLISH")
        cal.add("x-wr-calname", f"{pick(edition, 'name')} – {_('My agenda')}")
        cal.add("x-wr-timezone", str(tz))
        cal.add_component(Timezone.from_tzid(str(tz)))
        stamp = datetime.now(UTC).replace(microsecond=0)
        host = "techfest"
        for item in agenda_items(session, edition, user):
            if item.status == "starred":
                continue
            event = Event()
            event.add("uid", f"{item.uid}-{edition.year}@{host}")
            event.add("dtstamp", stamp)
            event.add("dtstart", item.starts_at.astimezone(tz))
            event.add("dtend", item.ends_at.astimezone(tz))
            title = pick(item, "title")
            if item.status == "waitlisted":
                title = _("[Waitlist] %(title)s", title=title)
            event.add("summary", title)
            location = pick(item, "location")
            if location:
                event.add("location", location)
            description = pick(item, "description")
            if description:
                event.add("description", description)
            event.add("status", "TENTATIVE" if item.status == "waitlisted" else "CONFIRMED")
            if base_url and item.session is not None:
                event.add("url", f"{base_url.rstrip('/')}/sessions/{item.session.id}")
            cal.add_component(event)
    return cal.to_ical()
