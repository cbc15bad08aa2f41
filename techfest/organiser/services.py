"""Organiser operations: the audit log, reminders, backups and restores."""

from __future__ import annotations

import json
import math
import os
import sqlite3
import subprocess
import tempfile
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import sqlalchemy as sa
from flask import url_for
from flask_babel import force_locale
from flask_babel import gettext as _
from sqlmodel import Session, func, select
from werkzeug.routing import BuildError

from techfest.auth.models import User
from techfest.booths.models import Booth
from techfest.core.mail import queue_email
from techfest.core.models import AuditLog, Edition, EditionRole, Organisation
from techfest.db import now_utc
from techfest.i18n import pick
from techfest.matchmaking.meetings import meetings_of_organisations
from techfest.matchmaking.models import MeetingStatus
from techfest.printing.models import Document
from techfest.programme.models import ProgrammeSession, Room, SessionStar
from techfest.registration.models import Registration

# --- audit log -------------------------------------------------------------------------

PER_PAGE = 50


@dataclass(frozen=True)
class AuditFilter:
    action: str = ""
    user_id: int | None = None


@dataclass(frozen=True)
class AuditPage:
    entries: list[tuple[AuditLog, User | None]]
    page: int
    pages: int
    total: int


def _audit_query(edition: Edition, flt: AuditFilter):
    query = (
        select(AuditLog, User)
        .join(User, User.id == AuditLog.user_id, isouter=True)
        .where(AuditLog.edition_id == edition.id)
    )
    if flt.action:
        query = query.where(AuditLog.action == flt.action)
    if flt.user_id is not None:
        query = query.where(AuditLog.user_id == flt.user_id)
    return query


def audit_page(session: Session, edition: Edition, flt: AuditFilter, page: int = 1) -> AuditPage:
    """One page of the edition's audit log, newest first."""
    total = session.exec(
        select(func.count()).select_from(_audit_query(edition, flt).subquery())
    ).one()
    pages = max(1, math.ceil(total / PER_PAGE))
    page = min(max(page, 1), pages)
    rows = session.exec(
        _audit_query(edition, flt)
        .order_by(AuditLog.created_at.desc(), AuditLog.id.desc())
        .offset((page - 1) * PER_PAGE)
        .limit(PER_PAGE)
    ).all()
    return AuditPage([tuple(r) for r in rows], page, pages, total)


def audit_choices(session: Session, edition: Edition) -> tuple[list[str], list[User]]:
    """The actions and the people that occur in the edition's log (for the filters)."""
    actions = session.exec(
        select(AuditLog.action)
        .where(AuditLog.edition_id == edition.id)
        .distinct()
        .order_by(AuditLog.action)
    ).all()
    users = session.exec(
        select(User)
        .where(User.id.in_(select(AuditLog.user_id).where(AuditLog.edition_id == edition.id)))
        .order_by(User.full_name)
    ).all()
    return list(actions), list(users)


AUDIT_COLUMNS = [
    "time_utc",
    "action",
    "user_id",
    "user_email",
    "object_type",
    "object_id",
    "details",
]


def audit_rows(session: Session, edition: Edition, flt: AuditFilter) -> list[dict]:
    """Every entry that passes the filter, oldest first, ready for CSV."""
    rows = session.exec(_audit_query(edition, flt).order_by(AuditLog.created_at, AuditLog.id)).all()
    return [
        {
            "time_utc": entry.created_at.isoformat(),
            "action": entry.action,
            "user_id": entry.user_id or "",
            "user_email": user.email if user else "",
            "object_type": entry.object_type,
            "object_id": entry.object_id,
            "details": json.dumps(entry.details, ensure_ascii=False, sort_keys=True),
        }
        for entry, user in rows
    ]


# --- reminders -------------------------------------------------------------------------


@dataclass
class ReminderReport:
    day_before: int = 0
    first_meeting: int = 0
    #: a configurable number of minutes before each meeting and each starred session
    meetings: int = 0
    sessions: int = 0


def _link(endpoints: tuple[str, ...], year: int) -> str:
    """An absolute link to the first page among `endpoints` that the app has."""
    for endpoint in endpoints:
        try:
            return url_for(endpoint, year=year, _external=True)
        except BuildError:
            continue
    return url_for("core.index", _external=True)


AGENDA_PAGES = ("agenda.index", "edition.home")
MEETING_PAGES = (
    "matchmaking.my_meetings",
    "matchmaking.meetings",
    "matchmaking.schedule",
    "matchmaking.index",
    "edition.home",
)


