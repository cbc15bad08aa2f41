"""The kiosk in a real browser: a badge QR shown to the camera checks the person in;
scans made while the network is down are sent when it is back, and count once.

Chromium's fake camera plays a Y4M video of the badge's QR code.
"""

from __future__ import annotations

import os
import shutil
import threading
from collections.abc import Iterator

import pytest
import segno
from PIL import Image
from sqlmodel import Session, func, select
from werkzeug.serving import make_server

from techfest import create_app
from techfest.checkin.models import CheckIn
from techfest.config import TestConfig
from techfest.models import metadata
from tests.factories import PASSWORD, make_edition, make_user
from tests.factories.registration import make_ticket
from tests.organiser.builders import register

CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"
W, H = 640, 480


class KioskConfig(TestConfig):
    WTF_CSRF_ENABLED = True  # the page must send its token like in production
    TESTING = False


@pytest.fixture
def kiosk_server(tmp_path) -> Iterator[tuple[str, object, str]]:
    app = create_app(KioskConfig, DATABASE_URL=f"sqlite:///{tmp_path / 'kiosk.db'}")
    engine = app.extensions["techfest_engine"]
    metadata.create_all(engine)
    with Session(engine, expire_on_commit=False) as session:
        edition = make_edition(session)
        make_user(session, edition, "organiser", email="desk@techfest.vn")
        person = make_user(session, edition, email="mai@example.vn", full_name="Nguyễn Thị Mai")
        reg = register(session, edition, person, make_ticket(session, edition))
        session.commit()
        code = reg.badge_code
    server = make_server("127.0.0.1", 0, app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_port}", app, code
    server.shutdown()
    engine.dispose()


