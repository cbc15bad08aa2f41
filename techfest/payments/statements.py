"""Reading a bank statement: CSV exports of Vietnamese banks and ISO 20022 CAMT.053 XML.

Banks name their columns differently (Vietcombank "Số tiền ghi có", Techcombank "Có",
BIDV "Ghi có", or English "Credit"); the header is recognised by meaning, with or
without diacritics, and lines above it (account details some exports print first) are
skipped. Only credits (money in) matter. Every line is checked before anything is
stored: one bad line (an amount that is not a whole number of đồng, a negative credit,
an impossible date) refuses the whole file with its line and column, through the shared
import pipeline of `techfest.core.csvio`.
"""

from __future__ import annotations

import hashlib
import re
import unicodedata
import xml.etree.ElementTree as ET  # noqa: S405 - parsed with entities refused, see _read_camt
from dataclasses import dataclass
from datetime import date, datetime

from flask_babel import lazy_gettext as _l

from techfest.core import csvio
from techfest.core.csvio import CsvFormatError, RowError

#: the largest credit believed: 10,000 billion đồng (13 digits) is no festival fee
MAX_AMOUNT = 10**13 - 1
MAX_BYTES = 5 * 1024 * 1024

#: column meaning -> names banks use for it (folded: lower case, no diacritics)
COLUMNS: dict[str, tuple[str, ...]] = {
    "date": (
        "ngay giao dich",
        "ngay gd",
        "ngay hieu luc",
        "ngay ghi so",
        "ngay",
        "transaction date",
        "booking date",
        "value date",
        "date",
        "txn date",
        "ngay thuc hien",
    ),
    "bank_id": (
        "so tham chieu",
        "ma giao dich",
        "ma gd",
        "so but toan",
        "so ct",
        "reference",
        "reference no",
        "transaction id",
        "txn id",
        "ref no",
        "so giao dich",
        "ma tham chieu",
    ),
    "credit": (
        "so tien ghi co",
        "ghi co",
        "co",
        "credit",
        "credit amount",
        "so tien co",
        "tien vao",
    ),
    "debit": ("so tien ghi no", "ghi no", "no", "debit", "debit amount", "so tien no", "tien ra"),
    "amount": ("so tien", "amount", "so tien giao dich", "transaction amount"),
    "description": (
        "mo ta",
        "mo ta chi tiet",
        "dien giai",
        "noi dung",
        "noi dung giao dich",
        "noi dung chuyen khoan",
        "description",
        "details",
        "transaction details",
        "transactions in detail",
        "remark",
        "remarks",
        "narrative",
    ),
    "counterparty": (
        "doi tac",
        "nguoi chuyen",
        "ten doi ung",
        "ten tai khoan doi ung",
        "remitter",
        "counterparty",
        "ten nguoi chuyen",
        "don vi thu huong/nguoi chuyen",
    ),
}


@dataclass(frozen=True)
class BankLine:
    """One credit of the statement, as stored."""

    line: int
    key: str
    booked_on: date
    amount_vnd: int
    description: str
    counterparty: str
    #: the bank gave its own transaction id (else the key is a hash)
    has_bank_id: bool


def fold(text: str) -> str:
    text = text.replace("đ", "d").replace("Đ", "D")
    text = unicodedata.normalize("NFKD", text)
    text = "".join(c for c in text if not unicodedata.combining(c))
    return " ".join(re.sub(r"[^a-z0-9/ ]", " ", text.lower()).split())


def column_meaning(header: str) -> str | None:
    """What a header names; "Số tiền ghi có/Credit" is read part by part."""
    folded = fold(header)
    for candidate in [folded, *[p.strip() for p in folded.split("/")]]:
        for meaning, names in COLUMNS.items():
            if candidate in names:
                return meaning
    return None


