"""Delegate registration: ticket types, places, the waitlist, cancellation and CSV.

Every change to who holds a place of a ticket type runs under that ticket type's row lock
(`SELECT ... FOR UPDATE` on PostgreSQL; on SQLite a writing transaction already holds the
database lock). Inside it, a place is taken with one conditional UPDATE
(`confirmed_count = confirmed_count + 1 WHERE confirmed_count < capacity`), and the
database refuses a count above capacity, so no Python check alone decides who gets the
last place. A person has at most one live registration per edition (partial unique index
`uq_registration_active`): a second submission finds the first one instead of a second row.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass, field
from datetime import datetime
from zoneinfo import ZoneInfo

import sqlalchemy as sa
from babel.dates import format_date
from email_validator import EmailNotValidError, validate_email
from flask_babel import force_locale
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from sqlalchemy.exc import IntegrityError
from sqlmodel import Session, func, select, update

from techfest.auth.models import User
from techfest.auth.services import create_user, find_user, grant_role, normalise_email
from techfest.core.audit import record
from techfest.core.csvio import ImportReport, RowError, import_csv, write_csv
from techfest.core.errors import DomainError
from techfest.core.mail import queue_email
from techfest.core.models import Edition, Organisation
from techfest.db import now_utc
from techfest.registration.models import Registration, TicketType

#: version of the consent text below; stored on each registration with the time of consent.
#: Change the text only together with a new version.
CONSENT_VERSION = "2025-08-v1"
CONSENT_TEXTS = {
    "vi": (
        "Tôi đồng ý để Ban Tổ chức Techfest xử lý dữ liệu cá nhân tôi cung cấp (họ tên, "
        "đơn vị, chức danh, số điện thoại, email, ngôn ngữ) nhằm đăng ký tham dự, in thẻ "
        "đại biểu, check-in và gửi thông tin về sự kiện. Dữ liệu được lưu đến hết thời hạn "
        "lưu trữ của kỳ Techfest này rồi bị xóa; tôi có thể yêu cầu xem, tải về hoặc xóa "
        "dữ liệu của mình bất cứ lúc nào."
    ),
    "en": (
        "I agree that the Techfest organisers process the personal data I give (name, "
        "organisation, job title, phone, email, language) to register me, print my badge, "
        "check me in and send me information about the event. The data is kept until the "
        "retention period of this Techfest edition ends and is then erased; I may ask to "
        "see, download or erase my data at any time."
    ),
}

LANGUAGES = ("vi", "en")
STATUSES = ("confirmed", "waitlisted", "cancelled")
NAME_MAX = 120
ORG_MAX = 160
TITLE_MAX = 120
PHONE_RE = re.compile(r"^\+?[0-9][0-9 .()-]{5,22}$")
CODE_RE = re.compile(r"^[A-Z0-9][A-Z0-9_-]{0,31}$")
CONSENT_YES = {"1", "yes", "y", "true", "x", "có", "co"}
CONSENT_NO = {"", "0", "no", "n", "false", "không", "khong"}
#: password hash that matches no password: imported people choose theirs by password reset
NO_PASSWORD = "!"  # noqa: S105 - not a password: a hash no password matches
IMPORT_COLUMNS = ("email", "full_name", "ticket_code")
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


class RegistrationError(DomainError):
    """A registration rule refused the action; `message` is shown in the reader's language."""


class TicketNotAvailable(RegistrationError):
    def __init__(self) -> None:
        super().__init__(_l("This ticket type is not on sale. Please choose another one."))


class NotRegistered(RegistrationError):
    def __init__(self) -> None:
        super().__init__(_l("You have no active registration for this edition."))


class NotFound(RegistrationError):
    """No such registration or ticket type in this edition (answered with 404)."""

    not_found = True


@dataclass(frozen=True)
class BadgeDetails:
    """What the person wants printed on the badge and used to reach them."""

    full_name: str
    email: str
    organisation_name: str = ""
    job_title: str = ""
    phone: str = ""
    language: str = "vi"


