"""Orders, their lines, the edition's bank details and the bank statement lines read.

Money is integer đồng in 64-bit columns. An order's status moves one way: `pending`
until the transfer arrives, then `paid`; a pending order becomes `expired` (unpaid in
time) or `cancelled`; a paid one may be cancelled (the money is then due back, see
`refund_due_vnd`) and later `refunded`. Status changes are conditional UPDATEs on the
status the change starts from, so two processes never both move one order.
"""

from __future__ import annotations

from datetime import date, datetime

import sqlalchemy as sa
from sqlmodel import Field, SQLModel

from techfest.core.models import utc_field
from techfest.db import now_utc

ORDER_STATUSES = ("pending", "paid", "cancelled", "expired", "refunded")
#: what an order is for: a delegate's ticket registration, or a startup's booth booking
ORDER_KINDS = ("ticket", "booth")
LINE_STATUSES = ("matched", "review", "resolved", "ignored")


def money(**kwargs) -> int:
    return Field(sa_type=sa.BigInteger, **kwargs)


class PaymentSettings(SQLModel, table=True):
    """The edition's receiving bank account, payment terms and the seller on receipts."""

    __tablename__ = "payment_settings"
    id: int | None = Field(default=None, primary_key=True)
    edition_id: int = Field(foreign_key="edition.id", unique=True)
    #: NAPAS bank identification number (6 digits), e.g. 970436 for Vietcombank
    bank_bin: str = "970436"
    bank_name: str = "Vietcombank"
    account_number: str = ""
    account_name: str = ""
    #: days a pending order holds its place before it expires unpaid
    days_to_pay: int = 5
    #: VAT rate in percent included in every price
    vat_rate_percent: int = 8
    seller_name: str = ""
    seller_tax_code: str = ""
    seller_address: str = ""


class PaymentOrder(SQLModel, table=True):
    __tablename__ = "payment_order"
    __table_args__ = (
        sa.CheckConstraint(
            "status IN ('pending', 'paid', 'cancelled', 'expired', 'refunded')",
            name="ck_payment_order_status",
        ),
        sa.CheckConstraint("kind IN ('ticket', 'booth')", name="ck_payment_order_kind"),
        sa.CheckConstraint("total_vnd > 0", name="ck_payment_order_total"),
        sa.CheckConstraint("paid_vnd >= 0 AND refund_due_vnd >= 0", name="ck_payment_order_money"),
        # one order per registration or booth booking
        sa.UniqueConstraint("kind", "subject_id", name="uq_payment_order_subject"),
    )
    id: int | None = Field(default=None, primary_key=True)
    edition_id: int = Field(foreign_key="edition.id", index=True)
    #: the account that pays and may see the order
    user_id: int = Field(foreign_key="user.id", index=True)
    kind: str
    #: the registration id (kind 'ticket') or booth booking id (kind 'booth')
    subject_id: int
    #: what the payer writes in the transfer, e.g. TF25-7K3Q9
    reference: str = Field(unique=True, index=True)
    status: str = Field(default="pending", index=True)
    total_vnd: int = money()
    #: what the bank lines matched to this order brought in
    paid_vnd: int = money(default=0)
    #: money received that goes back to the payer (cancelled after paying, a late
    #: transfer for a place no longer free, an overpayment); 0 once refunded
    refund_due_vnd: int = money(default=0)
    refund_account: str = ""
    #: a bank line about this order waits for the organiser
    needs_review: bool = False
    buyer_name: str
    buyer_email: str
    buyer_organisation: str = ""
    buyer_tax_code: str = ""
    buyer_address: str = ""
    language: str = "vi"
    created_at: datetime = utc_field(default_factory=now_utc)
    expires_at: datetime = utc_field()
    paid_at: datetime | None = utc_field(default=None, nullable=True)
    closed_at: datetime | None = utc_field(default=None, nullable=True)
    refunded_at: datetime | None = utc_field(default=None, nullable=True)


class PaymentOrderLine(SQLModel, table=True):
    __tablename__ = "payment_order_line"
    __table_args__ = (
        sa.CheckConstraint("quantity > 0 AND unit_price_vnd >= 0", name="ck_order_line_amount"),
    )
    id: int | None = Field(default=None, primary_key=True)
    order_id: int = Field(foreign_key="payment_order.id", index=True)
    description_vi: str
    description_en: str
    quantity: int = 1
    #: price including VAT
    unit_price_vnd: int = money()
    vat_rate_percent: int = 8


class StatementLine(SQLModel, table=True):
    """One credit line of a bank statement the organiser uploaded, and what became of it."""

    __tablename__ = "statement_line"
    __table_args__ = (
        # the same line imported again (the same file twice, or overlapping exports)
        sa.UniqueConstraint("edition_id", "line_key", name="uq_statement_line_key"),
        sa.CheckConstraint(
            "status IN ('matched', 'review', 'resolved', 'ignored')",
            name="ck_statement_line_status",
        ),
    )
    id: int | None = Field(default=None, primary_key=True)
    edition_id: int = Field(foreign_key="edition.id", index=True)
    #: the bank's transaction id, or a hash of date, amount and description
    line_key: str
    booked_on: date
    amount_vnd: int = money()
    description: str
    counterparty: str = ""
    source_name: str = ""
    status: str = Field(default="review", index=True)
    #: why the line waits for a person (partial, overpaid, unknown, several orders, ...)
    problem: str = ""
    order_id: int | None = Field(default=None, foreign_key="payment_order.id", index=True)
    imported_by_id: int | None = Field(default=None, foreign_key="user.id")
    imported_at: datetime = utc_field(default_factory=now_utc)
