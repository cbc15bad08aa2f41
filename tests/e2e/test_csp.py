"""The content security policy holds in a real browser: no page breaks it, for any role.

Chromium reports every blocked inline script, inline style, style attribute or foreign
resource as a `securitypolicyviolation` event and a console error. Each main page is
opened as each kind of person; none may produce a violation or any other console error.
"""

from __future__ import annotations

import pytest

from tests.e2e.conftest import VIEWPORTS, log_in

pytestmark = pytest.mark.e2e

YEAR = 2025
PUBLIC_PAGES = [
    "/",
    f"/{YEAR}/",
    "/auth/login",
    "/auth/signup",
    "/auth/reset",
    f"/{YEAR}/programme/",
    f"/{YEAR}/booths/",
    f"/{YEAR}/booths/list",
    f"/{YEAR}/registration/",
    "/no-such-page",
]
PAGES_BY_ROLE = {
    "delegate@techfest.vn": [
        f"/{YEAR}/programme/agenda",
        f"/{YEAR}/registration/me",
        f"/{YEAR}/registration/register",
        "/privacy/",
    ],
    "startup@techfest.vn": [
        f"/{YEAR}/booths/mine",
        f"/{YEAR}/matchmaking/",
        f"/{YEAR}/matchmaking/profile",
        f"/{YEAR}/matchmaking/availability",
        f"/{YEAR}/matchmaking/suggestions",
        f"/{YEAR}/matchmaking/requests",
        f"/{YEAR}/matchmaking/meetings",
    ],
    "investor@techfest.vn": [
        f"/{YEAR}/matchmaking/suggestions",
        f"/{YEAR}/matchmaking/meetings",
        f"/{YEAR}/matchmaking/profile",
    ],
    "organiser@techfest.vn": [
        f"/{YEAR}/organiser/",
        f"/{YEAR}/organiser/audit",
        f"/{YEAR}/organiser/privacy",
        f"/{YEAR}/registration/manage/",
        f"/{YEAR}/registration/manage/tickets/",
        f"/{YEAR}/programme/manage",
        f"/{YEAR}/programme/manage/sessions/new",
        f"/{YEAR}/booths/manage/",
        f"/{YEAR}/booths/manage/requests",
        f"/{YEAR}/booths/manage/zones",
        f"/{YEAR}/matchmaking/admin",
        f"/{YEAR}/matchmaking/admin/review",
        f"/{YEAR}/printing/",
        f"/{YEAR}/checkin/",
        f"/{YEAR}/checkin/search?q=Mai",
        f"/{YEAR}/checkin/sessions",
        f"/{YEAR}/settings",
    ],
}

WATCH = """
window.__csp = [];
document.addEventListener('securitypolicyviolation', e => window.__csp.push(
  e.violatedDirective + ' ' + (e.blockedURI || 'inline') + ' ' + (e.sourceFile || '') + ':' +
  e.lineNumber));
"""


def visit_all(browser, base: str, pages: list[str], email: str | None) -> dict[str, list[str]]:
    context = browser.new_context(viewport=VIEWPORTS["desktop"], locale="vi-VN")
    context.add_init_script(WATCH)
    page = context.new_page()
    errors: list[str] = []
    page.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
    page.on("pageerror", lambda e: errors.append(str(e)))
    found: dict[str, list[str]] = {}
    try:
        if email:
            log_in(page, base, email)
        for path in pages:
            errors.clear()
            page.goto(base + path)
            page.wait_for_load_state("load")
            violations = page.evaluate("window.__csp")
            # a missing page answers 404 on purpose; its console line is not a fault
            problems = [e for e in errors if "404" not in e or path != "/no-such-page"]
            if violations or problems:
                found[path] = violations + problems
    finally:
        context.close()
    return found


def first_link(browser, base: str, page_path: str, href_part: str) -> str:
    context = browser.new_context()
    try:
        page = context.new_page()
        page.goto(base + page_path)
        return page.locator(f'a[href*="{href_part}"]').first.get_attribute("href")
    finally:
        context.close()


def test_public_pages_break_no_content_security_policy(browser, live_server):
    details = [
        first_link(browser, live_server, f"/{YEAR}/programme/", "/programme/sessions/"),
        first_link(browser, live_server, f"/{YEAR}/booths/list", f"/{YEAR}/booths/"),
    ]
    assert visit_all(browser, live_server, PUBLIC_PAGES + details, None) == {}


@pytest.mark.parametrize("email", sorted(PAGES_BY_ROLE))
def test_pages_of_each_role_break_no_content_security_policy(browser, live_server, email):
    assert visit_all(browser, live_server, PAGES_BY_ROLE[email], email) == {}


def test_the_watch_does_see_a_violation(browser, live_server):
    """Control: an inline script added to a page is blocked and reported."""
    context = browser.new_context()
    context.add_init_script(WATCH)
    try:
        page = context.new_page()
        page.goto(live_server + "/auth/login")
        page.evaluate(
            "() => { const s = document.createElement('script');"
            " s.textContent = 'window.ran = 1'; document.body.appendChild(s); }"
        )
        page.wait_for_function("window.__csp.length > 0")
        assert page.evaluate("window.ran") is None
        assert page.evaluate("window.__csp")[0].startswith("script-src")
    finally:
        context.close()
