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
