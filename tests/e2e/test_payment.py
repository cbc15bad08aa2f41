"""Browser journey: register for a paid pass, see the VietQR code, the organiser imports
the bank statement, the delegate sees "paid" (vi and en, desktop and phone)."""

from __future__ import annotations

import io
import os

import pytest
from sqlmodel import Session, select

from techfest.core.models import Edition
from techfest.payments.vietqr import parse_payload
from techfest.registration.models import TicketType
from tests.e2e.conftest import log_in
from tests.e2e.test_journeys import PASSWORD, YEAR, engine, submit, switch_language

pytestmark = pytest.mark.e2e

#: where screenshots go when set (for a person to look at the pages)
SHOTS = os.environ.get("TECHFEST_SCREENSHOTS", "")


def _paid_pass(live_server, code: str) -> int:
    """A paid pass with room, priced as the demo's VIP pass (whose places are all taken)."""
    with Session(engine(live_server)) as s:
        edition = s.exec(select(Edition).where(Edition.year == YEAR)).one()
        ticket = TicketType(
            edition_id=edition.id,
            code=code,
            name_vi="Thẻ VIP (đợt 2)",
            name_en="VIP pass (second release)",
            price_vnd=1_500_000,
            capacity=10,
        )
        s.add(ticket)
        s.commit()
        return ticket.id


@pytest.mark.parametrize("lang", ["vi", "en"])
def test_delegate_pays_by_vietqr_and_sees_paid(page, browser, live_server, viewport, lang):
    base = live_server
    ticket_id = _paid_pass(live_server, f"VIP2-{lang}-{viewport}")
    email = f"pay-{lang}-{viewport}@example.vn"
    if lang != "vi":
        switch_language(page, base, lang)
    page.goto(f"{base}/auth/signup")
    page.fill("input[name=full_name]", "Đặng Minh Châu")
    page.fill("input[name=email]", email)
    page.fill("input[name=password]", "mat-khau-e2e-2025")
    page.check("input[name=account_type][value=delegate]")
    submit(page, "form:has(input[name=email])")
    log_in(page, base, email, "mat-khau-e2e-2025")

    page.goto(f"{base}/{YEAR}/registration/register?ticket={ticket_id}")
    page.check(f"input[name=ticket_type][value='{ticket_id}']")
    page.fill("input[name=full_name]", "Đặng Minh Châu")
    page.fill("input[name=email]", email)
    page.check(f"input[name=language][value={lang}]")
    page.check("input[name=consent]")
    submit(page, "form:has(input[name=consent])")
    assert page.url.endswith(f"/{YEAR}/payments/")
    with page.expect_navigation():
        page.locator(".list-group-item").first.click()

    qr = page.locator("img.tf-vietqr")
    assert qr.is_visible()
    payload = qr.get_attribute("data-payload")
    transfer = parse_payload(payload)
    assert transfer.amount_vnd == 1_500_000
    reference = transfer.purpose
    assert page.locator(".tf-reference").first.inner_text() == reference
    label = "Nội dung chuyển khoản" if lang == "vi" else "Transfer message"
    assert label in page.content()
    # the code on the screen reads back as the payload, as a phone camera would
    zxingcpp = pytest.importorskip("zxingcpp")
    image_module = pytest.importorskip("PIL.Image")
    shot = qr.screenshot()
    assert [r.text for r in zxingcpp.read_barcodes(image_module.open(io.BytesIO(shot)))] == [
        payload
    ]
    # nothing overflows sideways on a phone
    assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")
    if SHOTS:
        page.screenshot(path=f"{SHOTS}/pay-{lang}-{viewport}.png", full_page=True)
    order_url = page.url

    organiser = browser.new_context(viewport={"width": 1280, "height": 900}, locale="vi-VN")
    office = organiser.new_page()
    log_in(office, base, "organiser@techfest.vn", PASSWORD)
    # the account keeps the language it chose last (another test may have chosen English)
    switch_language(office, base, "vi")
    office.goto(f"{base}/{YEAR}/payments/manage/statement")
    statement = (
        "Số tham chiếu,Ngày giao dịch,Số tiền ghi nợ,Số tiền ghi có,Mô tả\n"
        f'FT-{lang}-{viewport},03/09/2025,,"1,500,000","MBVCB.1234.{reference.lower()}.CT"\n'
    )
    office.set_input_files(
        "input[name=file]",
        {"name": "sao-ke.csv", "mimeType": "text/csv", "buffer": statement.encode()},
    )
    submit(office, "form:has(input[name=file])")
    assert "1 khớp" in office.content()
    organiser.close()

    page.goto(order_url)
    assert page.locator('[data-status="paid"]').first.is_visible()
    assert page.console_errors == []
