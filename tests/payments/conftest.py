"""Builders for payment tests: a paid ticket, the edition's bank account, statements."""

from __future__ import annotations

import pytest
from sqlmodel import Session, select

from techfest.payments.models import PaymentOrder, PaymentSettings
from techfest.registration.booking import BadgeDetails, register_delegate
from tests.factories import make_edition, make_user
from tests.factories.registration import make_ticket

VIP_PRICE = 1_500_000


@pytest.fixture
def edition(session):
    edition = make_edition(session)
    session.add(
        PaymentSettings(
            edition_id=edition.id,
            bank_bin="970436",
            bank_name="Vietcombank",
            account_number="0031000123456",
            account_name="BAN TO CHUC TECHFEST",
            days_to_pay=5,
        )
    )
    session.commit()
    return edition


@pytest.fixture
def vip(session, edition):
    ticket = make_ticket(session, edition, code="VIP", price_vnd=VIP_PRICE, capacity=10)
    session.commit()
    return ticket


@pytest.fixture
def organiser(session, edition):
    user = make_user(session, edition, role="organiser", email="btc@techfest.vn")
    session.commit()
    return user


def hold(session: Session, edition, user, ticket):
    """Register `user` for the paid ticket (inside an app context): the held registration."""
    details = BadgeDetails(full_name=user.full_name, email=user.email, language=user.locale)
    return register_delegate(
        session, edition, user, ticket.id, details, consented=True
    ).registration


def order_of(session: Session, registration) -> PaymentOrder:
    session.commit()  # a fresh snapshot: SQLite keeps a reader on its first one
    session.expire_all()
    return session.exec(
        select(PaymentOrder).where(
            PaymentOrder.kind == "ticket", PaymentOrder.subject_id == registration.id
        )
    ).one()


def vcb_csv(*lines: tuple[str, str, int, str]) -> bytes:
    """A Vietcombank-like export: (bank id, date, credit, description) per line, with the
    account lines some exports print above the header."""
    out = [
        "SAO KÊ TÀI KHOẢN / ACCOUNT STATEMENT",
        "Số tài khoản: 0031000123456",
        "Số tham chiếu,Ngày giao dịch,Số tiền ghi nợ,Số tiền ghi có,Mô tả",
    ]
    for bank_id, day, credit, text in lines:
        out.append(f'{bank_id},{day},,"{credit:,}","{text}"')
    return ("\n".join(out) + "\n").encode("utf-8")
