"""CSV import and export shared by every domain: one import pipeline, one error report.

`import_csv` is how every import runs (delegates, booths, programme sessions): read the
file (`read_csv`: UTF-8 with or without BOM, UTF-16, Windows-1258 or -1252, `,` or `;`,
the required columns, at most MAX_ROWS rows; an unreadable file, or a quote never closed,
raises `CsvFormatError` saying which line and what to do), validate it row by row
(`parse`), then across rows (`check_rows`), and apply all rows in one savepoint, or none:
when anything is wrong the `ImportReport` lists each error with its line and column, in
line order, and nothing is written. Each domain only says how a row reads and applies.
"""

from __future__ import annotations

import codecs
import csv
import io
import unicodedata
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any

from flask_babel import gettext as _
from sqlalchemy.exc import IntegrityError
from sqlmodel import Session

from techfest.core.inputs import text_problem

MAX_ROWS = 20_000


@dataclass(frozen=True)
class RowError:
    #: line in the file (the header is line 1)
    line: int
    column: str
    message: str


@dataclass
class ImportReport:
    rows: int = 0
    created: int = 0
    updated: int = 0
    errors: list[RowError] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.errors


class CsvFormatError(ValueError):
    """The file itself is unreadable (encoding, no header, too many rows)."""


#: letters only Windows-1258 (Vietnamese) has where Windows-1252 has others
_VIETNAMESE_1258 = set("ĂăĐđƠơƯư\u0300\u0301\u0303\u0309\u0323₫")


def decode_csv(data: bytes) -> str:
    """The text of an uploaded file: UTF-8 (with or without BOM), UTF-16 (with a BOM, or
    the NUL pattern Excel writes), else Windows-1258 (Vietnamese) or Windows-1252."""
    if data.startswith(codecs.BOM_UTF8):
        encodings = ["utf-8-sig"]
    elif data.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        encodings = ["utf-16"]
    elif len(data) >= 4 and data[1::2].count(0) > len(data) // 4:
        encodings = ["utf-16-le"]
    elif len(data) >= 4 and data[0::2].count(0) > len(data) // 4:
        encodings = ["utf-16-be"]
    else:
        encodings = ["utf-8"]
    for encoding in encodings:
        try:
            return data.decode(encoding)
        except UnicodeDecodeError:
            pass
    if encodings == ["utf-8"] and b"\x00" not in data:
        try:
            vietnamese = data.decode("cp1258")
        except UnicodeDecodeError:
            vietnamese = None
        if vietnamese is not None and _VIETNAMESE_1258 & set(vietnamese):
            return unicodedata.normalize("NFC", vietnamese)
        try:
            return data.decode("cp1252")
        except UnicodeDecodeError:
            if vietnamese is not None:
                return unicodedata.normalize("NFC", vietnamese)
    raise CsvFormatError(
        _(
            "The file's text encoding is not recognised. Save it as “CSV UTF-8” "
            "(Excel: File › Save As › CSV UTF-8) and upload it again."
        )
    )


def read_csv(data: bytes | str, required: Sequence[str] = ()) -> list[dict[str, str]]:
    """Rows as dicts with stripped values; the common encodings (see `decode_csv`), `,` or `;`.

    A quote opened and never closed is reported with the line where it opens.
    """
    text = decode_csv(data) if isinstance(data, bytes) else data
    text = text.removeprefix("\ufeff")
    if "\x00" in text:
        raise CsvFormatError(_("The file holds NUL characters: it is not a CSV text file."))
    if not text.strip():
        raise CsvFormatError(_("The file is empty."))
    first_line = text.splitlines()[0]
    delimiter = ";" if first_line.count(";") > first_line.count(",") else ","
    reader = csv.DictReader(io.StringIO(text, newline=""), delimiter=delimiter, strict=True)
    try:
        header = [h.strip() for h in (reader.fieldnames or [])]
    except csv.Error as exc:
        raise CsvFormatError(_("Line 1 cannot be read as CSV.")) from exc
    missing = [c for c in required if c not in header]
    if missing:
        raise CsvFormatError(_("Missing columns: %(columns)s", columns=", ".join(missing)))
    rows = []
    started = reader.line_num + 1
    try:
        for raw in reader:
            if len(rows) >= MAX_ROWS:
                raise CsvFormatError(_("More than %(rows)s rows.", rows=f"{MAX_ROWS:,}"))
            rows.append(
                {
                    (k or "").strip(): (v or "").strip() if isinstance(v, str) else ""
                    for k, v in raw.items()
                    if k is not None
                }
            )
            started = reader.line_num + 1
    except csv.Error as exc:
        if "end of data" in str(exc):
            message = _(
                'Line %(line)s is broken: a quote (") opens there and is never closed.',
                line=started,
            )
        else:
            message = _(
                'Line %(line)s is broken: a quote (") stands where a value cannot have one.',
                line=started,
            )
        raise CsvFormatError(message) from exc
    return rows


