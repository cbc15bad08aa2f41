"""The programme as a CSV file: export, and import through the shared pipeline."""

from __future__ import annotations

from datetime import UTC, date, datetime, time
from typing import Any

from flask_babel import gettext as _
from sqlmodel import Session, select

from techfest.auth.models import User
from techfest.core import audit
from techfest.core.csvio import (
    CsvFormatError,
    ImportReport,
    RowError,
    import_csv,
    template_csv,
    write_csv,
)
from techfest.core.inputs import whole_number
from techfest.core.models import Edition
from techfest.programme.catalogue import (
    LANGUAGES,
    MAX_CAPACITY,
    edition_days,
    list_sessions,
    rooms,
    tracks,
    tz_of,
)
from techfest.programme.editing import SessionData, format_speakers, parse_speakers
from techfest.programme.models import ProgrammeSession
from techfest.programme.signups import fill_from_waitlist

CSV_COLUMNS = (
    "code",
    "title_vi",
    "title_en",
    "date",
    "start",
    "end",
    "track",
    "room",
    "language",
    "capacity",
    "speakers",
    "description_vi",
    "description_en",
)


CSV_REQUIRED = ("code", "title_vi", "date", "start", "end")


def import_template() -> str:
    """The session import's template, with one example row."""
    example = {
        "code": "WS-AI",
        "title_vi": "Hội thảo AI tạo sinh",
        "title_en": "Generative AI workshop",
        "date": "2025-10-10",
        "start": "14:00",
        "end": "16:30",
        "track": "",
        "room": "",
        "language": "vi-en",
        "capacity": 120,
        "speakers": "Trần Hải | Sở KH&CN | Giám đốc | Director",
        "description_vi": "",
        "description_en": "",
    }
    return template_csv(CSV_COLUMNS, example)


def export_sessions_csv(session: Session, edition: Edition) -> str:
    """The edition's sessions as a CSV file the import reads back."""
    tz = tz_of(edition)
    track_codes = {t.id: t.code for t in tracks(session, edition.id)}
    room_codes = {r.id: r.code for r in rooms(session, edition.id)}
    rows = []
    for ps in list_sessions(session, edition):
        start = ps.starts_at.astimezone(tz)
        rows.append(
            {
                "code": ps.code,
                "title_vi": ps.title_vi,
                "title_en": ps.title_en,
                "date": start.date().isoformat(),
                "start": start.strftime("%H:%M"),
                "end": ps.ends_at.astimezone(tz).strftime("%H:%M"),
                "track": track_codes.get(ps.track_id, ""),
                "room": room_codes.get(ps.room_id, ""),
                "language": ps.language,
                "capacity": ps.capacity,
                "speakers": format_speakers(ps.speakers, "; "),
                "description_vi": ps.description_vi,
                "description_en": ps.description_en,
            }
        )
    return write_csv(rows, CSV_COLUMNS)


def _parse_hhmm(value: str) -> time | None:
    try:
        parsed = datetime.strptime(value.strip(), "%H:%M")  # noqa: DTZ007 - a wall-clock time
    except ValueError:
        return None
    return parsed.time()


LIMITS = {
    "code": 40,
    "title_vi": 300,
    "title_en": 300,
    "description_vi": 5000,
    "description_en": 5000,
}


