"""Personal data under Vietnam's PDPL (Law 91/2025/QH15) and the GDPR.

- Export: everything held about a person, gathered from every table that points at them.
- Erasure: the person is anonymised everywhere while the event's counts stay true. The
  account, registrations and outbox are rewritten field by field; generated documents that
  may show the person are deleted (they are rendered again on demand); then every text and
  JSON column of every table is swept for the person's name, e-mail and phone, so free text
  written by anyone (audit details, messages, job parameters) names them no more.
- Retention: after `Edition.retention_days`, an edition's personal data is erased.
Every request is a `DataRequest` with when it arrived and when it was completed.
"""

from __future__ import annotations

import json
import re
import unicodedata
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

import sqlalchemy as sa
from flask_babel import lazy_gettext as _l
from sqlmodel import Session, select
from werkzeug.security import check_password_hash

from techfest.auth.models import User, new_token
from techfest.checkin.models import CheckIn
from techfest.core.audit import record
from techfest.core.models import Edition, EditionRole, MailAddress, Organisation, OutboxEmail
from techfest.db import now_utc
from techfest.leads import services as leads
from techfest.matchmaking.models import ContactCard, Meeting, MeetingFeedback, MeetingRequest
from techfest.messages import services as messages
from techfest.organiser.models import DataRequest
from techfest.printing.models import Document
from techfest.registration.models import Registration

ERASED_NAME = "[erased]"
#: words shorter than this are not swept for: they would hit unrelated text
MIN_TERM = 4
#: bulk documents that show no person and may be kept after an erasure
IMPERSONAL_DOCUMENTS = ("booklet", "room-sheets")
#: tables whose rows of other people must never be rewritten by the sweep
NOT_SWEPT = ("user", "registration")
#: columns holding codes and states, never free text about someone
CODE_COLUMNS = frozenset(
    {
        "action",
        "badge_code",
        "block",
        "code",
        "content_hash",
        "dedupe_key",
        "feed_token",
        "kind",
        "language",
        "locale",
        "object_type",
        "password_hash",
        "role",
        "size",
        "slug",
        "stage",
        "status",
        "tier",
        "timezone",
    }
)
UNUSABLE_PASSWORD = "!erased"  # noqa: S105 - not a hash: no password ever matches it


class PrivacyError(Exception):
    def __init__(self, message):
        super().__init__(message)
        self.message = message


def erased_email(user_id: int) -> str:
    return f"erased-{user_id}@erased.invalid"


# --- export ---------------------------------------------------------------------------


def _plain(value):
    if isinstance(value, datetime | date):
        return value.isoformat()
    if isinstance(value, bytes | bytearray | memoryview):
        return {"bytes": len(bytes(value))}
    return value


def _row(table: sa.Table, row) -> dict:
    return {c.name: _plain(row._mapping[c]) for c in table.columns if c.name != "password_hash"}


def _metadata() -> sa.MetaData:
    from techfest.models import metadata

    return metadata


def _columns_pointing_at_users() -> list[tuple[sa.Table, sa.Column]]:
    found = []
    for table in _metadata().sorted_tables:
        for column in table.columns:
            if any(fk.column.table.name == "user" for fk in column.foreign_keys):
                found.append((table, column))
    return found


def export_user_data(session: Session, user: User) -> dict:
    """Everything held about `user`, table by table, as plain JSON-ready data."""
    user_table = User.__table__
    account = session.execute(sa.select(user_table).where(user_table.c.id == user.id)).one()
    held: dict[str, list[dict]] = {}
    for table, column in _columns_pointing_at_users():
        rows = session.execute(sa.select(table).where(column == user.id)).all()
        if rows:
            key = table.name if column.name == "user_id" else f"{table.name} ({column.name})"
            held.setdefault(key, []).extend(_row(table, r) for r in rows)
    checkins = CheckIn.__table__
    scans = session.execute(
        sa.select(checkins).where(
            checkins.c.registration_id.in_(
                select(Registration.id).where(Registration.user_id == user.id)
            )
        )
    ).all()
    if scans:
        held["check_in"] = [_row(checkins, r) for r in scans]
    outbox = OutboxEmail.__table__
    emails = session.execute(
        sa.select(outbox).where(sa.func.lower(outbox.c.to_email) == user.email.lower())
    ).all()
    if emails:
        held["outbox_email"] = [_row(outbox, r) for r in emails]
    data = {
        "generated_at": now_utc().isoformat(),
        "account": _row(user_table, account),
        "held": held,
    }
    if user.organisation_id:
        org = session.get(Organisation, user.organisation_id)
        if org is not None:
            data["organisation"] = org.model_dump(mode="json")
    return data


