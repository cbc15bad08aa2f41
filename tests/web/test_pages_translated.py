"""Every page of the demo, for each role, in both languages: no error, nothing untranslated.

The crawler starts at the edition's home page and follows the site's own links (GET only),
as each demo account and as a visitor. In Vietnamese, no English source string of any
catalogue may show on a page.
"""

from __future__ import annotations

import html
import re
from collections import deque
from urllib.parse import urldefrag, urlsplit

import pytest
from babel.messages.pofile import read_po

from techfest import i18n_tools
from techfest.demo.load import DEMO_PASSWORD

ACCOUNTS = {
    "visitor": None,
    "delegate": "delegate@techfest.vn",
    "startup": "startup@techfest.vn",
    "investor": "investor@techfest.vn",
    "organiser": "organiser@techfest.vn",
}
#: links that change state or produce files are not pages
SKIP = re.compile(r"(/lang/|/logout|\.pdf|\.ics|\.csv|\.json|/download|/export|/static/)")
MAX_PAGES = 120


def english_sources() -> set[str]:
    """Source strings whose Vietnamese translation differs (so seeing them means a miss)."""
    found = set()
    for po_path in i18n_tools.PACKAGE.rglob("translations/vi/LC_MESSAGES/messages.po"):
        with po_path.open("rb") as f:
            for message in read_po(f, locale="vi"):
                msgid = message.id if isinstance(message.id, str) else None
                if not msgid or "%(" in msgid or len(msgid.split()) < 3:
                    continue
                if message.string and message.string != msgid:
                    found.add(msgid)
    return found


def visible_text(body: str) -> str:
    body = re.sub(r"<(script|style)[^>]*>.*?</\1>", " ", body, flags=re.S)
    body = re.sub(r"<[^>]+>", " ", body)
    return re.sub(r"\s+", " ", html.unescape(body))


def crawl(client, start: str) -> dict[str, tuple[int, str]]:
    seen: dict[str, tuple[int, str]] = {}
    queue = deque([start])
    while queue and len(seen) < MAX_PAGES:
        url = queue.popleft()
        if url in seen:
            continue
        response = client.get(url)
        body = response.get_data(as_text=True) if response.mimetype == "text/html" else ""
        seen[url] = (response.status_code, body)
        for href in re.findall(r'href="([^"]+)"', body):
            href = urldefrag(html.unescape(href))[0]
            parts = urlsplit(href)
            if parts.scheme or parts.netloc or not href.startswith("/") or SKIP.search(href):
                continue
            if href not in seen:
                queue.append(href)
    return seen


@pytest.fixture(scope="module")
def demo_app(tmp_path_factory):
    from techfest import create_app
    from techfest.config import TestConfig

    path = tmp_path_factory.mktemp("demo") / "demo.db"
    app = create_app(TestConfig, DATABASE_URL=f"sqlite:///{path}", JOBS_MODE="sync")
    runner = app.test_cli_runner()
    assert runner.invoke(args=["init-db"]).exit_code == 0
    result = runner.invoke(args=["seed-demo", "--delegates", "40"])
    assert result.exit_code == 0, result.output
    yield app
    app.extensions["techfest_engine"].dispose()


def test_every_catalogue_is_fully_translated_into_vietnamese():
    assert i18n_tools.untranslated() == []


@pytest.mark.parametrize("role", sorted(ACCOUNTS))
def test_every_page_renders_in_both_languages_without_untranslated_text(demo_app, role):
    sources = english_sources()
    for language in ("vi", "en"):
        client = demo_app.test_client()
        client.get(f"/lang/{language}")
        if ACCOUNTS[role]:
            login = client.post(
                "/auth/login", data={"email": ACCOUNTS[role], "password": DEMO_PASSWORD}
            )
            assert login.status_code == 302
        pages = crawl(client, "/2025/")
        assert len(pages) >= 3
        errors = {url: code for url, (code, _) in pages.items() if code >= 500}
        assert errors == {}
        if language == "vi":
            leaks = {
                url: sorted(s for s in sources if s in visible_text(body))
                for url, (_, body) in pages.items()
            }
            assert {url: found for url, found in leaks.items() if found} == {}
