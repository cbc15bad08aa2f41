"""Delegates as CSV: export, and import through the shared pipeline."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import datetime
from zoneinfo import ZoneInfo

import sqlalchemy as sa
from email_validator import EmailNotValidError, validate_email
from flask_babel import gettext as _
from sqlmodel import Session, select

from techfest.auth.models import User, new_token
from techfest.auth.services import create_user, find_user, grant_role
from techfest.core.audit import record
from techfest.core.csvio import (
    ImportReport,
    RowError,
    apply_rows,
    parse_rows,
    read_csv,
    template_csv,
    write_csv,
)
from techfest.core.models import Edition, EditionRole
from techfest.db import now_utc
from techfest.registration.booking import (
    BadgeDetails,
    NewPlace,
    register_delegate,
    register_in_bulk,
    registration_for,
)
from techfest.registration.catalogue import (
    CONSENT_NO,
    CONSENT_YES,
    LANGUAGES,
    NAME_MAX,
    NO_PASSWORD,
    ORG_MAX,
    PHONE_RE,
    TITLE_MAX,
    clean,
    has_control_chars,
    ticket_types,
)
from techfest.registration.models import Registration, TicketType
from techfest.registration.pages import filtered, waitlist_ranks

IMPORT_COLUMNS = ("email", "full_name", "ticket_code")
#: what the template offers: the required columns, then the optional ones
TEMPLATE_COLUMNS = (*IMPORT_COLUMNS, "organisation", "job_title", "phone", "language", "consent")


def import_template() -> str:
    """The delegate import's template, with one example row."""
    return template_csv(
        TEMPLATE_COLUMNS,
        {
            "email": "nguyen.van.an@example.vn",
            "full_name": "Nguyễn Văn An",
            "ticket_code": "DELEGATE",
            "organisation": "Công ty Ví dụ",
            "job_title": "Kỹ sư",
            "phone": "+84 912 345 678",
            "language": "vi",
            "consent": "yes",
        },
    )


EXPORT_COLUMNS = (
    "id",
    "email",
    "full_name",
    "organisation",
    "job_title",
    "phone",
    "language",
    "ticket_code",
    "status",
    "waitlist_position",
    "consent_version",
    "consent_at",
    "created_at",
    "confirmed_at",
    "cancelled_at",
)


@dataclass
class ImportResult:
    """What a delegate import did, beyond the report: accounts made, confirmed, waiting."""

    report: ImportReport
    confirmed: int = 0
    waitlisted: int = 0
    users_created: int = 0


def _safe_cell(value: str) -> str:
    """Keep spreadsheet programs from running a cell as a formula."""
    if value and (value[0] in "=@\t\r" or (value[0] in "+-" and not PHONE_RE.match(value))):
        return "'" + value
    return value


def export_csv(session: Session, edition: Edition, *, status: str | None = None) -> str:
    """Every registration of the edition as CSV (times in the edition's time zone)."""
    tz = ZoneInfo(edition.timezone)
    rows = session.exec(
        filtered(
            select(Registration, TicketType).join(
                TicketType, TicketType.id == Registration.ticket_type_id
            ),
            edition.id,
            status,
            None,
            "",
        ).order_by(Registration.id)
    ).all()
    ranks = waitlist_ranks(session, edition.id)

    def when(value: datetime | None) -> str:
        return value.astimezone(tz).isoformat(timespec="seconds") if value else ""

    out = []
    for reg, ticket in rows:
        out.append(
            {
                "id": reg.id,
                "email": _safe_cell(reg.email),
                "full_name": _safe_cell(reg.full_name),
                "organisation": _safe_cell(reg.organisation_name),
                "job_title": _safe_cell(reg.job_title),
                "phone": _safe_cell(reg.phone),
                "language": reg.language,
                "ticket_code": ticket.code,
                "status": reg.status,
                "waitlist_position": ranks.get(reg.id, ""),
                "consent_version": reg.consent_version,
                "consent_at": when(reg.consent_at),
                "created_at": when(reg.created_at),
                "confirmed_at": when(reg.confirmed_at),
                "cancelled_at": when(reg.cancelled_at),
            }
        )
    return write_csv(out, EXPORT_COLUMNS)