# --- requests ---------------------------------------------------------------------------


def home_edition_id(session: Session, user: User) -> int | None:
    """The newest edition the person takes part in: its organisers handle their requests."""
    return session.exec(
        select(Edition.id)
        .join(EditionRole, EditionRole.edition_id == Edition.id)
        .where(EditionRole.user_id == user.id)
        .order_by(Edition.year.desc())
    ).first()


def record_request(
    session: Session,
    user: User,
    kind: str,
    *,
    edition_id: int | None,
    note: str = "",
    completed: bool = False,
    completed_by_id: int | None = None,
) -> DataRequest:
    now = now_utc()
    request = DataRequest(
        user_id=user.id,
        edition_id=edition_id,
        kind=kind,
        received_at=now,
        completed_at=now if completed else None,
        completed_by_id=completed_by_id,
        note=note,
    )
    session.add(request)
    session.flush()
    return request


def export_for_self(session: Session, user: User) -> dict:
    """A person downloads their data: recorded as a request received and completed at once."""
    data = export_user_data(session, user)
    record_request(
        session,
        user,
        "export",
        edition_id=home_edition_id(session, user),
        note="self-service",
        completed=True,
    )
    return data


# --- erasure ---------------------------------------------------------------------------


def _unaccented(text: str) -> str:
    text = text.replace("đ", "d").replace("Đ", "D")
    return "".join(c for c in unicodedata.normalize("NFKD", text) if not unicodedata.combining(c))


def _variants(term: str) -> set[str]:
    found = set()
    for t in (term, _unaccented(term)):
        found |= {t, t.lower(), t.upper(), t.title()}
    return {v for v in found if len(v) >= MIN_TERM}


#: with more terms than this, columns are read and matched in Python rather than by LIKE
LIKE_LIMIT = 60


@dataclass
class _Sweep:
    """Terms to find in free text, each with what replaces it."""

    replacements: dict[str, str]

    def add(self, term: str | None, replacement: str) -> None:
        term = (term or "").strip()
        if len(term) >= MIN_TERM:
            self.replacements.setdefault(term, replacement)

    def add_name(self, name: str | None) -> None:
        # a single word ("Hoàng") would also hit unrelated text; full names have several
        if len((name or "").split()) >= 2:
            self.add(name, ERASED_NAME)

    def add_phone(self, phone: str | None) -> None:
        if sum(c.isdigit() for c in phone or "") >= 6:
            self.add(phone, "")

    def compile(self) -> tuple[re.Pattern, dict[str, str]]:
        """One pattern for every spelling of every term, and what each spelling becomes."""
        lookup: dict[str, str] = {}
        # longer terms first, so an e-mail goes before a name it contains
        for term in sorted(self.replacements, key=len, reverse=True):
            for v in _variants(term) | {_unaccented(term)}:
                lookup.setdefault(v.lower(), self.replacements[term])
        alternatives = sorted((re.escape(v) for v in lookup), key=len, reverse=True)
        return re.compile("|".join(alternatives), re.IGNORECASE), lookup

    def like_terms(self, json_column: bool) -> list[str]:
        terms = set()
        for term in self.replacements:
            for v in _variants(term):
                terms.add(v)
                if json_column:
                    terms.add(json.dumps(v)[1:-1])  # JSON text escapes non-ASCII as \uXXXX
        return sorted(terms)


def _replace(value, finder: re.Pattern, lookup: dict[str, str]):
    if isinstance(value, str):
        return finder.sub(lambda m: lookup.get(m.group(0).lower(), ERASED_NAME), value)
    if isinstance(value, list):
        return [_replace(v, finder, lookup) for v in value]
    if isinstance(value, dict):
        return {_replace(k, finder, lookup): _replace(v, finder, lookup) for k, v in value.items()}
    return value


