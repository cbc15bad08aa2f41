"""Lead capture at booths: a scan makes one lead, contact details only with consent.

A scan counts once: the phone gives each scan a `client_scan_id` (a UUID) and the database
keeps one lead per id and one per booth and visitor (unique constraints on Lead), so an
offline queue replayed twice, or the same scan sent twice at once, makes one lead.

A lead names the visitor and their organisation. Their email and phone reach the
exhibitor only while the visitor consents: ticked at registration (the version of the
text is kept) or accepted this exhibitor's request later. Withdrawing hides them again.
"""

from __future__ import annotations

import re
import uuid
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

import sqlalchemy as sa
from flask_babel import force_locale
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from sqlalchemy.exc import IntegrityError
from sqlmodel import Session, func, select

from techfest.auth.models import User
from techfest.booths import catalogue as booth_catalogue
from techfest.core import csvio
from techfest.core.audit import record
from techfest.core.errors import DomainError
from techfest.core.mail import queue_email
from techfest.core.models import Edition, Organisation
from techfest.db import now_utc
from techfest.leads import staff
from techfest.leads.models import Lead
from techfest.registration import booking as registrations

#: a booth row, as booths' catalogue hands it over (its table is booths' own)
Booth = Any

#: a phone clock this far ahead is not believed
CLOCK_SKEW = timedelta(minutes=5)
MAX_CODE = 200
NOTE_MAX = 1000
TAG_MAX = 40
TAGS_MAX = 10


class LeadError(DomainError):
    """A lead rule said no; `status` is the short code the scan endpoint answers with."""

    def __init__(self, message=None, *, status: str = "invalid", not_found: bool | None = None):
        super().__init__(message, not_found=not_found)
        self.status = status


def _not_found() -> LeadError:
    return LeadError(_l("Not found."), status="unknown", not_found=True)


# ---------------------------------------------------------------- input from the phone


def parse_client_scan_id(value: object) -> str | None:
    if value in (None, ""):
        return None
    try:
        return str(uuid.UUID(str(value)))
    except ValueError as exc:
        raise LeadError(_l("The scan id is not a UUID.")) from exc


def parse_scanned_at(value: object, now: datetime) -> datetime:
    """The phone's time of the scan (ISO 8601), or now when missing or implausible."""
    if not isinstance(value, str) or not value:
        return now
    try:
        moment = datetime.fromisoformat(value.replace("Z", "+00:00"))
    except ValueError:
        return now
    if moment.tzinfo is None or moment > now + CLOCK_SKEW:
        return now
    return moment


def parse_rating(value: object) -> int | None:
    if value in (None, ""):
        return None
    text = str(value)
    if not (text.isascii() and text.isdigit() and 1 <= int(text) <= 5):
        raise LeadError(_l("The rating is a whole number from 1 to 5."))
    return int(text)


def _has_control_chars(text: str) -> bool:
    return any(ord(c) < 32 and c not in "\n\t" for c in text)


def parse_note(value: object) -> str:
    text = str(value or "").strip()
    if len(text) > NOTE_MAX:
        raise LeadError(_l("The note is longer than %(n)s characters.", n=NOTE_MAX))
    if _has_control_chars(text):
        raise LeadError(_l("The note contains characters that cannot be kept."))
    return text


def parse_tags(value: object) -> list[str]:
    """Tags from a list or a comma-separated text: trimmed, without repeats, at most 10."""
    items = value if isinstance(value, list) else str(value or "").split(",")
    tags: list[str] = []
    for item in items:
        tag = str(item).strip()
        if not tag or tag in tags:
            continue
        if len(tag) > TAG_MAX or _has_control_chars(tag):
            raise LeadError(_l("A tag is at most %(n)s characters.", n=TAG_MAX))
        tags.append(tag)
    if len(tags) > TAGS_MAX:
        raise LeadError(_l("At most %(n)s tags.", n=TAGS_MAX))
    return tags


