"""Security headers on every page, rate limits on the account doors, no stack traces."""

from __future__ import annotations

import pytest
from sqlmodel import Session

from techfest import create_app
from techfest.config import Config, TestConfig
from techfest.models import metadata
from tests.factories import make_edition


def fresh_app(database_url, **overrides):
    app = create_app(TestConfig, DATABASE_URL=database_url, **overrides)
    metadata.create_all(app.extensions["techfest_engine"])
    with Session(app.extensions["techfest_engine"]) as s:
        make_edition(s, 2025)
        s.commit()
    return app


PAGES = ["/", "/2025/", "/auth/login", "/auth/signup", "/auth/reset", "/2025/programme/", "/nope"]


@pytest.mark.parametrize("path", PAGES)
def test_every_page_carries_the_security_headers(database_url, path):
    app = fresh_app(database_url)
    response = app.test_client().get(path)
    policy = response.headers["Content-Security-Policy"]
    csp = dict(part.strip().split(" ", 1) for part in policy.split(";"))
    assert csp["script-src"] == "'self'"
    assert csp["style-src"] == "'self'"
    assert csp["object-src"] == "'none'"
    assert csp["frame-ancestors"] == "'none'"
    assert "unsafe" not in policy
    assert response.headers["X-Content-Type-Options"] == "nosniff"
    assert response.headers["X-Frame-Options"] == "DENY"
    assert response.headers["Referrer-Policy"] == "strict-origin-when-cross-origin"


def test_hsts_is_sent_when_cookies_are_secure(database_url):
    app = fresh_app(database_url, SESSION_COOKIE_SECURE=True)
    response = app.test_client().get("/auth/login")
    assert response.headers["Strict-Transport-Security"] == "max-age=31536000; includeSubDomains"


def test_pages_have_no_inline_script_or_style(database_url):
    app = fresh_app(database_url)
    client = app.test_client()
    for path in PAGES:
        html = client.get(path, follow_redirects=True).get_data(as_text=True)
        assert "<script>" not in html.replace(" ", "")
        assert "<style" not in html
        assert " style=" not in html
        assert " onclick=" not in html.lower()


def test_signup_is_rate_limited(database_url):
    app = fresh_app(database_url, RATELIMIT_ENABLED=True)
    client = app.test_client()
    codes = [
        client.post("/auth/signup", data={"email": f"x{i}@y.vn"}).status_code for i in range(7)
    ]
    assert codes == [200] * 5 + [429, 429]


def test_password_reset_is_rate_limited(database_url):
    app = fresh_app(database_url, RATELIMIT_ENABLED=True)
    client = app.test_client()
    codes = [client.post("/auth/reset", data={"email": "a@b.vn"}).status_code for _ in range(7)]
    assert codes[5:] == [429, 429]
    assert 429 not in codes[:5]


def test_rate_limited_page_is_friendly_and_translated(database_url):
    app = fresh_app(database_url, RATELIMIT_ENABLED=True)
    client = app.test_client()
    for i in range(11):
        response = client.post("/auth/login", data={"email": f"a{i}@b.vn", "password": "x"})
    html = response.get_data(as_text=True)
    assert response.status_code == 429
    assert '<html lang="vi">' in html
    assert "Traceback" not in html


def test_an_unexpected_error_shows_the_friendly_page_without_a_trace(database_url):
    app = fresh_app(database_url)

    @app.get("/boom")
    def boom():
        raise RuntimeError("secret internals: /srv/techfest/db.py line 42")

    response = app.test_client().get("/boom")
    html = response.get_data(as_text=True)
    assert response.status_code == 500
    assert "secret internals" not in html
    assert "Traceback" not in html
    assert "RuntimeError" not in html
    assert '<html lang="vi">' in html


def test_production_settings_never_turn_on_the_debugger():
    assert getattr(Config, "DEBUG", False) is False
    assert Config.TESTING is False
