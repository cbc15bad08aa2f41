"""After a check-in the desk prints that one person's badge: a PDF of their badge alone."""

from __future__ import annotations

import io

from pypdf import PdfReader

from tests.factories import PASSWORD, make_edition, make_user
from tests.factories.registration import make_ticket
from tests.organiser.builders import register


def _login(auth):
    auth.login("desk@techfest.vn", PASSWORD)


def _text(pdf: bytes) -> list[str]:
    return [" ".join(p.extract_text().split()) for p in PdfReader(io.BytesIO(pdf)).pages]


def test_scan_answer_links_to_the_persons_badge_which_prints_alone(client, auth, session, desk):
    other = make_user(session, desk["edition"], email="hoa@example.vn", full_name="Lê Thị Hoa")
    register(session, desk["edition"], other, make_ticket(session, desk["edition"], code="B2"))
    session.commit()
    _login(auth)

    scan = client.post("/2025/checkin/scan", json={"code": desk["reg"].badge_code})
    badge = client.get(scan.json["badge_url"])

    assert scan.json["badge_url"] == f"/2025/printing/badges/{desk['reg'].id}.pdf"
    assert (badge.status_code, badge.mimetype) == (200, "application/pdf")
    pages = _text(badge.data)
    assert len(pages) == 1
    assert "Nguyễn Thị Mai" in pages[0]
    assert "Cảng Hải Phòng" in pages[0]
    assert "Lê Thị Hoa" not in pages[0]
    assert badge.headers["Cache-Control"] == "private, no-store"


def test_search_offers_the_badge_of_confirmed_people_only(client, auth, desk):
    _login(auth)

    page = client.get("/2025/checkin/search?q=mai").get_data(as_text=True)
    late = client.get("/2025/checkin/search?q=muon").get_data(as_text=True)

    assert f'href="/2025/printing/badges/{desk["reg"].id}.pdf"' in page
    assert "In thẻ" in page
    assert "/2025/printing/badges/" not in late


def test_kiosk_page_has_the_print_badge_button(client, auth, desk):
    _login(auth)

    page = client.get("/2025/checkin/").get_data(as_text=True)

    assert 'id="result-badge"' in page
    assert "In thẻ" in page


def test_badge_of_waitlisted_or_unknown_registration_is_not_found(client, auth, desk):
    _login(auth)

    assert client.get(f"/2025/printing/badges/{desk['waiting'].id}.pdf").status_code == 404
    assert client.get("/2025/printing/badges/999999.pdf").status_code == 404


def test_only_the_editions_desk_prints_badges(client, auth, session, desk):
    url = f"/2025/printing/badges/{desk['reg'].id}.pdf"
    older = make_edition(session, 2024)
    make_user(session, older, "organiser", email="old-desk@techfest.vn")
    session.commit()

    anonymous = client.get(url)
    auth.login("mai@example.vn", PASSWORD)
    own = client.get(url)
    auth.logout()
    auth.login("old-desk@techfest.vn", PASSWORD)
    other_desk = client.get(url)
    from_other_edition = client.get(f"/2024/printing/badges/{desk['reg'].id}.pdf")

    assert anonymous.status_code == 302
    assert "/auth/login" in anonymous.headers["Location"]
    # the delegate herself is not the desk: badges are handed out there
    assert own.status_code == 403
    assert other_desk.status_code == 403
    assert from_other_edition.status_code == 404