def _badge_code(code: str) -> str:
    code = (code or "").strip()
    # a QR may hold a URL ending in the code; keep the last path segment
    code = re.split(r"[/=]", code)[-1] if code else code
    if not code or len(code) > MAX_CODE:
        raise LeadError(_l("No badge with this code in this edition."), status="unknown")
    return code


# ---------------------------------------------------------------- booth staff


def staff_organisations(session: Session, edition: Edition, user: User) -> list[int]:
    """The startups whose booths the person staffs: their own, and those that invited them."""
    own = [user.organisation_id] if user.organisation_id is not None else []
    invited = staff.inviting_organisations(session, edition, user)
    return own + [org_id for org_id in invited if org_id not in own]


def _held_booths(session: Session, edition: Edition, user: User) -> dict[int, tuple[Booth, int]]:
    """{booth id: (booth, the organisation holding it)} of the booths the person staffs."""
    held: dict[int, tuple[Booth, int]] = {}
    for org_id in staff_organisations(session, edition, user):
        for booth in booth_catalogue.booths_held_by(session, edition, org_id):
            held.setdefault(booth.id, (booth, org_id))
    return held


def staff_booths(session: Session, edition: Edition, user: User) -> list[Booth]:
    """The booths whose staff the person is: those their organisation holds, and those of
    the startups that invited them."""
    return [booth for booth, _org in _held_booths(session, edition, user).values()]


def staff_booth(session: Session, edition: Edition, user: User, booth_id: int) -> Booth:
    """One of the person's booths; 404 for any other."""
    found = _held_booths(session, edition, user).get(booth_id)
    if found is None:
        raise _not_found()
    return found[0]


def booth_holder(session: Session, edition: Edition, user: User, booth: Booth) -> int:
    """The organisation for which the person staffs `booth` (its leads are that one's)."""
    found = _held_booths(session, edition, user).get(booth.id)
    if found is None:
        raise _not_found()
    return found[1]


def lead_for_staff(session: Session, edition: Edition, user: User, lead_id: int) -> Lead:
    """A lead of an organisation the person staffs in this edition; 404 for anyone else's."""
    lead = session.get(Lead, lead_id)
    if (
        lead is None
        or lead.edition_id != edition.id
        or lead.organisation_id not in staff_organisations(session, edition, user)
    ):
        raise _not_found()
    return lead


# ---------------------------------------------------------------- what a lead shows


@dataclass(frozen=True)
class LeadView:
    """A lead as its exhibitor may see it: contacts only when the visitor shares them."""

    id: int
    booth_code: str
    name: str
    organisation: str
    job_title: str
    #: None unless the visitor shares contacts with this exhibitor
    email: str | None
    phone: str | None
    rating: int | None
    note: str
    tags: tuple[str, ...]
    scanned_at: datetime
    contact_status: str

    @property
    def shared(self) -> bool:
        return self.email is not None


def _shares(lead: Lead, registration) -> bool:
    return lead.contact_status == "accepted" or registrations.shares_with_exhibitors(registration)


def _view(lead: Lead, registration, booth_code: str) -> LeadView:
    shared = registration is not None and _shares(lead, registration)
    return LeadView(
        id=lead.id,
        booth_code=booth_code,
        name=registration.full_name if registration else "",
        organisation=registration.organisation_name if registration else "",
        job_title=registration.job_title if registration else "",
        email=registration.email if shared else None,
        phone=(registration.phone or "") if shared else None,
        rating=lead.rating,
        note=lead.note,
        tags=tuple(lead.tags or ()),
        scanned_at=lead.scanned_at,
        contact_status=lead.contact_status,
    )


def _booth_codes(session: Session, edition: Edition) -> dict[int, str]:
    return {b.id: b.code for b, _zone in booth_catalogue.booths_with_zones(session, edition)}


def view_lead(session: Session, edition: Edition, lead: Lead) -> LeadView:
    reg = registrations.registrations_by_ids(session, [lead.registration_id]).get(
        lead.registration_id
    )
    return _view(lead, reg, _booth_codes(session, edition).get(lead.booth_id, ""))