def parse_amount(text: str) -> int | None:
    """Whole đồng from "1.500.000", "1,500,000", "1500000.00", "1.500.000,00", "-200.000".

    None for a blank cell; ValueError for anything else that is not a whole number.
    """
    value = text.strip().replace("\u00a0", "").replace(" ", "")
    value = re.sub(r"(?i)(vnd|vnđ|đ|₫)$", "", value)
    if not value or value in ("-", "0-"):
        return None
    negative = value.startswith("-") or (value.startswith("(") and value.endswith(")"))
    value = value.strip("()").lstrip("+-")
    if not re.fullmatch(r"[0-9.,]+", value) or not value[0].isdigit():
        raise ValueError(text)
    decimals = ""
    last = max(value.rfind("."), value.rfind(","))
    if last >= 0:
        separators = set(re.sub(r"[0-9]", "", value))
        tail = value[last + 1 :]
        # one kind of separator followed by three digits groups thousands; anything else
        # ends in decimals (which must be zero: đồng have none)
        if len(separators) == 2 or len(tail) != 3:
            decimals = tail
            value = value[:last]
        digits = re.sub(r"[.,]", "", value)
    else:
        digits = value
    if decimals and set(decimals) != {"0"}:
        raise ValueError(text)
    if not digits.isdigit() or not digits.isascii():
        raise ValueError(text)
    amount = int(digits)
    return -amount if negative else amount


def parse_date(text: str) -> date:
    value = text.strip().split(" ")[0].split("T")[0]
    for fmt in ("%d/%m/%Y", "%d-%m-%Y", "%Y-%m-%d", "%d.%m.%Y", "%Y/%m/%d"):
        try:
            return datetime.strptime(value, fmt).date()  # noqa: DTZ007 - a calendar date
        except ValueError:
            continue
    raise ValueError(text)


def _decode(data: bytes) -> str:
    if len(data) > MAX_BYTES:
        raise CsvFormatError(str(_l("The file is larger than 5 MB.")))
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise CsvFormatError(
            str(_l("The file is not UTF-8 text. Export the statement as CSV (UTF-8)."))
        ) from exc


def _header_index(lines: list[str]) -> int:
    """The line that names the columns: the first with a date, an amount and a text column."""
    for index, line in enumerate(lines[:40]):
        cells = re.split(r"[;,\t]", line)
        meanings = {column_meaning(c.strip().strip('"')) for c in cells}
        has_money = meanings & {"credit", "amount"}
        if "date" in meanings and has_money and "description" in meanings:
            return index
    raise CsvFormatError(
        str(_l("No header with a date, an amount (or credit) and a description column."))
    )


def read_statement(data: bytes, filename: str) -> list[dict[str, str]]:
    """The statement's lines as rows keyed by meaning (date, credit, description, ...)."""
    if filename.lower().endswith(".xml") or data.lstrip()[:5] in (b"<?xml", b"<Docu"):
        return _read_camt(data)
    text = _decode(data)
    lines = text.splitlines()
    if not lines:
        raise CsvFormatError(str(_l("The file is empty.")))
    start = _header_index(lines)
    body = "\n".join(lines[start:])
    if "\t" in lines[start] and ";" not in lines[start] and "," not in lines[start]:
        body = body.replace(";", " ").replace("\t", ";")
    rows = csvio.read_csv(body)
    out = []
    for row in rows:
        named: dict[str, str] = {}
        for header, value in row.items():
            meaning = column_meaning(header)
            if meaning and meaning not in named:
                named[meaning] = value
        out.append(named)
    return out