def write_csv(rows: Iterable[dict[str, Any]], columns: Sequence[str]) -> str:
    """CSV text with a BOM, so spreadsheet programs read Vietnamese correctly."""
    out = io.StringIO()
    out.write("\ufeff")
    writer = csv.DictWriter(out, fieldnames=list(columns), extrasaction="ignore")
    writer.writeheader()
    for row in rows:
        writer.writerow({k: "" if row.get(k) is None else row.get(k) for k in columns})
    return out.getvalue()


#: longest text one cell may hold (a multi-line description included)
MAX_CELL = 5_000


def cell_errors(row: dict[str, str], line: int) -> list[RowError]:
    """The input policy for every cell of a row (core/inputs.py): clean text, within length."""
    errors = []
    for column, value in row.items():
        problem = text_problem(value, multiline=True, max_length=MAX_CELL)
        if problem is not None:
            errors.append(RowError(line, column, str(problem)))
    return errors


def template_csv(columns: Sequence[str], example: dict[str, Any]) -> str:
    """An importer's template: every column it reads, and one example row."""
    return write_csv([example], columns)


def csv_download(text: str, filename: str):
    """A CSV file to download (UTF-8 with a BOM, which spreadsheet programs read)."""
    from flask import Response

    return Response(
        text.encode("utf-8"),
        mimetype="text/csv",
        headers={
            "Content-Disposition": f'attachment; filename="{filename}"',
            "Cache-Control": "no-store",
        },
    )


Parser = Callable[[dict[str, str], int], tuple[Any, list[RowError]]]
Applier = Callable[[Session, list[Any]], tuple[int, int]]
#: checks that need every parsed row at once (two rows in one place, ...)
RowsCheck = Callable[[list[Any]], list[RowError]]


def import_csv(
    session: Session,
    data: bytes | str,
    *,
    required: Sequence[str],
    parse: Parser,
    apply: Applier,
    check_rows: RowsCheck | None = None,
    on_read: Callable[[list[dict[str, str]]], None] | None = None,
) -> ImportReport:
    """The import pipeline: read, validate every row, check across rows, apply all or none.

    `on_read` sees the rows before any is parsed (for rules about the whole file).
    Raises `CsvFormatError` when the file itself cannot be read.
    """
    rows = read_csv(data, required=required)
    if on_read is not None:
        on_read(rows)
    return import_rows(session, rows, parse, apply, check_rows=check_rows)


def import_rows(
    session: Session,
    rows: list[dict[str, str]],
    parse: Parser,
    apply: Applier,
    check_rows: RowsCheck | None = None,
) -> ImportReport:
    """Validate every row with `parse` (then all of them with `check_rows`), then `apply`
    all of them in one savepoint, or none."""
    report, parsed = parse_rows(rows, parse, check_rows=check_rows)
    if report.errors:
        return report
    return apply_rows(session, report, parsed, apply)


def parse_rows(
    rows: list[dict[str, str]], parse: Parser, check_rows: RowsCheck | None = None
) -> tuple[ImportReport, list[Any]]:
    """The checking half of `import_rows`: every row's errors, or every row parsed."""
    report = ImportReport(rows=len(rows))
    parsed = []
    for index, row in enumerate(rows, start=2):
        errors = cell_errors(row, index)
        if errors:
            report.errors.extend(errors)
            continue
        value, errors = parse(row, index)
        report.errors.extend(errors)
        if not errors:
            parsed.append(value)
    if not report.errors and check_rows is not None:
        report.errors.extend(check_rows(parsed))
    report.errors.sort(key=lambda e: e.line)
    return report, parsed


def apply_rows(
    session: Session, report: ImportReport, parsed: list[Any], apply: Applier
) -> ImportReport:
    """The writing half of `import_rows`: all rows in one savepoint, or none."""
    try:
        with session.begin_nested():
            report.created, report.updated = apply(session, parsed)
            session.flush()
    except IntegrityError as exc:
        report.created = report.updated = 0
        report.errors.append(
            RowError(0, "", _("Conflicts with existing data: %(error)s", error=str(exc.orig)))
        )
    return report
