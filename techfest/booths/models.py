"""The floor plan: zones, booths and booth bookings."""

from __future__ import annotations

from datetime import datetime

import sqlalchemy as sa
from sqlmodel import Field, SQLModel

from techfest.core.models import utc_field
from techfest.db import now_utc


class Zone(SQLModel, table=True):
    __table_args__ = (sa.UniqueConstraint("edition_id", "code", name="uq_zone_code"),)
    id: int | None = Field(default=None, primary_key=True)
    edition_id: int = Field(foreign_key="edition.id", index=True)
    code: str
    name_vi: str
    name_en: str
    color: str = "#6c757d"


class Booth(SQLModel, table=True):
    __table_args__ = (
        sa.UniqueConstraint("edition_id", "code", name="uq_booth_code"),
        sa.CheckConstraint("size IN ('S', 'M', 'L')", name="ck_booth_size"),
        sa.CheckConstraint("status IN ('open', 'blocked')", name="ck_booth_status"),
        sa.CheckConstraint("w > 0 AND h > 0", name="ck_booth_shape"),
    )
    id: int | None = Field(default=None, primary_key=True)
    edition_id: int = Field(foreign_key="edition.id", index=True)
    zone_id: int = Field(foreign_key="zone.id", index=True)
    code: str
    size: str = "S"
    price_vnd: int = Field(default=0, sa_type=sa.BigInteger)
    #: position and shape on the hall map, in map units (10 units = 1 m)
    x: int
    y: int
    w: int
    h: int
    #: 'open' for sale, or 'blocked' by the organiser; held/taken comes from bookings
    status: str = "open"


class BoothBooking(SQLModel, table=True):
    """A startup's request for a booth; at most one live booking per booth."""

    __tablename__ = "booth_booking"
    __table_args__ = (
        sa.CheckConstraint(
            "status IN ('pending', 'approved', 'rejected', 'expired', 'cancelled')",
            name="ck_booth_booking_status",
        ),
        sa.Index(
            "uq_booth_booking_live",
            "booth_id",
            unique=True,
            sqlite_where=sa.text("status IN ('pending', 'approved')"),
            postgresql_where=sa.text("status IN ('pending', 'approved')"),
        ),
    )
    id: int | None = Field(default=None, primary_key=True)
    booth_id: int = Field(foreign_key="booth.id", index=True)
    organisation_id: int = Field(foreign_key="organisation.id", index=True)
    requested_by_id: int | None = Field(default=None, foreign_key="user.id")
    status: str = "pending"
    #: a pending booking lapses at this time unless approved
    hold_expires_at: datetime | None = utc_field(default=None, nullable=True)
    decided_at: datetime | None = utc_field(default=None, nullable=True)
    decided_by_id: int | None = Field(default=None, foreign_key="user.id")
    reason: str = ""
    created_at: datetime = utc_field(default_factory=now_utc)


class BoothAllowance(SQLModel, table=True):
    """An organiser's exception: this organisation may hold more booths than the edition allows."""

    __tablename__ = "booth_allowance"
    __table_args__ = (
        sa.UniqueConstraint("edition_id", "organisation_id", name="uq_booth_allowance"),
        sa.CheckConstraint("max_booths >= 0", name="ck_booth_allowance_max"),
    )
    id: int | None = Field(default=None, primary_key=True)
    edition_id: int = Field(foreign_key="edition.id", index=True)
    organisation_id: int = Field(foreign_key="organisation.id", index=True)
    #: live bookings this organisation may hold in the edition (replaces the edition's limit)
    max_booths: int
