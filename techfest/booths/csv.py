"""The floor plan as a CSV file: export, and import through the shared pipeline."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass

from flask_babel import gettext
from sqlmodel import Session, select

from techfest.auth.models import User
from techfest.booths import availability
from techfest.booths.availability import HALL_HEIGHT, HALL_WIDTH
from techfest.booths.catalogue import CODE_RE, MAX_PRICE_VND, SIZES, zones
from techfest.booths.models import Booth, BoothBooking, Zone
from techfest.core import audit, csvio
from techfest.core.inputs import INT64_MAX, whole_number
from techfest.core.models import Edition
from techfest.db import now_utc

CSV_COLUMNS = ("code", "zone", "size", "price_vnd", "x", "y", "w", "h", "status")


CSV_REQUIRED = ("code", "zone", "size", "price_vnd", "x", "y", "w", "h")


def import_template() -> str:
    """The booth import's template, with one example row."""
    example = {
        "code": "A01",
        "zone": "A",
        "size": "S",
        "price_vnd": 15000000,
        "x": 10,
        "y": 10,
        "w": 30,
        "h": 30,
        "status": "open",
    }
    return csvio.template_csv(CSV_COLUMNS, example)


def export_booths_csv(session: Session, edition: Edition) -> str:
    """The floor plan as a CSV file the import reads back."""
    rows = session.exec(
        select(Booth, Zone)
        .join(Zone, Zone.id == Booth.zone_id)
        .where(Booth.edition_id == edition.id)
        .order_by(Booth.code)
    ).all()
    return csvio.write_csv(
        (
            {
                "code": b.code,
                "zone": z.code,
                "size": b.size,
                "price_vnd": b.price_vnd,
                "x": b.x,
                "y": b.y,
                "w": b.w,
                "h": b.h,
                "status": b.status,
            }
            for b, z in rows
        ),
        CSV_COLUMNS,
    )


@dataclass(frozen=True)
class BoothRow:
    """One checked row of a booth CSV file."""

    line: int
    code: str
    zone_id: int
    size: str
    price_vnd: int
    x: int
    y: int
    w: int
    h: int
    #: None keeps the booth's current status (or "open" for a new booth)
    status: str | None


def _int_cell(
    row: dict[str, str], column: str, low: int, high: int, line: int, errors: list
) -> int | None:
    raw = row.get(column, "")
    try:
        value = whole_number(raw, -INT64_MAX - 1, INT64_MAX) if raw else None
    except ValueError:
        value = None
    if value is None:
        errors.append(csvio.RowError(line, column, gettext("Enter a whole number.")))
        return None
    if not low <= value <= high:
        errors.append(
            csvio.RowError(
                line,
                column,
                gettext("Enter a number from %(low)s to %(high)s.", low=low, high=high),
            )
        )
        return None
    return value


def _parse_booth_row(
    row: dict[str, str], line: int, zone_ids: dict[str, int]
) -> tuple[BoothRow | None, list[csvio.RowError]]:
    errors: list[csvio.RowError] = []
    code = row.get("code", "").upper()
    if not CODE_RE.match(code):
        errors.append(
            csvio.RowError(
                line, "code", gettext("Use 1 to 16 letters, digits, dots, dashes or underscores.")
            )
        )
    zone_id = zone_ids.get(row.get("zone", "").upper())
    if zone_id is None:
        errors.append(csvio.RowError(line, "zone", gettext("No zone with this code.")))
    size = row.get("size", "").upper()
    if size not in SIZES:
        errors.append(csvio.RowError(line, "size", gettext("Size must be S, M or L.")))
    price = _int_cell(row, "price_vnd", 0, MAX_PRICE_VND, line, errors)
    x = _int_cell(row, "x", 0, HALL_WIDTH - 1, line, errors)
    y = _int_cell(row, "y", 0, HALL_HEIGHT - 1, line, errors)
    w = _int_cell(row, "w", 1, HALL_WIDTH, line, errors)
    h = _int_cell(row, "h", 1, HALL_HEIGHT, line, errors)
    if None not in (x, y, w, h) and not availability.inside_hall(x, y, w, h):
        errors.append(
            csvio.RowError(
                line,
                "x",
                gettext(
                    "The booth must lie inside the hall (%(w)s × %(h)s).",
                    w=HALL_WIDTH,
                    h=HALL_HEIGHT,
                ),
            )
        )
    status = row.get("status", "").lower() or None
    if status not in (None, "open", "blocked"):
        errors.append(csvio.RowError(line, "status", gettext("Status must be open or blocked.")))
    if errors:
        return None, errors
    return BoothRow(line, code, zone_id, size, price, x, y, w, h, status), []


