"""Accounts through the HTTP doors a person uses."""

import pytest
from sqlmodel import select

from techfest.auth.models import User
from techfest.core.models import EditionRole, Organisation, OutboxEmail
from tests.factories import PASSWORD, make_edition, make_user


def outbox(session, to):
    session.expire_all()
    return session.exec(select(OutboxEmail).where(OutboxEmail.to_email == to)).all()


def test_signup_creates_startup_account_with_organisation_and_role(client, session):
    edition = make_edition(session)
    session.commit()
    response = client.post(
        "/auth/signup",
        data={
            "full_name": "Trần Văn Hải",
            "email": "Hai@CangXanh.vn",
            "password": "mat-khau-dai",
            "account_type": "startup",
            "organisation_name": "CảngXanh Logistics",
        },
    )
    assert response.status_code == 200
    user = session.exec(select(User).where(User.email == "hai@cangxanh.vn")).one()
    org = session.get(Organisation, user.organisation_id)
    assert (org.kind, org.name, org.slug) == ("startup", "CảngXanh Logistics", "cangxanh-logistics")
    roles = session.exec(select(EditionRole.role).where(EditionRole.user_id == user.id)).all()
    assert roles == ["startup"]
    assert edition.id is not None
    assert len(outbox(session, "hai@cangxanh.vn")) == 1


def test_signup_with_known_email_answers_the_same_and_creates_nothing(client, session):
    make_edition(session)
    make_user(session, email="mai@example.vn", locale="vi")
    session.commit()
    data = {
        "full_name": "X",
        "email": "mai@example.vn",
        "password": "12345678",
        "account_type": "delegate",
    }
    known = client.post("/auth/signup", data=data)
    unknown = client.post("/auth/signup", data={**data, "email": "new@example.vn"})
    assert known.status_code == unknown.status_code == 200
    assert known.data.replace(b"mai@example.vn", b"E") == unknown.data.replace(
        b"new@example.vn", b"E"
    )
    assert len(session.exec(select(User).where(User.email == "mai@example.vn")).all()) == 1
    assert "đã có tài khoản" in outbox(session, "mai@example.vn")[0].body


def test_signup_rejects_bad_input_and_keeps_what_was_typed(client, session):
    make_edition(session)
    session.commit()
    response = client.post(
        "/auth/signup?lang=en",
        data={
            "full_name": "Lê Thu Hà",
            "email": "not-an-email",
            "password": "short",
            "account_type": "investor",
            "organisation_name": "",
        },
    )
    body = response.get_data(as_text=True)
    assert response.status_code == 200
    assert 'value="Lê Thu Hà"' in body
    assert 'value="not-an-email"' in body
    assert "Please name your organisation." in body
    assert session.exec(select(User)).all() == []


def test_login_wrong_password_and_unknown_email_get_the_same_message(client, session):
    make_user(session, email="an@example.vn")
    session.commit()
    wrong = client.post("/auth/login?lang=en", data={"email": "an@example.vn", "password": "x"})
    unknown = client.post("/auth/login?lang=en", data={"email": "no@example.vn", "password": "x"})
    assert b"The email or password is not right." in wrong.data
    assert wrong.data.replace(b"an@example.vn", b"E") == unknown.data.replace(
        b"no@example.vn", b"E"
    )


def test_login_then_logout(client, auth, session):
    make_edition(session)
    make_user(session, email="an@example.vn")
    session.commit()
    response = auth.login("an@example.vn")
    assert response.status_code == 302
    assert b"Log out" in client.get("/?lang=en", follow_redirects=True).data
    auth.logout()
    assert b"Log out" not in client.get("/", follow_redirects=True).data


@pytest.mark.parametrize(
    ("next_url", "expected"),
    [
        ("/2025/", "/2025/"),
        ("https://evil.example/", "/"),
        ("//evil.example/x", "/"),
        ("/\\evil.example", "/"),
    ],
)
def test_login_redirects_only_to_local_pages(client, auth, session, next_url, expected):
    make_edition(session)
    make_user(session, email="an@example.vn")
    session.commit()
    response = client.post(
        "/auth/login", data={"email": "an@example.vn", "password": PASSWORD, "next": next_url}
    )
    assert response.headers["Location"] == expected


def test_password_reset_flow_is_single_use(client, session):
    user = make_user(session, email="reset@example.vn")
    session.commit()
    client.post("/auth/reset", data={"email": "reset@example.vn"})
    client.post("/auth/reset", data={"email": "nobody@example.vn"})
    [mail] = outbox(session, "reset@example.vn")
    link = mail.body.split("http://localhost")[1].split()[0]
    response = client.post(link, data={"password": "brand-new-pass", "confirm": "brand-new-pass"})
    assert response.headers["Location"] == "/auth/login"
    assert (
        client.post(
            "/auth/login", data={"email": "reset@example.vn", "password": "brand-new-pass"}
        ).status_code
        == 302
    )
    again = client.post(link, data={"password": "other-pass-1", "confirm": "other-pass-1"})
    assert again.headers["Location"] == "/auth/reset"
    session.refresh(user)
    assert outbox(session, "nobody@example.vn") == []


def test_erased_account_cannot_log_in(client, session):
    from techfest.db import now_utc

    make_user(session, email="gone@example.vn", erased_at=now_utc())
    session.commit()
    response = client.post("/auth/login", data={"email": "gone@example.vn", "password": PASSWORD})
    assert response.status_code == 200  # the login form again, not a redirect
    with client.session_transaction() as cookie_session:
        assert "_user_id" not in cookie_session  # Flask-Login signed nobody in


def test_first_login_welcomes_and_later_ones_welcome_back(client, session):
    from tests.factories import PASSWORD, make_edition, make_user

    edition = make_edition(session)
    make_user(session, edition, email="new@example.vn", full_name="Lê Mới")
    session.commit()

    first = client.post(
        "/auth/login",
        data={"email": "new@example.vn", "password": PASSWORD},
        follow_redirects=True,
    ).get_data(as_text=True)
    client.post("/auth/logout")
    again = client.post(
        "/auth/login",
        data={"email": "new@example.vn", "password": PASSWORD},
        follow_redirects=True,
    ).get_data(as_text=True)

    assert "Chào mừng Lê Mới." in first
    assert "quay lại" not in first
    assert "Chào mừng Lê Mới quay lại." in again
