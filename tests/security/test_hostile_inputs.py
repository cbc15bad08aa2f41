"""Hostile values at every door: no 5xx, and nothing stored that breaks the input policy.

Every route the authorisation matrix knows (tests/security/test_authz_matrix.py, which in
turn must know every route of the app) is called by someone it lets in, with:

- each numeric or text part of its URL replaced by hostile values (2³¹, 2⁶³, −1, 10⁴⁰,
  "²", NUL, ESC, invalid UTF-8, a long string);
- a query string where every field name carries a hostile value;
- for POST: the form the page shows (scraped from its GET page, when it has one) with
  one field at a time made hostile, every field hostile at once, invalid UTF-8, fields sent
  twice, files where text is expected (hostile CSV files where a file is expected), and a
  JSON body of wrong types.

Nothing may answer 5xx. Afterwards every text, number and JSON value in the database must
keep the policy of techfest/core/inputs.py. Every field of every form class of the app must
have received hostile values during the sweep: a new form or field that no route reaches
with them fails the test, and so does a route that the matrix does not know.
Runs on SQLite and on PostgreSQL (one world per database, all routes in a row).
"""

from __future__ import annotations

import io
import re
import time
from html.parser import HTMLParser
from urllib.parse import quote, urlsplit

import pytest
import sqlalchemy as sa
from flask import got_request_exception
from sqlmodel import Session
from wtforms import FileField, SubmitField

from techfest import create_app
from techfest.auth.services import make_reset_token
from techfest.config import TestConfig
from techfest.core import inputs
from techfest.core.forms import TranslatedForm
from techfest.models import metadata
from tests.factories import PASSWORD
from tests.security.test_authz_matrix import ACTORS, MATRIX, METHODS, OK, expected, url_for_rule
from tests.security.world import build_world

pytestmark = pytest.mark.both_databases

NUMBERS = [str(2**31), str(2**63), "-1", "1" + "0" * 40, "²", "12abc"]
#: the values sent mixed, one field each
MIXED = [NUMBERS[0], NUMBERS[2], NUMBERS[4], NUMBERS[5], "٣", "1_000", " 7 "]
TEXTS = ["Nul\x00Name", "esc\x1b[31mred\x07bell", "x" * 100_000]
#: raw, percent-encoded: bytes that are not UTF-8
INVALID_UTF8 = "%FF%FE%C3%28"
#: what the fields of the app receive: every marker a field's raw data may hold
HOSTILE = NUMBERS + TEXTS
#: URL parts: numbers for ids and years, text for tokens and names
PATH_NUMBERS = [str(2**31), str(2**63), "-1", "1" + "0" * 40, "%C2%B2"]
PATH_TEXTS = ["%00", "%1B%5B31m", "%FF%FE", "x" * 3000]
#: files sent where a file is expected: each one broken in its own way
HOSTILE_FILES = [
    b"\xef\xbb\xbfemail,full_name,ticket_code,capacity,code\nx@example.vn,A\x00B,std,\xc2\xb2,S1\n",
    b"\xff\xfe\x00\x01garbage",
    b'code,title_vi,capacity\n"unclosed,quote,12\n',
    b"code,capacity,price_vnd,ticket_max_usd\nA1,%s,%s,%s\n"
    % (
        str(2**31).encode(),
        str(2**63).encode(),
        str(10**40).encode(),
    ),
]
#: query names views read from the query string
QUERY_NAMES = [
    "q",
    "page",
    "ticket",
    "status",
    "session",
    "user",
    "year",
    "job",
    "org",
    "sector",
    "stage",
    "next",
    "lang",
    "format",
    "zone",
    "size",
    "action",
    "track",
    "room",
    "day",
    "language",
    "download",
    "code",
    "kind",
]
#: routes run last, because they end or change the acting accounts
LAST = ("auth.logout", "privacy.erase")
#: in this order: the first one the matrix lets in acts for the route
PREFERRED = ("organiser", "startup", "investor", "delegate", "delegate2", "anonymous")


