"""Small builders for test data. Each flushes; the test commits when a request must see it."""

from __future__ import annotations

from datetime import date, datetime, timedelta
from itertools import count
from zoneinfo import ZoneInfo

from sqlmodel import Session
from werkzeug.security import generate_password_hash

from techfest.auth.models import User
from techfest.auth.services import create_organisation, grant_role
from techfest.core.mail import mark_confirmed
from techfest.core.models import Edition, Organisation

PASSWORD = "password123"  # noqa: S105 - test accounts only
_HASH = generate_password_hash(PASSWORD)
_seq = count(1)
HCM = ZoneInfo("Asia/Ho_Chi_Minh")


def local(year: int, month: int, day: int, hour: int = 9, minute: int = 0) -> datetime:
    return datetime(year, month, day, hour, minute, tzinfo=HCM)


def make_edition(session: Session, year: int = 2025, **fields) -> Edition:
    edition = Edition(
        year=year,
        number=fields.pop("number", year - 2016),
        name_vi=fields.pop("name_vi", f"Techfest Hải Phòng {year}"),
        name_en=fields.pop("name_en", f"Techfest Hai Phong {year}"),
        starts_on=fields.pop("starts_on", date(year, 10, 9)),
        ends_on=fields.pop("ends_on", date(year, 10, 11)),
        **fields,
    )
    session.add(edition)
    session.flush()
    return edition


def make_user(
    session: Session,
    edition: Edition | None = None,
    role: str | None = "delegate",
    email: str | None = None,
    organisation: Organisation | None = None,
    **fields,
) -> User:
    n = next(_seq)
    user = User(
        email=email or f"user{n}@example.vn",
        password_hash=_HASH,
        full_name=fields.pop("full_name", f"Người dùng {n}"),
        organisation_id=organisation.id if organisation else None,
        **fields,
    )
    session.add(user)
    session.flush()
    # an account made here stands for one whose owner confirmed the address long ago
    mark_confirmed(session, user.email)
    if edition is not None and role is not None:
        grant_role(session, user, edition.id, role)
    return user


def make_org(session: Session, kind: str = "startup", name: str | None = None) -> Organisation:
    return create_organisation(session, kind, name or f"{kind.title()} {next(_seq)}")


def soon(hours: int = 1) -> datetime:
    from techfest.db import now_utc

    return now_utc() + timedelta(hours=hours)