PUBLISHED = MeetingStatus.PUBLISHED.value


def _participants(session: Session, edition: Edition) -> dict[int, User]:
    """People expected at the event: confirmed delegates and members of meeting organisations."""
    people = {
        u.id: u
        for u in session.exec(
            select(User)
            .join(Registration, Registration.user_id == User.id)
            .where(Registration.edition_id == edition.id, Registration.status == "confirmed")
        )
    }
    meeting_orgs = {
        org_id
        for m, _slot, _table in meetings_of_organisations(
            session, edition.id, None, statuses=(PUBLISHED,)
        )
        for org_id in (m.startup_organisation_id, m.investor_organisation_id)
    }
    for u in session.exec(
        select(User)
        .join(EditionRole, EditionRole.user_id == User.id)
        .where(EditionRole.edition_id == edition.id, User.organisation_id.in_(meeting_orgs))
    ):
        people.setdefault(u.id, u)
    return {k: u for k, u in people.items() if u.erased_at is None}


def _day_before(session: Session, edition: Edition, now: datetime) -> int:
    tz = ZoneInfo(edition.timezone)
    if now.astimezone(tz).date() != edition.starts_on - timedelta(days=1):
        return 0
    sent = 0
    agenda = _link(AGENDA_PAGES, edition.year)
    for user in sorted(_participants(session, edition).values(), key=lambda u: u.id):
        with force_locale(user.locale):
            subject = _("Tomorrow: %(event)s", event=pick(edition, "name"))
            body = _(
                "Hello %(name)s,\n\n%(event)s starts tomorrow, %(date)s, at %(venue)s.\n"
                "Your agenda (sessions and meetings): %(link)s\n\nSee you there!",
                name=user.full_name,
                event=pick(edition, "name"),
                date=edition.starts_on.strftime("%d/%m/%Y"),
                venue=pick(edition, "venue"),
                link=agenda,
            )
        agenda_pdf = session.exec(
            select(Document.id)
            .where(
                Document.edition_id == edition.id,
                Document.owner_user_id == user.id,
                Document.kind == "agenda",
            )
            .order_by(Document.created_at.desc())
        ).first()
        if queue_email(
            session,
            user.email,
            subject,
            body,
            dedupe_key=f"reminder-day:{edition.id}:{user.id}",
            attachment_document_id=agenda_pdf,
        ):
            sent += 1
    return sent


def _first_meetings(session: Session, edition: Edition, now: datetime, lead: timedelta) -> int:
    """An hour before a person's first meeting of a day, one message to each member."""
    tz = ZoneInfo(edition.timezone)
    rows = meetings_of_organisations(session, edition.id, None, statuses=(PUBLISHED,))
    first: dict[tuple[int, object], tuple] = {}
    for meeting, slot, table in rows:
        day = slot.starts_at.astimezone(tz).date()
        for org_id in (meeting.startup_organisation_id, meeting.investor_organisation_id):
            first.setdefault((org_id, day), (meeting, slot, table))
    due = {key: v for key, v in first.items() if now < v[1].starts_at <= now + lead}
    if not due:
        return 0
    link = _link(MEETING_PAGES, edition.year)
    members = (
        session.exec(
            select(User)
            .join(EditionRole, EditionRole.user_id == User.id)
            .where(
                EditionRole.edition_id == edition.id,
                User.organisation_id.in_({org for org, _day in due}),
                User.erased_at.is_(None),
            )
        )
        .unique()
        .all()
    )
    sent = 0
    for (org_id, day), (_meeting, slot, table) in sorted(due.items(), key=lambda kv: kv[0][0]):
        for user in (u for u in members if u.organisation_id == org_id):
            with force_locale(user.locale):
                subject = _(
                    "Your first meeting starts at %(time)s",
                    time=slot.starts_at.astimezone(tz).strftime("%H:%M"),
                )
                body = _(
                    "Hello %(name)s,\n\nYour first meeting today starts at %(time)s at table "
                    "%(table)s.\nYour meetings: %(link)s",
                    name=user.full_name,
                    time=slot.starts_at.astimezone(tz).strftime("%H:%M"),
                    table=table.label if table else "—",
                    link=link,
                )
            key = f"reminder-meeting:{edition.id}:{user.id}:{day.isoformat()}"
            if queue_email(session, user.email, subject, body, dedupe_key=key):
                sent += 1
    return sent