def booth_leads(session: Session, booth: Booth, organisation_id: int) -> list[LeadView]:
    """The booth's leads of this exhibitor, newest first."""
    leads = session.exec(
        select(Lead)
        .where(Lead.booth_id == booth.id, Lead.organisation_id == organisation_id)
        .order_by(Lead.scanned_at.desc(), Lead.id.desc())
    ).all()
    regs = registrations.registrations_by_ids(session, [lead.registration_id for lead in leads])
    return [_view(lead, regs.get(lead.registration_id), booth.code) for lead in leads]


@dataclass(frozen=True)
class BoothSummary:
    booth: Booth
    leads: int


def booth_summaries(session: Session, edition: Edition, user: User) -> list[BoothSummary]:
    """The person's booths with how many leads each holds."""
    booths = staff_booths(session, edition, user)
    counts = dict(
        session.exec(
            select(Lead.booth_id, func.count())
            .where(
                Lead.organisation_id.in_(staff_organisations(session, edition, user)),
                Lead.edition_id == edition.id,
            )
            .group_by(Lead.booth_id)
        ).all()
    )
    return [BoothSummary(b, counts.get(b.id, 0)) for b in booths]


# ---------------------------------------------------------------- scanning


@dataclass(frozen=True)
class ScanOutcome:
    #: 'new' (a lead was made) or 'already' (this visitor, or this scan, was counted before)
    status: str
    lead: LeadView

    def as_json(self) -> dict:
        view = self.lead
        return {
            "status": self.status,
            "lead_id": view.id,
            "name": view.name,
            "organisation": view.organisation,
            "shared": view.shared,
            "rating": view.rating,
        }


def _lead_by_scan_id(session: Session, client_scan_id: str) -> Lead | None:
    return session.exec(select(Lead).where(Lead.client_scan_id == client_scan_id)).first()


def _lead_of(session: Session, booth_id: int, registration_id: int) -> Lead | None:
    return session.exec(
        select(Lead).where(Lead.booth_id == booth_id, Lead.registration_id == registration_id)
    ).first()


def record_scan(
    session: Session,
    edition: Edition,
    booth: Booth,
    user: User,
    code: str,
    *,
    client_scan_id: str | None = None,
    scanned_at: datetime | None = None,
    rating: int | None = None,
    note: str = "",
    tags: list[str] | None = None,
) -> ScanOutcome:
    """A badge scanned at `booth` by its staff: one lead per visitor and booth, per scan id."""
    now = now_utc()
    if client_scan_id is not None:
        replay = _lead_by_scan_id(session, client_scan_id)
        if replay is not None:
            if replay.organisation_id not in staff_organisations(session, edition, user):
                raise _not_found()
            return ScanOutcome("already", view_lead(session, edition, replay))
    reg = registrations.registration_by_badge_code(session, edition.id, _badge_code(code))
    if reg is None:
        raise LeadError(_l("No badge with this code in this edition."), status="unknown")
    if reg.status != "confirmed":
        raise LeadError(_l("This badge is not valid any more."), status="not_confirmed")
    existing = _lead_of(session, booth.id, reg.id)
    if existing is not None:
        _fill_blanks(session, existing, rating, note, tags)
        return ScanOutcome("already", view_lead(session, edition, existing))
    lead = Lead(
        edition_id=edition.id,
        booth_id=booth.id,
        organisation_id=booth_holder(session, edition, user, booth),
        registration_id=reg.id,
        visitor_user_id=reg.user_id,
        scanned_by_id=user.id,
        scanned_at=scanned_at or now,
        received_at=now,
        client_scan_id=client_scan_id,
        rating=rating,
        note=note,
        tags=list(tags or []),
    )
    try:
        with session.begin_nested():
            session.add(lead)
            session.flush()
    except IntegrityError:
        # the same scan, or the same visitor at this booth, was counted by a concurrent request
        winner = _lead_by_scan_id(session, client_scan_id) if client_scan_id else None
        winner = winner or _lead_of(session, booth.id, reg.id)
        if winner is None:
            raise
        return ScanOutcome("already", view_lead(session, edition, winner))
    return ScanOutcome("new", view_lead(session, edition, lead))


