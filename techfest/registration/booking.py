"""Registering: a confirmed place while the ticket has room, else the waitlist; cancelling
and promoting the next in line, each told by email.

Lock, check, write: the ticket row is locked and its count updated atomically, so two
people pressing the button at once never both get the last place.

A ticket with a price is paid for: its place is taken at once but held (`pending`) and
"registration.place_held" is announced, so the payments domain makes the order; the payment confirms
the place (`confirm_held`), an order that expires gives it back (`release_held`), and a
late payment takes it again if it is still free (`retake_place`)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from types import SimpleNamespace

import sqlalchemy as sa
from babel.dates import format_date
from email_validator import EmailNotValidError, validate_email
from flask_babel import force_locale
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from sqlalchemy.exc import IntegrityError
from sqlmodel import Session, func, select, update

from techfest.auth.models import User, new_token
from techfest.auth.services import normalise_email
from techfest.core.audit import record
from techfest.core.domains import announce
from techfest.core.mail import greeting_name, queue_email, queue_emails
from techfest.core.models import Edition, Organisation
from techfest.core.text import search_key
from techfest.db import now_utc
from techfest.registration.catalogue import (
    CONSENT_VERSION,
    EXHIBITOR_CONSENT_VERSION,
    LANGUAGES,
    NAME_MAX,
    ORG_MAX,
    PHONE_RE,
    TITLE_MAX,
    has_control_chars,
    is_on_sale,
)
from techfest.registration.errors import (
    NotFound,
    NotRegistered,
    RegistrationError,
    TicketNotAvailable,
)
from techfest.registration.models import Registration, TicketType

#: announced with (registration, ticket, edition, promoted) when a paid place is held
PLACE_HELD = "registration.place_held"
#: announced with (registration, by_user_id) when a registration is cancelled
CANCELLED = "registration.cancelled"


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
class RegisterResult:
    """What registering did: the registration, and whether it is new."""

    registration: Registration
    #: False when the person was already registered (a repeated submission)
    created: bool


def lock_ticket(session: Session, edition_id: int, ticket_type_id: int) -> TicketType:
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
    share_with_exhibitors: bool = False,
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
    lock_ticket(session, edition.id, ticket.id)
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
        exhibitor_consent_version=EXHIBITOR_CONSENT_VERSION if share_with_exhibitors else "",
        exhibitor_consent_at=now if share_with_exhibitors else None,
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
        if ticket.price_vnd > 0:
            registration.status = "pending"
        else:
            registration.status = "confirmed"
            registration.confirmed_at = now
    else:
        registration.waitlist_position = _next_position(session, ticket.id)
    session.add(registration)
    session.flush()
    session.refresh(ticket)
    if registration.status == "pending":
        announce(
            session,
            PLACE_HELD,
            registration=registration,
            ticket=ticket,
            edition=edition,
            promoted=False,
        )
    else:
        _notify(session, registration, ticket, edition, registration.status, my_url)
    return RegisterResult(registration, created=True)


#: stands for the person's name in a message written once for many people
_NAME_SLOT = "NAMESLOT7F3A"


@dataclass(frozen=True)
class NewPlace:
    """One person an organiser's import registers (they have no live registration)."""

    user_id: int
    #: the account's address, where the message about the registration goes
    mail_to: str
    ticket_id: int
    details: BadgeDetails
    consented: bool


