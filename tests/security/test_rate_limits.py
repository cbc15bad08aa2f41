"""Rate limits on the account doors hold for the whole server, not per worker.

Three gunicorn workers are three app instances sharing one database (or one Redis server);
each test drives them in turn. Time is moved on by replacing the limiter's clock, never by
waiting.
"""

from __future__ import annotations

import os
import re
import threading
import uuid

import pytest
import sqlalchemy as sa
from sqlmodel import Session
from werkzeug.security import generate_password_hash

from techfest import create_app
from techfest.auth import ratelimit
from techfest.auth.services import create_user
from techfest.config import TestConfig
from techfest.models import metadata
from tests.factories import make_edition

REDIS_TEST_URL = os.environ.get("TECHFEST_TEST_REDIS_URL", "redis://127.0.0.1:6379/15")
PASSWORD = "correct horse battery"  # noqa: S105 - a test account's password


class Clock:
    def __init__(self):
        self.now = 600_000_000.0  # a whole minute: windows start here

    def __call__(self) -> float:
        return self.now

    def advance(self, seconds: float) -> None:
        self.now += seconds


@pytest.fixture
def clock(monkeypatch):
    fake = Clock()
    monkeypatch.setattr(ratelimit, "clock", fake)
    return fake


@pytest.fixture
def workers(database_url):
    """Make `n` app instances on one database, as gunicorn's workers would be."""
    made = []

    def make(n: int = 3, **overrides):
        settings = {"RATELIMIT_ENABLED": True, **overrides}
        apps = [create_app(TestConfig, DATABASE_URL=database_url, **settings) for _ in range(n)]
        made.extend(apps)
        engine = apps[0].extensions["techfest_engine"]
        metadata.create_all(engine)
        with Session(engine) as s:
            make_edition(s, 2025)
            password_hash = generate_password_hash(PASSWORD)
            create_user(s, "known@techfest.vn", "", "Known", password_hash=password_hash)
            s.commit()
        return apps

    yield make
    for app in made:
        app.extensions["techfest_engine"].dispose()


def client_from(app, ip: str = "198.51.100.7"):
    client = app.test_client()
    client.environ_base["REMOTE_ADDR"] = ip
    return client


def clients(apps, ip: str = "198.51.100.7"):
    return [client_from(app, ip) for app in apps]


def login(client, email: str, password: str = "wrong password"):
    return client.post("/auth/login", data={"email": email, "password": password})


def counters(app) -> int:
    with app.extensions["techfest_engine"].connect() as conn:
        return conn.execute(sa.text("select count(*) from rate_counter")).scalar_one()


@pytest.mark.both_databases
def test_the_login_limit_per_ip_holds_across_three_workers(workers, clock):
    apps = workers()
    three = clients(apps)
    codes = [login(three[i % 3], f"person{i}@example.vn").status_code for i in range(14)]
    assert codes[:10] == [200] * 10
    assert codes[10:] == [429] * 4
    # another address is not held back by this one
    assert login(clients(apps, ip="203.0.113.50")[1], "other@example.vn").status_code == 200
    clock.advance(61)
    assert login(three[2], "later@example.vn").status_code == 200


@pytest.mark.both_databases
def test_the_limit_per_account_holds_across_workers_and_addresses(workers, clock):
    apps = workers()
    codes = []
    for i in range(7):
        client = clients(apps, ip=f"192.0.2.{i + 1}")[i % 3]
        codes.append(client.post("/auth/reset", data={"email": " Known@TechFest.vn "}).status_code)
    # the typed address is normalised: case and spaces do not make a new account
    assert codes == [302] * 5 + [429, 429]


