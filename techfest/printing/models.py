"""Generated documents, kept in the database so every app server can serve them."""

from __future__ import annotations

from datetime import datetime

import sqlalchemy as sa
from sqlmodel import Field, SQLModel

from techfest.core.models import utc_field
from techfest.db import now_utc


class Document(SQLModel, table=True):
    __table_args__ = (sa.UniqueConstraint("edition_id", "kind", "key", name="uq_document_key"),)
    id: int | None = Field(default=None, primary_key=True)
    edition_id: int = Field(foreign_key="edition.id", index=True)
    #: 'agenda', 'badges', 'table-sheets', 'room-sheets', 'booklet', ...
    kind: str = Field(index=True)
    #: what the document is of, e.g. "user:42:vi" or "all"
    key: str
    owner_user_id: int | None = Field(default=None, foreign_key="user.id", index=True)
    #: hash of the data it was rendered from; same hash, no new rendering
    content_hash: str
    filename: str
    pdf: bytes = Field(sa_type=sa.LargeBinary)
    pages: int = 0
    created_at: datetime = utc_field(default_factory=now_utc)