def _each_meeting(session: Session, edition: Edition, now: datetime, before: timedelta) -> int:
    """`before` ahead of each published meeting, one message to each member of both sides.

    Only published meetings: a cancelled one (even after its reminder went) gets none.
    """
    tz = ZoneInfo(edition.timezone)
    rows = [
        (meeting, slot, table)
        for meeting, slot, table in meetings_of_organisations(
            session, edition.id, None, statuses=(PUBLISHED,)
        )
        if slot is not None and now < slot.starts_at <= now + before
    ]
    if not rows:
        return 0
    orgs = {
        o for m, _s, _t in rows for o in (m.startup_organisation_id, m.investor_organisation_id)
    }
    members = _members_of(session, edition, orgs)
    names = dict(
        session.exec(
            select(Organisation.id, Organisation.name).where(Organisation.id.in_(orgs))
        ).all()
    )
    link = _link(AGENDA_PAGES, edition.year)
    sent = 0
    for meeting, slot, table in rows:
        for org_id, other_id in (
            (meeting.startup_organisation_id, meeting.investor_organisation_id),
            (meeting.investor_organisation_id, meeting.startup_organisation_id),
        ):
            for user in (u for u in members if u.organisation_id == org_id):
                with force_locale(user.locale):
                    time = slot.starts_at.astimezone(tz).strftime("%H:%M")
                    subject = _(
                        "At %(time)s: your meeting with %(other)s",
                        time=time,
                        other=names.get(other_id, ""),
                    )
                    where = table.label if table else "—"
                    if table is not None and pick(table, "location"):
                        where = f"{where} ({pick(table, 'location')})"
                    body = _(
                        "Hello %(name)s,\n\nYour meeting with %(other)s starts at %(time)s at "
                        "table %(table)s.\nYour agenda: %(link)s",
                        name=user.full_name,
                        other=names.get(other_id, ""),
                        time=time,
                        table=where,
                        link=link,
                    )
                key = f"reminder-each-meeting:{meeting.id}:{user.id}"
                if queue_email(session, user.email, subject, body, dedupe_key=key):
                    sent += 1
    return sent


def _members_of(session: Session, edition: Edition, org_ids: set[int]) -> list[User]:
    return list(
        session.exec(
            select(User)
            .join(EditionRole, EditionRole.user_id == User.id)
            .where(
                EditionRole.edition_id == edition.id,
                User.organisation_id.in_(org_ids),
                User.erased_at.is_(None),
            )
        )
        .unique()
        .all()
    )


def _each_starred_session(
    session: Session, edition: Edition, now: datetime, before: timedelta
) -> int:
    """`before` ahead of each session a person starred, one message to that person."""
    tz = ZoneInfo(edition.timezone)
    rows = session.exec(
        select(SessionStar, ProgrammeSession, User, Room)
        .join(ProgrammeSession, ProgrammeSession.id == SessionStar.session_id)
        .join(User, User.id == SessionStar.user_id)
        .join(Room, Room.id == ProgrammeSession.room_id, isouter=True)
        .where(
            ProgrammeSession.edition_id == edition.id,
            ProgrammeSession.starts_at > now,
            ProgrammeSession.starts_at <= now + before,
            User.erased_at.is_(None),
        )
    ).all()
    link = _link(AGENDA_PAGES, edition.year)
    sent = 0
    for _star, ps, user, room in rows:
        with force_locale(user.locale):
            time = ps.starts_at.astimezone(tz).strftime("%H:%M")
            title = pick(ps, "title")
            subject = _("At %(time)s: %(title)s", time=time, title=title)
            body = _(
                "Hello %(name)s,\n\n%(title)s, which you starred, starts at %(time)s in "
                "%(room)s.\nYour agenda: %(link)s",
                name=user.full_name,
                title=title,
                time=time,
                room=pick(room, "name") if room else "—",
                link=link,
            )
        key = f"reminder-session:{ps.id}:{user.id}"
        if queue_email(session, user.email, subject, body, dedupe_key=key):
            sent += 1
    return sent


def send_reminders(
    session: Session,
    now: datetime | None = None,
    lead: timedelta = timedelta(hours=1),
    before: timedelta = timedelta(minutes=15),
) -> ReminderReport:
    """Queue the reminders due now; each has a dedupe key, so running again sends nothing.

    `before`: how long ahead of each meeting and each starred session its reminder goes.
    """
    now = now or now_utc()
    report = ReminderReport()
    for edition in session.exec(select(Edition).where(Edition.personal_data_erased_at.is_(None))):
        report.day_before += _day_before(session, edition, now)
        report.first_meeting += _first_meetings(session, edition, now, lead)
        report.meetings += _each_meeting(session, edition, now, before)
        report.sessions += _each_starred_session(session, edition, now, before)
    return report


