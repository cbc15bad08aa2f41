"""Ticket types and delegate registrations.

Capacity: `TicketType.confirmed_count` is raised by one atomic conditional UPDATE
(`... WHERE confirmed_count < capacity`) and the database refuses a count above capacity.
"""

from __future__ import annotations

from datetime import datetime

import sqlalchemy as sa
from sqlmodel import Field, SQLModel

from techfest.auth.models import new_token
from techfest.core.models import utc_field
from techfest.core.text import search_key
from techfest.db import now_utc


class TicketType(SQLModel, table=True):
    __tablename__ = "ticket_type"
    __table_args__ = (
        sa.UniqueConstraint("edition_id", "code", name="uq_ticket_type_code"),
        sa.CheckConstraint("confirmed_count >= 0", name="ck_ticket_type_count_positive"),
        sa.CheckConstraint("confirmed_count <= capacity", name="ck_ticket_type_capacity"),
        sa.CheckConstraint("price_vnd >= 0", name="ck_ticket_type_price"),
    )
    id: int | None = Field(default=None, primary_key=True)
    edition_id: int = Field(foreign_key="edition.id", index=True)
    code: str
    name_vi: str
    name_en: str
    #: integer đồng; 0 means free
    price_vnd: int = Field(default=0, sa_type=sa.BigInteger)
    capacity: int
    #: confirmed registrations holding a place
    confirmed_count: int = 0
    sale_starts_at: datetime | None = utc_field(default=None, nullable=True)
    sale_ends_at: datetime | None = utc_field(default=None, nullable=True)
    is_public: bool = True


class Registration(SQLModel, table=True):
    """A delegate's place (or waitlist position) for one ticket type."""

    __table_args__ = (
        sa.CheckConstraint(
            "status IN ('pending', 'confirmed', 'waitlisted', 'cancelled')",
            name="ck_registration_status",
        ),
        # one live registration per person and edition
        sa.Index(
            "uq_registration_active",
            "edition_id",
            "user_id",
            unique=True,
            sqlite_where=sa.text("status != 'cancelled'"),
            postgresql_where=sa.text("status != 'cancelled'"),
        ),
    )
    id: int | None = Field(default=None, primary_key=True)
    edition_id: int = Field(foreign_key="edition.id", index=True)
    user_id: int = Field(foreign_key="user.id", index=True)
    ticket_type_id: int = Field(foreign_key="ticket_type.id", index=True)
    status: str = "confirmed"
    #: order on the waitlist (lower goes first); None when not waitlisted
    waitlist_position: int | None = None
    # badge fields, as the person wants them printed
    full_name: str
    organisation_name: str = ""
    job_title: str = ""
    phone: str = ""
    email: str
    language: str = "vi"
    #: name, organisation and e-mail folded (lower case, no diacritics) for the check-in
    #: desk's search; kept up to date on every insert and update, see _fold_search_key
    search_key: str = ""
    #: version of the consent text the person accepted, and when
    consent_version: str = ""
    consent_at: datetime | None = utc_field(default=None, nullable=True)
    #: version of the "exhibitors may have my contact details" text the person ticked, and
    #: when; empty / None when not given or withdrawn (see leads)
    exhibitor_consent_version: str = ""
    exhibitor_consent_at: datetime | None = utc_field(default=None, nullable=True)
    #: opaque code printed as the badge QR for check-in
    badge_code: str = Field(default_factory=new_token, unique=True, index=True)
    created_at: datetime = utc_field(default_factory=now_utc, index=True)
    confirmed_at: datetime | None = utc_field(default=None, nullable=True)
    cancelled_at: datetime | None = utc_field(default=None, nullable=True)


@sa.event.listens_for(Registration, "before_insert")
@sa.event.listens_for(Registration, "before_update")
def _fold_search_key(_mapper, _connection, target: Registration) -> None:
    target.search_key = search_key(target.full_name, target.organisation_name, target.email)