@dataclass(frozen=True)
class DelegateRow:
    """One checked row of a delegate CSV file."""

    line: int
    email: str
    ticket_id: int
    details: BadgeDetails
    consented: bool


@dataclass
class _ImportContext:
    tickets: dict[str, TicketType]
    seen: dict[str, int] = field(default_factory=dict)
    #: domain as typed -> as email_validator normalises it (or the error it raised)
    domains: dict[str, str | EmailNotValidError] = field(default_factory=dict)


#: an ASCII "dot-atom" local part, which email_validator accepts and leaves as it is
_PLAIN_LOCAL = re.compile(r"[A-Za-z0-9!#$%&'*+/=?^_`{|}~-]+(?:\.[A-Za-z0-9!#$%&'*+/=?^_`{|}~-]+)*")


def _checked_email(ctx: _ImportContext, email: str) -> str:
    """`validate_email(...).normalized.lower()`, with the domain checked once per file.

    Thousands of rows share a few domains: a plain ASCII local part is checked here, its
    domain by email_validator once; anything else goes to email_validator whole.
    """
    local, at, domain = email.rpartition("@")
    if not at or len(email) > 254 or len(local) > 64 or not _PLAIN_LOCAL.fullmatch(local):
        return validate_email(email, check_deliverability=False).normalized.lower()
    if domain not in ctx.domains:
        try:
            checked = validate_email(f"a@{domain}", check_deliverability=False)
            ctx.domains[domain] = checked.normalized.rpartition("@")[2]
        except EmailNotValidError as exc:
            ctx.domains[domain] = exc
    known = ctx.domains[domain]
    if isinstance(known, EmailNotValidError):
        raise known
    return f"{local}@{known}".lower()


def _parse_row(ctx: _ImportContext, row: dict[str, str], line: int):
    errors: list[RowError] = []

    def err(column: str, message: str) -> None:
        errors.append(RowError(line, column, message))

    values = {k: clean(row.get(k)) for k in row}
    for column, value in values.items():
        if has_control_chars(value):
            err(column, _("Holds characters that cannot be printed."))
    email = values.get("email", "")
    if not email:
        err("email", _("Required."))
    else:
        try:
            email = _checked_email(ctx, email)
        except EmailNotValidError:
            err("email", _("Not a valid email address."))
        else:
            if email in ctx.seen:
                err("email", _("Also on line %(line)s.", line=ctx.seen[email]))
            else:
                ctx.seen[email] = line
    full_name = values.get("full_name", "")
    if not full_name:
        err("full_name", _("Required."))
    elif len(full_name) > NAME_MAX:
        err("full_name", _("At most %(n)s characters.", n=NAME_MAX))
    code = values.get("ticket_code", "").upper()
    ticket = ctx.tickets.get(code)
    if ticket is None:
        err("ticket_code", _("No ticket type with this code in this edition."))
    organisation = values.get("organisation", "")
    if len(organisation) > ORG_MAX:
        err("organisation", _("At most %(n)s characters.", n=ORG_MAX))
    job_title = values.get("job_title", "")
    if len(job_title) > TITLE_MAX:
        err("job_title", _("At most %(n)s characters.", n=TITLE_MAX))
    phone = values.get("phone", "")
    if phone and not PHONE_RE.match(phone):
        err("phone", _("Not a phone number."))
    language = (values.get("language", "") or "vi").lower()
    if language not in LANGUAGES:
        err("language", _("Use vi or en."))
    consent = values.get("consent", "").lower()
    if consent not in CONSENT_YES | CONSENT_NO:
        err("consent", _("Use yes or no."))
    if errors:
        return None, errors
    details = BadgeDetails(
        full_name=full_name,
        email=email,
        organisation_name=organisation,
        job_title=job_title,
        phone=phone,
        language=language,
    )
    return DelegateRow(line, email, ticket.id, details, consent in CONSENT_YES), []


