"""Leads: the visitors a startup's booth staff scanned at its booth."""

from __future__ import annotations

from datetime import datetime

import sqlalchemy as sa
from sqlmodel import Field, SQLModel

from techfest.core.models import utc_field
from techfest.db import now_utc

#: what became of the exhibitor's request to see the visitor's contact details
CONTACT_STATUSES = ("", "requested", "accepted", "declined")


class Lead(SQLModel, table=True):
    """One visitor at one booth: scanned once, rated and noted by the booth's staff."""

    __table_args__ = (
        # a visitor is one lead per booth however often they are scanned there
        sa.UniqueConstraint("booth_id", "registration_id", name="uq_lead_booth_registration"),
        sa.CheckConstraint("rating IS NULL OR (rating BETWEEN 1 AND 5)", name="ck_lead_rating"),
        sa.CheckConstraint(
            "contact_status IN ('', 'requested', 'accepted', 'declined')",
            name="ck_lead_contact_status",
        ),
    )
    id: int | None = Field(default=None, primary_key=True)
    edition_id: int = Field(foreign_key="edition.id", index=True)
    booth_id: int = Field(foreign_key="booth.id", index=True)
    #: the exhibitor: the organisation holding the booth when the scan happened
    organisation_id: int = Field(foreign_key="organisation.id", index=True)
    registration_id: int = Field(foreign_key="registration.id", index=True)
    visitor_user_id: int = Field(foreign_key="user.id", index=True)
    scanned_by_id: int | None = Field(default=None, foreign_key="user.id")
    #: when the scan happened on the phone (it may arrive later, after an outage)
    scanned_at: datetime = utc_field(default_factory=now_utc)
    received_at: datetime = utc_field(default_factory=now_utc)
    #: id the phone gave this scan, so a replayed offline queue counts once
    client_scan_id: str | None = Field(default=None, unique=True)
    rating: int | None = None
    note: str = ""
    tags: list[str] = Field(default_factory=list, sa_type=sa.JSON)
    #: '' none asked; 'requested' by the exhibitor; then 'accepted' or 'declined' by the visitor
    contact_status: str = ""
    contact_answered_at: datetime | None = utc_field(default=None, nullable=True)


class StaffInvite(SQLModel, table=True):
    """A startup's invitation to staff its booths, sent by email; accepted once, revocable.

    An accepted invitation that is not revoked makes its person staff of every booth the
    startup holds in the edition: they scan and see its leads, nothing else of the startup.
    """

    __tablename__ = "staff_invite"
    id: int | None = Field(default=None, primary_key=True)
    edition_id: int = Field(foreign_key="edition.id", index=True)
    organisation_id: int = Field(foreign_key="organisation.id", index=True)
    #: the address invited: only the account with this address may accept
    email: str = Field(sa_type=sa.String(254))
    invited_by_id: int | None = Field(default=None, foreign_key="user.id")
    created_at: datetime = utc_field(default_factory=now_utc)
    expires_at: datetime = utc_field()
    accepted_at: datetime | None = utc_field(default=None, nullable=True)
    user_id: int | None = Field(default=None, foreign_key="user.id", index=True)
    revoked_at: datetime | None = utc_field(default=None, nullable=True)
