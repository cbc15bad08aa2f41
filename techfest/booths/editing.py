"""The organiser's floor-plan editor: booths, zones, blocking, and the booth limits."""

from __future__ import annotations

from dataclasses import dataclass

from flask_babel import lazy_gettext as _l
from sqlalchemy.exc import IntegrityError
from sqlmodel import Session, select

from techfest.auth.models import User
from techfest.booths import availability
from techfest.booths.availability import HALL_HEIGHT, HALL_WIDTH
from techfest.booths.catalogue import CODE_RE, COLOR_RE, MAX_PRICE_VND, SIZES, get_booth, get_zone
from techfest.booths.errors import BoothError, BoothNotFound
from techfest.booths.models import Booth, BoothAllowance, Zone
from techfest.core import audit
from techfest.core.editions import code_taken
from techfest.core.models import Edition, EditionRole, Organisation
from techfest.db import now_utc

MAX_HOLD_HOURS = 24 * 30


MAX_BOOTHS_LIMIT = 50


def set_blocked(
    session: Session, edition: Edition, booth_id: int, organiser: User, blocked: bool
) -> Booth:
    """Take a booth off sale (only when nobody holds it), or put it back."""
    booth = session.exec(
        select(Booth).where(Booth.id == booth_id, Booth.edition_id == edition.id).with_for_update()
    ).first()
    if booth is None:
        raise BoothNotFound()
    if blocked and availability.live_booking_of(session, booth.id, now_utc()) is not None:
        raise BoothError(
            _l("Booth %(code)s is booked; cancel the booking before blocking it.", code=booth.code)
        )
    booth.status = "blocked" if blocked else "open"
    session.add(booth)
    session.flush()
    audit.record(
        session,
        "booth.block" if blocked else "booth.unblock",
        user_id=organiser.id,
        edition_id=edition.id,
        object_type="booth",
        object_id=booth.id,
        code=booth.code,
    )
    return booth


@dataclass(frozen=True)
class BoothData:
    """A booth as the editor hands it over."""

    code: str
    zone_id: int
    size: str
    price_vnd: int
    x: int
    y: int
    w: int
    h: int


def overlapping(
    session: Session, edition: Edition, rect: tuple[int, int, int, int], exclude_id: int | None
) -> Booth | None:
    """Booths of the edition the rectangle overlaps."""
    x, y, w, h = rect
    query = select(Booth).where(
        Booth.edition_id == edition.id,
        Booth.x < x + w,
        Booth.x + Booth.w > x,
        Booth.y < y + h,
        Booth.y + Booth.h > y,
    )
    if exclude_id is not None:
        query = query.where(Booth.id != exclude_id)
    return session.exec(query.order_by(Booth.code)).first()


def save_booth(
    session: Session,
    edition: Edition,
    organiser: User,
    data: BoothData,
    booth_id: int | None = None,
) -> Booth:
    """Create or change a booth; a used code, or a place off the hall or on a booth, is refused."""
    code = data.code.strip().upper()
    if not CODE_RE.match(code):
        raise BoothError(
            _l("Use 1 to 16 letters, digits, dots, dashes or underscores."), field="code"
        )
    if data.size not in SIZES:
        raise BoothError(_l("Choose one of the listed options."), field="size")
    if not 0 <= data.price_vnd <= MAX_PRICE_VND:
        raise BoothError(_l("Enter a price between 0 and 2,000,000,000 ₫."), field="price_vnd")
    get_zone(session, edition, data.zone_id)
    rect = (data.x, data.y, data.w, data.h)
    if not availability.inside_hall(*rect):
        raise BoothError(
            _l("The booth must lie inside the hall (%(w)s × %(h)s).", w=HALL_WIDTH, h=HALL_HEIGHT),
            field="x",
        )
    booth = get_booth(session, edition, booth_id) if booth_id is not None else None
    if code_taken(session, Booth, edition.id, code, booth_id):
        raise BoothError(_l("Another booth already uses the code %(code)s.", code=code), "code")
    other = overlapping(session, edition, rect, booth_id)
    if other is not None:
        raise BoothError(_l("This place overlaps booth %(code)s.", code=other.code), field="x")
    if booth is None:
        booth = Booth(edition_id=edition.id, code=code, zone_id=data.zone_id, x=0, y=0, w=1, h=1)
    booth.code = code
    booth.zone_id = data.zone_id
    booth.size = data.size
    booth.price_vnd = data.price_vnd
    booth.x, booth.y, booth.w, booth.h = rect
    _write_coded(
        session,
        booth,
        _l("Another booth already uses the code %(code)s.", code=code),
        "booth.create" if booth_id is None else "booth.update",
        organiser,
        edition,
    )
    return booth


def _write_coded(session: Session, row, taken_message, action: str, organiser, edition) -> None:
    """Write a booth or zone; the unique code index has the last word. Audited."""
    try:
        with session.begin_nested():
            session.add(row)
            session.flush()
    except IntegrityError:
        raise BoothError(taken_message, "code") from None
    audit.record(
        session,
        action,
        user_id=organiser.id,
        edition_id=edition.id,
        object_type=type(row).__name__.lower(),
        object_id=row.id,
        code=row.code,
    )