class _Forms(HTMLParser):
    """The POST forms of a page: [(action, {name: [values]})]."""

    def __init__(self):
        super().__init__()
        self.forms: list[tuple[str, dict[str, list[str]]]] = []
        #: every field name of a form, checked or not
        self.names: dict[str, set[str]] = {}
        self._current: dict[str, list[str]] | None = None
        self._select: str | None = None
        self._select_first: str | None = None
        self._select_chosen = False
        self._textarea: str | None = None

    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        if tag == "form" and (a.get("method") or "").lower() == "post":
            self._current = {}
            self.forms.append((a.get("action") or "", self._current))
            self.names.setdefault(a.get("action") or "", set())
        if self._current is None:
            return
        name = a.get("name")
        if name and tag in ("input", "textarea", "select"):
            self.names[self.forms[-1][0]].add(name)
        if tag == "input" and name:
            kind = (a.get("type") or "text").lower()
            if kind in ("checkbox", "radio") and "checked" not in a:
                return
            if kind in ("submit", "button", "file", "image", "reset"):
                return
            self._current.setdefault(name, []).append(a.get("value") or "")
        elif tag == "textarea" and name:
            self._textarea = name
            self._current.setdefault(name, []).append("")
        elif tag == "select" and name:
            self._select, self._select_first, self._select_chosen = name, None, False
        elif tag == "option" and self._select:
            value = a.get("value", "")
            if self._select_first is None:
                self._select_first = value
            if "selected" in a:
                self._current.setdefault(self._select, []).append(value)
                self._select_chosen = True

    def handle_data(self, data):
        if self._current is not None and self._textarea:
            self._current[self._textarea][-1] += data

    def handle_endtag(self, tag):
        if self._current is None:
            return
        if tag == "textarea":
            self._textarea = None
        elif tag == "select" and self._select:
            if not self._select_chosen and self._select_first is not None:
                self._current.setdefault(self._select, []).append(self._select_first)
            self._select = None
        elif tag == "form":
            self._current = None


def page_forms(html: str, url: str) -> tuple[dict[str, list[str]], set[str]]:
    """The values and the names of the page's POST form fields that go to `url` itself."""
    parser = _Forms()
    parser.feed(html)
    path = urlsplit(url).path
    fields: dict[str, list[str]] = {}
    names: set[str] = set()
    for action, values in parser.forms:
        if not action or urlsplit(action).path == path:
            names |= parser.names.get(action, set())
            for name, vals in values.items():
                fields.setdefault(name, vals)
    return fields, names


def form_classes() -> list[type]:
    found, todo = [], [TranslatedForm]
    while todo:
        cls = todo.pop()
        for sub in cls.__subclasses__():
            found.append(sub)
            todo.append(sub)
    return found


def declared_fields(cls) -> set[str]:
    names = set()
    for name in dir(cls):
        unbound = getattr(cls, name, None)
        field_class = getattr(unbound, "field_class", None)
        if (
            getattr(unbound, "_formfield", False)
            and field_class is not None
            and not issubclass(field_class, SubmitField)
            and name != "csrf_token"
        ):
            names.add(name)
    return names


# --------------------------------------------------------------------------- the sweep


class Sweep:
    def __init__(self, app, world, cookies):
        self.app, self.world, self.cookies = app, world, cookies
        self.client = app.test_client()
        self.failures: list[str] = []
        self.requests = 0
        self.reached: set[tuple[str, str]] = set()
        self.last_exception: list[str] = []
        #: seconds spent per kind of request (printed with -s, to keep the test fast)
        self.spent: dict[str, float] = {}

    def send(self, actor: str, method: str, url: str, label: str, **kwargs):
        self.client.delete_cookie("session")
        if actor != "anonymous":
            self.client.set_cookie("session", self.cookies[actor])
        self.last_exception.clear()
        started = time.perf_counter()
        response = self.client.open(url, method=method, **kwargs)
        kind = label if label.startswith(("all", "query")) else label.split(" ")[0]
        self.spent[kind] = self.spent.get(kind, 0.0) + time.perf_counter() - started
        self.requests += 1
        body = response.get_data(as_text=True) if response.mimetype == "text/html" else ""
        response.close()
        if response.status_code >= 500:
            why = self.last_exception[0] if self.last_exception else ""
            self.failures.append(
                f"{method} {url[:120]} as {actor} [{label}]: {response.status_code} {why}"
            )
        return response, body


def actors_for(endpoint: str) -> list[str]:
    """Who acts: the first one let in, and the investor too where startups are let in
    (their forms differ)."""
    entry = MATRIX[endpoint]
    allowed = [a for a in PREFERRED if a in ACTORS and expected(entry, a, "this") == OK]
    chosen = allowed[:1]
    if "startup" in chosen and "investor" in allowed:
        chosen.append("investor")
    return chosen


def _arg(part: str) -> str:
    """The argument name of a rule part such as `<id:booth_id>`."""
    return part[1:-1].rpartition(":")[2]


