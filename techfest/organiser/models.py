"""Privacy requests: downloads and erasures asked for by the people concerned."""

from __future__ import annotations

from datetime import datetime

import sqlalchemy as sa
from sqlmodel import Field, SQLModel

from techfest.core.models import utc_field
from techfest.db import now_utc


class DataRequest(SQLModel, table=True):
    __tablename__ = "data_request"
    __table_args__ = (
        sa.CheckConstraint("kind IN ('export', 'erasure')", name="ck_data_request_kind"),
    )
    id: int | None = Field(default=None, primary_key=True)
    user_id: int | None = Field(default=None, foreign_key="user.id", index=True)
    #: edition whose organisers handle the request (None: asked outside any edition)
    edition_id: int | None = Field(default=None, foreign_key="edition.id", index=True)
    kind: str
    received_at: datetime = utc_field(default_factory=now_utc)
    completed_at: datetime | None = utc_field(default=None, nullable=True)
    #: organiser who completed it; None when the person did it themselves
    completed_by_id: int | None = Field(default=None, foreign_key="user.id")
    #: how the request came in ("self-service", "email"...); never personal data
    note: str = ""