def _fill_blanks(session, lead: Lead, rating, note: str, tags) -> None:
    """A later scan of the same visitor adds what the lead still lacks, overwriting nothing."""
    changed = False
    if rating is not None and lead.rating is None:
        lead.rating, changed = rating, True
    if note and not lead.note:
        lead.note, changed = note, True
    if tags and not lead.tags:
        lead.tags, changed = list(tags), True
    if changed:
        session.add(lead)
        session.flush()


def update_lead(session: Session, lead: Lead, *, rating: int | None, note: str, tags: list[str]):
    """The staff's rating, note and tags of a lead."""
    lead.rating = rating
    lead.note = note
    lead.tags = list(tags)
    session.add(lead)
    session.flush()
    return lead


# ---------------------------------------------------------------- asking for contacts


def request_contact(session: Session, edition: Edition, lead: Lead, answer_url: str) -> Lead:
    """Ask the visitor to share contact details with this exhibitor; emails them once."""
    if lead.contact_status in ("requested", "accepted"):
        return lead
    if lead.contact_status == "declined":
        raise LeadError(_l("The visitor declined to share contact details."))
    lead.contact_status = "requested"
    session.add(lead)
    session.flush()
    reg = registrations.registrations_by_ids(session, [lead.registration_id]).get(
        lead.registration_id
    )
    exhibitor = session.get(Organisation, lead.organisation_id)
    if reg is not None and reg.email:
        with force_locale(reg.language or "vi"):
            subject = _("%(org)s would like your contact details", org=exhibitor.name)
            body = _(
                "Hello %(name)s,\n\n%(org)s scanned your badge at their booth and would like to "
                "see your email and phone. Nothing is shared unless you accept:\n%(url)s\n",
                name=reg.full_name,
                org=exhibitor.name,
                url=answer_url,
            )
        queue_email(session, reg.email, subject, body, dedupe_key=f"lead-contact:{lead.id}")
    return lead


@dataclass(frozen=True)
class ContactRequest:
    lead_id: int
    exhibitor: str
    booth_code: str
    status: str
    scanned_at: datetime


def my_leads(session: Session, edition: Edition, user: User) -> list[ContactRequest]:
    """The booths that scanned the person, with what each asked and was answered."""
    rows = session.exec(
        select(Lead, Organisation.name)
        .join(Organisation, Organisation.id == Lead.organisation_id)
        .where(Lead.edition_id == edition.id, Lead.visitor_user_id == user.id)
        .order_by(Lead.scanned_at.desc())
    ).all()
    codes = _booth_codes(session, edition)
    return [
        ContactRequest(
            lead.id, name, codes.get(lead.booth_id, ""), lead.contact_status, lead.scanned_at
        )
        for lead, name in rows
    ]


def answer_contact_request(
    session: Session, edition: Edition, user: User, lead_id: int, accept: bool
) -> Lead:
    """The visitor shares (or stops sharing) contacts with the exhibitor of one lead."""
    lead = session.get(Lead, lead_id)
    if lead is None or lead.edition_id != edition.id or lead.visitor_user_id != user.id:
        raise _not_found()
    lead.contact_status = "accepted" if accept else "declined"
    lead.contact_answered_at = now_utc()
    session.add(lead)
    session.flush()
    record(
        session,
        "lead.contact_" + ("accepted" if accept else "declined"),
        user_id=user.id,
        edition_id=edition.id,
        object_type="lead",
        object_id=lead.id,
    )
    return lead


def sharing_of(session: Session, edition: Edition, user: User) -> bool | None:
    """Whether the person shares contacts with every exhibitor; None when not registered."""
    reg = registrations.registration_for(session, edition.id, user.id)
    return None if reg is None else registrations.shares_with_exhibitors(reg)


def set_sharing(session: Session, edition: Edition, user: User, share: bool) -> None:
    """Give or withdraw the consent of registration; withdrawing also ends every acceptance."""
    reg = registrations.registration_for(session, edition.id, user.id)
    if reg is None:
        raise LeadError(_l("You are not registered for this edition."))
    registrations.set_exhibitor_consent(session, reg, share)
    if not share:
        withdraw_acceptances(session, user.id, edition_id=edition.id)


