"""The tickets on offer: ticket types, what is on sale, the consent text and field rules."""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from datetime import datetime

from flask_babel import lazy_gettext as _l
from sqlmodel import Session, func, select

from techfest.db import now_utc
from techfest.registration.errors import NotFound, RegistrationError
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


#: version of the text below, stored on a registration when the person ticks it.
#: Change the text only together with a new version.
EXHIBITOR_CONSENT_VERSION = "2025-10-v1"


EXHIBITOR_CONSENT_TEXTS = {
    "vi": (
        "Tôi đồng ý để các đơn vị trưng bày quét thẻ đại biểu của tôi tại gian hàng được "
        "xem email và số điện thoại của tôi. Tôi có thể rút lại sự đồng ý này bất cứ lúc nào."
    ),
    "en": (
        "I agree that exhibitors who scan my badge at their booth may see my email and "
        "phone number. I may withdraw this consent at any time."
    ),
}


def exhibitor_consent_text(language: str) -> str:
    """The exhibitor-sharing consent text in `language`."""
    return EXHIBITOR_CONSENT_TEXTS.get(language, EXHIBITOR_CONSENT_TEXTS["vi"])


LANGUAGES = ("vi", "en")


#: pending: a paid ticket's place is held until the order is paid (payments confirms it)
STATUSES = ("pending", "confirmed", "waitlisted", "cancelled")


NAME_MAX = 120


ORG_MAX = 160


TITLE_MAX = 120


PHONE_RE = re.compile(r"^\+?[0-9][0-9 .()-]{5,22}$")


CODE_RE = re.compile(r"^[A-Z0-9][A-Z0-9_-]{0,31}$")


CONSENT_YES = {"1", "yes", "y", "true", "x", "có", "co"}


CONSENT_NO = {"", "0", "no", "n", "false", "không", "khong"}


#: password hash that matches no password: imported people choose theirs by password reset
NO_PASSWORD = "!"  # noqa: S105 - not a password: a hash no password matches


@dataclass(frozen=True)
class TicketTypeData:
    """A ticket type as the organiser's form hands it over."""

    code: str
    name_vi: str
    name_en: str
    price_vnd: int
    capacity: int
    sale_starts_at: datetime | None
    sale_ends_at: datetime | None
    is_public: bool


@dataclass(frozen=True)
class TicketOffer:
    """A ticket type as the registration page offers it: places left, waiting."""

    ticket: TicketType
    places_left: int
    waiting: int

    @property
    def full(self) -> bool:
        return self.places_left <= 0 or self.waiting > 0


def consent_text(language: str) -> str:
    """The consent text in `language`."""
    return CONSENT_TEXTS.get(language, CONSENT_TEXTS["vi"])


def has_control_chars(value: str) -> bool:
    """True for NUL and other control characters no badge field should hold."""
    return any(unicodedata.category(c) in ("Cc", "Cs", "Co") for c in value)


def clean(value: str | None) -> str:
    """A field's text, trimmed and in one Unicode form (NFC)."""
    return unicodedata.normalize("NFC", (value or "").strip())


def is_on_sale(ticket: TicketType, now: datetime | None = None) -> bool:
    """Whether the ticket type is public and inside its sale dates."""
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
    """The edition's ticket type with this id; NotFound otherwise."""
    ticket = session.exec(
        select(TicketType).where(
            TicketType.id == ticket_type_id, TicketType.edition_id == edition_id
        )
    ).first()
    if ticket is None:
        raise NotFound()
    return ticket


def waiting_counts(session: Session, edition_id: int) -> dict[int, int]:
    """How many people wait for each ticket type."""
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
    waiting = waiting_counts(session, edition_id)
    return [
        TicketOffer(t, t.capacity - t.confirmed_count, waiting.get(t.id, 0))
        for t in ticket_types(session, edition_id)
        if t.is_public and is_on_sale(t, now)
    ]


def check_ticket_data(data: TicketTypeData) -> None:
    """Refuse a ticket type whose fields break a rule."""
    if not CODE_RE.match(data.code):
        raise RegistrationError(
            _l("The code uses capital letters, digits, - and _ (at most 32 characters).")
        )
    if data.capacity < 0 or data.price_vnd < 0:
        raise RegistrationError(_l("Capacity and price cannot be negative."))
    if data.sale_starts_at and data.sale_ends_at and data.sale_ends_at <= data.sale_starts_at:
        raise RegistrationError(_l("The sale must end after it starts."))


def code_taken_in(session: Session, edition_id: int, code: str, except_id: int | None) -> bool:
    """Whether another ticket type of the edition uses the code."""
    query = select(TicketType.id).where(
        TicketType.edition_id == edition_id, TicketType.code == code
    )
    if except_id is not None:
        query = query.where(TicketType.id != except_id)
    return session.exec(query).first() is not None