def _read_camt(data: bytes) -> list[dict[str, str]]:
    """Entries of a CAMT.053 (bank to customer statement) as rows keyed by meaning."""
    if len(data) > MAX_BYTES:
        raise CsvFormatError(str(_l("The file is larger than 5 MB.")))
    if b"<!DOCTYPE" in data or b"<!ENTITY" in data:
        raise CsvFormatError(str(_l("The XML file declares entities; it is refused.")))
    try:
        root = ET.fromstring(data)  # noqa: S314 - entity declarations refused above
    except ET.ParseError as exc:
        raise CsvFormatError(str(_l("The XML file cannot be read: %(error)s", error=exc))) from exc

    def local(tag: str) -> str:
        return tag.rsplit("}", 1)[-1]

    def find(node, *path):
        for step in path:
            node = next((c for c in node if local(c.tag) == step), None)
            if node is None:
                return None
        return node

    def text_of(node, *path) -> str:
        found = find(node, *path)
        return (found.text or "").strip() if found is not None else ""

    rows = []
    entries = [n for n in root.iter() if local(n.tag) == "Ntry"]
    if not entries and local(root.tag) != "Document":
        raise CsvFormatError(str(_l("This XML file is not a CAMT.053 statement.")))
    for entry in entries:
        amount = text_of(entry, "Amt")
        sign = text_of(entry, "CdtDbtInd")
        details = find(entry, "NtryDtls", "TxDtls")
        remittance = ""
        bank_id = text_of(entry, "AcctSvcrRef")
        counterparty = ""
        if details is not None:
            remittance = " ".join(
                (n.text or "").strip() for n in details.iter() if local(n.tag) == "Ustrd"
            )
            bank_id = bank_id or text_of(details, "Refs", "AcctSvcrRef")
            counterparty = text_of(details, "RltdPties", "Dbtr", "Nm") or text_of(
                details, "RltdPties", "Dbtr", "Pty", "Nm"
            )
        remittance = remittance or text_of(entry, "AddtlNtryInf")
        row = {
            "date": text_of(entry, "BookgDt", "Dt") or text_of(entry, "BookgDt", "DtTm"),
            "bank_id": bank_id,
            "description": remittance,
            "counterparty": counterparty,
        }
        if sign == "CRDT":
            row["credit"] = amount
        elif sign == "DBIT":
            row["debit"] = amount
        else:
            row["credit"] = amount
            row["sign_error"] = sign or "?"
        rows.append(row)
    return rows


def check_line(row: dict[str, str], line: int) -> tuple[BankLine | None, list[RowError]]:
    """One row read and checked; a debit (money out) gives no line and no error."""
    errors: list[RowError] = []

    def refuse(column: str, message) -> tuple[None, list[RowError]]:
        errors.append(RowError(line, column, str(message)))
        return None, errors

    if "sign_error" in row:
        return refuse(
            "CdtDbtInd", _l("Neither credit nor debit: %(value)s", value=row["sign_error"])
        )
    try:
        credit = parse_amount(row["credit"]) if "credit" in row else None
        signed = parse_amount(row["amount"]) if "amount" in row else None
        debit = parse_amount(row["debit"]) if row.get("debit") else None
    except ValueError as exc:
        return refuse("amount", _l("Not a whole number of đồng: %(value)s", value=str(exc)[:40]))
    if credit is not None and credit < 0:
        return refuse("credit", _l("A credit cannot be negative."))
    if debit is not None and debit < 0:
        return refuse("debit", _l("A debit cannot be negative."))
    amount = credit if credit else (signed if "credit" not in row else None)
    if credit and debit:
        return refuse("credit", _l("A line is both a credit and a debit."))
    if amount is None or amount <= 0:
        return None, errors  # money out, or nothing: not ours to match
    if amount > MAX_AMOUNT:
        return refuse("amount", _l("The amount is too large to be a payment."))
    try:
        booked_on = parse_date(row.get("date", ""))
    except ValueError:
        return refuse("date", _l("Not a date: %(value)s", value=row.get("date", "")[:20]))
    description = " ".join(row.get("description", "").split())[:500]
    bank_id = row.get("bank_id", "").strip()[:100]
    counterparty = row.get("counterparty", "").strip()[:200]
    key = f"id:{bank_id}" if bank_id else ""
    return BankLine(line, key, booked_on, amount, description, counterparty, bool(bank_id)), errors


def with_keys(lines: list[BankLine]) -> list[BankLine]:
    """Lines without a bank id get a hash of what they say (and which of equal lines they
    are), so the same statement read twice gives the same keys."""
    seen: dict[str, int] = {}
    out = []
    for line in lines:
        if line.has_bank_id:
            out.append(line)
            continue
        basis = f"{line.booked_on.isoformat()}|{line.amount_vnd}|{fold(line.description)}"
        seen[basis] = seen.get(basis, 0) + 1
        digest = hashlib.sha256(f"{basis}|{seen[basis]}".encode()).hexdigest()[:32]
        out.append(
            BankLine(
                line.line,
                f"hash:{digest}",
                line.booked_on,
                line.amount_vnd,
                line.description,
                line.counterparty,
                False,
            )
        )
    return out
