"""Badges: a visible colour band and word per role, each badge in its person's language."""

from __future__ import annotations

import re

from pypdf import PdfReader

from techfest.printing.data import badge_role
from techfest.registration.models import TicketType
from tests.factories import make_user
from tests.printing.conftest import register
from tests.printing.test_bulk import cli

#: "r g b rg" sets the fill colour; a line "f" fills the path drawn (text is not a path)
FILL_COLOUR = re.compile(r"^([\d.]+) ([\d.]+) ([\d.]+) rg$")


def page_fills(page) -> set[tuple[float, ...]]:
    """The colours of the areas painted on a page (backgrounds, bands), not of its text."""
    colour, painted = None, set()
    for line in page.get_contents().get_data().decode("latin-1").splitlines():
        if m := FILL_COLOUR.match(line):
            colour = tuple(round(float(x), 2) for x in m.groups())
        elif line == "f" and colour is not None:
            painted.add(colour)
    return painted


def add_people(session, festival):
    """A VIP, a journalist and a speaker beside Mai (delegate) and the founder (startup)."""
    edition = festival.edition
    vip = TicketType(edition_id=edition.id, code="VIP", name_vi="VIP", name_en="VIP", capacity=9)
    press = TicketType(
        edition_id=edition.id, code="PRESS", name_vi="Báo chí", name_en="Press", capacity=9
    )
    free = TicketType(
        edition_id=edition.id, code="GUEST", name_vi="Khách", name_en="Guest", capacity=9
    )
    session.add_all([vip, press, free])
    session.flush()
    people = {
        "vip": ("An Khánh Vy", vip, "vi"),
        "press": ("Bạch Minh Phóng", press, "vi"),
        # named as a speaker of the opening session, and chose English
        "speaker": ("Lê Văn Hùng", free, "en"),
    }
    for name, ticket, lang in people.values():
        user = make_user(session, edition, "delegate", full_name=name, locale=lang)
        register(session, edition, user, ticket, language=lang)
    organiser = festival.organiser
    register(session, edition, organiser, free, language="vi")
    session.commit()


def test_each_role_prints_its_own_colour_band_and_word(app, session, festival, tmp_path):
    add_people(session, festival)

    result = cli(app, "print-badges", "--layout", "a6", "--out", str(tmp_path), "--workers", "1")

    assert result.exit_code == 0, result.output
    reader = PdfReader(tmp_path / "badges-2025-a6.pdf")
    pages = [(" ".join(p.extract_text().split()), page_fills(p)) for p in reader.pages]
    shared = set.intersection(*(fills for _, fills in pages))
    band = {}
    for text, fills in pages:
        own = fills - shared
        # the band is painted: exactly one colour of its own on each badge
        assert len(own) == 1, (text, fills)
        band[text] = own.pop()
    words = {
        "Ban Tổ chức": "BAN TỔ CHỨC",
        "Nguyễn Thị Mai": "ĐẠI BIỂU",
        "Trần Quốc Bảo": "KHỞI NGHIỆP",
        "An Khánh Vy": "VIP",
        "Bạch Minh Phóng": "BÁO CHÍ",
        "Lê Văn Hùng": "SPEAKER",
    }
    colours = {}
    for name, word in words.items():
        (text,) = [t for t in band if name in t]
        assert word in text, text
        colours[name] = band[text]
    # six roles, six colours door staff can tell apart
    assert len(set(colours.values())) == 6


def test_badge_is_wholly_in_the_language_its_person_chose(app, session, festival, tmp_path):
    add_people(session, festival)

    cli(app, "print-badges", "--out", str(tmp_path), "--workers", "1")

    text = " ".join(
        " ".join(p.extract_text().split()) for p in PdfReader(tmp_path / "badges-2025-a4.pdf").pages
    )
    # the English speaker's badge: English role word and dates; the others Vietnamese
    assert "SPEAKER" in text
    assert "DIỄN GIẢ" not in text
    assert "October 2025" in text
    assert "ĐẠI BIỂU" in text
    assert "DELEGATE" not in text
    assert "/10/2025" in text


def test_badge_role_order_prefers_organiser_then_speaker_then_ticket():
    assert badge_role({"organiser"}, True, "VIP") == "organiser"
    assert badge_role({"delegate"}, True, "VIP") == "speaker"
    assert badge_role({"investor"}, False, "PRESS") == "press"
    assert badge_role({"investor"}, False, "INVESTOR") == "investor"
    assert badge_role({"startup"}, False, "EXHIBITOR") == "startup"
    assert badge_role(set(), False, "vip") == "vip"
    assert badge_role({"delegate"}, False, "GUEST") == "delegate"