def import_sessions_csv(
    session: Session, edition: Edition, actor: User, data: bytes | str
) -> ImportReport:
    """Create or update sessions (by code) from CSV: every row checked, all applied or none."""
    tz = tz_of(edition)
    days = set(edition_days(edition))
    track_ids = {t.code: t.id for t in tracks(session, edition.id)}
    room_map = {r.code: r for r in rooms(session, edition.id)}
    existing = {
        ps.code: ps
        for ps in session.exec(
            select(ProgrammeSession).where(ProgrammeSession.edition_id == edition.id)
        )
    }
    seen: dict[str, int] = {}
    #: the codes the file holds: those sessions take their new times
    file_codes: set[str] = set()
    planned: list[tuple[int, SessionData]] = []

    def read_codes(rows: list[dict[str, str]]) -> None:
        file_codes.update(row.get("code") or "" for row in rows)

    def parse(row: dict[str, str], line: int) -> tuple[Any, list[RowError]]:
        errors: list[RowError] = []

        def err(column: str, message: str) -> None:
            errors.append(RowError(line, column, str(message)))

        for column in ("code", "title_vi"):
            if not row.get(column):
                err(column, _("This field is required."))
        for column, limit in LIMITS.items():
            if len(row.get(column) or "") > limit:
                err(column, _("At most %(n)s characters.", n=limit))
        code = row.get("code") or ""
        if code and code in seen:
            err(
                "code",
                _("The code %(code)s appears twice (line %(line)s).", code=code, line=seen[code]),
            )
        elif code:
            seen[code] = line
        day = None
        try:
            day = date.fromisoformat(row.get("date") or "")
        except ValueError:
            err("date", _("Write the date as YYYY-MM-DD."))
        if day is not None and day not in days:
            err("date", _("The date is not a day of this edition."))
        start, end = _parse_hhmm(row.get("start") or ""), _parse_hhmm(row.get("end") or "")
        if start is None:
            err("start", _("Write the time as HH:MM."))
        if end is None:
            err("end", _("Write the time as HH:MM."))
        if start is not None and end is not None and end <= start:
            err("end", _("The session must end after it starts."))
        track = row.get("track") or ""
        if track and track not in track_ids:
            err("track", _("Unknown track code %(code)s.", code=track))
        room_code = row.get("room") or ""
        if room_code and room_code not in room_map:
            err("room", _("Unknown room code %(code)s.", code=room_code))
        language = row.get("language") or "vi"
        if language not in LANGUAGES:
            err("language", _("Language must be vi, en or vi-en."))
        capacity = None
        raw_capacity = row.get("capacity") or ""
        if raw_capacity:
            try:
                # ASCII digits only: str.isdigit() also accepts "²", which int() refuses
                capacity = whole_number(raw_capacity, 1, MAX_CAPACITY)
            except ValueError:
                err("capacity", _("Capacity must be between 1 and 100000."))
        elif room_code in room_map:
            capacity = room_map[room_code].capacity
        else:
            capacity = 100
        if code in existing and capacity is not None and capacity < existing[code].seats_taken:
            err(
                "capacity",
                _(
                    "%(n)s people already hold a seat; the capacity cannot be lower.",
                    n=existing[code].seats_taken,
                ),
            )
        if errors:
            return None, errors
        item = SessionData(
            code=code,
            title_vi=row["title_vi"],
            title_en=row.get("title_en") or "",
            description_vi=row.get("description_vi") or "",
            description_en=row.get("description_en") or "",
            starts_at=datetime.combine(day, start, tzinfo=tz).astimezone(UTC),
            ends_at=datetime.combine(day, end, tzinfo=tz).astimezone(UTC),
            language=language,
            capacity=capacity or 100,
            track_id=track_ids.get(track) if track else None,
            room_id=room_map[room_code].id if room_code else None,
            speakers=parse_speakers(row.get("speakers") or ""),
        )
        clash = _room_clash_in_plan(item, planned, existing, file_codes)
        if clash:
            err("room", clash)
            return None, errors
        planned.append((line, item))
        return item, errors

    def apply(s: Session, items: list[SessionData]) -> tuple[int, int]:
        created = updated = 0
        for item in items:
            ps = existing.get(item.code)
            if ps is None:
                ps = ProgrammeSession(
                    edition_id=edition.id,
                    code=item.code,
                    title_vi="",
                    title_en="",
                    starts_at=item.starts_at,
                    ends_at=item.ends_at,
                )
                created += 1
            else:
                updated += 1
            for name in (
                "title_vi",
                "title_en",
                "description_vi",
                "description_en",
                "track_id",
                "room_id",
                "starts_at",
                "ends_at",
                "language",
                "capacity",
                "speakers",
            ):
                setattr(ps, name, getattr(item, name))
            s.add(ps)
        s.flush()
        for item in items:
            if item.code in existing:
                fill_from_waitlist(s, edition, existing[item.code].id)
        audit.record(
            s,
            "programme.session.import",
            user_id=actor.id,
            edition_id=edition.id,
            object_type="programme_session",
            created=created,
            updated=updated,
        )
        return created, updated

    try:
        return import_csv(
            session, data, required=CSV_REQUIRED, parse=parse, apply=apply, on_read=read_codes
        )
    except CsvFormatError as exc:
        # the reader's message is already in the person's language (core/csvio.py)
        return ImportReport(errors=[RowError(0, "", str(exc))])


def _room_clash_in_plan(
    item: SessionData,
    planned: list[tuple[int, SessionData]],
    existing: dict[str, ProgrammeSession],
    file_codes: set[str],
) -> str | None:
    """A room booked twice at once, by two rows or by a row and a session not in the file."""
    if item.room_id is None:
        return None
    for line, other in planned:
        if (
            other.room_id == item.room_id
            and other.starts_at < item.ends_at
            and item.starts_at < other.ends_at
        ):
            return _("The room is already booked at this time by line %(line)s.", line=line)
    # sessions in the file will take their new times; the rest keep theirs
    for code, ps in existing.items():
        if code in file_codes or ps.room_id != item.room_id:
            continue
        if ps.starts_at < item.ends_at and item.starts_at < ps.ends_at:
            from techfest.i18n import pick

            return _(
                "The room is already booked at this time for “%(title)s”.", title=pick(ps, "title")
            )
    return None