def path_variants(rule, good_url: str):
    """The URL with one of its parts replaced by each hostile value in turn."""
    parts = re.split(r"(<[^>]+>)", rule.rule)
    good_parts = good_url
    # the built URL, split at the same places: rebuild each variant from the rule
    values = {}
    pattern = "".join(
        f"(?P<{p[1:-1].split(':')[-1]}>[^/]+)" if p.startswith("<") else re.escape(p) for p in parts
    )
    pattern = pattern.replace(r"(?P<filename>[^/]+)", r"(?P<filename>.+)")
    match = re.fullmatch(pattern, urlsplit(good_parts).path)
    if match is None:
        return
    values = match.groupdict()
    for part in parts:
        if not part.startswith("<"):
            continue
        converter, _, name = part[1:-1].rpartition(":")
        hostile = PATH_NUMBERS if converter in ("id", "int") else PATH_TEXTS
        for value in hostile:
            url = "".join(
                (
                    value
                    if p[1:-1].rpartition(":")[2] == name
                    else values[p[1:-1].rpartition(":")[2]]
                )
                if p.startswith("<")
                else p
                for p in parts
            )
            yield name, url


def sweep_endpoint(sweep: Sweep, endpoint: str, form_fields: set[str]) -> None:
    for actor in actors_for(endpoint):
        sweep_as(sweep, endpoint, actor, form_fields)


def sweep_as(sweep: Sweep, endpoint: str, actor: str, form_fields: set[str]) -> None:
    entry = MATRIX[endpoint]
    app, world = sweep.app, sweep.world
    for rule in [r for r in app.url_map.iter_rules() if r.endpoint == endpoint]:
        url = url_for_rule(rule, world, entry, actor, "this")
        if endpoint == "auth.reset":
            # the matrix's token is invalid on purpose; the form needs a real one
            url = rule.map.bind("localhost").build(endpoint, {"token": sweep.reset_token})
        methods = [m for m in METHODS if m in rule.methods]
        # the URL itself
        for name, bad_url in path_variants(rule, url):
            sweep.send(actor, methods[0], bad_url, f"path {name}")
        fields: dict[str, list[str]] = {}
        page_names: set[str] = set()
        takes_file = False
        if "GET" in methods:
            query = "&".join(f"{n}={quote(v)}" for n in QUERY_NAMES for v in (NUMBERS[1], TEXTS[0]))
            sweep.send(actor, "GET", f"{url}?{query}", "query")
            sweep.send(
                actor,
                "GET",
                f"{url}?{'&'.join(f'{n}={INVALID_UTF8}' for n in QUERY_NAMES)}",
                "query utf8",
            )
            sweep.send(actor, "GET", f"{url}?q={'x' * 10_000}", "query long")
            _, html = sweep.send(actor, "GET", url, "page")
            fields, page_names = page_forms(html, url)
            takes_file = 'type="file"' in html
        if "POST" not in methods:
            continue
        base = {k: v[0] for k, v in fields.items()}
        base.update({k: str(v) for k, v in entry.data(world).items()})
        names = sorted(set(base) | form_fields) if not fields else sorted(set(base) | page_names)
        # one field at a time, the rest as the page shows it
        for name in sorted(base):
            if name == "csrf_token":
                continue
            numeric = not base[name] or base[name].lstrip("-").isdecimal()
            for value in (TEXTS[0], NUMBERS[1]) if numeric else (TEXTS[0],):
                sweep.send(actor, "POST", url, f"field {name}", data={**base, name: value})
        # every field at once: each text value, the largest numbers, then the others mixed
        long_names = (list(base) or names)[:5]
        for label, data in (
            ("nul", dict.fromkeys(names, TEXTS[0])),
            ("control", dict.fromkeys(names, TEXTS[1])),
            ("100 kB", dict.fromkeys(long_names, TEXTS[2])),
            ("2**63", dict.fromkeys(names, NUMBERS[1])),
            ("10**40", dict.fromkeys(names, NUMBERS[3])),
            ("mixed", {n: MIXED[i % len(MIXED)] for i, n in enumerate(names)}),
            ("mixed'", {n: MIXED[(i + 1) % len(MIXED)] for i, n in enumerate(names)}),
        ):
            sweep.send(actor, "POST", url, f"all {label}", data=data)
        sweep.send(
            actor,
            "POST",
            url,
            "invalid utf-8",
            data="&".join(f"{quote(n)}={INVALID_UTF8}" for n in names),
            content_type="application/x-www-form-urlencoded",
        )
        sweep.send(actor, "POST", url, "twice", data={n: ["1", TEXTS[1]] for n in names})
        # files where text is expected; every broken file where the page takes a file
        for content in HOSTILE_FILES if takes_file else HOSTILE_FILES[:1]:
            files = {n: (io.BytesIO(content), "hostile.csv") for n in names}
            sweep.send(actor, "POST", url, "files", data=files, content_type="multipart/form-data")
        wrong = [[{"x": [1]}], {"a": 1}, 2**63, 10**40, None, True, "\x00"]
        sweep.send(
            actor, "POST", url, "json", json={n: wrong[i % len(wrong)] for i, n in enumerate(names)}
        )
        sweep.send(
            actor,
            "POST",
            url,
            "json broken",
            data=b'{"code": "\xff',
            content_type="application/json",
        )