def check_file(data: bytes | str) -> None:
    """Raise `CsvFormatError` unless the file reads as CSV with the required columns."""
    read_csv(data, required=IMPORT_COLUMNS)


def check_delegates(
    session: Session, edition: Edition, data: bytes | str
) -> tuple[ImportReport, list[DelegateRow]]:
    """Read and check every row of a delegate file (nothing is written).

    Raises `CsvFormatError` when the file itself cannot be read.
    """
    ctx = _ImportContext({t.code.upper(): t for t in ticket_types(session, edition.id)})
    rows = read_csv(data, required=IMPORT_COLUMNS)
    return parse_rows(rows, lambda row, line: _parse_row(ctx, row, line))


def import_delegates(
    session: Session,
    edition: Edition,
    data: bytes | str,
    *,
    by_user_id: int | None,
    my_url: str = "",
    bulk: bool = True,
) -> ImportResult:
    """Import delegates from CSV: every row is checked first; all rows apply, or none.

    Accounts are created for unknown emails (they set a password through "forgot
    password"); known people keep their live registration and get its badge fields
    updated. New registrations take free places in file order; the rest join the waitlist.
    Raises `CsvFormatError` when the file itself cannot be read. `bulk=False` takes the
    row-by-row path (kept to measure the bulk one against).
    """
    report, parsed = check_delegates(session, edition, data)
    if not report.ok:
        return ImportResult(report)
    return apply_delegates(
        session, edition, report, parsed, by_user_id=by_user_id, my_url=my_url, bulk=bulk
    )


def apply_delegates(
    session: Session,
    edition: Edition,
    report: ImportReport,
    parsed: list[DelegateRow],
    *,
    by_user_id: int | None,
    my_url: str = "",
    bulk: bool = True,
) -> ImportResult:
    """Write checked rows: all of them in one savepoint, or none (the caller commits)."""
    result = ImportResult(report)
    tickets = {t.id: t for t in ticket_types(session, edition.id)}

    def register_one(session: Session, user: User, item: DelegateRow) -> None:
        outcome = register_delegate(
            session,
            edition,
            user,
            item.ticket_id,
            item.details,
            consented=item.consented,
            my_url=my_url,
            public=False,
        )
        if outcome.registration.status == "confirmed":
            result.confirmed += 1
        else:
            result.waitlisted += 1

    def apply_row_by_row(session: Session, parsed: list[DelegateRow]) -> tuple[int, int]:
        created = updated = 0
        for item in parsed:
            user = find_user(session, item.email)
            if user is None:
                user = create_user(
                    session,
                    item.email,
                    "",
                    item.details.full_name,
                    locale=item.details.language,
                    password_hash=NO_PASSWORD,
                    phone=item.details.phone,
                    job_title=item.details.job_title,
                )
                result.users_created += 1
            grant_role(session, user, edition.id, "delegate")
            existing = registration_for(session, edition.id, user.id)
            if existing is not None:
                _update_badge(existing, item.details)
                session.add(existing)
                updated += 1
                continue
            register_one(session, user, item)
            created += 1
        return created, updated

    def apply_in_bulk(session: Session, parsed: list[DelegateRow]) -> tuple[int, int]:
        users = _accounts_for(session, parsed, result)
        ids = [users[item.email][0] for item in parsed]
        live = _live_registrations(session, edition.id, ids)
        _grant_delegate_roles(session, edition.id, ids)
        created = updated = 0
        free: list[NewPlace] = []
        paid: list[DelegateRow] = []
        for item in parsed:
            user_id, address = users[item.email]
            existing = live.get(user_id)
            if existing is not None:
                _update_badge(existing, item.details)
                session.add(existing)
                updated += 1
            elif tickets[item.ticket_id].price_vnd > 0:
                paid.append(item)
            else:
                free.append(
                    NewPlace(user_id, address, item.ticket_id, item.details, item.consented)
                )
        session.flush()
        confirmed, waitlisted = register_in_bulk(session, edition, free, my_url=my_url)
        result.confirmed += confirmed
        result.waitlisted += waitlisted
        created += len(free)
        for item in paid:  # a held place is announced one by one (payments makes the order)
            user = session.get(User, users[item.email][0])
            register_one(session, user, item)
            created += 1
        return created, updated

    result.report = apply_rows(session, report, parsed, apply_in_bulk if bulk else apply_row_by_row)
    if not result.report.ok:
        result.confirmed = result.waitlisted = result.users_created = 0
        return result
    record(
        session,
        "registration.import",
        user_id=by_user_id,
        edition_id=edition.id,
        object_type="edition",
        object_id=edition.id,
        rows=result.report.rows,
        created=result.report.created,
        updated=result.report.updated,
        confirmed=result.confirmed,
        waitlisted=result.waitlisted,
    )
    return result


