"""The booth scanner on a phone-sized page in a real browser: a badge QR shown to the
camera makes a lead with the rating and note given; scans typed while offline are sent
when the network is back and count once; the list exports as CSV.

Chromium's fake camera plays a Y4M video of the badge's QR code (as for the kiosk).
"""

from __future__ import annotations

import threading
from collections.abc import Iterator

import pytest
from sqlmodel import Session, select
from werkzeug.serving import make_server

from techfest import create_app
from techfest.booths.models import BoothBooking
from techfest.leads.models import Lead
from techfest.models import metadata
from tests.checkin.test_kiosk_browser import KioskConfig, _browser, _qr_video, _require_chromium
from tests.factories import PASSWORD, make_edition, make_org, make_user
from tests.factories.registration import make_ticket
from tests.organiser.builders import make_zone_with_booths, register

PHONE = {"width": 390, "height": 844}


@pytest.fixture
def booth_server(tmp_path) -> Iterator[tuple[str, object, dict]]:
    app = create_app(KioskConfig, DATABASE_URL=f"sqlite:///{tmp_path / 'leads.db'}")
    engine = app.extensions["techfest_engine"]
    metadata.create_all(engine)
    with Session(engine, expire_on_commit=False) as session:
        edition = make_edition(session)
        _zone, booths = make_zone_with_booths(session, edition, "A", 1)
        org = make_org(session, "startup", "Cảng Xanh")
        session.add(BoothBooking(booth_id=booths[0].id, organisation_id=org.id, status="approved"))
        make_user(session, edition, "startup", email="staff@cx.vn", organisation=org)
        ticket = make_ticket(session, edition)
        mai = make_user(session, edition, email="mai@example.vn", full_name="Nguyễn Thị Mai")
        an = make_user(session, edition, email="an@example.vn", full_name="Trần Văn An")
        codes = {
            "mai": register(session, edition, mai, ticket, organisation_name="Cảng HP").badge_code,
            "an": register(session, edition, an, ticket).badge_code,
            "booth": booths[0].id,
        }
        session.commit()
    server = make_server("127.0.0.1", 0, app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_port}", app, codes
    server.shutdown()
    engine.dispose()


def _leads(app) -> list[Lead]:
    with Session(app.extensions["techfest_engine"]) as session:
        return list(session.exec(select(Lead).order_by(Lead.id)))


def in_own_thread(journey):
    """Run a Playwright journey in a thread of its own: the browser tests of tests/e2e keep
    the sync API's event loop open on the main thread for the whole session."""
    box: dict = {}

    def run():
        try:
            box["value"] = journey()
        except BaseException as exc:  # handed to the test's thread below
            box["error"] = exc

    thread = threading.Thread(target=run)
    thread.start()
    thread.join()
    if "error" in box:
        raise box["error"]
    return box.get("value")


def _log_in(page, base):
    page.goto(f"{base}/auth/login")
    page.fill("input[name=email]", "staff@cx.vn")
    page.fill("input[name=password]", PASSWORD)
    page.click("main form button[type=submit]")
    page.wait_for_load_state()


def test_a_badge_shown_to_the_camera_becomes_a_rated_lead_and_exports(booth_server, tmp_path):
    _require_chromium()
    from playwright.sync_api import expect, sync_playwright

    base, app, codes = booth_server
    video = tmp_path / "badge.y4m"
    _qr_video(codes["mai"], video)

    def journey():
        with sync_playwright() as p:
            return _camera_journey(p, base, codes, video, expect)

    width, exported = in_own_thread(journey)
    leads = _leads(app)
    assert [(lead.rating, lead.note) for lead in leads] == [(4, "Muốn dùng thử")]
    assert width <= PHONE["width"]
    assert exported.startswith("\ufeff".encode())
    assert "Nguyễn Thị Mai" in exported.decode("utf-8-sig")


def _camera_journey(p, base, codes, video, expect):
    browser = _browser(p, video)
    page = browser.new_context(locale="vi-VN", viewport=PHONE).new_page()
    _log_in(page, base)
    page.goto(f"{base}/2025/leads/booths/{codes['booth']}/scan")
    page.click("label[for=scan-rating-4]")
    page.fill("#scan-note", "Muốn dùng thử")

    page.click("#camera-start")

    expect(page.locator("#result-name")).to_have_text("Nguyễn Thị Mai", timeout=15000)
    expect(page.locator("#result-status")).to_have_text("Khách tiềm năng mới")
    width = page.evaluate("document.documentElement.scrollWidth")
    page.goto(f"{base}/2025/leads/booths/{codes['booth']}")
    with page.expect_download() as download:
        page.click("text=Tải CSV")
    exported = download.value.path().read_bytes()
    browser.close()
    return width, exported


def test_scans_typed_offline_are_sent_later_and_count_once(booth_server, tmp_path):
    _require_chromium()
    from playwright.sync_api import expect, sync_playwright

    base, app, codes = booth_server
    video = tmp_path / "blank.y4m"
    _qr_video("not-a-badge", video)

    def journey():
        with sync_playwright() as p:
            _offline_journey(p, base, codes, video, expect)

    in_own_thread(journey)
    assert [lead.registration_id is not None for lead in _leads(app)] == [True]


def _offline_journey(p, base, codes, video, expect):
    browser = _browser(p, video)
    context = browser.new_context(locale="en-GB", viewport=PHONE)
    page = context.new_page()
    _log_in(page, base)
    page.goto(f"{base}/2025/leads/booths/{codes['booth']}/scan")

    context.set_offline(True)
    for _ in range(2):  # the same badge typed twice while offline
        page.fill("#manual-code", codes["an"])
        page.press("#manual-code", "Enter")
    expect(page.locator("#pending")).to_have_text("2")
    context.set_offline(False)
    page.evaluate("window.dispatchEvent(new Event('online'))")

    expect(page.locator("#pending")).to_have_text("0", timeout=15000)
    browser.close()
