"""Receipts (PDF, vi/en, VAT shown) and the e-invoice export for the provider.

Prices include VAT; the VAT in a line is taken out of its gross amount at the line's rate,
rounded to whole đồng. We do not sign invoices: the export carries what an e-invoice
provider asks for (buyer, tax code, lines, VAT rate, totals) and the organiser hands it on.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from flask import render_template
from flask_babel import force_locale
from flask_babel import gettext as _
from sqlmodel import Session, select

from techfest.config import ROOT
from techfest.core import csvio
from techfest.core.models import Edition
from techfest.payments import orders
from techfest.payments.errors import PaymentError
from techfest.payments.models import PaymentOrder, PaymentOrderLine

RECEIPT_CSS = ROOT / "static" / "css" / "receipt.css"


@dataclass(frozen=True)
class LineAmounts:
    line: PaymentOrderLine
    gross_vnd: int
    vat_vnd: int

    @property
    def net_vnd(self) -> int:
        return self.gross_vnd - self.vat_vnd


def amounts(line: PaymentOrderLine) -> LineAmounts:
    gross = line.unit_price_vnd * line.quantity
    vat = (gross * line.vat_rate_percent + (100 + line.vat_rate_percent) // 2) // (
        100 + line.vat_rate_percent
    )
    return LineAmounts(line, gross, vat)


def _no_fetching():
    """A WeasyPrint fetcher that refuses every URL: a receipt is made of its own text."""
    from weasyprint.urls import URLFetcher

    class NoFetcher(URLFetcher):
        def fetch(self, url, headers=None):
            raise ValueError(f"a receipt fetches nothing ({url[:60]!r})")

    return NoFetcher()


def receipt_pdf(session: Session, order: PaymentOrder) -> bytes:
    """The receipt of a paid order, in the buyer's language."""
    from weasyprint import CSS, HTML

    if order.paid_at is None:
        raise PaymentError(_("A receipt is made once the order is paid."))
    edition = session.get(Edition, order.edition_id)
    settings = orders.settings_for(session, order.edition_id)
    lines = [amounts(line) for line in orders.lines_of(session, order.id)]
    with force_locale(order.language):
        html = render_template(
            "payments/receipt_pdf.html",
            order=order,
            edition=edition,
            settings=settings,
            lines=lines,
            net=sum(a.net_vnd for a in lines),
            vat=sum(a.vat_vnd for a in lines),
            gross=sum(a.gross_vnd for a in lines),
            lang=order.language,
        )
    fetcher = _no_fetching()
    css = CSS(string=RECEIPT_CSS.read_text(encoding="utf-8"), url_fetcher=fetcher)
    return HTML(string=html, url_fetcher=fetcher).write_pdf(stylesheets=[css])


EINVOICE_COLUMNS = (
    "reference",
    "invoice_date",
    "buyer_name",
    "buyer_organisation",
    "buyer_tax_code",
    "buyer_address",
    "buyer_email",
    "line_no",
    "item_name",
    "unit",
    "quantity",
    "unit_price_excl_vat_vnd",
    "amount_excl_vat_vnd",
    "vat_rate_percent",
    "vat_amount_vnd",
    "amount_incl_vat_vnd",
    "order_total_incl_vat_vnd",
    "currency",
    "payment_method",
)


def einvoice_csv(session: Session, edition_id: int) -> str:
    """One row per line of every paid order: what the e-invoice provider asks for."""
    paid = session.exec(
        select(PaymentOrder)
        .where(PaymentOrder.edition_id == edition_id, PaymentOrder.paid_at.is_not(None))
        .order_by(PaymentOrder.paid_at, PaymentOrder.id)
    ).all()
    rows = []
    for order in paid:
        for number, line in enumerate(orders.lines_of(session, order.id), start=1):
            a = amounts(line)
            day: date = order.paid_at.date()
            rows.append(
                {
                    "reference": order.reference,
                    "invoice_date": day.isoformat(),
                    "buyer_name": order.buyer_name,
                    "buyer_organisation": order.buyer_organisation,
                    "buyer_tax_code": order.buyer_tax_code,
                    "buyer_address": order.buyer_address,
                    "buyer_email": order.buyer_email,
                    "line_no": number,
                    "item_name": line.description_vi,
                    "unit": "vé" if order.kind == "ticket" else "gian hàng",
                    "quantity": line.quantity,
                    "unit_price_excl_vat_vnd": a.net_vnd // line.quantity,
                    "amount_excl_vat_vnd": a.net_vnd,
                    "vat_rate_percent": line.vat_rate_percent,
                    "vat_amount_vnd": a.vat_vnd,
                    "amount_incl_vat_vnd": a.gross_vnd,
                    "order_total_incl_vat_vnd": order.total_vnd,
                    "currency": "VND",
                    "payment_method": "CK",
                }
            )
    return csvio.write_csv(rows, EINVOICE_COLUMNS)
