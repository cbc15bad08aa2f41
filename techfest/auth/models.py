"""Accounts and their roles per edition."""

from __future__ import annotations

import secrets
from datetime import datetime

import sqlalchemy as sa
from flask_login import UserMixin
from sqlmodel import Field, SQLModel

from techfest.core.models import utc_field
from techfest.db import now_utc


def new_token() -> str:
    return secrets.token_urlsafe(24)


class User(UserMixin, SQLModel, table=True):
    id: int | None = Field(default=None, primary_key=True)
    #: stored lower-cased; unique across the installation
    email: str = Field(unique=True, index=True)
    password_hash: str = ""
    full_name: str
    locale: str = "vi"
    phone: str = ""
    job_title: str = ""
    organisation_id: int | None = Field(default=None, foreign_key="organisation.id", index=True)
    #: secret for the personal iCal feed and agenda QR links; rotate to revoke
    feed_token: str = Field(default_factory=new_token, unique=True, index=True)
    is_active_account: bool = True
    #: set when the person's data was anonymised on request or by retention
    erased_at: datetime | None = utc_field(default=None, nullable=True)
    sample: bool = False
    created_at: datetime = utc_field(default_factory=now_utc)
    last_login_at: datetime | None = utc_field(default=None, nullable=True)

    @property
    def is_active(self) -> bool:  # Flask-Login
        return self.is_active_account and self.erased_at is None


class RateCounter(SQLModel, table=True):
    """A counter behind the account doors' rate limits, when no Redis server is set.

    Shared by every worker of the installation, because it lives in the database. Times
    are milliseconds since the epoch: the counters are compared and updated in one SQL
    statement (auth/ratelimit.py), without a round trip through Python datetimes.
    """

    __tablename__ = "rate_counter"

    #: what is counted, e.g. "login:ip:203.0.113.9" or "fail:<hash of the email>"
    key: str = Field(primary_key=True, max_length=200)
    count: int = Field(default=0, sa_type=sa.BigInteger)
    #: when the count starts again from nothing
    expires_ms: int = Field(default=0, sa_type=sa.BigInteger, index=True)
    #: the last time the counter was hit
    last_ms: int = Field(default=0, sa_type=sa.BigInteger)