CHUNK = 500


def _chunks(items: list, size: int = CHUNK):
    for start in range(0, len(items), size):
        yield items[start : start + size]


def _accounts_for(
    session: Session, parsed: list[DelegateRow], result: ImportResult
) -> dict[str, tuple[int, str]]:
    """Each row's account (id, address): found with one query per chunk of emails, the
    missing ones created with one executemany INSERT."""
    users: dict[str, tuple[int, str]] = {}
    for chunk in _chunks([item.email for item in parsed]):
        for user_id, email in session.exec(
            select(User.id, User.email).where(User.email.in_(chunk))
        ):
            users[email] = (user_id, email)
    new = [item for item in parsed if item.email not in users]
    if new:
        table = User.__table__
        now = now_utc()
        rows = [
            {
                "email": item.email,
                "password_hash": NO_PASSWORD,
                "full_name": item.details.full_name.strip(),
                "locale": item.details.language,
                "phone": item.details.phone,
                "job_title": item.details.job_title,
                "organisation_id": None,
                "feed_token": new_token(),
                "is_active_account": True,
                "erased_at": None,
                "sample": False,
                "created_at": now,
                "last_login_at": None,
            }
            for item in new
        ]
        # a plain executemany (RETURNING would send the rows one by one on SQLite),
        # then the new ids read back per chunk
        session.execute(sa.insert(table), rows)
        for chunk in _chunks([item.email for item in new]):
            for user_id, email in session.exec(
                select(User.id, User.email).where(User.email.in_(chunk))
            ):
                users[email] = (user_id, email)
        result.users_created += len(new)
    return users


def _live_registrations(
    session: Session, edition_id: int, user_ids: list[int]
) -> dict[int, Registration]:
    live: dict[int, Registration] = {}
    for chunk in _chunks(user_ids):
        for registration in session.exec(
            select(Registration).where(
                Registration.edition_id == edition_id,
                Registration.user_id.in_(chunk),
                Registration.status != "cancelled",
            )
        ):
            live[registration.user_id] = registration
    return live


def _grant_delegate_roles(session: Session, edition_id: int, user_ids: list[int]) -> None:
    have: set[int] = set()
    for chunk in _chunks(user_ids):
        have.update(
            session.exec(
                select(EditionRole.user_id).where(
                    EditionRole.edition_id == edition_id,
                    EditionRole.role == "delegate",
                    EditionRole.user_id.in_(chunk),
                )
            )
        )
    missing = [
        {"user_id": user_id, "edition_id": edition_id, "role": "delegate"}
        for user_id in dict.fromkeys(user_ids)
        if user_id not in have
    ]
    if missing:
        session.execute(sa.insert(EditionRole.__table__), missing)


def _update_badge(registration: Registration, details: BadgeDetails) -> None:
    registration.full_name = details.full_name
    registration.organisation_name = details.organisation_name
    registration.job_title = details.job_title
    registration.phone = details.phone
    registration.language = details.language
