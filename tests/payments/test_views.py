"""The payment pages through the browser's door: register, see the QR, pay, get a receipt."""

from __future__ import annotations

import csv
import io
import re
from datetime import timedelta

from sqlmodel import select

from techfest.payments.models import PaymentOrder
from techfest.payments.vietqr import parse_payload
from tests.factories import PASSWORD, make_user
from tests.payments.conftest import VIP_PRICE, vcb_csv
from tests.registration.conftest import form_data


def _register(client, auth, session, edition, vip, email="mai@example.vn", lang="vi"):
    user = make_user(session, edition, email=email, full_name="Nguyễn Thị Mai")
    session.commit()
    auth.login(user.email, PASSWORD)
    response = client.post(
        f"/2025/registration/register?lang={lang}", data=form_data(vip, email=email, language=lang)
    )
    session.commit()
    order = session.exec(select(PaymentOrder).where(PaymentOrder.user_id == user.id)).one()
    return user, order, response


def test_registering_for_the_vip_pass_leads_to_the_payment_page(
    client, auth, session, edition, vip
):
    user, order, response = _register(client, auth, session, edition, vip)
    assert response.headers["Location"].endswith("/2025/payments/")

    page = client.get(f"/2025/payments/orders/{order.id}").get_data(as_text=True)

    assert order.reference in page
    assert "0031000123456" in page
    assert "1.500.000 ₫" in page
    assert "Nội dung chuyển khoản" in page
    payload = re.search(r'data-payload="([^"]+)"', page).group(1)
    transfer = parse_payload(payload)
    assert (transfer.account, transfer.amount_vnd, transfer.purpose) == (
        "0031000123456",
        VIP_PRICE,
        order.reference,
    )
    mine = client.get("/2025/registration/me").get_data(as_text=True)
    assert "Chờ thanh toán" in mine


def test_payment_page_in_english(client, auth, session, edition, vip):
    _user, order, _ = _register(client, auth, session, edition, vip, lang="en")
    page = client.get(f"/2025/payments/orders/{order.id}?lang=en").get_data(as_text=True)
    assert "Transfer message (reference)" in page
    assert "Account holder" in page


def test_nobody_sees_another_persons_order(client, auth, session, edition, vip):
    _user, order, _ = _register(client, auth, session, edition, vip)
    auth.logout()
    other = make_user(session, edition, email="lan@example.vn")
    session.commit()
    auth.login(other.email, PASSWORD)

    assert client.get(f"/2025/payments/orders/{order.id}").status_code == 404
    assert client.get(f"/2025/payments/orders/{order.id}/receipt.pdf").status_code == 404
    assert order.reference not in client.get("/2025/payments/").get_data(as_text=True)


def test_statement_marks_paid_and_the_delegate_sees_it(
    client, auth, session, edition, vip, organiser
):
    user, order, _ = _register(client, auth, session, edition, vip)
    auth.logout()
    auth.login(organiser.email, PASSWORD)
    client.post(
        "/2025/payments/manage/statement",
        data={
            "file": (
                io.BytesIO(vcb_csv(("FT1", "03/09/2025", VIP_PRICE, order.reference))),
                "vcb.csv",
            )
        },
        content_type="multipart/form-data",
    )
    listing = client.get("/2025/payments/manage/?status=paid").get_data(as_text=True)
    assert order.reference in listing
    exported = client.get("/2025/payments/manage/einvoice.csv").get_data(as_text=True)
    rows = list(csv.DictReader(io.StringIO(exported.removeprefix("\ufeff"))))
    assert [
        (r["reference"], r["vat_rate_percent"], r["vat_amount_vnd"], r["amount_incl_vat_vnd"])
        for r in rows
    ] == [(order.reference, "8", "111111", "1500000")]
    auth.logout()
    auth.login(user.email, PASSWORD)

    page = client.get(f"/2025/payments/orders/{order.id}").get_data(as_text=True)
    receipt = client.get(f"/2025/payments/orders/{order.id}/receipt.pdf")

    assert 'data-status="paid"' in page
    assert receipt.data.startswith(b"%PDF")
    assert "Đã xác nhận" in client.get("/2025/registration/me").get_data(as_text=True)