@dataclass(frozen=True)
class TicketTypeData:
    code: str
    name_vi: str
    name_en: str
    price_vnd: int
    capacity: int
    sale_starts_at: datetime | None
    sale_ends_at: datetime | None
    is_public: bool


@dataclass(frozen=True)
class RegisterResult:
    registration: Registration
    #: False when the person was already registered (a repeated submission)
    created: bool


@dataclass(frozen=True)
class TicketOffer:
    ticket: TicketType
    places_left: int
    waiting: int

    @property
    def full(self) -> bool:
        return self.places_left <= 0 or self.waiting > 0


@dataclass
class RegistrationPage:
    rows: list[tuple[Registration, TicketType]]
    total: int
    page: int
    pages: int
    by_status: dict[str, int]
    by_ticket: list[tuple[TicketType, int, int]]
    #: waitlist position of each waiting registration on the page
    positions: dict[int, int] = field(default_factory=dict)


@dataclass
class ImportResult:
    report: ImportReport
    confirmed: int = 0
    waitlisted: int = 0
    users_created: int = 0


# ---------------------------------------------------------------- consent and text checks


def consent_text(language: str) -> str:
    return CONSENT_TEXTS.get(language, CONSENT_TEXTS["vi"])


def has_control_chars(value: str) -> bool:
    """True for NUL and other control characters no badge field should hold."""
    return any(unicodedata.category(c) in ("Cc", "Cs", "Co") for c in value)


def clean(value: str | None) -> str:
    return unicodedata.normalize("NFC", (value or "").strip())


# ---------------------------------------------------------------- ticket types


def is_on_sale(ticket: TicketType, now: datetime | None = None) -> bool:
    now = now or now_utc()
    if ticket.sale_starts_at is not None and now < ticket.sale_starts_at:
        return False
    return not (ticket.sale_ends_at is not None and now >= ticket.sale_ends_at)


def ticket_types(session: Session, edition_id: int) -> list[TicketType]:
    """Every ticket type of the edition, for organisers."""
    return list(
        session.exec(
            select(TicketType).where(TicketType.edition_id == edition_id).order_by(TicketType.id)
        )
    )


def ticket_type_in(session: Session, edition_id: int, ticket_type_id: int) -> TicketType:
    ticket = session.exec(
        select(TicketType).where(
            TicketType.id == ticket_type_id, TicketType.edition_id == edition_id
        )
    ).first()
    if ticket is None:
        raise NotFound()
    return ticket


def _waiting_counts(session: Session, edition_id: int) -> dict[int, int]:
    rows = session.exec(
        select(Registration.ticket_type_id, func.count())
        .where(Registration.edition_id == edition_id, Registration.status == "waitlisted")
        .group_by(Registration.ticket_type_id)
    )
    return dict(rows.all())


def public_offers(
    session: Session, edition_id: int, now: datetime | None = None
) -> list[TicketOffer]:
    """Visible ticket types on sale now, with places left and people waiting."""
    waiting = _waiting_counts(session, edition_id)
    return [
        TicketOffer(t, t.capacity - t.confirmed_count, waiting.get(t.id, 0))
        for t in ticket_types(session, edition_id)
        if t.is_public and is_on_sale(t, now)
    ]


def _check_ticket_data(data: TicketTypeData) -> None:
    if not CODE_RE.match(data.code):
        raise RegistrationError(
            _l("The code uses capital letters, digits, - and _ (at most 32 characters).")
        )
    if data.capacity < 0 or data.price_vnd < 0:
        raise RegistrationError(_l("Capacity and price cannot be negative."))
    if data.sale_starts_at and data.sale_ends_at and data.sale_ends_at <= data.sale_starts_at:
        raise RegistrationError(_l("The sale must end after it starts."))