def register_in_bulk(
    session: Session,
    edition: Edition,
    items: list[NewPlace],
    *,
    my_url: str = "",
    now: datetime | None = None,
) -> tuple[int, int]:
    """Register many people at once, with the rules of `register_delegate`: per ticket
    type, in the given order, the free places go first (unless people are already
    waiting), the rest join the end of the waitlist; each person is told by email.

    For free ticket types only (a paid place is held and announced one by one): the
    caller sends the others through `register_delegate`. The ticket row is locked and its
    count raised in one conditional UPDATE, the registrations are inserted in one
    executemany; the database's constraints (capacity, one live registration per person)
    refuse anything that slipped past. Returns (confirmed, waitlisted).
    """
    now = now or now_utc()
    by_ticket: dict[int, list[NewPlace]] = {}
    for item in items:
        by_ticket.setdefault(item.ticket_id, []).append(item)
    table = Registration.__table__
    confirmed = waitlisted = 0
    messages: list[tuple[str, str, str, str]] = []
    for ticket_id in sorted(by_ticket):
        group = by_ticket[ticket_id]
        ticket = lock_ticket(session, edition.id, ticket_id)
        if ticket.price_vnd > 0:
            raise ValueError("register_in_bulk takes free ticket types only")
        waiting = _has_waiting(session, ticket_id, None)
        free = 0 if waiting else max(0, ticket.capacity - ticket.confirmed_count)
        taken = min(free, len(group))
        position = _next_position(session, ticket_id)
        if taken:
            raised = session.exec(
                update(TicketType)
                .where(
                    TicketType.id == ticket_id,
                    TicketType.confirmed_count + taken <= TicketType.capacity,
                )
                .values(confirmed_count=TicketType.confirmed_count + taken)
                .execution_options(synchronize_session=False)
            )
            if raised.rowcount != 1:
                raise TicketNotAvailable()
        rows = []
        for index, item in enumerate(group):
            details = item.details
            place = index < taken
            rows.append(
                {
                    "edition_id": edition.id,
                    "user_id": item.user_id,
                    "ticket_type_id": ticket_id,
                    "status": "confirmed" if place else "waitlisted",
                    "waitlist_position": None if place else position + index - taken,
                    "full_name": details.full_name,
                    "organisation_name": details.organisation_name,
                    "job_title": details.job_title,
                    "phone": details.phone,
                    "email": normalise_email(details.email),
                    "language": details.language,
                    "search_key": search_key(
                        details.full_name, details.organisation_name, details.email
                    ),
                    "consent_version": CONSENT_VERSION if item.consented else "",
                    "consent_at": now if item.consented else None,
                    "exhibitor_consent_version": "",
                    "exhibitor_consent_at": None,
                    "badge_code": new_token(),
                    "created_at": now,
                    "confirmed_at": now if place else None,
                    "cancelled_at": None,
                }
            )
        # a plain executemany (RETURNING would send the rows one by one on SQLite), then
        # the new ids read back per chunk: one live registration per person and edition
        session.execute(sa.insert(table), rows)
        by_user: dict[int, int] = {}
        user_ids = [item.user_id for item in group]
        for start in range(0, len(user_ids), 500):
            by_user.update(
                (user_id, registration_id)
                for registration_id, user_id in session.exec(
                    select(Registration.id, Registration.user_id).where(
                        Registration.edition_id == edition.id,
                        Registration.user_id.in_(user_ids[start : start + 500]),
                        Registration.status != "cancelled",
                    )
                )
            )
        ids = [by_user[item.user_id] for item in group]
        # one message per language and outcome, the name put in per person
        texts: dict[tuple[str, str], tuple[str, str]] = {}
        for registration_id, row, item in zip(ids, rows, group, strict=True):
            kind, language = row["status"], row["language"]
            if (language, kind) not in texts:
                shown = SimpleNamespace(full_name=_NAME_SLOT, language=language)
                texts[language, kind] = notice(shown, ticket, edition, kind, my_url)
            subject, body = texts[language, kind]
            body = body.replace(_NAME_SLOT, greeting_name(row["full_name"]), 1)
            messages.append((item.mail_to, subject, body, f"registration:{registration_id}:{kind}"))
        confirmed += taken
        waitlisted += len(group) - taken
    queue_emails(session, messages)
    return confirmed, waitlisted


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
        paid = ticket.price_vnd > 0
        moved = session.exec(
            update(Registration)
            .where(Registration.id == first.id, Registration.status == "waitlisted")
            .values(
                status="pending" if paid else "confirmed",
                confirmed_at=None if paid else now,
                waitlist_position=None,
            )
            .execution_options(synchronize_session=False)
        )
        if moved.rowcount != 1:
            _free_place(session, ticket.id)
            skipped.add(first.id)
            continue
        session.refresh(first)
        promoted.append(first)
        if paid:
            announce(
                session,
                PLACE_HELD,
                registration=first,
                ticket=ticket,
                edition=edition,
                promoted=True,
            )
        else:
            _notify(session, first, ticket, edition, "promoted", my_url)
    session.refresh(ticket)
    return promoted


def _cancel(
    session: Session, registration: Registration, *, by_user_id: int | None, my_url: str
) -> list[Registration]:
    ticket = lock_ticket(session, registration.edition_id, registration.ticket_type_id)
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
    if was in ("confirmed", "pending"):
        _free_place(session, ticket.id)
        promoted = promote_waitlist(session, ticket, my_url=my_url)
    edition = session.get(Edition, registration.edition_id)
    _notify(session, registration, ticket, edition, "cancelled", my_url)
    announce(session, CANCELLED, registration=registration, by_user_id=by_user_id)
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
    """An organiser cancels someone's registration; the next in line moves up."""
    registration = session.exec(
        select(Registration).where(
            Registration.id == registration_id, Registration.edition_id == edition_id
        )
    ).first()
    if registration is None:
        raise NotFound()
    return _cancel(session, registration, by_user_id=by_user_id, my_url=my_url)


def registration_by_id(session: Session, registration_id: int) -> Registration | None:
    return session.exec(
        select(Registration)
        .where(Registration.id == registration_id)
        .execution_options(populate_existing=True)
    ).first()


def confirm_held(session: Session, registration_id: int, *, my_url: str = "") -> bool:
    """The held place is paid for: confirm it and write the confirmation (once)."""
    done = session.exec(
        update(Registration)
        .where(Registration.id == registration_id, Registration.status == "pending")
        .values(status="confirmed", confirmed_at=now_utc())
        .execution_options(synchronize_session=False)
    )
    if done.rowcount != 1:
        return False
    registration = registration_by_id(session, registration_id)
    ticket = session.get(TicketType, registration.ticket_type_id)
    edition = session.get(Edition, registration.edition_id)
    _notify(session, registration, ticket, edition, "confirmed", my_url)
    return True