def policy_breaks(engine) -> list[str]:
    """Every stored value that breaks the input policy."""
    breaks = []
    with engine.connect() as conn:
        for table in metadata.sorted_tables:
            for row in conn.execute(sa.select(table)).mappings():
                for column in table.columns:
                    problem = inputs.column_problem(column, row[column.name])
                    if problem is not None:
                        breaks.append(f"{table.name}.{problem}: {str(row[column.name])[:40]!r}")
    return breaks


@pytest.fixture
def hostile_app(database_url):
    app = create_app(TestConfig, DATABASE_URL=database_url, JOBS_MODE="sync")
    engine = app.extensions["techfest_engine"]
    if database_url.startswith("sqlite"):
        metadata.create_all(engine)
    with Session(engine, expire_on_commit=False) as session:
        world = build_world(session)
        session.commit()
    yield app, world
    engine.dispose()


def test_hostile_values_at_every_door(hostile_app, monkeypatch):
    app, world = hostile_app
    endpoints = {rule.endpoint for rule in app.url_map.iter_rules()}
    assert sorted(endpoints - MATRIX.keys()) == [], "routes the matrix does not know"

    reached: set[tuple[str, str]] = set()
    original_process = TranslatedForm.process

    def process(self, formdata=None, obj=None, data=None, extra_filters=None, **kwargs):
        original_process(self, formdata, obj, data, extra_filters, **kwargs)
        for field in self:
            raw = getattr(field, "raw_data", None) or []
            if any(isinstance(v, str) and (v in HOSTILE or "\ufffd" in v) for v in raw) or (
                isinstance(field, FileField) and field.data
            ):
                reached.add((type(self).__name__, field.short_name))

    monkeypatch.setattr(TranslatedForm, "process", process)

    client = app.test_client()
    cookies = {}
    for actor in ACTORS:
        if actor == "anonymous":
            continue
        client.delete_cookie("session")
        response = client.post(
            "/auth/login", data={"email": world.users[actor].email, "password": PASSWORD}
        )
        assert response.status_code == 302, actor
        cookies[actor] = client.get_cookie("session").value
    sweep = Sweep(app, world, cookies)
    with app.app_context():
        sweep.reset_token = make_reset_token(world.users["delegate2"])

    def record(sender, exception, **extra):
        sweep.last_exception.append(repr(exception)[:300])

    got_request_exception.connect(record, app)
    all_fields = set()
    for cls in form_classes():
        all_fields |= declared_fields(cls)
    order = sorted(MATRIX, key=lambda e: (e in LAST, LAST.index(e) if e in LAST else 0, e))
    for endpoint in order:
        sweep_endpoint(sweep, endpoint, all_fields)
    got_request_exception.disconnect(record, app)
    print(sweep.requests, "requests;", {k: round(v, 1) for k, v in sorted(sweep.spent.items())})  # noqa: T201

    assert not sweep.failures, f"{len(sweep.failures)} of {sweep.requests}:\n" + "\n".join(
        sweep.failures[:60]
    )
    stored = policy_breaks(app.extensions["techfest_engine"])
    assert not stored, "\n".join(stored[:40])
    missing = sorted(
        f"{cls.__name__}.{name}"
        for cls in form_classes()
        for name in declared_fields(cls)
        if (cls.__name__, name) not in reached and cls.__name__ not in NOT_ON_ANY_ROUTE
    )
    assert not missing, "form fields no route fed hostile values to:\n" + "\n".join(missing)


#: form classes that no route builds (bases of others)
NOT_ON_ANY_ROUTE = {"ActionForm"}