def _code_taken(session: Session, edition_id: int, code: str, except_id: int | None) -> bool:
    query = select(TicketType.id).where(
        TicketType.edition_id == edition_id, TicketType.code == code
    )
    if except_id is not None:
        query = query.where(TicketType.id != except_id)
    return session.exec(query).first() is not None


def create_ticket_type(
    session: Session, edition_id: int, data: TicketTypeData, *, by_user_id: int | None
) -> TicketType:
    _check_ticket_data(data)
    if _code_taken(session, edition_id, data.code, None):
        raise RegistrationError(_l("Another ticket type of this edition uses this code."))
    ticket = TicketType(edition_id=edition_id, **data.__dict__)
    try:
        with session.begin_nested():
            session.add(ticket)
            session.flush()
    except IntegrityError as exc:
        raise RegistrationError(_l("Another ticket type of this edition uses this code.")) from exc
    record(
        session,
        "ticket_type.create",
        user_id=by_user_id,
        edition_id=edition_id,
        object_type="ticket_type",
        object_id=ticket.id,
        code=ticket.code,
        capacity=ticket.capacity,
        price_vnd=ticket.price_vnd,
    )
    return ticket


def update_ticket_type(
    session: Session,
    edition_id: int,
    ticket_type_id: int,
    data: TicketTypeData,
    *,
    by_user_id: int | None,
    my_url: str = "",
) -> list[Registration]:
    """Change a ticket type; added places go to the waitlist first. Returns who moved up."""
    _check_ticket_data(data)
    ticket = _lock_ticket(session, edition_id, ticket_type_id)
    if data.capacity < ticket.confirmed_count:
        raise RegistrationError(
            _l(
                "%(n)s people already hold this ticket; the capacity cannot be lower.",
                n=ticket.confirmed_count,
            )
        )
    if _code_taken(session, edition_id, data.code, ticket.id):
        raise RegistrationError(_l("Another ticket type of this edition uses this code."))
    changes = {
        k: [str(getattr(ticket, k)), str(v)]
        for k, v in data.__dict__.items()
        if getattr(ticket, k) != v
    }
    for key, value in data.__dict__.items():
        setattr(ticket, key, value)
    session.add(ticket)
    session.flush()
    record(
        session,
        "ticket_type.update",
        user_id=by_user_id,
        edition_id=edition_id,
        object_type="ticket_type",
        object_id=ticket.id,
        changes=changes,
    )
    return promote_waitlist(session, ticket, my_url=my_url)


def _lock_ticket(session: Session, edition_id: int, ticket_type_id: int) -> TicketType:
    """The ticket type, re-read under its row lock (the serialisation point of its places)."""
    ticket = session.exec(
        select(TicketType)
        .where(TicketType.id == ticket_type_id, TicketType.edition_id == edition_id)
        # NO KEY UPDATE: rows that merely reference the ticket type are not held up
        .with_for_update(key_share=True)
        .execution_options(populate_existing=True)
    ).first()
    if ticket is None:
        raise NotFound()
    return ticket


def _take_place(session: Session, ticket_id: int) -> bool:
    """Take one place if one is free: one atomic conditional UPDATE."""
    result = session.exec(
        update(TicketType)
        .where(TicketType.id == ticket_id, TicketType.confirmed_count < TicketType.capacity)
        .values(confirmed_count=TicketType.confirmed_count + 1)
        .execution_options(synchronize_session=False)
    )
    return result.rowcount == 1


def _free_place(session: Session, ticket_id: int) -> None:
    session.exec(
        update(TicketType)
        .where(TicketType.id == ticket_id, TicketType.confirmed_count > 0)
        .values(confirmed_count=TicketType.confirmed_count - 1)
        .execution_options(synchronize_session=False)
    )


# ---------------------------------------------------------------- registrations


