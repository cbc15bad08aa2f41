"""CSRF on every state-changing route, cookie flags, rate limits."""

import re

import pytest

from techfest import create_app
from techfest.config import TestConfig
from techfest.models import metadata
from tests.factories import make_edition


class CsrfConfig(TestConfig):
    WTF_CSRF_ENABLED = True


def fill_url(rule, year: int) -> str:
    def value(match):
        converter, args, name = match.group(1), match.group(2), match.group(3)
        if name == "year":
            return str(year)
        if converter == "any":
            return args.split(",")[0].strip(" '\"")
        return "1" if converter in ("id", "int", "float") else "x"

    return re.sub(r"<(?:(\w+)(?:\(([^)]*)\))?:)?(\w+)>", value, rule.rule)


@pytest.fixture
def csrf_app(database_url):
    app = create_app(CsrfConfig, DATABASE_URL=database_url)
    metadata.create_all(app.extensions["techfest_engine"])
    yield app
    app.extensions["techfest_engine"].dispose()


def test_every_post_route_refuses_a_request_without_csrf_token(csrf_app):
    from sqlmodel import Session

    with Session(csrf_app.extensions["techfest_engine"]) as session:
        make_edition(session, 2025)
        session.commit()
    client = csrf_app.test_client()
    state_changing = [
        rule
        for rule in csrf_app.url_map.iter_rules()
        if rule.methods & {"POST", "PUT", "PATCH", "DELETE"}
    ]
    assert len(state_changing) >= 2
    answers = {}
    for rule in state_changing:
        url = fill_url(rule, 2025)
        method = sorted(rule.methods & {"POST", "PUT", "PATCH", "DELETE"})[0]
        response = client.open(url, method=method, data={"anything": "1"})
        answers[rule.rule] = response.status_code
    assert {rule: code for rule, code in answers.items() if code != 400} == {}


def test_session_cookie_is_httponly_samesite_and_secure_when_configured(database_url):
    app = create_app(TestConfig, DATABASE_URL=database_url, SESSION_COOKIE_SECURE=True)
    metadata.create_all(app.extensions["techfest_engine"])
    client = app.test_client()
    response = client.get("/lang/en")
    [cookie] = response.headers.getlist("Set-Cookie")
    assert cookie.startswith("session=")
    assert "HttpOnly" in cookie
    assert "Secure" in cookie
    assert "SameSite=Lax" in cookie


def test_login_is_rate_limited(database_url, monkeypatch):
    # Counting windows are whole minutes: the clock stands still inside one, or twelve
    # logins that straddle a minute would be counted in two windows.
    from techfest.auth import ratelimit

    monkeypatch.setattr(ratelimit, "clock", lambda: 600_000_030.0)
    app = create_app(TestConfig, DATABASE_URL=database_url, RATELIMIT_ENABLED=True)
    metadata.create_all(app.extensions["techfest_engine"])
    client = app.test_client()
    codes = [
        client.post("/auth/login", data={"email": f"a{i}@b.vn", "password": "x"}).status_code
        for i in range(12)
    ]
    assert codes[:10] == [200] * 10
    assert codes[10:] == [429, 429]
