"""The organiser dashboard: each figure is a table of numbers, drawn as a chart, sold as CSV.

The numbers are read straight from the other domains' tables, so the dashboard always
agrees with the data: registrations, tickets, booths, sessions, meetings and check-ins.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date, timedelta
from zoneinfo import ZoneInfo

from flask_babel import format_date
from flask_babel import gettext as _
from markupsafe import Markup
from sqlmodel import Session, func, select

from techfest.booths.models import Booth, BoothBooking, Zone
from techfest.checkin.models import CheckIn
from techfest.core.models import Edition
from techfest.db import now_utc
from techfest.i18n import lang, pick
from techfest.leads import services as leads
from techfest.matchmaking.models import SCHEDULED, Meeting, MeetingRequest, StartupProfile
from techfest.organiser import charts
from techfest.organiser.charts import Series
from techfest.payments.pages import money_by_item
from techfest.programme.models import ProgrammeSession, SessionSignup
from techfest.registration.models import Registration, TicketType


@dataclass
class Figure:
    """One dashboard figure: CSV columns (stable keys), translated headings, rows, chart."""

    key: str
    title: str
    columns: list[str]
    headings: list[str]
    rows: list[list] = field(default_factory=list)
    chart: Markup = Markup("")
    #: a second drawing shown under the chart (the booth map)
    extra: Markup = Markup("")

    def csv_rows(self) -> list[dict]:
        return [dict(zip(self.columns, row, strict=True)) for row in self.rows]


@dataclass(frozen=True)
class Summary:
    confirmed: int
    waitlisted: int
    checked_in: int
    booths_taken: int
    booths_total: int
    meetings_held: int
    open_data_requests: int


def _day(day: date) -> str:
    """A chart's date, with its year, as the reader's language writes it: "9/10/2025",
    "9 Oct 2025" (an axis has no room for the weekday or the month's full name)."""
    return format_date(day, "d/M/y" if lang() == "vi" else "d MMM y")


def _percent(part: int, whole: int) -> float:
    return round(100 * part / whole, 1) if whole else 0.0


def registrations_over_time(session: Session, edition: Edition) -> Figure:
    """Live registrations (confirmed or waitlisted) by the local day they were made."""
    tz = ZoneInfo(edition.timezone)
    created = session.exec(
        select(Registration.created_at).where(
            Registration.edition_id == edition.id, Registration.status != "cancelled"
        )
    ).all()
    per_day = Counter(moment.astimezone(tz).date() for moment in created)
    figure = Figure(
        "registrations",
        _("Registrations over time"),
        ["date", "registrations", "cumulative"],
        [_("Date"), _("Registrations"), _("Total so far")],
    )
    if per_day:
        day, last, total = min(per_day), max(per_day), 0
        while day <= last:
            total += per_day.get(day, 0)
            figure.rows.append([day.isoformat(), per_day.get(day, 0), total])
            day += timedelta(days=1)
    labels = [_day(date.fromisoformat(r[0])) for r in figure.rows]
    figure.chart = charts.line_chart(figure.title, labels, [r[2] for r in figure.rows])
    return figure


def ticket_types_filled(session: Session, edition: Edition) -> Figure:
    counts = {
        (ticket_id, status): n
        for ticket_id, status, n in session.exec(
            select(Registration.ticket_type_id, Registration.status, func.count())
            .where(Registration.edition_id == edition.id)
            .group_by(Registration.ticket_type_id, Registration.status)
        ).all()
    }
    tickets = session.exec(
        select(TicketType).where(TicketType.edition_id == edition.id).order_by(TicketType.id)
    ).all()
    figure = Figure(
        "tickets",
        _("Ticket types filled"),
        ["ticket_type", "capacity", "confirmed", "waitlisted", "places_left", "filled_percent"],
        [
            _("Ticket type"),
            _("Capacity"),
            _("Confirmed"),
            _("Waitlisted"),
            _("Places left"),
            _("Filled %"),
        ],
    )
    for t in tickets:
        confirmed = counts.get((t.id, "confirmed"), 0)
        waitlisted = counts.get((t.id, "waitlisted"), 0)
        figure.rows.append(
            [
                pick(t, "name"),
                t.capacity,
                confirmed,
                waitlisted,
                max(t.capacity - confirmed, 0),
                _percent(confirmed, t.capacity),
            ]
        )
    figure.chart = charts.bar_chart(
        figure.title,
        [r[0] for r in figure.rows],
        [
            Series(_("Confirmed"), [r[2] for r in figure.rows]),
            Series(_("Places left"), [r[4] for r in figure.rows]),
        ],
        stacked=True,
    )
    return figure


def booth_occupancy(session: Session, edition: Edition) -> Figure:
    """Per zone: free, held (a pending request still within its hold), taken, blocked."""
    now = now_utc()
    live = {
        booth_id: (status, expires)
        for booth_id, status, expires in session.exec(
            select(BoothBooking.booth_id, BoothBooking.status, BoothBooking.hold_expires_at)
            .join(Booth, Booth.id == BoothBooking.booth_id)
            .where(Booth.edition_id == edition.id, BoothBooking.status.in_(("pending", "approved")))
        ).all()
    }
    zones = session.exec(
        select(Zone).where(Zone.edition_id == edition.id).order_by(Zone.code)
    ).all()
    booths = session.exec(
        select(Booth).where(Booth.edition_id == edition.id).order_by(Booth.code)
    ).all()
    tally: dict[int, Counter] = {z.id: Counter() for z in zones}
    on_map = []
    for booth in booths:
        booking = live.get(booth.id)
        if booth.status == "blocked":
            state = "blocked"
        elif booking is None:
            state = "free"
        elif booking[0] == "approved":
            state = "taken"
        elif booking[1] is not None and booking[1] <= now:
            state = "free"  # the hold lapsed; the booths service will expire it
        else:
            state = "held"
        tally.setdefault(booth.zone_id, Counter())[state] += 1
        on_map.append(charts.MapBooth(booth.code, booth.x, booth.y, booth.w, booth.h, state))
    figure = Figure(
        "booths",
        _("Booth occupancy by zone"),
        ["zone", "available", "held", "taken", "blocked", "total"],
        [_("Zone"), _("Available"), _("On hold"), _("Taken"), _("Blocked"), _("Total")],
    )
    for z in zones:
        c = tally[z.id]
        figure.rows.append(
            [
                f"{z.code} · {pick(z, 'name')}",
                c["free"],
                c["held"],
                c["taken"],
                c["blocked"],
                c.total(),
            ]
        )
    labels = [r[0].split(" · ")[0] for r in figure.rows]
    figure.chart = charts.bar_chart(
        figure.title,
        labels,
        [
            Series(_("Taken"), [r[3] for r in figure.rows]),
            Series(_("On hold"), [r[2] for r in figure.rows]),
            Series(_("Available"), [r[1] for r in figure.rows]),
            Series(_("Blocked"), [r[4] for r in figure.rows]),
        ],
        stacked=True,
    )
    names = {
        "free": _("Available"),
        "held": _("On hold"),
        "taken": _("Taken"),
        "blocked": _("Blocked"),
    }
    figure.extra = charts.floor_map(_("Booth map"), on_map, names)
    return figure


def session_fill(session: Session, edition: Edition) -> Figure:
    """Seats taken, waitlist and attendance (room check-ins) for every programme session."""
    signups = Counter(
        {
            (sid, status): n
            for sid, status, n in session.exec(
                select(SessionSignup.session_id, SessionSignup.status, func.count())
                .join(ProgrammeSession, ProgrammeSession.id == SessionSignup.session_id)
                .where(ProgrammeSession.edition_id == edition.id)
                .group_by(SessionSignup.session_id, SessionSignup.status)
            ).all()
        }
    )
    attended = dict(
        session.exec(
            select(CheckIn.session_id, func.count())
            .where(CheckIn.edition_id == edition.id, CheckIn.session_id.is_not(None))
            .group_by(CheckIn.session_id)
        ).all()
    )
    sessions = session.exec(
        select(ProgrammeSession)
        .where(ProgrammeSession.edition_id == edition.id)
        .order_by(ProgrammeSession.starts_at, ProgrammeSession.code)
    ).all()
    figure = Figure(
        "sessions",
        _("Session fill rates and waitlists"),
        ["session", "title", "capacity", "seated", "waitlisted", "filled_percent", "attended"],
        [
            _("Code"),
            _("Session"),
            _("Capacity"),
            _("Seated"),
            _("Waitlisted"),
            _("Filled %"),
            _("Attended"),
        ],
    )
    for ps in sessions:
        seated = signups[(ps.id, "seated")]
        figure.rows.append(
            [
                ps.code,
                pick(ps, "title"),
                ps.capacity,
                seated,
                signups[(ps.id, "waitlisted")],
                _percent(seated, ps.capacity),
                attended.get(ps.id, 0),
            ]
        )
    figure.chart = charts.hbar_chart(
        figure.title, [f"{r[0]} · {r[1]}" for r in figure.rows], [r[5] for r in figure.rows], "%"
    )
    return figure


def meeting_figures(session: Session, edition: Edition) -> Figure:
    requests = dict(
        session.exec(
            select(MeetingRequest.status, func.count())
            .where(MeetingRequest.edition_id == edition.id)
            .group_by(MeetingRequest.status)
        ).all()
    )
    meetings = dict(
        session.exec(
            select(Meeting.status, func.count())
            .where(Meeting.edition_id == edition.id)
            .group_by(Meeting.status)
        ).all()
    )
    figure = Figure(
        "meetings",
        _("Meetings"),
        ["figure", "count"],
        [_("Figure"), _("Count")],
    )
    figure.rows = [
        [_("Requests"), sum(requests.values())],
        [_("Accepted"), requests.get("accepted", 0)],
        [_("Declined"), requests.get("declined", 0)],
        [_("Draft"), meetings.get("draft", 0)],
        [_("Scheduled"), sum(meetings.get(s, 0) for s in SCHEDULED)],
        [_("Took place"), meetings.get("held", 0)],
        [_("No-shows"), meetings.get("no_show", 0)],
    ]
    figure.chart = charts.bar_chart(
        figure.title, [r[0] for r in figure.rows], [Series(_("Count"), [r[1] for r in figure.rows])]
    )
    return figure


def meetings_per_startup(session: Session, edition: Edition) -> Figure:
    """How many startups have 0, 1, 2... live (not cancelled) meetings."""
    startups = set(
        session.exec(
            select(StartupProfile.organisation_id).where(
                StartupProfile.edition_id == edition.id, StartupProfile.wants_meetings.is_(True)
            )
        ).all()
    )
    per_startup = Counter(
        dict(
            session.exec(
                select(Meeting.startup_organisation_id, func.count())
                .where(Meeting.edition_id == edition.id, Meeting.status != "cancelled")
                .group_by(Meeting.startup_organisation_id)
            ).all()
        )
    )
    values = [per_startup.get(org_id, 0) for org_id in startups | set(per_startup)]
    figure = Figure(
        "meetings-per-startup",
        _("Meetings per startup"),
        ["meetings", "startups"],
        [_("Meetings"), _("Startups")],
    )
    figure.rows = [[v, n] for v, n in charts.histogram_counts(values)] if values else []
    figure.chart = charts.histogram(figure.title, values, _("Startups"))
    return figure


def arrivals(session: Session, edition: Edition) -> Figure:
    """Entrance check-ins per local hour of each festival day (when the doors are busiest)."""
    tz = ZoneInfo(edition.timezone)
    scans = session.exec(
        select(CheckIn.scanned_at).where(
            CheckIn.edition_id == edition.id, CheckIn.session_id.is_(None)
        )
    ).all()
    per_hour = Counter(moment.astimezone(tz).strftime("%Y-%m-%d %H:00") for moment in scans)
    figure = Figure(
        "arrivals",
        _("Arrivals at the entrance per hour"),
        ["hour", "check_ins"],
        [_("Hour"), _("Check-ins")],
    )
    figure.rows = [[hour, per_hour[hour]] for hour in sorted(per_hour)]
    labels = [f"{_day(date.fromisoformat(r[0][:10]))} {r[0][11:]}" for r in figure.rows]
    figure.chart = charts.bar_chart(
        figure.title, labels, [Series(_("Check-ins"), [r[1] for r in figure.rows])]
    )
    return figure


def leads_per_zone(session: Session, edition: Edition) -> Figure:
    """Leads the booths' staff scanned, summed per zone."""
    figure = Figure(
        "leads-per-zone", _("Leads per zone"), ["zone", "leads"], [_("Zone"), _("Leads")]
    )
    rows = leads.counts_by_zone(leads.counts_by_booth(session, edition))
    figure.rows = [[f"{r.zone_code} · {pick(r, 'zone_name')}", r.leads] for r in rows]
    figure.chart = charts.bar_chart(
        figure.title,
        [r.zone_code for r in rows],
        [Series(_("Leads"), [r.leads for r in rows])],
    )
    return figure


def leads_per_booth(session: Session, edition: Edition) -> Figure:
    """Leads per booth (booths with at least one lead)."""
    figure = Figure(
        "leads-per-booth",
        _("Leads per booth"),
        ["booth", "zone", "leads"],
        [_("Booth"), _("Zone"), _("Leads")],
    )
    rows = leads.counts_by_booth(session, edition)
    figure.rows = [[r.booth_code, r.zone_code, r.leads] for r in rows]
    figure.chart = charts.bar_chart(
        figure.title,
        [r.booth_code for r in rows],
        [Series(_("Leads"), [r.leads for r in rows])],
    )
    return figure


def payments_per_item(session: Session, edition: Edition) -> Figure:
    """Money received and still awaited per ticket type and booth, in đồng."""
    figure = Figure(
        "payments",
        _("Payments per ticket type and booth"),
        ["item", "paid_vnd", "outstanding_vnd"],
        [_("Ticket type or booth"), _("Received (₫)"), _("Awaited (₫)")],
    )
    rows = money_by_item(session, edition.id)
    figure.rows = [
        [(en if lang() == "en" else vi) or vi or en, paid, due] for _kind, vi, en, paid, due in rows
    ]
    figure.chart = charts.bar_chart(
        figure.title,
        [r[0] for r in figure.rows],
        [
            Series(_("Money received"), [r[1] for r in figure.rows]),
            Series(_("Money awaited"), [r[2] for r in figure.rows]),
        ],
        stacked=True,
    )
    return figure


FIGURES: dict[str, Callable[[Session, Edition], Figure]] = {
    "registrations": registrations_over_time,
    "tickets": ticket_types_filled,
    "booths": booth_occupancy,
    "sessions": session_fill,
    "meetings": meeting_figures,
    "meetings-per-startup": meetings_per_startup,
    "arrivals": arrivals,
    "leads-per-zone": leads_per_zone,
    "leads-per-booth": leads_per_booth,
    "payments": payments_per_item,
}


def figure(session: Session, edition: Edition, key: str) -> Figure | None:
    build = FIGURES.get(key)
    return build(session, edition) if build else None


def all_figures(session: Session, edition: Edition) -> list[Figure]:
    return [build(session, edition) for build in FIGURES.values()]


def summary(session: Session, edition: Edition) -> Summary:
    from techfest.organiser.models import DataRequest

    def count(model, *where) -> int:
        return session.exec(select(func.count()).select_from(model).where(*where)).one()

    taken = count(
        BoothBooking,
        BoothBooking.status == "approved",
        BoothBooking.booth_id.in_(select(Booth.id).where(Booth.edition_id == edition.id)),
    )
    return Summary(
        confirmed=count(
            Registration, Registration.edition_id == edition.id, Registration.status == "confirmed"
        ),
        waitlisted=count(
            Registration, Registration.edition_id == edition.id, Registration.status == "waitlisted"
        ),
        checked_in=count(CheckIn, CheckIn.edition_id == edition.id, CheckIn.session_id.is_(None)),
        booths_taken=taken,
        booths_total=count(Booth, Booth.edition_id == edition.id),
        meetings_held=count(Meeting, Meeting.edition_id == edition.id, Meeting.status == "held"),
        open_data_requests=count(
            DataRequest, DataRequest.edition_id == edition.id, DataRequest.completed_at.is_(None)
        ),
    )