@pytest.mark.both_databases
def test_simultaneous_attempts_never_pass_the_limit(workers, clock):
    apps = workers()
    codes: list[int] = []
    lock = threading.Lock()
    start = threading.Barrier(24)

    def attempt(i: int) -> None:
        client = client_from(apps[i % 3], "198.51.100.99")
        start.wait()
        # no password: the form is refused without hashing, only the counting is raced
        code = client.post("/auth/login", data={"email": f"racer{i}@example.vn"}).status_code
        with lock:
            codes.append(code)

    threads = [threading.Thread(target=attempt, args=(i,)) for i in range(24)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert sorted(codes) == [200] * 10 + [429] * 14


def test_failed_logins_lock_the_account_longer_each_time(workers, clock):
    apps = workers()
    three = clients(apps)
    codes = [login(three[i % 3], "known@techfest.vn").status_code for i in range(5)]
    assert codes == [200] * 5
    waits = []
    for _ in range(7):
        # locked: even the right password is not looked at
        refused = login(three[0], "known@techfest.vn", PASSWORD)
        assert refused.status_code == 429
        waits.append(int(refused.headers["Retry-After"]))
        clock.advance(waits[-1] - 1)
        assert login(three[1], "known@techfest.vn", PASSWORD).status_code == 429
        clock.advance(2)
        assert login(three[2], "known@techfest.vn").status_code == 200  # one more failure
    assert waits == [30, 60, 120, 240, 480, 900, 900]


def test_a_success_after_the_lock_clears_the_failures(workers, clock):
    apps = workers()
    three = clients(apps)
    for i in range(5):
        login(three[i % 3], "known@techfest.vn")
    clock.advance(31)
    assert login(three[0], "known@techfest.vn", PASSWORD).status_code == 302
    # not cleared, the failures would lock the account at once; the 10th attempt this
    # minute is the last one the per-account limit lets through
    for i in range(3):
        assert login(three[i % 3], "known@techfest.vn").status_code == 200
    assert login(three[1], "known@techfest.vn", PASSWORD).status_code == 302


def test_the_lockout_answers_the_same_for_known_and_unknown_accounts(workers, clock):
    apps = workers()
    answers = {}
    for email in ("known@techfest.vn", "nobody@techfest.vn"):
        client = clients(apps, ip=f"192.0.2.{len(answers) + 10}")
        for i in range(5):
            assert login(client[i % 3], email).status_code == 200
        response = login(client[2], email)
        answers[email] = (
            response.status_code,
            response.headers["Retry-After"],
            response.get_data(as_text=True).replace(email, "EMAIL"),
        )
    assert answers["known@techfest.vn"] == answers["nobody@techfest.vn"]
    assert answers["known@techfest.vn"][0] == 429


def test_a_locked_out_person_gets_the_form_back_saying_when_to_retry(workers, clock):
    apps = workers()
    client = apps[0].test_client()
    for _ in range(5):
        login(client, "known@techfest.vn")
    response = login(client, "known@techfest.vn")
    html = response.get_data(as_text=True)
    assert response.status_code == 429
    assert '<html lang="vi">' in html
    assert "Bạn đã thử quá nhiều lần. Vui lòng thử lại sau 30 giây" in html
    assert 'name="email"' in html
    assert 'value="known@techfest.vn"' in html
    assert "<form" in html
    assert "Traceback" not in html
    client.get("/lang/en")
    html = login(client, "known@techfest.vn").get_data(as_text=True)
    wording = r"Too many attempts\. Please try again in 30 seconds \(at \d\d:\d\d:\d\d\)"
    assert re.search(wording, html)


def test_without_redis_the_counters_are_rows_that_name_no_address(workers, clock):
    apps = workers()
    login(apps[0].test_client(), "known@techfest.vn")
    with apps[0].extensions["techfest_engine"].connect() as conn:
        keys = conn.execute(sa.text("select key from rate_counter")).scalars().all()
    assert keys
    assert not any("known" in key or "techfest.vn" in key for key in keys)


def _redis_or_skip():
    import redis

    try:
        client = redis.Redis.from_url(REDIS_TEST_URL, socket_timeout=1)
        client.ping()
    except redis.exceptions.RedisError:
        pytest.skip("no Redis server answers on " + REDIS_TEST_URL)
    return client


@pytest.fixture
def redis_prefix():
    client = _redis_or_skip()
    prefix = f"techfest-test:{uuid.uuid4().hex}:"
    yield client, prefix
    for key in client.scan_iter(prefix + "*"):
        client.delete(key)


def test_through_redis_the_limits_hold_across_three_workers(workers, clock, redis_prefix):
    redis_client, prefix = redis_prefix
    apps = workers(RATELIMIT_REDIS_URL=REDIS_TEST_URL, RATELIMIT_KEY_PREFIX=prefix)
    three = clients(apps)
    codes = [login(three[i % 3], f"person{i}@example.vn").status_code for i in range(12)]
    assert codes == [200] * 10 + [429, 429]
    clock.advance(60)
    other = clients(apps, ip="203.0.113.77")
    codes = [login(other[i % 3], "known@techfest.vn").status_code for i in range(6)]
    assert codes == [200] * 5 + [429]
    assert list(redis_client.scan_iter(prefix + "*"))
    assert counters(apps[0]) == 0  # nothing went to the database


def test_when_redis_does_not_answer_the_database_keeps_counting(workers, clock):
    apps = workers(RATELIMIT_REDIS_URL="redis://127.0.0.1:1/0")
    three = clients(apps)
    codes = [login(three[i % 3], f"person{i}@example.vn").status_code for i in range(11)]
    assert codes == [200] * 10 + [429]
    assert counters(apps[0]) > 0
