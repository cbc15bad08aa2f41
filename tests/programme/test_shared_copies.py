"""Visitors who are not logged in get a shared copy of the public programme, a few seconds old.

The copy must never reach someone it was not made for: logged-in people, another
language, another filter, a visitor with a message waiting; and an expired copy must
never make a crowd render the page at once.
"""

from __future__ import annotations

import threading

import pytest

from techfest import create_app
from techfest.config import TestConfig
from techfest.core.pagecache import SharedPages
from techfest.models import metadata
from tests.factories import local, make_edition, make_user
from tests.factories.programme import make_session

SECONDS = 30


class Clock:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


@pytest.fixture
def app(tmp_path):
    app = create_app(
        TestConfig, DATABASE_URL=f"sqlite:///{tmp_path / 'shared.db'}", SHARED_PAGE_SECONDS=SECONDS
    )
    metadata.create_all(app.extensions["techfest_engine"])
    yield app
    app.extensions["techfest_engine"].dispose()


@pytest.fixture
def clock(app) -> Clock:
    clock = Clock()
    app.extensions["shared_pages"].clock = clock
    return clock


@pytest.fixture
def programme(session):
    edition = make_edition(session)
    ps = make_session(
        session,
        edition,
        local(2025, 10, 9, 9),
        local(2025, 10, 9, 10),
        title_vi="Khai mạc",
        title_en="Opening",
        capacity=10,
    )
    make_session(
        session,
        edition,
        local(2025, 10, 10, 9),
        local(2025, 10, 10, 10),
        title_vi="Ngày hai",
        title_en="Day two",
    )
    user = make_user(session, edition, email="delegate@example.vn")
    session.commit()
    return edition, ps, user


def rename(session, ps, title: str) -> None:
    ps.title_vi = title
    session.add(ps)
    session.commit()


def test_visitor_gets_a_copy_until_it_expires_and_sets_no_cookie(app, clock, session, programme):
    _, ps, _ = programme
    visitor = app.test_client()
    first = visitor.get("/2025/programme/")
    assert "Khai mạc" in first.get_data(as_text=True)
    assert "Set-Cookie" not in first.headers

    rename(session, ps, "Lễ khai mạc mới")
    assert "Lễ khai mạc mới" not in visitor.get("/2025/programme/").get_data(as_text=True)
    assert "Lễ khai mạc mới" not in app.test_client().get("/2025/programme/").get_data(as_text=True)

    clock.now += SECONDS + 1
    assert "Lễ khai mạc mới" in visitor.get("/2025/programme/").get_data(as_text=True)


def test_logged_in_people_always_see_the_live_page(app, clock, session, programme, client):
    _, ps, user = programme
    app.test_client().get("/2025/programme/")  # a visitor's copy exists
    rename(session, ps, "Lễ khai mạc mới")

    client.post("/auth/login", data={"email": user.email, "password": "password123"})
    page = client.get("/2025/programme/").get_data(as_text=True)

    assert "Lễ khai mạc mới" in page
    assert 'name="csrf_token"' in page  # their own sign-up buttons


def test_each_language_and_filter_has_its_own_copy(app, clock, session, programme):
    vi = app.test_client()
    assert "Khai mạc" in vi.get("/2025/programme/").get_data(as_text=True)

    en = app.test_client()
    en.get("/2025/programme/?lang=en")  # goes through: it changes the visitor's session
    english = en.get("/2025/programme/").get_data(as_text=True)
    assert "Opening" in english
    assert "Khai mạc" not in english

    day_two = vi.get("/2025/programme/?day=2025-10-10").get_data(as_text=True)
    assert "Ngày hai" in day_two
    assert "Khai mạc" not in day_two
    assert "Khai mạc" in vi.get("/2025/programme/").get_data(as_text=True)


def test_a_waiting_message_is_shown_and_never_shared(app, clock, session, programme):
    app.test_client().get("/2025/programme/")
    visitor = app.test_client()
    with visitor.session_transaction() as s:
        s["_flashes"] = [("success", "Bạn đã đăng xuất.")]

    assert "Bạn đã đăng xuất." in visitor.get("/2025/programme/").get_data(as_text=True)
    assert "Bạn đã đăng xuất." not in visitor.get("/2025/programme/").get_data(as_text=True)
    assert "Bạn đã đăng xuất." not in app.test_client().get("/2025/programme/").get_data(
        as_text=True
    )


def test_a_not_found_answer_is_not_kept(app, clock, session, programme):
    edition, ps, _ = programme
    missing = ps.id + 100
    assert app.test_client().get(f"/2025/programme/sessions/{missing}").status_code == 404

    make_session(session, edition, id=missing, title_vi="Phiên thêm")
    session.commit()

    added = app.test_client().get(f"/2025/programme/sessions/{missing}")
    assert added.status_code == 200
    assert "Phiên thêm" in added.get_data(as_text=True)


# --------------------------------------------------------------------------- the layer itself


class SlowPage:
    """A WSGI page that counts renders and can hold one until released."""

    def __init__(self) -> None:
        self.renders = 0
        self.gate = threading.Event()
        self.gate.set()
        self.entered = threading.Event()
        self.lock = threading.Lock()

    def __call__(self, environ, start_response):
        with self.lock:
            self.renders += 1
            n = self.renders
        self.entered.set()
        self.gate.wait(10)
        start_response("200 OK", [("Content-Type", "text/plain")])
        return [f"render {n}".encode()]


def layer_over(app, page: SlowPage, clock: Clock) -> SharedPages:
    layer = SharedPages(app, page, SECONDS)
    layer.clock = clock
    layer._endpoints = frozenset({"programme.index"})
    return layer


def call(layer: SharedPages, path: str = "/2025/programme/") -> bytes:
    environ = {
        "REQUEST_METHOD": "GET",
        "PATH_INFO": path,
        "QUERY_STRING": "",
        "SERVER_NAME": "x",
        "SERVER_PORT": "80",
        "wsgi.url_scheme": "http",
        "HTTP_HOST": "x",
    }
    return b"".join(layer(environ, lambda status, headers, exc_info=None: None))


def test_an_expired_copy_is_rendered_again_once_while_the_crowd_gets_the_old_one(app):
    page, clock = SlowPage(), Clock()
    layer = layer_over(app, page, clock)
    assert call(layer) == b"render 1"
    clock.now += SECONDS + 1

    page.gate.clear()
    page.entered.clear()
    refresher = threading.Thread(target=call, args=(layer,))
    refresher.start()
    assert page.entered.wait(5)
    crowd = [call(layer) for _ in range(20)]
    page.gate.set()
    refresher.join(5)

    assert crowd == [b"render 1"] * 20
    assert page.renders == 2
    assert call(layer) == b"render 2"


def test_answers_that_set_a_cookie_or_fail_are_never_kept(app):
    clock = Clock()
    answers = iter(
        [
            ("500 INTERNAL SERVER ERROR", []),
            ("200 OK", [("Set-Cookie", "session=abc")]),
            ("200 OK", []),
        ]
    )

    def page(environ, start_response):
        status, headers = next(answers)
        start_response(status, headers)
        return [status.encode()]

    layer = SharedPages(app, page, SECONDS)
    layer.clock = clock
    layer._endpoints = frozenset({"programme.index"})
    assert call(layer) == b"500 INTERNAL SERVER ERROR"
    assert call(layer) == b"200 OK"  # the one with a cookie
    assert call(layer) == b"200 OK"
    assert call(layer) == b"200 OK"  # kept: no fourth answer was needed