def release_held(session: Session, registration_id: int) -> list[Registration]:
    """The held place was not paid in time: free it for the next in line. Returns who moved up."""
    registration = registration_by_id(session, registration_id)
    if registration is None:
        return []
    ticket = lock_ticket(session, registration.edition_id, registration.ticket_type_id)
    done = session.exec(
        update(Registration)
        .where(Registration.id == registration_id, Registration.status == "pending")
        .values(status="cancelled", cancelled_at=now_utc(), waitlist_position=None)
        .execution_options(synchronize_session=False)
    )
    if done.rowcount != 1:
        return []
    _free_place(session, ticket.id)
    return promote_waitlist(session, ticket)


def retake_place(session: Session, registration_id: int, *, my_url: str = "") -> bool:
    """A payment came after the hold lapsed: confirm the place again if one is still free.

    False (nothing changed) when the ticket is full or the person registered anew.
    """
    registration = registration_by_id(session, registration_id)
    if registration is None:
        return False
    ticket = lock_ticket(session, registration.edition_id, registration.ticket_type_id)
    if registration_by_id(session, registration_id).status != "cancelled":
        return False
    if _has_waiting(session, ticket.id, None) or not _take_place(session, ticket.id):
        return False
    try:
        with session.begin_nested():
            done = session.exec(
                update(Registration)
                .where(Registration.id == registration_id, Registration.status == "cancelled")
                .values(status="confirmed", confirmed_at=now_utc(), cancelled_at=None)
                .execution_options(synchronize_session=False)
            )
    except IntegrityError:
        done = None  # the person holds another live registration now
    if done is None or done.rowcount != 1:
        _free_place(session, ticket.id)
        return False
    registration = registration_by_id(session, registration_id)
    edition = session.get(Edition, registration.edition_id)
    _notify(session, registration, ticket, edition, "confirmed", my_url)
    return True


def _notify(
    session: Session,
    registration: Registration,
    ticket: TicketType,
    edition: Edition | None,
    kind: str,
    my_url: str,
) -> None:
    """One message per registration and reason, in the language the person chose."""
    subject, body = notice(registration, ticket, edition, kind, my_url)
    queue_email(
        session,
        mail_address_of(session, registration),
        subject,
        body,
        dedupe_key=f"registration:{registration.id}:{kind}",
    )


def notice(
    registration: Registration,
    ticket: TicketType,
    edition: Edition | None,
    kind: str,
    my_url: str,
) -> tuple[str, str]:
    """Subject and body of the message about a registration, in the person's language."""
    language = registration.language if registration.language in LANGUAGES else "vi"
    edition_name = (edition.name_en if language == "en" else edition.name_vi) if edition else ""
    ticket_name = ticket.name_en if language == "en" else ticket.name_vi
    link = my_url or (f"/{edition.year}/registration/me" if edition else "")
    with force_locale(language):
        params = {
            "name": greeting_name(registration.full_name),
            "edition": edition_name,
            "ticket": ticket_name,
        }
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
        return subject, "\n\n".join(lines)


def mail_address_of(session: Session, registration: Registration) -> str:
    """Where mail about a registration goes: the account's own address, whatever contact
    address the form was given (anyone may type anyone's address there). The outbox holds
    it until the account's owner has confirmed that address (core/mail.py)."""
    user = session.get(User, registration.user_id) if registration.user_id else None
    if user is not None and user.erased_at is None and user.email:
        return user.email
    return registration.email


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


def registration_by_badge_code(session: Session, edition_id: int, code: str) -> Registration | None:
    """The registration whose badge QR holds `code` in the edition, if any."""
    return session.exec(
        select(Registration).where(
            Registration.badge_code == code, Registration.edition_id == edition_id
        )
    ).first()


def registrations_by_ids(session: Session, ids) -> dict[int, Registration]:
    """Registrations by id (for a list that names people)."""
    ids = set(ids)
    if not ids:
        return {}
    rows = session.exec(select(Registration).where(Registration.id.in_(ids))).all()
    return {r.id: r for r in rows}


def shares_with_exhibitors(registration: Registration) -> bool:
    """Whether the person consented (and has not withdrawn) to exhibitors seeing contacts."""
    return registration.exhibitor_consent_at is not None and bool(
        registration.exhibitor_consent_version
    )


def set_exhibitor_consent(
    session: Session, registration: Registration, consent: bool, *, now: datetime | None = None
) -> Registration:
    """Give (with the current text's version) or withdraw the exhibitor-sharing consent."""
    if consent:
        registration.exhibitor_consent_version = EXHIBITOR_CONSENT_VERSION
        registration.exhibitor_consent_at = now or now_utc()
    else:
        registration.exhibitor_consent_version = ""
        registration.exhibitor_consent_at = None
    session.add(registration)
    session.flush()
    record(
        session,
        "registration.exhibitor_consent",
        user_id=registration.user_id,
        edition_id=registration.edition_id,
        object_type="registration",
        object_id=registration.id,
        consent=consent,
        version=registration.exhibitor_consent_version,
    )
    return registration