#: side of the squares used to find overlapping booths without comparing every pair
_CELL = 50


def _cells(rect: tuple[int, int, int, int]) -> Iterable[tuple[int, int]]:
    x, y, w, h = rect
    for cx in range(x // _CELL, (x + w - 1) // _CELL + 1):
        for cy in range(y // _CELL, (y + h - 1) // _CELL + 1):
            yield cx, cy


def _layout_errors(
    parsed: list[BoothRow], existing: dict[str, Booth], live_booth_ids: set[int]
) -> list[csvio.RowError]:
    """Overlaps and duplicate codes in the map the import would produce."""
    errors = []
    final: dict[str, tuple[int, int, int, int]] = {
        code: (b.x, b.y, b.w, b.h) for code, b in existing.items()
    }
    first_line: dict[str, int] = {}
    for row in parsed:
        if row.code in first_line:
            errors.append(
                csvio.RowError(
                    row.line,
                    "code",
                    gettext("Code %(code)s appears twice in the file.", code=row.code),
                )
            )
            continue
        first_line[row.code] = row.line
        final[row.code] = (row.x, row.y, row.w, row.h)
        booth = existing.get(row.code)
        if row.status == "blocked" and booth is not None and booth.id in live_booth_ids:
            errors.append(
                csvio.RowError(
                    row.line,
                    "status",
                    gettext(
                        "Booth %(code)s is booked; cancel the booking before blocking it.",
                        code=row.code,
                    ),
                )
            )
    grid: dict[tuple[int, int], list[str]] = defaultdict(list)
    for code, rect in final.items():
        for cell in _cells(rect):
            grid[cell].append(code)
    for row in parsed:
        if first_line.get(row.code) != row.line:
            continue
        rect = final[row.code]
        near = {c for cell in _cells(rect) for c in grid[cell] if c != row.code}
        clash = sorted(c for c in near if availability.overlaps(rect, final[c]))
        if clash:
            errors.append(
                csvio.RowError(
                    row.line, "x", gettext("This place overlaps booth %(code)s.", code=clash[0])
                )
            )
    return errors


def import_booths_csv(
    session: Session, edition: Edition, organiser: User, data: bytes | str
) -> csvio.ImportReport:
    """Create or update booths by code from a CSV file: every row valid, or nothing changes."""
    zone_ids = {z.code: z.id for z in zones(session, edition)}
    existing = {
        b.code: b for b in session.exec(select(Booth).where(Booth.edition_id == edition.id))
    }
    live_ids = set(
        session.exec(
            select(BoothBooking.booth_id)
            .join(Booth, Booth.id == BoothBooking.booth_id)
            .where(Booth.edition_id == edition.id, availability.live_clause(now_utc()))
        )
    )

    def apply(session: Session, values: list[BoothRow]) -> tuple[int, int]:
        created = updated = 0
        for row in values:
            booth = existing.get(row.code)
            if booth is None:
                booth = Booth(
                    edition_id=edition.id, code=row.code, zone_id=row.zone_id, x=0, y=0, w=1, h=1
                )
                created += 1
            else:
                updated += 1
            booth.zone_id = row.zone_id
            booth.size = row.size
            booth.price_vnd = row.price_vnd
            booth.x, booth.y, booth.w, booth.h = row.x, row.y, row.w, row.h
            if row.status is not None:
                booth.status = row.status
            session.add(booth)
        return created, updated

    try:
        report = csvio.import_csv(
            session,
            data,
            required=CSV_REQUIRED,
            parse=lambda row, line: _parse_booth_row(row, line, zone_ids),
            check_rows=lambda parsed: _layout_errors(parsed, existing, live_ids),
            apply=apply,
        )
    except csvio.CsvFormatError as exc:
        # reported like every importer's: the file's problem in the report (core/csvio.py)
        return csvio.ImportReport(errors=[csvio.RowError(0, "", str(exc))])
    if report.ok:
        audit.record(
            session,
            "booth.import",
            user_id=organiser.id,
            edition_id=edition.id,
            object_type="booth",
            object_id="",
            created=report.created,
            updated=report.updated,
        )
    return report
