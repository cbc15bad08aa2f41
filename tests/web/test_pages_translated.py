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


def vi_catalogues() -> dict[str, dict[str, str]]:
    """{catalogue folder: {msgid: Vietnamese}} of every catalogue."""
    out = {}
    for po_path in sorted(i18n_tools.PACKAGE.rglob("translations/vi/LC_MESSAGES/messages.po")):
        with po_path.open("rb") as f:
            out[str(po_path.parents[3].relative_to(i18n_tools.ROOT))] = {
                m.id: m.string
                for m in read_po(f, locale="vi")
                if isinstance(m.id, str) and m.id and m.string
            }
    return out


def english_sources() -> set[str]:
    """Source strings whose Vietnamese translation differs (so seeing them means a miss)."""
    found = set()
    for messages in vi_catalogues().values():
        for msgid, string in messages.items():
            if "%(" in msgid or len(msgid.split()) < 3:
                continue
            if string != msgid:
                found.add(msgid)
    return found


#: language names are written in their own language in every interface ("English")
ENDONYMS = {"English", "Tiếng Việt"}


def short_english_sources() -> set[str]:
    """Words and two-word labels ("Received", "Free") whose Vietnamese differs, as written
    and as a raw lower-case key ("morning"); codes in capitals (DELEGATE) are data, and a
    word Vietnamese uses too ("startup") is not a miss.

    Too short to look for inside a sentence, they are looked for as a whole text of an
    element (a column title, a badge, a button), where a missed translation shows.
    """
    found, vietnamese = set(), set()
    for messages in vi_catalogues().values():
        for msgid, string in messages.items():
            vietnamese.add(string.lower())
            if "%(" not in msgid and len(msgid.split()) < 3 and string.lower() != msgid.lower():
                found |= {msgid, msgid.lower()}
    return {s for s in found if s.lower() not in vietnamese} - ENDONYMS


def text_nodes(body: str) -> set[str]:
    body = re.sub(r"<(script|style)[^>]*>.*?</\1>", " ", body, flags=re.S)
    nodes = (re.sub(r"\s+", " ", html.unescape(t)).strip() for t in re.findall(r">([^<]+)<", body))
    return {n for n in nodes if n}


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


def test_no_source_string_means_two_things_in_vietnamese():
    """Flask-Babel merges every catalogue: one msgid with two translations shows only one
    of them everywhere (a free ticket read "Trống", empty, from a table sheet's free slot)."""
    meanings: dict[str, set[str]] = {}
    for messages in vi_catalogues().values():
        for msgid, string in messages.items():
            meanings.setdefault(msgid, set()).add(string)
    assert {m: sorted(v) for m, v in meanings.items() if len(v) > 1} == {}


def test_form_length_messages_are_in_vietnamese(client, session):
    from tests.factories import make_edition

    make_edition(session)
    session.commit()
    page = client.post(
        "/auth/signup",
        data={"full_name": "M" * 130, "email": "mai@example.vn", "password": "long enough"},
    ).get_data(as_text=True)

    # the input policy answers before WTForms' own (plural) length message
    assert "Tối đa 120 ký tự." in page
    assert "characters" not in page


@pytest.mark.parametrize("role", sorted(ACCOUNTS))
def test_every_page_renders_in_both_languages_without_untranslated_text(demo_app, role):
    sources = english_sources()
    short = short_english_sources()
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
            short_leaks = {
                url: sorted(short & text_nodes(body)) for url, (_, body) in pages.items()
            }
            assert {url: found for url, found in short_leaks.items() if found} == {}
