"""The personal agenda in a phone-sized browser: after one visit it opens without a
network (a service worker keeps it), it says how fresh it is, and logging out deletes the
copy so no personal page stays on the phone.
"""

from __future__ import annotations

import re
import threading
from collections.abc import Iterator

import pytest
from sqlmodel import Session
from werkzeug.serving import make_server

from techfest import create_app
from techfest.models import metadata
from tests.checkin.test_kiosk_browser import CHROMIUM, KioskConfig, _require_chromium
from tests.factories import PASSWORD, make_edition, make_user
from tests.factories.programme import make_session, seat

PHONE = {"width": 390, "height": 844}


@pytest.fixture
def agenda_server(tmp_path) -> Iterator[tuple[str, object]]:
    app = create_app(KioskConfig, DATABASE_URL=f"sqlite:///{tmp_path / 'agenda.db'}")
    engine = app.extensions["techfest_engine"]
    metadata.create_all(engine)
    with Session(engine, expire_on_commit=False) as session:
        edition = make_edition(session)
        mai = make_user(session, edition, email="mai@example.vn", full_name="Nguyễn Thị Mai")
        talk = make_session(session, edition, title_vi="Diễn đàn cảng biển số")
        seat(session, talk, mai)
        session.commit()
    server = make_server("127.0.0.1", 0, app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_port}", app
    server.shutdown()
    engine.dispose()


def test_the_agenda_opens_offline_after_one_visit_and_logout_deletes_it(agenda_server):
    _require_chromium()
    from playwright.sync_api import expect, sync_playwright

    base, _app = agenda_server
    with sync_playwright() as p:
        browser = p.chromium.launch(
            executable_path=CHROMIUM, args=["--no-sandbox", "--disable-gpu", "--no-first-run"]
        )
        context = browser.new_context(locale="vi-VN", viewport=PHONE)
        page = context.new_page()
        page.goto(f"{base}/auth/login")
        page.fill("input[name=email]", "mai@example.vn")
        page.fill("input[name=password]", PASSWORD)
        page.click("main form button[type=submit]")
        page.wait_for_load_state()
        page.goto(f"{base}/2025/programme/agenda")
        page.evaluate("navigator.serviceWorker.ready.then(() => true)")
        page.reload()  # now under the service worker, which keeps a copy
        expect(page.locator("h3", has_text="Diễn đàn cảng biển số")).to_be_visible()
        width = page.evaluate("document.documentElement.scrollWidth")
        manifest = page.evaluate(
            "fetch(document.querySelector('link[rel=manifest]').href).then(r => r.json())"
        )

        context.set_offline(True)
        page.reload()
        expect(page.locator("h3", has_text="Diễn đàn cảng biển số")).to_be_visible()
        expect(page.locator("#agenda-freshness")).to_contain_text("Mất mạng")
        context.set_offline(False)

        page.goto(f"{base}/2025/programme/agenda")
        page.click(".navbar-toggler")  # the menu is folded on a phone
        # the folded menu slides open: the account menu answers once it has
        expect(page.locator(".navbar-collapse")).to_have_class(re.compile(r"\bshow\b"))
        page.click(".tf-user-name")
        logout = page.locator("form[action='/auth/logout'] button")
        expect(logout).to_be_visible()
        logout.click()
        expect(page.locator("#cache-cleared")).to_have_attribute("data-done", "1")
        caches_left = page.evaluate("caches.keys()")
        context.set_offline(True)
        with pytest.raises(Exception, match="ERR_INTERNET_DISCONNECTED|net::"):
            page.goto(f"{base}/2025/programme/agenda")
        browser.close()
    assert width <= PHONE["width"]
    assert manifest["start_url"] == "/2025/programme/agenda"
    assert [k for k in caches_left if k.startswith("tf-agenda")] == []