def _escape_like(term: str) -> str:
    return term.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")


def _candidates(session: Session, pk: list, column: sa.Column, sweep: _Sweep, finder):
    """Rows whose value may mention a term: found by LIKE for a few terms, else in Python."""
    is_json = isinstance(column.type, sa.JSON)
    terms = sweep.like_terms(is_json)
    if len(terms) <= LIKE_LIMIT:
        text = sa.cast(column, sa.Text) if is_json else column
        condition = sa.or_(*(text.like(f"%{_escape_like(t)}%", escape="\\") for t in terms))
        yield from session.execute(sa.select(*pk, column).where(condition))
        return
    for row in session.execute(sa.select(*pk, column).where(column.is_not(None))):
        value = row[-1]
        text = value if isinstance(value, str) else json.dumps(value, ensure_ascii=False)
        if finder.search(text):
            yield row


def _sweep_text(session: Session, sweep: _Sweep) -> int:
    """Rewrite every text/JSON value that still mentions a term; returns rows changed."""
    if not sweep.replacements:
        return 0
    finder, lookup = sweep.compile()
    changed = 0
    for table in _metadata().sorted_tables:
        if table.name in NOT_SWEPT:
            continue
        pk = list(table.primary_key.columns)
        for column in table.columns:
            is_json = isinstance(column.type, sa.JSON)
            if not (is_json or isinstance(column.type, sa.String)) or column.primary_key:
                continue
            if column.name in CODE_COLUMNS:
                continue
            for row in list(_candidates(session, pk, column, sweep, finder)):
                new = _replace(row[-1], finder, lookup)
                if new != row[-1]:
                    where = [c == row[i] for i, c in enumerate(pk)]
                    session.execute(sa.update(table).where(*where).values({column.name: new}))
                    changed += 1
    session.flush()
    return changed


def _anonymise_registration(reg: Registration, user_id: int) -> None:
    reg.full_name = ERASED_NAME
    reg.email = erased_email(user_id)
    reg.phone = ""
    reg.organisation_name = ""
    reg.job_title = ""
    reg.badge_code = new_token()
    reg.exhibitor_consent_version = ""
    reg.exhibitor_consent_at = None


def _erase_users(session: Session, users: Iterable[User]) -> list[int]:
    """Anonymise each person everywhere; keeps rows that make up the event's counts."""
    sweep = _Sweep({})
    erased = []
    now = now_utc()
    for user in users:
        if user.erased_at is not None:
            continue
        new_email = erased_email(user.id)
        sweep.add(user.email, new_email)
        sweep.add_name(user.full_name)
        sweep.add_phone(user.phone)
        for reg in session.exec(select(Registration).where(Registration.user_id == user.id)):
            sweep.add(reg.email, new_email)
            sweep.add_name(reg.full_name)
            sweep.add_phone(reg.phone)
            _anonymise_registration(reg, user.id)
            session.add(reg)
        # the record that the address was confirmed is personal data too
        for address in session.exec(
            select(MailAddress).where(MailAddress.email == user.email.lower())
        ):
            session.delete(address)
        for message in session.exec(
            select(OutboxEmail).where(sa.func.lower(OutboxEmail.to_email) == user.email.lower())
        ):
            message.to_email = new_email
            message.subject = ERASED_NAME
            message.body = ""
            if message.sent_at is None:
                message.attempts = 5  # never send it
                message.last_error = "recipient erased"
            session.add(message)
        for request in session.exec(
            select(MeetingRequest).where(MeetingRequest.from_user_id == user.id)
        ):
            request.message = ""
            session.add(request)
        for feedback in session.exec(
            select(MeetingFeedback).where(MeetingFeedback.user_id == user.id)
        ):
            feedback.comment = ""
            session.add(feedback)
        leads.erase_person(session, user.id)
        messages.erase_person(session, user.id)
        session.execute(sa.delete(ContactCard).where(ContactCard.user_id == user.id))
        _delete_documents_showing(session, user)
        user.full_name = ERASED_NAME
        user.email = new_email
        user.phone = ""
        user.job_title = ""
        user.password_hash = UNUSABLE_PASSWORD
        user.feed_token = new_token()
        user.is_active_account = False
        user.erased_at = now
        session.add(user)
        erased.append(user.id)
    session.flush()
    _sweep_text(session, sweep)
    return erased


