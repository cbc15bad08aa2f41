"""Demo payment settings: the receiving account and seller shown on receipts (sample data)."""

from __future__ import annotations

from sqlmodel import Session, select

from techfest.payments.models import PaymentSettings


def load_demo(session: Session, edition) -> None:
    if session.exec(
        select(PaymentSettings).where(PaymentSettings.edition_id == edition.id)
    ).first():
        return
    session.add(
        PaymentSettings(
            edition_id=edition.id,
            bank_bin="970436",
            bank_name="Vietcombank",
            account_number="0031000123456",
            account_name="BAN TO CHUC TECHFEST (MAU)",
            days_to_pay=5,
            vat_rate_percent=8,
            seller_name="Ban tổ chức Techfest Hải Phòng (dữ liệu mẫu)",
            seller_tax_code="0200000000",
            seller_address="Hải Phòng",
        )
    )
    session.flush()
