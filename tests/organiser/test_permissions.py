"""Organiser pages belong to the organisers of their own edition."""

import pytest

from tests.factories import PASSWORD, make_edition, make_user

ORGANISER_PAGES = [
    "/2025/organiser/",
    "/2025/organiser/charts/tickets.csv",
    "/2025/organiser/audit",
    "/2025/organiser/audit.csv",
    "/2025/organiser/privacy",
    "/2025/checkin/",
    "/2025/checkin/search?q=ab",
    "/2025/checkin/sessions",
    "/2025/checkin/token",
    "/2025/checkin/sw.js",
]
ORGANISER_POSTS = [
    "/2025/organiser/privacy/retention",
    "/2025/organiser/privacy/requests",
    "/2025/organiser/privacy/requests/1/complete",
    "/2025/checkin/scan",
    "/2025/checkin/registrations/1",
]


@pytest.fixture
def people(session):
    current = make_edition(session, 2025)
    older = make_edition(session, 2024)
    make_user(session, current, "delegate", email="delegate@x.vn")
    make_user(session, current, "startup", email="startup@x.vn")
    make_user(session, older, "organiser", email="old-boss@x.vn")
    make_user(session, current, "organiser", email="boss@x.vn")
    session.commit()


@pytest.mark.parametrize("email", ["delegate@x.vn", "startup@x.vn", "old-boss@x.vn"])
def test_organiser_pages_refuse_everyone_else(client, auth, people, email):
    auth.login(email, PASSWORD)

    answers = {path: client.get(path).status_code for path in ORGANISER_PAGES}
    answers |= {path: client.post(path, json={"code": "x"}).status_code for path in ORGANISER_POSTS}

    assert answers == dict.fromkeys(ORGANISER_PAGES + ORGANISER_POSTS, 403)


def test_anonymous_visitors_are_sent_to_log_in(client, people):
    response = client.get("/2025/organiser/")

    assert response.status_code == 302
    assert "/auth/login" in response.headers["Location"]


def test_organiser_of_the_edition_gets_in(client, auth, people):
    auth.login("boss@x.vn", PASSWORD)

    answers = {path: client.get(path).status_code for path in ORGANISER_PAGES}

    assert answers == dict.fromkeys(ORGANISER_PAGES, 200)
