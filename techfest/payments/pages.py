"""What the payment pages show: the order, the VietQR code, the organiser's lists."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime

import segno
import sqlalchemy as sa
from sqlmodel import Session, func, select

from techfest.core import csvio
from techfest.db import now_utc
from techfest.payments import orders
from techfest.payments.models import PaymentOrder, PaymentOrderLine, PaymentSettings
from techfest.payments.vietqr import PayloadError, build_payload

FILTERS = ("pending", "overdue", "paid", "review", "refund", "closed")


@dataclass(frozen=True)
class PaymentPage:
    order: PaymentOrder
    lines: list[PaymentOrderLine]
    settings: PaymentSettings
    #: the VietQR text (None when the edition has no account set up yet)
    payload: str | None
    #: the code as a PNG data URI for <img>
    qr_image: str | None


def vietqr_for(settings: PaymentSettings, order: PaymentOrder) -> str | None:
    lacking = order.total_vnd - order.paid_vnd
    if not settings.account_number or lacking <= 0:
        return None
    try:
        return build_payload(settings.bank_bin, settings.account_number, lacking, order.reference)
    except PayloadError:
        return None


def qr_png(payload: str, scale: int = 6) -> bytes:
    import io

    buffer = io.BytesIO()
    segno.make(payload, error="m").save(buffer, kind="png", scale=scale, border=4)
    return buffer.getvalue()


def payment_page(session: Session, order: PaymentOrder) -> PaymentPage:
    settings = orders.settings_for(session, order.edition_id)
    payload = vietqr_for(settings, order) if order.status == "pending" else None
    image = segno.make(payload, error="m").png_data_uri(scale=6, border=4) if payload else None
    return PaymentPage(order, orders.lines_of(session, order.id), settings, payload, image)


def open_payment(session: Session, edition_id: int, user_id: int) -> PaymentPage | None:
    """The person's order still waiting for money, ready to show (the agenda shows it)."""
    order = orders.open_order_of_person(session, edition_id, user_id)
    return payment_page(session, order) if order is not None else None


@dataclass(frozen=True)
class OrderList:
    orders: list[PaymentOrder]
    #: (status, count, total đồng) for the whole edition
    totals: list[tuple[str, int, int]]
    paid_vnd: int
    outstanding_vnd: int
    refund_due_vnd: int
    #: per ticket type or booth zone: (kind, name vi, name en, received, outstanding)
    by_item: list[tuple[str, str, str, int, int]] = field(default_factory=list)


def _filtered(query, what: str | None, now: datetime):
    if what == "pending":
        return query.where(PaymentOrder.status == "pending", PaymentOrder.expires_at > now)
    if what == "overdue":
        return query.where(PaymentOrder.status == "pending", PaymentOrder.expires_at <= now)
    if what == "paid":
        return query.where(PaymentOrder.status == "paid")
    if what == "review":
        return query.where(PaymentOrder.needs_review.is_(True))
    if what == "refund":
        return query.where(PaymentOrder.refund_due_vnd > 0)
    if what == "closed":
        return query.where(PaymentOrder.status.in_(("cancelled", "expired", "refunded")))
    return query


def list_orders(
    session: Session,
    edition_id: int,
    *,
    what: str | None = None,
    q: str = "",
    now: datetime | None = None,
) -> OrderList:
    now = now or now_utc()
    query = select(PaymentOrder).where(PaymentOrder.edition_id == edition_id)
    query = _filtered(query, what if what in FILTERS else None, now)
    if q:
        like = f"%{q.strip()}%"
        query = query.where(
            PaymentOrder.reference.ilike(like)
            | PaymentOrder.buyer_name.ilike(like)
            | PaymentOrder.buyer_email.ilike(like)
        )
    found = list(session.exec(query.order_by(PaymentOrder.id.desc()).limit(500)))
    totals = [
        (status, int(n), int(total or 0))
        for status, n, total in session.exec(
            select(PaymentOrder.status, func.count(), func.sum(PaymentOrder.total_vnd))
            .where(PaymentOrder.edition_id == edition_id)
            .group_by(PaymentOrder.status)
            .order_by(PaymentOrder.status)
        )
    ]
    paid, outstanding, due = session.exec(
        select(
            func.coalesce(func.sum(PaymentOrder.paid_vnd), 0),
            func.coalesce(
                func.sum(
                    sa.case(
                        (
                            PaymentOrder.status == "pending",
                            PaymentOrder.total_vnd - PaymentOrder.paid_vnd,
                        ),
                        else_=0,
                    )
                ),
                0,
            ),
            func.coalesce(func.sum(PaymentOrder.refund_due_vnd), 0),
        ).where(PaymentOrder.edition_id == edition_id)
    ).one()
    return OrderList(
        found, totals, int(paid), int(outstanding), int(due), money_by_item(session, edition_id)
    )


def money_by_item(session: Session, edition_id: int) -> list[tuple[str, str, str, int, int]]:
    """Received and outstanding money per ticket type / booth (by what the lines say):
    (kind, name in vi, name in en, paid đồng, outstanding đồng)."""
    gross = PaymentOrderLine.unit_price_vnd * PaymentOrderLine.quantity
    rows = session.exec(
        select(
            PaymentOrder.kind,
            PaymentOrderLine.description_vi,
            PaymentOrderLine.description_en,
            func.sum(sa.case((PaymentOrder.status == "paid", gross), else_=0)),
            func.sum(sa.case((PaymentOrder.status == "pending", gross), else_=0)),
        )
        .join(PaymentOrder, PaymentOrder.id == PaymentOrderLine.order_id)
        .where(PaymentOrder.edition_id == edition_id)
        .group_by(
            PaymentOrder.kind, PaymentOrderLine.description_vi, PaymentOrderLine.description_en
        )
        .order_by(PaymentOrder.kind, PaymentOrderLine.description_vi)
    ).all()
    return [(k, vi, en, int(p or 0), int(o or 0)) for k, vi, en, p, o in rows]


EXPORT_COLUMNS = (
    "reference",
    "status",
    "kind",
    "buyer_name",
    "buyer_email",
    "total_vnd",
    "paid_vnd",
    "refund_due_vnd",
    "needs_review",
    "created_at",
    "expires_at",
    "paid_at",
)


def export_orders_csv(session: Session, edition_id: int, what: str | None = None) -> str:
    listed = list_orders(session, edition_id, what=what)
    return csvio.write_csv(
        (
            {
                "reference": o.reference,
                "status": o.status,
                "kind": o.kind,
                "buyer_name": o.buyer_name,
                "buyer_email": o.buyer_email,
                "total_vnd": o.total_vnd,
                "paid_vnd": o.paid_vnd,
                "refund_due_vnd": o.refund_due_vnd,
                "needs_review": int(o.needs_review),
                "created_at": o.created_at.isoformat(),
                "expires_at": o.expires_at.isoformat(),
                "paid_at": o.paid_at.isoformat() if o.paid_at else "",
            }
            for o in listed.orders
        ),
        EXPORT_COLUMNS,
    )