def test_no_receipt_before_payment(client, auth, session, edition, vip):
    _user, order, _ = _register(client, auth, session, edition, vip)
    response = client.get(f"/2025/payments/orders/{order.id}/receipt.pdf", follow_redirects=True)
    assert "Biên nhận chỉ có sau khi đơn hàng đã được thanh toán." in response.get_data(
        as_text=True
    )


def test_the_agenda_shows_the_payment_waiting(client, auth, session, edition, vip):
    _user, order, _ = _register(client, auth, session, edition, vip)
    page = client.get("/2025/programme/agenda").get_data(as_text=True)
    assert 'data-testid="pay-box"' in page
    assert order.reference in page
    assert "0031000123456" in page


def test_organiser_filters_totals_and_exports(client, auth, session, edition, vip, organiser):
    _user, pending, _ = _register(client, auth, session, edition, vip)
    auth.logout()
    _user2, overdue, _ = _register(client, auth, session, edition, vip, email="lan@example.vn")
    overdue.expires_at = overdue.created_at - timedelta(minutes=1)
    session.add(overdue)
    session.commit()
    auth.logout()
    auth.login(organiser.email, PASSWORD)

    waiting = client.get("/2025/payments/manage/?status=pending").get_data(as_text=True)
    late = client.get("/2025/payments/manage/?status=overdue").get_data(as_text=True)
    exported = client.get("/2025/payments/manage/orders.csv?status=overdue")

    assert pending.reference in waiting
    assert overdue.reference not in waiting
    assert overdue.reference in late
    assert pending.reference not in late
    assert 'data-total="outstanding">3.000.000 ₫' in waiting
    rows = list(csv.DictReader(io.StringIO(exported.get_data(as_text=True).removeprefix("\ufeff"))))
    assert [(r["reference"], r["status"], r["total_vnd"]) for r in rows] == [
        (overdue.reference, "pending", "1500000")
    ]


def test_settings_reject_bad_input_keep_it_and_save_good(client, auth, session, edition, organiser):
    auth.login(organiser.email, PASSWORD)
    data = {
        "bank_bin": "97043",
        "bank_name": "Techcombank",
        "account_number": "1903 5555",
        "account_name": "BTC TECHFEST",
        "days_to_pay": "3",
        "vat_rate_percent": "10",
        "seller_name": "Ban tổ chức",
        "seller_tax_code": "0201234567",
        "seller_address": "HP",
    }
    refused = client.post("/2025/payments/manage/settings", data=data)
    page = refused.get_data(as_text=True)
    assert "Sáu chữ số, ví dụ 970436." in page
    assert 'value="1903 5555"' in page

    saved = client.post(
        "/2025/payments/manage/settings",
        data={**data, "bank_bin": "970407", "account_number": "19035555"},
    )

    assert saved.status_code == 302
    session.commit()
    from techfest.payments.orders import settings_for

    settings = settings_for(session, edition.id)
    assert (settings.bank_bin, settings.account_number, settings.days_to_pay) == (
        "970407",
        "19035555",
        3,
    )


def test_receipt_shows_vat_in_the_buyers_language(client, auth, session, edition, vip):
    from pypdf import PdfReader

    from techfest.payments import orders

    _user, order, _ = _register(client, auth, session, edition, vip, lang="en")
    with client.application.test_request_context():
        orders.apply_payment(session, order.id, VIP_PRICE)
        session.commit()

    pdf = client.get(f"/2025/payments/orders/{order.id}/receipt.pdf").data
    text = " ".join(p.extract_text() for p in PdfReader(io.BytesIO(pdf)).pages)

    assert "Receipt" in text
    assert order.reference in text
    assert "VAT rate" in text
    assert "111,111" in text  # 8% VAT inside 1,500,000 ₫
    assert "1,388,889" in text