def withdraw_acceptances(session: Session, user_id: int, *, edition_id: int | None = None) -> None:
    """Every exhibitor the person shared contacts with stops seeing them."""
    where = [Lead.visitor_user_id == user_id, Lead.contact_status == "accepted"]
    if edition_id is not None:
        where.append(Lead.edition_id == edition_id)
    session.execute(
        sa.update(Lead)
        .where(*where)
        .values(contact_status="declined", contact_answered_at=now_utc())
        .execution_options(synchronize_session=False)
    )
    session.flush()


# ---------------------------------------------------------------- export and counts

CSV_COLUMNS = (
    "booth",
    "scanned_at",
    "name",
    "organisation",
    "job_title",
    "email",
    "phone",
    "rating",
    "tags",
    "note",
)


def _safe(value: str) -> str:
    """A cell a spreadsheet will not run as a formula."""
    return "'" + value if value[:1] in ("=", "+", "-", "@", "\t", "\r") else value


def export_csv(session: Session, edition: Edition, booth: Booth, organisation_id: int) -> str:
    """The booth's leads as CSV (UTF-8 with BOM); contacts only where the visitor shares."""
    tz = ZoneInfo(edition.timezone or "Asia/Ho_Chi_Minh")
    return csvio.write_csv(
        (
            {
                "booth": view.booth_code,
                "scanned_at": view.scanned_at.astimezone(tz).strftime("%Y-%m-%d %H:%M"),
                "name": _safe(view.name),
                "organisation": _safe(view.organisation),
                "job_title": _safe(view.job_title),
                "email": view.email or "",
                "phone": _safe(view.phone or ""),
                "rating": view.rating,
                "tags": _safe(", ".join(view.tags)),
                "note": _safe(view.note),
            }
            for view in booth_leads(session, booth, organisation_id)
        ),
        CSV_COLUMNS,
    )


@dataclass(frozen=True)
class BoothCount:
    booth_code: str
    zone_code: str
    zone_name_vi: str
    zone_name_en: str
    leads: int


def counts_by_booth(session: Session, edition: Edition) -> list[BoothCount]:
    """Leads per booth (booths with at least one), by zone and booth code."""
    counts = dict(
        session.exec(
            select(Lead.booth_id, func.count())
            .where(Lead.edition_id == edition.id)
            .group_by(Lead.booth_id)
        ).all()
    )
    return [
        BoothCount(booth.code, zone.code, zone.name_vi, zone.name_en, counts[booth.id])
        for booth, zone in booth_catalogue.booths_with_zones(session, edition)
        if counts.get(booth.id)
    ]


def counts_by_zone(rows: list[BoothCount]) -> list[BoothCount]:
    """The per-booth counts summed per zone (booth_code left empty)."""
    zones: dict[str, BoothCount] = {}
    for row in rows:
        before = zones.get(row.zone_code)
        total = row.leads + (before.leads if before else 0)
        zones[row.zone_code] = BoothCount(
            "", row.zone_code, row.zone_name_vi, row.zone_name_en, total
        )
    return list(zones.values())


# ---------------------------------------------------------------- erasure


def erase_person(session: Session, user_id: int) -> None:
    """A visitor erased: the counts stay, what exhibitors wrote about them and shared goes."""
    session.execute(
        sa.update(Lead)
        .where(Lead.visitor_user_id == user_id)
        .values(note="", tags=[], contact_status="", contact_answered_at=None)
        .execution_options(synchronize_session=False)
    )
    session.flush()


def erase_edition(session: Session, edition_id: int) -> None:
    """An edition past retention: every lead keeps its count, nothing personal."""
    session.execute(
        sa.update(Lead)
        .where(Lead.edition_id == edition_id)
        .values(note="", tags=[], contact_status="", contact_answered_at=None)
        .execution_options(synchronize_session=False)
    )
    session.flush()
