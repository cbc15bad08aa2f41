"""A form left open past its CSRF token's life comes back with its input, and does nothing."""

from __future__ import annotations

import re
import time

import flask_wtf.csrf
import pytest
from itsdangerous import URLSafeTimedSerializer
from sqlmodel import select

from techfest import create_app
from techfest.auth.models import User
from techfest.config import TestConfig
from techfest.models import metadata
from tests.factories import make_edition


class CsrfConfig(TestConfig):
    WTF_CSRF_ENABLED = True
    WTF_CSRF_TIME_LIMIT = 3600


@pytest.fixture
def csrf_app(database_url):
    app = create_app(CsrfConfig, DATABASE_URL=database_url)
    metadata.create_all(app.extensions["techfest_engine"])
    yield app
    app.extensions["techfest_engine"].dispose()


def token_in(html: str) -> str:
    return re.search(r'name="csrf_token"[^>]*value="([^"]+)"', html).group(1)


def stale_token(client, path: str, monkeypatch) -> str:
    """A token the page handed out two hours ago (the signer's clock is moved back)."""
    two_hours_ago = int(time.time()) - 7200

    class SignedEarlier(URLSafeTimedSerializer):
        def make_signer(self, salt=None):
            signer = super().make_signer(salt)
            signer.get_timestamp = lambda: two_hours_ago
            return signer

    with monkeypatch.context() as m:
        m.setattr(flask_wtf.csrf, "URLSafeTimedSerializer", SignedEarlier)
        return token_in(client.get(path).get_data(as_text=True))


def test_expired_signup_form_comes_back_with_what_was_typed(csrf_app, monkeypatch):
    from sqlmodel import Session

    with Session(csrf_app.extensions["techfest_engine"]) as s:
        make_edition(s, 2025)
        s.commit()
    client = csrf_app.test_client()
    client.get("/lang/en")
    old = stale_token(client, "/auth/signup", monkeypatch)
    response = client.post(
        "/auth/signup",
        data={
            "csrf_token": old,
            "full_name": "Trần Thị Thu Hương",
            "email": "huong@haiphong.vn",
            "password": "mot-mat-khau-dai",
            "account_type": "delegate",
            "organisation_name": "Cảng Hải Phòng",
        },
    )
    html = response.get_data(as_text=True)
    assert response.status_code == 400
    assert "open too long and expired" in html
    assert 'value="Trần Thị Thu Hương"' in html
    assert 'value="huong@haiphong.vn"' in html
    assert 'value="Cảng Hải Phòng"' in html
    assert "mot-mat-khau-dai" not in html
    assert token_in(html) != old
    with Session(csrf_app.extensions["techfest_engine"]) as s:
        assert s.exec(select(User)).all() == []


def test_expired_form_sent_again_with_the_fresh_token_goes_through(csrf_app, monkeypatch):
    from sqlmodel import Session

    with Session(csrf_app.extensions["techfest_engine"]) as s:
        make_edition(s, 2025)
        s.commit()
    client = csrf_app.test_client()
    data = {
        "full_name": "Lê Văn Nam",
        "email": "nam@haiphong.vn",
        "password": "mot-mat-khau-dai",
        "account_type": "delegate",
    }
    old = stale_token(client, "/auth/signup", monkeypatch)
    again = client.post("/auth/signup", data={**data, "csrf_token": old})
    done = client.post(
        "/auth/signup", data={**data, "csrf_token": token_in(again.get_data(as_text=True))}
    )
    assert done.status_code == 200
    with Session(csrf_app.extensions["techfest_engine"]) as s:
        assert [u.email for u in s.exec(select(User)).all()] == ["nam@haiphong.vn"]


def test_expired_form_in_vietnamese_says_so_in_vietnamese(csrf_app, monkeypatch):
    client = csrf_app.test_client()
    old = stale_token(client, "/auth/login", monkeypatch)
    response = client.post(
        "/auth/login", data={"csrf_token": old, "email": "mai@example.vn", "password": "x"}
    )
    html = response.get_data(as_text=True)
    assert response.status_code == 400
    assert 'value="mai@example.vn"' in html
    assert 'lang="vi"' in html
    assert "Biểu mẫu đã mở quá lâu nên hết hạn" in html


def test_post_only_route_without_token_gets_the_expired_page(csrf_app):
    client = csrf_app.test_client()
    response = client.post("/auth/logout", data={"x": "1"})
    assert response.status_code == 400
    assert "Traceback" not in response.get_data(as_text=True)