# --- backup and restore ----------------------------------------------------------------


class BackupError(Exception):
    pass


def _sqlite_path(url: str) -> Path | None:
    parsed = sa.engine.make_url(url)
    if not parsed.drivername.startswith("sqlite"):
        return None
    if not parsed.database or parsed.database == ":memory:":
        raise BackupError("An in-memory database cannot be backed up.")
    return Path(parsed.database)


def _libpq(url: str) -> tuple[str, dict[str, str]]:
    """A libpq address without the password, and the environment that carries it instead
    (a password on the command line would show in the process list)."""
    parsed = sa.engine.make_url(url).set(drivername="postgresql")
    env = dict(os.environ)
    if parsed.password:
        env["PGPASSWORD"] = str(parsed.password)
    bare = sa.engine.URL.create(
        "postgresql",
        username=parsed.username,
        host=parsed.host,
        port=parsed.port,
        database=parsed.database,
        query=parsed.query,
    )
    return bare.render_as_string(hide_password=False), env


def backup_database(url: str, output: Path, run: Callable = subprocess.run) -> Path:
    """A consistent copy taken while the app runs: SQLite's backup API, or pg_dump."""
    output = Path(output)
    output.parent.mkdir(parents=True, exist_ok=True)
    source = _sqlite_path(url)
    if source is None:
        dsn, env = _libpq(url)
        run(
            [
                "pg_dump",
                "--clean",
                "--if-exists",
                "--no-owner",
                "--file",
                str(output),
                "--dbname",
                dsn,
            ],
            check=True,
            env=env,
        )
        return output
    if not source.exists():
        raise BackupError(f"No database file at {source}.")
    with tempfile.NamedTemporaryFile(dir=output.parent, suffix=".part", delete=False) as tmp:
        partial = Path(tmp.name)
    try:
        src = sqlite3.connect(source)
        dst = sqlite3.connect(partial)
        try:
            with dst:
                src.backup(dst)
        finally:
            dst.close()
            src.close()
        partial.replace(output)  # a backup file is either complete or absent
    finally:
        partial.unlink(missing_ok=True)
    return output


def restore_database(url: str, backup: Path, run: Callable = subprocess.run) -> None:
    """Put a backup back. Stop the app servers first; the current data is replaced."""
    backup = Path(backup)
    if not backup.exists():
        raise BackupError(f"No backup file at {backup}.")
    target = _sqlite_path(url)
    if target is None:
        dsn, env = _libpq(url)
        run(
            [
                "psql",
                "--quiet",
                "--single-transaction",
                "-v",
                "ON_ERROR_STOP=1",
                "--file",
                str(backup),
                "--dbname",
                dsn,
            ],
            check=True,
            env=env,
        )
        return
    src = sqlite3.connect(f"file:{backup}?mode=ro", uri=True)
    try:
        if src.execute("PRAGMA integrity_check").fetchone()[0] != "ok":
            raise BackupError(f"{backup} is not a sound SQLite database.")
        if target.exists():
            # keep what is being replaced, in case the wrong file was named
            backup_database(url, target.with_suffix(target.suffix + ".before-restore"))
        dst = sqlite3.connect(target, timeout=30)
        try:
            # page by page under the database lock: safe with WAL, unlike copying the file
            src.backup(dst)
        finally:
            dst.close()
    except sqlite3.DatabaseError as exc:
        raise BackupError(f"{backup} is not a SQLite database: {exc}") from exc
    finally:
        src.close()


@dataclass(frozen=True)
class EditionOverview:
    edition: Edition
    sessions: int
    booths: int
    delegates: int


def edition_overview(session: Session, edition: Edition) -> EditionOverview:
    """What the edition's front page counts: sessions, booths and confirmed delegates."""

    def count(model, *where) -> int:
        return session.exec(select(func.count()).select_from(model).where(*where)).one()

    return EditionOverview(
        edition=edition,
        sessions=count(ProgrammeSession, ProgrammeSession.edition_id == edition.id),
        booths=count(Booth, Booth.edition_id == edition.id),
        delegates=count(
            Registration,
            Registration.edition_id == edition.id,
            Registration.status == "confirmed",
        ),
    )