def registration_for(session: Session, edition_id: int, user_id: int) -> Registration | None:
    """The person's live (confirmed or waitlisted) registration in the edition, if any."""
    return session.exec(
        select(Registration)
        .where(
            Registration.edition_id == edition_id,
            Registration.user_id == user_id,
            Registration.status != "cancelled",
        )
        .execution_options(populate_existing=True)
    ).first()


def waitlist_position(session: Session, registration: Registration) -> int | None:
    """1 for the first person waiting for this ticket type; None when not waiting."""
    if registration.status != "waitlisted" or registration.waitlist_position is None:
        return None
    ahead = session.exec(
        select(func.count())
        .select_from(Registration)
        .where(
            Registration.ticket_type_id == registration.ticket_type_id,
            Registration.status == "waitlisted",
            sa.or_(
                Registration.waitlist_position < registration.waitlist_position,
                sa.and_(
                    Registration.waitlist_position == registration.waitlist_position,
                    Registration.id < registration.id,
                ),
            ),
        )
    ).one()
    return int(ahead) + 1


def _next_position(session: Session, ticket_id: int) -> int:
    last = session.exec(
        select(func.max(Registration.waitlist_position)).where(
            Registration.ticket_type_id == ticket_id
        )
    ).one()
    return int(last or 0) + 1


def _has_waiting(session: Session, ticket_id: int, except_id: int | None) -> bool:
    query = select(Registration.id).where(
        Registration.ticket_type_id == ticket_id, Registration.status == "waitlisted"
    )
    if except_id is not None:
        query = query.where(Registration.id != except_id)
    return session.exec(query.limit(1)).first() is not None


def check_badge_details(details: BadgeDetails) -> None:
    """The rules the form also checks, for callers that are not the form."""
    if not details.full_name or len(details.full_name) > NAME_MAX:
        raise RegistrationError(_l("Please give your full name (at most 120 characters)."))
    if details.language not in LANGUAGES:
        raise RegistrationError(_l("Choose Vietnamese or English."))
    if len(details.organisation_name) > ORG_MAX or len(details.job_title) > TITLE_MAX:
        raise RegistrationError(_l("A field is too long."))
    if details.phone and not PHONE_RE.match(details.phone):
        raise RegistrationError(_l("Enter a phone number with digits, e.g. +84 912 345 678."))
    if any(
        has_control_chars(v)
        for v in (
            details.full_name,
            details.email,
            details.organisation_name,
            details.job_title,
            details.phone,
        )
    ):
        raise RegistrationError(_l("A field holds characters that cannot be printed."))
    try:
        validate_email(details.email, check_deliverability=False)
    except EmailNotValidError as exc:
        raise RegistrationError(_l("Enter a valid email address.")) from exc


def register_delegate(
    session: Session,
    edition: Edition,
    user: User,
    ticket_type_id: int,
    details: BadgeDetails,
    *,
    consented: bool,
    my_url: str = "",
    public: bool = True,
    now: datetime | None = None,
) -> RegisterResult:
    """Register the person: a place if one is free, else a waitlist position (FIFO).

    A person who already has a live registration gets it back (`created=False`), however
    many times the form was sent. `public=False` (organiser import) also allows hidden
    ticket types and ignores the sale window.
    """
    now = now or now_utc()
    existing = registration_for(session, edition.id, user.id)
    if existing is not None:
        return RegisterResult(existing, created=False)
    ticket = session.exec(
        select(TicketType).where(
            TicketType.id == ticket_type_id, TicketType.edition_id == edition.id
        )
    ).first()
    if ticket is None or (public and not (ticket.is_public and is_on_sale(ticket, now))):
        raise TicketNotAvailable()
    if public and not consented:
        raise RegistrationError(_l("Please accept the data protection consent to register."))
    check_badge_details(details)
    # the ticket type's lock comes first, before this transaction references its row
    _lock_ticket(session, edition.id, ticket.id)
    registration = Registration(
        edition_id=edition.id,
        user_id=user.id,
        ticket_type_id=ticket.id,
        status="waitlisted",
        full_name=details.full_name,
        organisation_name=details.organisation_name,
        job_title=details.job_title,
        phone=details.phone,
        email=normalise_email(details.email),
        language=details.language,
        consent_version=CONSENT_VERSION if consented else "",
        consent_at=now if consented else None,
        created_at=now,
    )
    try:
        with session.begin_nested():
            session.add(registration)
            session.flush()
    except IntegrityError:
        # the same person's other submission won the partial unique index
        existing = registration_for(session, edition.id, user.id)
        if existing is None:
            raise
        return RegisterResult(existing, created=False)
    if not _has_waiting(session, ticket.id, registration.id) and _take_place(session, ticket.id):
        registration.status = "confirmed"
        registration.confirmed_at = now
    else:
        registration.waitlist_position = _next_position(session, ticket.id)
    session.add(registration)
    session.flush()
    session.refresh(ticket)
    _notify(session, registration, ticket, edition, registration.status, my_url)
    return RegisterResult(registration, created=True)


