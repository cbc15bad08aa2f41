"""Rate limits on the account doors (log in, sign up, password reset), shared by every worker.

Counters live in Redis when one is configured (RATELIMIT_REDIS_URL, else REDIS_URL), and in
the `rate_counter` table otherwise, so three gunicorn workers, or three machines behind one
proxy, see the same counts. Each door limits attempts per IP address and per account (the
email typed into the form, normalised and hashed: what people type is not kept).

Failed logins also lock the account out for a while, longer each time: after
`FREE_FAILURES` failures in a row the next attempt must wait `FIRST_LOCK` seconds, then twice
as long after each further failure, up to `MAX_LOCK`. A success clears the count. Nothing
here looks at whether the account exists: a typed address without an account is counted and
locked the same way, so the answer tells an attacker nothing.

Redis counters use INCR and PEXPIRE in one MULTI block (a fixed window per key); database
counters use one INSERT … ON CONFLICT DO UPDATE … RETURNING, which is atomic on PostgreSQL
and runs under the write transaction of the POST on SQLite. The functions take the request's
session and only execute statements: the view commits.
"""

from __future__ import annotations

import hashlib
import logging
import random
import time
from dataclasses import dataclass

import sqlalchemy as sa
from flask import current_app
from sqlmodel import Session

from techfest.auth.models import RateCounter

log = logging.getLogger(__name__)

#: seconds since the epoch; tests replace it to move time on
clock = time.time

FREE_FAILURES = 5
FIRST_LOCK = 30
MAX_LOCK = 15 * 60
#: how long failed logins are remembered after the last one
FAILURES_KEPT = 60 * 60


@dataclass(frozen=True)
class Limit:
    per_ip: int
    per_account: int
    #: seconds of each counting window
    window: int


DOORS: dict[str, Limit] = {
    "login": Limit(per_ip=10, per_account=10, window=60),
    "signup": Limit(per_ip=5, per_account=5, window=60 * 60),
    "reset": Limit(per_ip=5, per_account=5, window=60 * 60),
}


@dataclass(frozen=True)
class Refusal:
    """The attempt was not looked at: wait `retry_after` seconds."""

    retry_after: int


def lock_seconds(failures: int) -> int:
    """How long an account waits after this many failed logins in a row."""
    if failures < FREE_FAILURES:
        return 0
    return min(FIRST_LOCK * 2 ** min(failures - FREE_FAILURES, 20), MAX_LOCK)


def account_key(email: str) -> str:
    normalised = (email or "").strip().lower()[:254]
    return hashlib.sha256(normalised.encode("utf-8", "replace")).hexdigest()[:40]


def _now_ms() -> int:
    return int(clock() * 1000)


# -- the two stores ---------------------------------------------------------------------


class _DatabaseStore:
    def __init__(self, session: Session):
        self.session = session
        self.table = RateCounter.__table__

    def _insert(self):
        if self.session.get_bind().dialect.name == "postgresql":
            from sqlalchemy.dialects.postgresql import insert
        else:
            from sqlalchemy.dialects.sqlite import insert
        return insert(self.table)

    def hit(self, key: str, window_ms: int, now: int) -> tuple[int, int]:
        t = self.table
        start = now - now % window_ms
        ends = start + window_ms
        over = t.c.expires_ms <= now
        stmt = (
            self._insert()
            .values(key=key, count=1, expires_ms=ends, last_ms=now)
            .on_conflict_do_update(
                index_elements=[t.c.key],
                set_={
                    "count": sa.case((over, 1), else_=t.c.count + 1),
                    "expires_ms": sa.case((over, ends), else_=t.c.expires_ms),
                    "last_ms": now,
                },
            )
            .returning(t.c.count, t.c.expires_ms)
        )
        count, expires = self.session.execute(stmt).one()
        if random.random() < 0.01:  # noqa: S311 - not a secret: when to sweep old rows
            self.session.execute(sa.delete(t).where(t.c.expires_ms < now - 86_400_000))
        return int(count), int(expires)

    def fail(self, key: str, keep_ms: int, now: int) -> None:
        t = self.table
        over = t.c.expires_ms <= now
        stmt = (
            self._insert()
            .values(key=key, count=1, expires_ms=now + keep_ms, last_ms=now)
            .on_conflict_do_update(
                index_elements=[t.c.key],
                set_={
                    "count": sa.case((over, 1), else_=t.c.count + 1),
                    "expires_ms": now + keep_ms,
                    "last_ms": now,
                },
            )
        )
        self.session.execute(stmt)

    def failures(self, key: str, now: int) -> tuple[int, int]:
        t = self.table
        row = self.session.execute(
            sa.select(t.c.count, t.c.last_ms).where(t.c.key == key, t.c.expires_ms > now)
        ).first()
        return (int(row[0]), int(row[1])) if row else (0, 0)

    def clear(self, key: str) -> None:
        self.session.execute(sa.delete(self.table).where(self.table.c.key == key))


