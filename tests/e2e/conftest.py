"""Browser tests: the demo served on a free local port, driven by Debian's chromium.

The server runs in a thread on its own SQLite file, migrated and loaded with a small demo.
Tests skip when chromium is missing, except under CI=true (`make test` installs it).
"""

from __future__ import annotations

import os
import shutil
import threading
from collections.abc import Iterator

import pytest
from werkzeug.serving import make_server

from techfest import create_app
from techfest.config import TestConfig

CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"
VIEWPORTS = {"desktop": {"width": 1280, "height": 900}, "phone": {"width": 390, "height": 844}}


class E2EConfig(TestConfig):
    WTF_CSRF_ENABLED = True  # the browser goes through the real forms
    TESTING = False


class LiveServer(str):
    """The server's base URL; `.app` is the application, for arranging data in tests."""

    app = None


@pytest.fixture(scope="session")
def live_server(tmp_path_factory) -> Iterator[LiveServer]:
    db_path = tmp_path_factory.mktemp("e2e") / "e2e.db"
    app = create_app(E2EConfig, DATABASE_URL=f"sqlite:///{db_path}", JOBS_MODE="thread")
    runner = app.test_cli_runner()
    for args in (["init-db"], ["seed-demo", "--delegates", "60"]):
        result = runner.invoke(args=args)
        assert result.exit_code == 0, result.output
    server = make_server("127.0.0.1", 0, app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    base = LiveServer(f"http://127.0.0.1:{server.server_port}")
    base.app = app
    app.instance_path = str(db_path.parent / "instance")
    yield base
    server.shutdown()
    app.extensions["techfest_engine"].dispose()


@pytest.fixture(scope="session")
def browser():
    if not os.path.exists(CHROMIUM):
        if os.environ.get("CI", "").lower() == "true":
            pytest.fail("chromium is not installed (make test installs it)")
        pytest.skip("chromium is not installed")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        browser = p.chromium.launch(
            executable_path=CHROMIUM,
            args=[
                "--no-sandbox",
                "--disable-gpu",
                "--disable-quic",
                "--no-first-run",
                "--disable-background-networking",
                "--disable-component-update",
                "--disable-sync",
            ],
        )
        yield browser
        browser.close()


@pytest.fixture(params=sorted(VIEWPORTS))
def viewport(request) -> str:
    return request.param


@pytest.fixture
def page(browser, viewport):
    context = browser.new_context(viewport=VIEWPORTS[viewport], locale="vi-VN")
    page = context.new_page()
    errors: list[str] = []
    page.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
    page.on("pageerror", lambda e: errors.append(str(e)))
    page.console_errors = errors
    yield page
    context.close()


def log_in(page, base: str, email: str, password: str = "techfest2025") -> None:
    page.goto(f"{base}/auth/login")
    page.fill("input[name=email]", email)
    page.fill("input[name=password]", password)
    page.click("form button[type=submit]")
    page.wait_for_load_state()