def _qr_video(code: str, path) -> None:
    """A few frames of a white picture with the badge QR in the middle (YUV 4:2:0)."""
    qr_png = path.with_suffix(".png")
    segno.make(code, error="m").save(qr_png, scale=8, border=4)
    picture = Image.new("L", (W, H), 255)
    qr = Image.open(qr_png).convert("L")
    qr.thumbnail((H - 40, H - 40))
    picture.paste(qr, ((W - qr.width) // 2, (H - qr.height) // 2))
    chroma = bytes([128]) * (W // 2 * H // 2)
    frame = b"FRAME\n" + picture.tobytes() + chroma + chroma
    with open(path, "wb") as out:
        out.write(f"YUV4MPEG2 W{W} H{H} F10:1 Ip A1:1 C420jpeg\n".encode())
        for _ in range(10):
            out.write(frame)


def _browser(playwright, video):
    return playwright.chromium.launch(
        executable_path=CHROMIUM,
        args=[
            "--no-sandbox",
            "--disable-gpu",
            "--no-first-run",
            "--use-fake-ui-for-media-stream",
            "--use-fake-device-for-media-stream",
            f"--use-file-for-fake-video-capture={video}",
        ],
    )


def _checkins(app) -> int:
    with Session(app.extensions["techfest_engine"]) as session:
        return session.exec(select(func.count()).select_from(CheckIn)).one()


def _require_chromium():
    if not os.path.exists(CHROMIUM):
        if os.environ.get("CI", "").lower() == "true":
            pytest.fail("chromium is not installed")
        pytest.skip("chromium is not installed")


def _log_in(page, base):
    page.goto(f"{base}/auth/login")
    page.fill("input[name=email]", "desk@techfest.vn")
    page.fill("input[name=password]", PASSWORD)
    page.click("main form button[type=submit]")
    page.wait_for_load_state()


def test_badge_qr_shown_to_the_camera_checks_the_person_in(kiosk_server, tmp_path):
    _require_chromium()
    from playwright.sync_api import expect, sync_playwright

    base, app, code = kiosk_server
    video = tmp_path / "badge.y4m"
    _qr_video(code, video)
    with sync_playwright() as p:
        browser = _browser(p, video)
        page = browser.new_context(locale="vi-VN").new_page()
        _log_in(page, base)
        page.goto(f"{base}/2025/checkin/")

        page.click("#camera-start")

        expect(page.locator("#result-name")).to_have_text("Nguyễn Thị Mai", timeout=15000)
        expect(page.locator("#count")).to_have_text("1")
        browser.close()
    assert _checkins(app) == 1


def test_scans_made_offline_are_sent_when_the_network_is_back(kiosk_server, tmp_path):
    _require_chromium()
    from playwright.sync_api import expect, sync_playwright

    base, app, code = kiosk_server
    video = tmp_path / "blank.y4m"
    _qr_video("not-a-badge", video)
    with sync_playwright() as p:
        browser = _browser(p, video)
        context = browser.new_context(locale="vi-VN")
        page = context.new_page()
        _log_in(page, base)
        page.goto(f"{base}/2025/checkin/")

        context.set_offline(True)
        for _ in range(2):  # the same badge typed twice while offline
            page.fill("#manual-code", code)
            page.press("#manual-code", "Enter")
        expect(page.locator("#pending")).to_have_text("2")
        queued = page.evaluate("localStorage.getItem('tf-checkin-queue-2025')")
        context.set_offline(False)
        page.evaluate("window.dispatchEvent(new Event('online'))")

        expect(page.locator("#pending")).to_have_text("0", timeout=15000)
        expect(page.locator("#count")).to_have_text("1")
        browser.close()
    assert queued.count(code) == 2
    assert _checkins(app) == 1


def test_kiosk_reloaded_while_offline_still_opens_and_queues(kiosk_server, tmp_path):
    _require_chromium()
    from playwright.sync_api import expect, sync_playwright

    base, app, code = kiosk_server
    video = tmp_path / "blank.y4m"
    _qr_video("not-a-badge", video)
    with sync_playwright() as p:
        browser = _browser(p, video)
        context = browser.new_context(locale="vi-VN")
        page = context.new_page()
        _log_in(page, base)
        page.goto(f"{base}/2025/checkin/")
        page.evaluate("navigator.serviceWorker.ready.then(() => true)")
        page.reload()  # now the service worker controls the page and has cached it
        expect(page.locator("#kiosk")).to_be_visible()

        context.set_offline(True)
        page.reload()
        served_by_worker = page.evaluate("!!navigator.serviceWorker.controller")
        page.fill("#manual-code", code)
        page.press("#manual-code", "Enter")
        expect(page.locator("#pending")).to_have_text("1")
        context.set_offline(False)
        page.evaluate("window.dispatchEvent(new Event('online'))")

        expect(page.locator("#pending")).to_have_text("0", timeout=15000)
        expect(page.locator("#count")).to_have_text("1")
        browser.close()
    assert served_by_worker is True
    assert _checkins(app) == 1


def test_after_a_check_in_the_kiosk_offers_that_persons_badge(kiosk_server, tmp_path):
    _require_chromium()
    from playwright.sync_api import expect, sync_playwright

    base, app, code = kiosk_server
    video = tmp_path / "blank.y4m"
    _qr_video("not-a-badge", video)
    with sync_playwright() as p:
        browser = _browser(p, video)
        page = browser.new_context(locale="vi-VN").new_page()
        _log_in(page, base)
        page.goto(f"{base}/2025/checkin/")
        badge = page.locator("#result-badge")
        expect(badge).to_be_hidden()

        page.fill("#manual-code", code)
        page.click("#manual button[type=submit]")

        expect(page.locator("#result-name")).to_have_text("Nguyễn Thị Mai", timeout=15000)
        expect(badge).to_be_visible()
        expect(badge).to_have_text("In thẻ")
        href = badge.get_attribute("href")
        assert href.startswith("/2025/printing/badges/")
        pdf = page.request.get(base + href)
        assert pdf.headers["content-type"] == "application/pdf"
        assert pdf.body().startswith(b"%PDF")
        # an unknown code hides the button again: it is never someone else's badge
        page.fill("#manual-code", "TF-UNKNOWN")
        page.click("#manual button[type=submit]")
        expect(badge).to_be_hidden(timeout=15000)
        browser.close()