def promote_waitlist(
    session: Session, ticket: TicketType, *, my_url: str = ""
) -> list[Registration]:
    """Give free places to the people waiting, first come first served; emails each.

    The caller holds the ticket type's row lock (see `_lock_ticket`).
    """
    edition = session.get(Edition, ticket.edition_id)
    promoted: list[Registration] = []
    skipped: set[int] = set()
    while True:
        query = select(Registration).where(
            Registration.ticket_type_id == ticket.id, Registration.status == "waitlisted"
        )
        if skipped:
            query = query.where(Registration.id.not_in(skipped))
        first = session.exec(
            query.order_by(Registration.waitlist_position, Registration.id)
            .limit(1)
            .execution_options(populate_existing=True)
        ).first()
        if first is None or not _take_place(session, ticket.id):
            break
        now = now_utc()
        moved = session.exec(
            update(Registration)
            .where(Registration.id == first.id, Registration.status == "waitlisted")
            .values(status="confirmed", confirmed_at=now, waitlist_position=None)
            .execution_options(synchronize_session=False)
        )
        if moved.rowcount != 1:
            _free_place(session, ticket.id)
            skipped.add(first.id)
            continue
        session.refresh(first)
        promoted.append(first)
        _notify(session, first, ticket, edition, "promoted", my_url)
    session.refresh(ticket)
    return promoted


def _cancel(
    session: Session, registration: Registration, *, by_user_id: int | None, my_url: str
) -> list[Registration]:
    ticket = _lock_ticket(session, registration.edition_id, registration.ticket_type_id)
    session.refresh(registration)
    was = registration.status
    done = session.exec(
        update(Registration)
        .where(Registration.id == registration.id, Registration.status != "cancelled")
        .values(status="cancelled", cancelled_at=now_utc(), waitlist_position=None)
        .execution_options(synchronize_session=False)
    )
    if done.rowcount != 1:
        raise NotRegistered()
    session.refresh(registration)
    promoted: list[Registration] = []
    if was == "confirmed":
        _free_place(session, ticket.id)
        promoted = promote_waitlist(session, ticket, my_url=my_url)
    edition = session.get(Edition, registration.edition_id)
    _notify(session, registration, ticket, edition, "cancelled", my_url)
    record(
        session,
        "registration.cancel",
        user_id=by_user_id,
        edition_id=registration.edition_id,
        object_type="registration",
        object_id=registration.id,
        was=was,
        promoted=[r.id for r in promoted],
    )
    return promoted


def cancel_registration(
    session: Session, edition_id: int, user_id: int, *, my_url: str = ""
) -> list[Registration]:
    """The delegate cancels; the place goes to the first person waiting. Returns who moved up."""
    registration = registration_for(session, edition_id, user_id)
    if registration is None:
        raise NotRegistered()
    return _cancel(session, registration, by_user_id=user_id, my_url=my_url)


