"""No page of any role scrolls sideways, at 1280 px and at 390 px, in Vietnamese and English.

Each role's pages are found the way a person finds them: the links of the menu and of the
pages it leads to (one step further), inside the edition. A page wider than the window hides
what is past its right edge (the account menu, a withdraw button), so each page's document
must be no wider than the viewport.
"""

from __future__ import annotations

import re
from urllib.parse import urlsplit

import pytest

from tests.e2e.conftest import log_in

pytestmark = pytest.mark.e2e

ROLES = {
    "visitor": None,
    "delegate": "delegate@techfest.vn",
    "startup": "startup@techfest.vn",
    "investor": "investor@techfest.vn",
    "organiser": "organiser@techfest.vn",
}

#: links that are not pages to look at: files, logout, language switches
SKIP = re.compile(r"(\.pdf|\.ics|\.csv|\.json|\.png|\.svg|/logout|/lang/|/download|/export)")

#: one page per shape of address: /2025/programme/17 and /2025/programme/18 look alike
SHAPE = re.compile(r"/\d+(?=/|$)")

#: at most this many pages per role (menu pages first)
LIMIT = 40

WIDTH_JS = "() => [document.documentElement.scrollWidth, window.innerWidth]"

#: elements wider than the window, to say in a failure what overflows
OFFENDERS_JS = """() => { const w = window.innerWidth; const out = [];
  for (const el of document.querySelectorAll('body *')) {
    const r = el.getBoundingClientRect();
    if (r.right > w + 1 && r.width > 0) out.push(el.tagName.toLowerCase() + '.' +
      [...el.classList].join('.') + ' ' + Math.round(r.right));
    if (out.length > 6) break; }
  return out; }"""


def local_links(page, base: str) -> list[str]:
    hrefs = page.eval_on_selector_all(
        "a[href]", "els => els.map(a => new URL(a.getAttribute('href'), location.href).href)"
    )
    out = []
    for href in hrefs:
        parts = urlsplit(href)
        if not href.startswith(base) or SKIP.search(parts.path):
            continue
        if not (parts.path == "/" or parts.path.startswith("/2025")):
            continue
        out.append(parts.path + (f"?{parts.query}" if parts.query else ""))
    return out


def role_pages(page, base: str) -> list[str]:
    """The menu's pages, then the pages they link to, one per address shape."""
    page.goto(base + "/2025/")
    seen: dict[str, str] = {}
    queue = ["/2025/", *local_links(page, base)]
    first_ring = len(queue)
    i = 0
    while i < len(queue) and len(seen) < LIMIT:
        path = queue[i]
        shape = SHAPE.sub("/N", path.split("?")[0])
        if shape not in seen:
            seen[shape] = path
            if i < first_ring:
                page.goto(base + path)
                queue.extend(local_links(page, base))
        i += 1
    return list(seen.values())


@pytest.mark.parametrize("role", sorted(ROLES))
def test_no_page_scrolls_sideways(page, live_server, viewport, role):
    if ROLES[role]:
        log_in(page, live_server, ROLES[role])
    paths = role_pages(page, live_server)
    wide = []
    for lang in ("vi", "en"):
        page.goto(f"{live_server}/lang/{lang}?next=/2025/")
        for path in paths:
            response = page.goto(live_server + path)
            if response is None or response.status >= 400:
                continue
            scroll, width = page.evaluate(WIDTH_JS)
            if scroll > width:
                wide.append((lang, path, scroll, page.evaluate(OFFENDERS_JS)))
    page.goto(f"{live_server}/lang/vi?next=/2025/")  # the account keeps its last choice
    assert len(paths) >= 3
    assert wide == [], "\n".join(map(str, wide))
