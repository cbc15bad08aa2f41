"""Delegates as CSV: export, and import through the shared pipeline."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from zoneinfo import ZoneInfo

from email_validator import EmailNotValidError, validate_email
from flask_babel import gettext as _
from sqlmodel import Session, select

from techfest.auth.services import create_user, find_user, grant_role
from techfest.core.audit import record
from techfest.core.csvio import ImportReport, RowError, import_csv, template_csv, write_csv
from techfest.core.models import Edition
from techfest.registration.booking import BadgeDetails, register_delegate, registration_for
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
            email = validate_email(email, check_deliverability=False).normalized.lower()
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


def import_delegates(
    session: Session,
    edition: Edition,
    data: bytes | str,
    *,
    by_user_id: int | None,
    my_url: str = "",
) -> ImportResult:
    """Import delegates from CSV: every row is checked first; all rows apply, or none.

    Accounts are created for unknown emails (they set a password through "forgot
    password"); known people keep their live registration and get its badge fields
    updated. New registrations take free places in file order; the rest join the waitlist.
    Raises `CsvFormatError` when the file itself cannot be read.
    """
    ctx = _ImportContext({t.code.upper(): t for t in ticket_types(session, edition.id)})
    result = ImportResult(ImportReport())

    def apply(session: Session, parsed: list[DelegateRow]) -> tuple[int, int]:
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
            created += 1
            if outcome.registration.status == "confirmed":
                result.confirmed += 1
            else:
                result.waitlisted += 1
        return created, updated

    result.report = import_csv(
        session,
        data,
        required=IMPORT_COLUMNS,
        parse=lambda row, line: _parse_row(ctx, row, line),
        apply=apply,
    )
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


def _update_badge(registration: Registration, details: BadgeDetails) -> None:
    registration.full_name = details.full_name
    registration.organisation_name = details.organisation_name
    registration.job_title = details.job_title
    registration.phone = details.phone
    registration.language = details.language