class _RedisStore:
    def __init__(self, client, prefix: str):
        self.client = client
        self.prefix = prefix

    def hit(self, key: str, window_ms: int, now: int) -> tuple[int, int]:
        start = now - now % window_ms
        name = f"{self.prefix}{key}:{start}"
        pipe = self.client.pipeline(transaction=True)
        pipe.incr(name)
        pipe.pexpire(name, window_ms + 1000)
        count, _ = pipe.execute()
        return int(count), start + window_ms

    def fail(self, key: str, keep_ms: int, now: int) -> None:
        name = self.prefix + key
        pipe = self.client.pipeline(transaction=True)
        pipe.hincrby(name, "count", 1)
        pipe.hset(name, "last", now)
        pipe.pexpire(name, keep_ms)
        pipe.execute()

    def failures(self, key: str, now: int) -> tuple[int, int]:
        values = self.client.hgetall(self.prefix + key)
        if not values:
            return 0, 0
        return int(values.get(b"count", 0)), int(values.get(b"last", 0))

    def clear(self, key: str) -> None:
        self.client.delete(self.prefix + key)


def _redis_url() -> str:
    config = current_app.config
    return config.get("RATELIMIT_REDIS_URL") or config.get("REDIS_URL") or ""


def _store(session: Session):
    url = _redis_url()
    if not url:
        return _DatabaseStore(session)
    clients = current_app.extensions.setdefault("techfest_ratelimit_redis", {})
    if url not in clients:
        from redis import Redis

        clients[url] = Redis.from_url(url, socket_timeout=2, socket_connect_timeout=2)
    return _RedisStore(clients[url], current_app.config.get("RATELIMIT_KEY_PREFIX", "tf:rl:"))


def _run(session: Session, action):
    """Run `action(store)` on Redis, or on the database when Redis does not answer."""
    store = _store(session)
    if isinstance(store, _RedisStore):
        from redis.exceptions import RedisError

        try:
            return action(store)
        except RedisError as exc:
            log.warning("rate limits: Redis does not answer (%s), using the database", exc)
            return action(_DatabaseStore(session))
    return action(store)


# -- what the views call ----------------------------------------------------------------


def enabled() -> bool:
    return bool(current_app.config.get("RATELIMIT_ENABLED", True))


def check(session: Session, door: str, ip: str, email: str | None) -> Refusal | None:
    """Count one attempt at `door`; a Refusal when the IP or the account must wait."""
    if not enabled():
        return None
    limit = DOORS[door]
    now = _now_ms()
    window_ms = limit.window * 1000
    waits = []
    count, ends = _run(session, lambda s: s.hit(f"{door}:ip:{ip or '-'}"[:200], window_ms, now))
    if count > limit.per_ip:
        waits.append(ends - now)
    if email and email.strip():
        account = account_key(email)
        count, ends = _run(session, lambda s: s.hit(f"{door}:acct:{account}", window_ms, now))
        if count > limit.per_account:
            waits.append(ends - now)
        if door == "login":
            failures, last = _run(session, lambda s: s.failures(f"fail:{account}", now))
            until = last + lock_seconds(failures) * 1000
            if until > now:
                waits.append(until - now)
    if not waits:
        return None
    return Refusal(retry_after=max(1, -(-max(waits) // 1000)))


def login_failed(session: Session, email: str) -> None:
    """Remember a failed login for the typed address, whether it has an account or not."""
    if enabled() and email and email.strip():
        key = f"fail:{account_key(email)}"
        _run(session, lambda s: s.fail(key, FAILURES_KEPT * 1000, _now_ms()))


def login_succeeded(session: Session, email: str) -> None:
    if enabled() and email and email.strip():
        key = f"fail:{account_key(email)}"
        _run(session, lambda s: s.clear(key))
