"""Builders for registration tests: ticket types, registrations, the outbox."""

from __future__ import annotations

import pytest
from sqlmodel import Session, select

from techfest.core.models import OutboxEmail
from techfest.registration.booking import BadgeDetails, register_delegate
from techfest.registration.models import Registration
from tests.factories import make_edition, make_user


def register(session: Session, edition, user, ticket, **details):
    """Register `user` through the service, as the public form would."""
    data = {"full_name": user.full_name, "email": user.email, "language": user.locale}
    data.update(details)
    return register_delegate(
        session, edition, user, ticket.id, BadgeDetails(**data), consented=True
    ).registration


def form_data(ticket, **overrides) -> dict:
    data = {
        "ticket_type": str(ticket.id),
        "full_name": "Nguyễn Thị Mai",
        "organisation_name": "Cảng Hải Phòng",
        "job_title": "Kỹ sư",
        "phone": "+84 912 345 678",
        "email": "mai@example.vn",
        "language": "vi",
        "consent": "y",
    }
    data.update(overrides)
    return {k: v for k, v in data.items() if v is not None}


def outbox(session: Session, to: str | None = None) -> list[OutboxEmail]:
    session.expire_all()
    query = select(OutboxEmail).order_by(OutboxEmail.id)
    if to is not None:
        query = query.where(OutboxEmail.to_email == to)
    return list(session.exec(query))


def registrations(session: Session, **where) -> list[Registration]:
    session.expire_all()
    query = select(Registration).order_by(Registration.id)
    for key, value in where.items():
        query = query.where(getattr(Registration, key) == value)
    return list(session.exec(query))


@pytest.fixture
def edition(session):
    edition = make_edition(session)
    session.commit()
    return edition


@pytest.fixture
def organiser(session, edition):
    user = make_user(session, edition, role="organiser", email="btc@techfest.vn")
    session.commit()
    return user


@pytest.fixture
def delegate(session, edition):
    user = make_user(session, edition, email="mai@example.vn", full_name="Nguyễn Thị Mai")
    session.commit()
    return user