def save_zone(
    session: Session,
    edition: Edition,
    organiser: User,
    *,
    code: str,
    name_vi: str,
    name_en: str,
    color: str,
    zone_id: int | None = None,
) -> Zone:
    """Create or change a zone (code, names, colour); audited."""
    code = code.strip().upper()
    if not CODE_RE.match(code):
        raise BoothError(
            _l("Use 1 to 16 letters, digits, dots, dashes or underscores."), field="code"
        )
    if not COLOR_RE.match(color or ""):
        raise BoothError(_l("Give a colour such as #1d3557."), field="color")
    for name, value in (("name_vi", name_vi), ("name_en", name_en)):
        if not value.strip():
            raise BoothError(_l("This field is required."), field=name)
    zone = get_zone(session, edition, zone_id) if zone_id is not None else None
    if code_taken(session, Zone, edition.id, code, zone_id):
        raise BoothError(_l("Another zone already uses the code %(code)s.", code=code), "code")
    if zone is None:
        zone = Zone(edition_id=edition.id, code=code, name_vi="", name_en="")
    zone.code = code
    zone.name_vi = name_vi.strip()
    zone.name_en = name_en.strip()
    zone.color = color.lower()
    _write_coded(
        session,
        zone,
        _l("Another zone already uses the code %(code)s.", code=code),
        "zone.create" if zone_id is None else "zone.update",
        organiser,
        edition,
    )
    return zone


def update_settings(
    session: Session, edition: Edition, organiser: User, hold_hours: int, max_booths: int
) -> Edition:
    """Change how long a request holds a booth and how many booths one organisation may hold."""
    if not 1 <= hold_hours <= MAX_HOLD_HOURS:
        raise BoothError(_l("Enter between 1 and 720 hours."), field="hold_hours")
    if not 0 <= max_booths <= MAX_BOOTHS_LIMIT:
        raise BoothError(_l("Enter between 0 and 50 booths."), field="max_booths")
    edition.booth_hold_hours = hold_hours
    edition.max_booths_per_organisation = max_booths
    session.add(edition)
    session.flush()
    audit.record(
        session,
        "booth.settings",
        user_id=organiser.id,
        edition_id=edition.id,
        object_type="edition",
        object_id=edition.id,
        hold_hours=hold_hours,
        max_booths=max_booths,
    )
    return edition


def startup_organisations(session: Session, edition: Edition) -> list[Organisation]:
    """Startups with a member in this edition (those who may request booths)."""
    return list(
        session.exec(
            select(Organisation)
            .where(
                Organisation.kind == "startup",
                Organisation.id.in_(
                    select(User.organisation_id)
                    .join(EditionRole, EditionRole.user_id == User.id)
                    .where(EditionRole.edition_id == edition.id, EditionRole.role == "startup")
                ),
            )
            .order_by(Organisation.name)
        )
    )


def allowances(session: Session, edition: Edition) -> list[tuple[BoothAllowance, Organisation]]:
    """Organisations allowed another number of booths than the edition's limit."""
    return list(
        session.exec(
            select(BoothAllowance, Organisation)
            .join(Organisation, Organisation.id == BoothAllowance.organisation_id)
            .where(BoothAllowance.edition_id == edition.id)
            .order_by(Organisation.name)
        )
    )


def set_allowance(
    session: Session, edition: Edition, organiser: User, organisation_id: int, max_booths: int
) -> BoothAllowance:
    """Let one organisation hold a different number of booths than the edition's limit."""
    if not 0 <= max_booths <= MAX_BOOTHS_LIMIT:
        raise BoothError(_l("Enter between 0 and 50 booths."), field="max_booths")
    if organisation_id not in {o.id for o in startup_organisations(session, edition)}:
        raise BoothError(_l("Choose one of the listed options."), field="organisation_id")
    allowance = session.exec(
        select(BoothAllowance).where(
            BoothAllowance.edition_id == edition.id,
            BoothAllowance.organisation_id == organisation_id,
        )
    ).first() or BoothAllowance(
        edition_id=edition.id, organisation_id=organisation_id, max_booths=0
    )
    allowance.max_booths = max_booths
    session.add(allowance)
    session.flush()
    audit.record(
        session,
        "booth.allowance",
        user_id=organiser.id,
        edition_id=edition.id,
        object_type="organisation",
        object_id=organisation_id,
        max_booths=max_booths,
    )
    return allowance


def remove_allowance(
    session: Session, edition: Edition, organiser: User, allowance_id: int
) -> None:
    """Remove an organisation's exception: the edition's limit applies again."""
    allowance = session.exec(
        select(BoothAllowance).where(
            BoothAllowance.id == allowance_id, BoothAllowance.edition_id == edition.id
        )
    ).first()
    if allowance is None:
        raise BoothNotFound()
    session.delete(allowance)
    session.flush()
    audit.record(
        session,
        "booth.allowance_removed",
        user_id=organiser.id,
        edition_id=edition.id,
        object_type="organisation",
        object_id=allowance.organisation_id,
    )
