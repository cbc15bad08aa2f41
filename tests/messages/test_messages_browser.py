"""Two people exchange messages on a phone-sized page in a real browser (390 px wide).

The startup writes first (HTML in the text stays text); the investor sees it unread in
the inbox, answers; no page scrolls sideways, even with a long link in a message.
"""

from __future__ import annotations

import threading
from collections.abc import Iterator
from datetime import timedelta

import pytest
from sqlmodel import Session, select
from werkzeug.serving import make_server

from techfest import create_app
from techfest.db import now_utc
from techfest.matchmaking.models import InvestorProfile, MeetingRequest, StartupProfile
from techfest.messages.models import Message
from techfest.models import metadata
from tests.checkin.test_kiosk_browser import CHROMIUM, KioskConfig, _require_chromium
from tests.factories import PASSWORD, make_edition, make_org, make_user
from tests.leads.test_scanner_browser import in_own_thread

PHONE = {"width": 390, "height": 844}


@pytest.fixture
def pair_server(tmp_path) -> Iterator[tuple[str, object, dict]]:
    app = create_app(KioskConfig, DATABASE_URL=f"sqlite:///{tmp_path / 'messages.db'}")
    engine = app.extensions["techfest_engine"]
    metadata.create_all(engine)
    with Session(engine, expire_on_commit=False) as session:
        edition = make_edition(session)
        startup = make_org(session, "startup", "Cảng Xanh")
        investor = make_org(session, "investor", "Quỹ Biển Lớn")
        session.add(StartupProfile(edition_id=edition.id, organisation_id=startup.id, stage="seed"))
        session.add(
            InvestorProfile(edition_id=edition.id, organisation_id=investor.id, stages=["seed"])
        )
        make_user(session, edition, "startup", email="an@cx.vn", organisation=startup)
        make_user(session, edition, "investor", email="le@bl.vn", organisation=investor)
        session.add(
            MeetingRequest(
                edition_id=edition.id,
                from_organisation_id=startup.id,
                to_organisation_id=investor.id,
                status="accepted",
                expires_at=now_utc() + timedelta(days=3),
            )
        )
        session.commit()
        ids = {"startup": startup.id, "investor": investor.id}
    server = make_server("127.0.0.1", 0, app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_port}", app, ids
    server.shutdown()
    engine.dispose()


def _log_in(page, base, email):
    page.goto(f"{base}/auth/login")
    page.fill("input[name=email]", email)
    page.fill("input[name=password]", PASSWORD)
    page.click("main form button[type=submit]")
    page.wait_for_load_state()


def _width(page) -> int:
    return page.evaluate("document.documentElement.scrollWidth")


def test_two_people_exchange_messages_on_a_phone(pair_server):
    _require_chromium()
    from playwright.sync_api import expect, sync_playwright

    base, app, ids = pair_server
    long_word = "https://example.vn/" + "x" * 120

    def journey():
        with sync_playwright() as p:
            browser = p.chromium.launch(executable_path=CHROMIUM, args=["--no-sandbox"])
            widths = []
            startup = browser.new_context(locale="vi-VN", viewport=PHONE).new_page()
            _log_in(startup, base, "an@cx.vn")
            startup.goto(f"{base}/2025/messages/with/{ids['investor']}")
            startup.fill("textarea[name=body]", f"Chào quỹ <b>đậm</b>, tài liệu: {long_word}")
            startup.click("form.tf-msg-form button[type=submit]")
            expect(startup.locator(".tf-msg-mine .tf-msg-body")).to_contain_text("<b>đậm</b>")
            widths.append(_width(startup))

            investor = browser.new_context(locale="vi-VN", viewport=PHONE).new_page()
            _log_in(investor, base, "le@bl.vn")
            investor.goto(f"{base}/2025/messages/")
            expect(investor.locator(".tf-inbox .badge")).to_have_text("1")
            widths.append(_width(investor))
            investor.click(".tf-inbox a")
            expect(investor.locator(".tf-msg-body").first).to_contain_text("Chào quỹ")
            assert investor.locator(".tf-msg-body b").count() == 0
            investor.fill("textarea[name=body]", "Hẹn gặp bạn ở bàn T01.")
            investor.click("form.tf-msg-form button[type=submit]")
            expect(investor.locator(".tf-msg-mine .tf-msg-body")).to_have_text(
                "Hẹn gặp bạn ở bàn T01."
            )
            widths.append(_width(investor))

            startup.reload()
            expect(startup.locator(".tf-msg-body").last).to_have_text("Hẹn gặp bạn ở bàn T01.")
            widths.append(_width(startup))
            browser.close()
            return widths

    widths = in_own_thread(journey)
    assert max(widths) <= PHONE["width"]
    with Session(app.extensions["techfest_engine"]) as session:
        assert [
            m.sender_organisation_id for m in session.exec(select(Message).order_by(Message.id))
        ] == [
            ids["startup"],
            ids["investor"],
        ]
