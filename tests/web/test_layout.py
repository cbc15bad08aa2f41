"""Layout, languages, error pages and the health check."""

from tests.factories import make_edition


def test_home_redirects_to_newest_edition(client, session):
    make_edition(session, 2024)
    make_edition(session, 2025)
    session.commit()
    assert client.get("/").headers["Location"] == "/2025/"


def test_vietnamese_is_the_default_and_english_is_one_click_away(client, session):
    make_edition(session, 2025, theme_vi="Sáng tạo không giới hạn", theme_en="Limitless")
    session.commit()
    vi = client.get("/2025/").get_data(as_text=True)
    assert "Đăng nhập" in vi
    assert "Sáng tạo không giới hạn" in vi
    assert 'lang="vi"' in vi
    client.get("/lang/en?next=/2025/")
    en = client.get("/2025/").get_data(as_text=True)
    assert "Log in" in en
    assert "Limitless" in en
    assert "9 October 2025" in en or "Oct 9, 2025" in en


def test_unknown_edition_and_page_get_a_friendly_404_in_the_language(client, session):
    make_edition(session)
    session.commit()
    vi = client.get("/1999/")
    assert vi.status_code == 404
    assert "Không tìm thấy trang" in vi.get_data(as_text=True)
    en = client.get("/nowhere?lang=en")
    assert en.status_code == 404
    assert "Page not found" in en.get_data(as_text=True)


def test_crash_shows_no_stack_trace(app, client, session):
    make_edition(session)
    session.commit()

    @app.get("/boom")
    def boom():
        raise RuntimeError("secret internals")

    response = client.get("/boom")
    body = response.get_data(as_text=True)
    assert response.status_code == 500
    assert "secret internals" not in body
    assert "Traceback" not in body
    assert "Đã xảy ra lỗi" in body


def test_security_headers_on_every_page(client, session):
    make_edition(session)
    session.commit()
    response = client.get("/2025/")
    assert "script-src 'self'" in response.headers["Content-Security-Policy"]
    assert response.headers["X-Frame-Options"] == "DENY"
    assert response.headers["X-Content-Type-Options"] == "nosniff"


def test_healthz_reports_database(client):
    response = client.get("/healthz")
    assert response.status_code == 200
    assert response.json == {"ok": True, "database": "ok", "queue": "in-process"}


def test_organiser_edits_edition_rules_and_others_cannot(client, auth, session):
    from tests.factories import make_user

    edition = make_edition(session)
    other = make_edition(session, 2024)
    make_user(session, edition, "organiser", email="org@example.vn")
    make_user(session, other, "organiser", email="org2024@example.vn")
    make_user(session, edition, "delegate", email="del@example.vn")
    session.commit()
    form = {
        "year": "2025",
        "number": "9",
        "name_vi": "Techfest Hải Phòng 2025",
        "name_en": "Techfest Hai Phong 2025",
        "starts_on": "2025-10-09",
        "ends_on": "2025-10-11",
        "booth_hold_hours": "24",
        "max_booths_per_organisation": "2",
        "request_expiry_hours": "48",
        "retention_days": "180",
    }
    auth.login("del@example.vn")
    assert client.post("/2025/settings", data=form).status_code == 403
    auth.logout()
    auth.login("org2024@example.vn")
    assert client.post("/2025/settings", data=form).status_code == 403
    auth.logout()
    auth.login("org@example.vn")
    bad = client.post("/2025/settings?lang=en", data={**form, "ends_on": "2025-10-01"})
    assert "The last day cannot be before the first day." in bad.get_data(as_text=True)
    assert client.post("/2025/settings", data=form).headers["Location"] == "/2025/settings"
    session.refresh(edition)
    assert (edition.booth_hold_hours, edition.retention_days) == (24, 180)
    taken = client.post("/2025/settings?lang=en", data={**form, "year": "2024"})
    assert "Another edition already uses this year." in taken.get_data(as_text=True)


def test_a_huge_number_gets_a_message_not_an_error_page(client, auth, session):
    from tests.factories import make_user

    make_edition(session)
    make_user(session, make_edition(session, 2024), "organiser", email="o@example.vn")
    session.commit()
    auth.login("o@example.vn")
    response = client.post(
        "/2024/settings?lang=en",
        data={
            "year": "2024",
            "name_vi": "A",
            "name_en": "A",
            "starts_on": "2024-10-09",
            "ends_on": "2024-10-10",
            "booth_hold_hours": "9" * 400,
            "max_booths_per_organisation": "1",
            "request_expiry_hours": "1",
            "retention_days": "1",
        },
    )
    assert response.status_code == 200
    assert "Number must be between 1 and 1440." in response.get_data(as_text=True)


def test_every_screen_table_can_scroll_or_stack_on_a_phone():
    """A table wider than a phone scrolls inside its own box (or stacks), never the page."""
    import re
    from pathlib import Path

    templates = Path(__file__).resolve().parents[2] / "templates"
    bare = []
    for path in sorted(templates.rglob("*.html")):
        if "print" in path.relative_to(templates).parts[0] or path.stem.endswith("_pdf"):
            continue  # printed documents have a page size, not a window
        lines = path.read_text(encoding="utf-8").splitlines()
        for i, line in enumerate(lines):
            if "<table" not in line or "tf-stack-sm" in line:
                continue
            before = "\n".join([*lines[max(0, i - 2) : i], line[: line.index("<table")]])
            if not re.search(r'class="[^"]*table-responsive', before):
                bare.append(f"{path.relative_to(templates)}:{i + 1}")
    assert bare == [], bare