def _delete_documents_showing(session: Session, user: User) -> None:
    editions = select(EditionRole.edition_id).where(EditionRole.user_id == user.id)
    session.execute(
        sa.delete(Document).where(
            sa.or_(
                Document.owner_user_id == user.id,
                sa.and_(
                    Document.owner_user_id.is_(None),
                    Document.edition_id.in_(editions),
                    Document.kind.not_in(IMPERSONAL_DOCUMENTS),
                ),
            )
        )
    )


def erase_user(
    session: Session,
    user: User,
    *,
    by_user_id: int | None,
    edition_id: int | None = None,
    request: DataRequest | None = None,
    note: str = "",
) -> DataRequest:
    """Erase one person and record (or complete) the request that asked for it."""
    if user.erased_at is not None:
        raise PrivacyError(_l("This person's data was already erased."))
    edition_id = edition_id if edition_id is not None else home_edition_id(session, user)
    if request is None:
        request = record_request(session, user, "erasure", edition_id=edition_id, note=note)
    _erase_users(session, [user])
    request.completed_at = now_utc()
    request.completed_by_id = by_user_id if by_user_id != user.id else None
    session.add(request)
    record(
        session,
        "privacy.erase",
        user_id=by_user_id if by_user_id != user.id else None,
        edition_id=edition_id,
        object_type="user",
        object_id=user.id,
        request_id=request.id,
    )
    return request


def erase_self(session: Session, user: User, password: str) -> DataRequest:
    """A person erases their own account after confirming with their password."""
    if not check_password_hash(user.password_hash, password):
        raise PrivacyError(_l("The password is not correct."))
    return erase_user(session, user, by_user_id=user.id, note="self-service")


def open_requests(session: Session, edition: Edition) -> list[tuple[DataRequest, User | None]]:
    """Requests still to answer, oldest first, with the person who asked."""
    return [
        (request, user)
        for request, user in session.exec(
            select(DataRequest, User)
            .join(User, User.id == DataRequest.user_id, isouter=True)
            .where(DataRequest.edition_id == edition.id, DataRequest.completed_at.is_(None))
            .order_by(DataRequest.received_at)
        )
    ]


def recent_requests(session: Session, edition: Edition, limit: int = 50) -> list[DataRequest]:
    return list(
        session.exec(
            select(DataRequest)
            .where(DataRequest.edition_id == edition.id, DataRequest.completed_at.is_not(None))
            .order_by(DataRequest.completed_at.desc())
            .limit(limit)
        )
    )


def request_for_organiser(session: Session, edition: Edition, request_id: int) -> DataRequest:
    request = session.exec(
        select(DataRequest).where(
            DataRequest.id == request_id, DataRequest.edition_id == edition.id
        )
    ).first()
    if request is None:
        raise LookupError(request_id)
    return request


def log_request(
    session: Session, edition: Edition, organiser: User, email: str, kind: str
) -> DataRequest:
    """An organiser records a request that arrived by e-mail, phone or letter."""
    from techfest.auth.services import find_user

    person = find_user(session, email)
    if (
        person is None
        or person.erased_at is not None
        or not session.exec(
            select(EditionRole.id).where(
                EditionRole.user_id == person.id, EditionRole.edition_id == edition.id
            )
        ).first()
    ):
        raise PrivacyError(_l("No one with this e-mail address takes part in this edition."))
    request = record_request(session, person, kind, edition_id=edition.id, note="organiser")
    record(
        session,
        "privacy.request_logged",
        user_id=organiser.id,
        edition_id=edition.id,
        object_type="data_request",
        object_id=request.id,
        kind=kind,
    )
    return request