def cancel_registration_as_organiser(
    session: Session, edition_id: int, registration_id: int, *, by_user_id: int, my_url: str = ""
) -> list[Registration]:
    registration = session.exec(
        select(Registration).where(
            Registration.id == registration_id, Registration.edition_id == edition_id
        )
    ).first()
    if registration is None:
        raise NotFound()
    return _cancel(session, registration, by_user_id=by_user_id, my_url=my_url)


# ---------------------------------------------------------------- email


def _notify(
    session: Session,
    registration: Registration,
    ticket: TicketType,
    edition: Edition | None,
    kind: str,
    my_url: str,
) -> None:
    """One message per registration and reason, in the language the person chose."""
    language = registration.language if registration.language in LANGUAGES else "vi"
    edition_name = (edition.name_en if language == "en" else edition.name_vi) if edition else ""
    ticket_name = ticket.name_en if language == "en" else ticket.name_vi
    link = my_url or (f"/{edition.year}/registration/me" if edition else "")
    with force_locale(language):
        params = {"name": registration.full_name, "edition": edition_name, "ticket": ticket_name}
        if kind == "confirmed":
            subject = _("Your place at %(edition)s is confirmed", **params)
            text = _(
                "Dear %(name)s,\n\nyour registration for %(edition)s is confirmed "
                "(ticket: %(ticket)s).",
                **params,
            )
        elif kind == "waitlisted":
            subject = _("You are on the waitlist for %(edition)s", **params)
            text = _(
                "Dear %(name)s,\n\nthe ticket type %(ticket)s is full, so you are on its "
                "waitlist. When a place frees up, the first person waiting gets it "
                "automatically and we write to you at once.",
                **params,
            )
        elif kind == "promoted":
            subject = _("A place at %(edition)s is now yours", **params)
            text = _(
                "Dear %(name)s,\n\na place freed up and you were first on the waitlist: "
                "your registration for %(edition)s is now confirmed (ticket: %(ticket)s).",
                **params,
            )
        else:
            subject = _("Your registration for %(edition)s is cancelled", **params)
            text = _(
                "Dear %(name)s,\n\nyour registration for %(edition)s (ticket: %(ticket)s) "
                "is cancelled. You are welcome to register again while tickets are on sale.",
                **params,
            )
        lines = [text]
        if edition is not None and kind in ("confirmed", "promoted"):
            lines.append(
                _(
                    "When: %(start)s – %(end)s.",
                    start=format_date(edition.starts_on, "long", locale=language),
                    end=format_date(edition.ends_on, "long", locale=language),
                )
            )
            venue = edition.venue_en if language == "en" else edition.venue_vi
            where = ", ".join(v for v in (venue, edition.address) if v)
            if where:
                lines.append(_("Where: %(venue)s.", venue=where))
        lines.append(_("Your registration: %(link)s", link=link))
        body = "\n\n".join(lines)
    queue_email(
        session,
        registration.email,
        subject,
        body,
        dedupe_key=f"registration:{registration.id}:{kind}",
    )


# ---------------------------------------------------------------- organiser lists


def _filtered(query, edition_id: int, status: str | None, ticket_type_id: int | None, q: str):
    query = query.where(Registration.edition_id == edition_id)
    if status in STATUSES:
        query = query.where(Registration.status == status)
    if ticket_type_id:
        query = query.where(Registration.ticket_type_id == ticket_type_id)
    if q:
        # SQLite lowers ASCII only, so the text as typed is matched too ("Đình Vũ")
        typed, lowered = f"%{q}%", f"%{q.lower()}%"
        columns = (Registration.full_name, Registration.email, Registration.organisation_name)
        query = query.where(
            sa.or_(
                *(c.like(typed) for c in columns), *(func.lower(c).like(lowered) for c in columns)
            )
        )
    return query