def complete_request(
    session: Session, edition: Edition, organiser: User, request_id: int
) -> tuple[DataRequest, dict | None]:
    """Carry out an open request: an erasure erases; an export returns the data to send."""
    request = request_for_organiser(session, edition, request_id)
    if request.completed_at is not None:
        raise PrivacyError(_l("This request is already completed."))
    person = session.get(User, request.user_id) if request.user_id else None
    data = None
    if request.kind == "erasure" and person is not None and person.erased_at is None:
        erase_user(session, person, by_user_id=organiser.id, edition_id=edition.id, request=request)
        return request, None
    if request.kind == "export" and person is not None:
        data = export_user_data(session, person)
    request.completed_at = now_utc()
    request.completed_by_id = organiser.id
    session.add(request)
    record(
        session,
        "privacy.complete",
        user_id=organiser.id,
        edition_id=edition.id,
        object_type="data_request",
        object_id=request.id,
        kind=request.kind,
    )
    return request, data


# --- retention -------------------------------------------------------------------------


def set_retention(session: Session, edition: Edition, organiser: User, days: int) -> None:
    if days < 0:
        raise PrivacyError(_l("The retention period cannot be negative."))
    before = edition.retention_days
    edition.retention_days = days
    session.add(edition)
    record(
        session,
        "edition.retention",
        user_id=organiser.id,
        edition_id=edition.id,
        object_type="edition",
        object_id=edition.id,
        before=before,
        after=days,
    )
    session.flush()


def erase_after(edition: Edition) -> date:
    """The first local day on which the edition's personal data is due for erasure."""
    return edition.ends_on + timedelta(days=edition.retention_days + 1)


def expired_editions(session: Session, today: date) -> list[Edition]:
    editions = session.exec(
        select(Edition).where(Edition.personal_data_erased_at.is_(None)).order_by(Edition.year)
    ).all()
    return [e for e in editions if erase_after(e) <= today]


def erase_edition(session: Session, edition: Edition) -> int:
    """Erase an edition's personal data; returns how many people were erased entirely.

    A person who also takes part in an edition still within retention keeps their account,
    but loses this edition's badge details, messages and documents.
    """
    members = (
        session.exec(
            select(User)
            .join(EditionRole, EditionRole.user_id == User.id)
            .where(EditionRole.edition_id == edition.id)
        )
        .unique()
        .all()
    )
    live_elsewhere = set(
        session.exec(
            select(EditionRole.user_id)
            .join(Edition, Edition.id == EditionRole.edition_id)
            .where(
                EditionRole.edition_id != edition.id,
                Edition.personal_data_erased_at.is_(None),
            )
        ).all()
    )
    to_erase = [u for u in members if u.id not in live_elsewhere and u.erased_at is None]
    _erase_users(session, to_erase)
    for reg in session.exec(select(Registration).where(Registration.edition_id == edition.id)):
        if reg.full_name != ERASED_NAME:
            _anonymise_registration(reg, reg.user_id)
            session.add(reg)
    session.execute(
        sa.update(MeetingRequest)
        .where(MeetingRequest.edition_id == edition.id)
        .values(message="", decline_reason="")
    )
    session.execute(
        sa.update(MeetingFeedback)
        .where(
            MeetingFeedback.meeting_id.in_(
                select(Meeting.id).where(Meeting.edition_id == edition.id)
            )
        )
        .values(comment="")
    )
    leads.erase_edition(session, edition.id)
    messages.erase_edition(session, edition.id)
    session.execute(sa.delete(Document).where(Document.edition_id == edition.id))
    edition.personal_data_erased_at = now_utc()
    session.add(edition)
    record(
        session,
        "privacy.retention_erase",
        user_id=None,
        edition_id=edition.id,
        object_type="edition",
        object_id=edition.id,
        people_erased=len(to_erase),
    )
    session.flush()
    return len(to_erase)


def erase_expired(session: Session, now: datetime | None = None) -> list[tuple[Edition, int]]:
    """Erase every edition past its retention period (the `flask erase-expired-data` job)."""
    now = now or now_utc()
    done = []
    for edition in expired_editions(session, now.astimezone(ZoneInfo("Asia/Ho_Chi_Minh")).date()):
        done.append((edition, erase_edition(session, edition)))
    return done