def list_registrations(
    session: Session,
    edition_id: int,
    *,
    status: str | None = None,
    ticket_type_id: int | None = None,
    q: str = "",
    page: int = 1,
    per_page: int = 50,
) -> RegistrationPage:
    """One page of registrations matching the filters, with counts for the whole edition."""
    q = "".join(c for c in clean(q) if not has_control_chars(c))[:100]
    total = session.exec(
        _filtered(
            select(func.count()).select_from(Registration), edition_id, status, ticket_type_id, q
        )
    ).one()
    pages = max(1, -(-int(total) // per_page))
    page = min(max(1, page), pages)
    rows = session.exec(
        _filtered(
            select(Registration, TicketType).join(
                TicketType, TicketType.id == Registration.ticket_type_id
            ),
            edition_id,
            status,
            ticket_type_id,
            q,
        )
        .order_by(Registration.created_at.desc(), Registration.id.desc())
        .offset((page - 1) * per_page)
        .limit(per_page)
    ).all()
    by_status = dict.fromkeys(STATUSES, 0)
    for st, n in session.exec(
        select(Registration.status, func.count())
        .where(Registration.edition_id == edition_id)
        .group_by(Registration.status)
    ):
        by_status[st] = int(n)
    ranks = _waitlist_ranks(session, edition_id) if by_status["waitlisted"] else {}
    return RegistrationPage(
        [tuple(r) for r in rows],
        int(total),
        page,
        pages,
        by_status,
        ticket_overview(session, edition_id),
        {reg.id: ranks[reg.id] for reg, _t in rows if reg.id in ranks},
    )


def ticket_overview(session: Session, edition_id: int) -> list[tuple[TicketType, int, int]]:
    """Each ticket type with its confirmed places and the number of people waiting."""
    waiting = _waiting_counts(session, edition_id)
    return [(t, t.confirmed_count, waiting.get(t.id, 0)) for t in ticket_types(session, edition_id)]


def _safe_cell(value: str) -> str:
    """Keep spreadsheet programs from running a cell as a formula."""
    if value and (value[0] in "=@\t\r" or (value[0] in "+-" and not PHONE_RE.match(value))):
        return "'" + value
    return value


def export_csv(session: Session, edition: Edition, *, status: str | None = None) -> str:
    """Every registration of the edition as CSV (times in the edition's time zone)."""
    tz = ZoneInfo(edition.timezone)
    rows = session.exec(
        _filtered(
            select(Registration, TicketType).join(
                TicketType, TicketType.id == Registration.ticket_type_id
            ),
            edition.id,
            status,
            None,
            "",
        ).order_by(Registration.id)
    ).all()
    ranks = _waitlist_ranks(session, edition.id)

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


def _waitlist_ranks(session: Session, edition_id: int) -> dict[int, int]:
    rows = session.exec(
        select(Registration.id, Registration.ticket_type_id)
        .where(Registration.edition_id == edition_id, Registration.status == "waitlisted")
        .order_by(Registration.ticket_type_id, Registration.waitlist_position, Registration.id)
    ).all()
    ranks: dict[int, int] = {}
    seen: dict[int, int] = {}
    for reg_id, ticket_id in rows:
        seen[ticket_id] = seen.get(ticket_id, 0) + 1
        ranks[reg_id] = seen[ticket_id]
    return ranks


# ---------------------------------------------------------------- CSV import


@dataclass(frozen=True)
class DelegateRow:
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


# ---------------------------------------------------------------- helpers for forms


def default_details(session: Session, user: User) -> dict[str, str]:
    """Values to start the registration form with, taken from the person's account."""
    organisation = session.get(Organisation, user.organisation_id) if user.organisation_id else None
    return {
        "full_name": user.full_name,
        "email": user.email,
        "phone": user.phone,
        "job_title": user.job_title,
        "organisation_name": organisation.name if organisation else "",
        "language": user.locale if user.locale in LANGUAGES else "vi",
    }
