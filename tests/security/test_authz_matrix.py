"""Authorisation matrix: every route × every role × objects owned by someone else.

MATRIX names, for every endpoint of the app, who may pass its door and which objects its
URL points at. The expected answer follows from that:

- anonymous on a protected page → redirect to the login page;
- a signed-in person without the role (the organiser of 2024 has no role in 2025) → 403;
- with the role, an object that is not theirs, or that belongs to the other edition → 404
  (never 403: the page must not even confirm it exists);
- otherwise the request goes through (any answer below 500 that is none of the above).

A route of the app missing from MATRIX fails the test, and so does an entry for a route
that no longer exists. Each endpoint runs on its own copy of the database, because the
allowed requests do change things. Besides the status, no page shown to anyone but the
first delegate and the organisers may contain that delegate's private phone or email.
"""

from __future__ import annotations

import contextlib
import shutil
import sqlite3
from collections.abc import Callable
from dataclasses import dataclass, field

import pytest
from sqlmodel import Session

from techfest import create_app
from techfest.config import TestConfig
from techfest.db import make_engine
from techfest.models import metadata
from tests.factories import PASSWORD
from tests.security.world import ACTORS, SECRET_EMAIL, SECRET_PHONE, World, build_world

OK, LOGIN, FORBIDDEN, NOT_FOUND = "ok", "login", "403", "404"

#: the roles each actor holds in edition 2025
ROLES_IN_2025 = {
    "anonymous": set(),
    "delegate": {"delegate"},
    "delegate2": {"delegate"},
    "startup": {"startup"},
    "investor": {"investor"},
    "organiser": {"organiser"},
    "organiser_other": set(),
}
#: who may see the first delegate's private details
MAY_SEE_SECRETS = {"delegate", "organiser"}

PUBLIC = "public"
LOGGED_IN = "login"
ORG = frozenset({"organiser"})
PARTICIPANT = frozenset({"delegate", "startup", "investor", "organiser"})
STARTUP = frozenset({"startup"})
INVESTOR = frozenset({"investor"})
MATCH = frozenset({"startup", "investor"})
MATCH_OR_ORG = frozenset({"startup", "investor", "organiser"})

Param = Callable[[World, str, str], object]


def ids(this: str, other: str | None = None) -> Param:
    """An id from the world: `this` for the allowed case, `other` for someone else's."""
    return lambda w, actor, case: w.ids[other if case == "other" and other else this]


def fixed(value) -> Param:
    return lambda w, actor, case: value


def counterpart(w: World, actor: str, case: str) -> int:
    """A startup meets investors and the other way round."""
    return w.ids["s_org"] if actor == "investor" else w.ids["i_org"]


def partner(w: World, actor: str, case: str) -> int:
    """The other side the actor may write to ("this"), or one it has no pair with."""
    if case == "other":
        return w.ids["s3_org"] if actor == "investor" else w.ids["i3_org"]
    return counterpart(w, actor, case)


def _visitor_lead(actor: str, case: str) -> str:
    """The lead where `actor` is the visitor ("this"), or one where someone else is."""
    mine = {"delegate": "lead_own", "delegate2": "lead_other"}.get(actor, "lead_own")
    if case == "this":
        return mine
    return "lead_own" if actor == "delegate2" else "lead_other"


@dataclass(frozen=True)
class Door:
    gate: str | frozenset
    params: dict[str, Param] = field(default_factory=dict)
    #: "this" only, or also "other": an object someone else owns / of the other edition
    cases: tuple[str, ...] = ("this",)
    #: (actor, case) -> expected, where the general rule does not apply
    special: dict[tuple[str, str], str] = field(default_factory=dict)
    #: form fields sent with a POST, so that it reaches the object: (world) -> dict
    data: Callable[[World], dict] = lambda w: {}


def door(gate, cases=("this",), special=None, data=None, **params) -> Door:
    return Door(gate, params, cases, special or {}, data or (lambda w: {}))


def owned(gate, data=None, **params) -> Door:
    """A route whose object must be the caller's (or of this edition)."""
    return Door(gate, params, ("other", "this"), {}, data or (lambda w: {}))


MATRIX: dict[str, Door] = {
    # accounts, home, language, health, static files
    "auth.login": door(PUBLIC),
    "auth.logout": door(LOGGED_IN),
    "auth.logged_out": door(PUBLIC),
    "auth.reset": door(PUBLIC, token=fixed("not-a-valid-token")),
    "auth.reset_request": door(PUBLIC),
    "auth.signup": door(PUBLIC),
    "core.healthz": door(PUBLIC),
    "core.confirm_mail": door(PUBLIC, token=fixed("not-a-valid-token")),
    "core.index": door(PUBLIC),
    "core.set_language": door(PUBLIC, code=fixed("en")),
    "static": door(PUBLIC, filename=fixed("js/app.js")),
    "edition.home": door(PUBLIC),
    "edition.settings": door(ORG),
    "edition.new_edition": door(ORG),
    # registration
    "registration.index": door(PUBLIC),
    "registration.register": door(LOGGED_IN),
    "registration.mine": door(LOGGED_IN),
    "registration.cancel": door(LOGGED_IN),
    "registration.manage": door(ORG),
    "registration.manage_cancel": owned(
        ORG, registration_id=ids("registration_delegate2", "registration_past")
    ),
    "registration.export": door(ORG),
    "registration.import_csv": door(ORG),
    "registration.import_job": owned(ORG, job_id=ids("job_import", "job_import_other")),
    "registration.import_job_json": owned(ORG, job_id=ids("job_import", "job_import_other")),
    "registration.tickets": door(ORG),
    "registration.ticket_new": door(ORG),
    "registration.ticket_edit": owned(ORG, ticket_id=ids("ticket", "ticket_other")),
    # booths
    "booths.index": door(PUBLIC),
    "booths.listing": door(PUBLIC),
    "booths.detail": owned(PUBLIC, booth_id=ids("booth_free", "booth_other")),
    "booths.request_booth": owned(STARTUP, booth_id=ids("booth_free", "booth_other")),
    "booths.mine": door(STARTUP),
    "booths.withdraw": owned(STARTUP, booking_id=ids("booking_startup", "booking_startup2")),
    "booths.manage": door(ORG),
    "booths.requests": door(ORG),
    "booths.decide_many": door(ORG),
    "booths.booking": owned(ORG, booking_id=ids("booking_startup2", "booking_past")),
    "booths.decide": owned(
        ORG, booking_id=ids("booking_startup2", "booking_past"), action=fixed("approve")
    ),
    "booths.booth_new": door(ORG),
    "booths.booth_edit": owned(ORG, booth_id=ids("booth_free", "booth_other")),
    "booths.block": owned(ORG, booth_id=ids("booth_free", "booth_other"), action=fixed("block")),
    "booths.zones": door(ORG),
    "booths.zone_new": door(ORG),
    "booths.zone_edit": owned(ORG, zone_id=ids("zone", "zone_other")),
    "booths.export_csv": door(ORG),
    "booths.import_csv": door(ORG),
    "booths.settings": door(ORG),
    "booths.remove_allowance": owned(ORG, allowance_id=ids("allowance_this", "allowance_other")),
    # programme
    "programme.index": door(PUBLIC),
    "programme.detail": owned(PUBLIC, session_id=ids("session", "session_other")),
    # the personal agenda (its own package, at the programme's addresses)
    "agenda.index": door(PARTICIPANT),
    "agenda.service_worker": door(PUBLIC),
    "agenda.manifest": door(PUBLIC),
    "agenda.ical": door(
        PUBLIC,
        cases=("other", "this"),
        token=lambda w, actor, case: "no-such-token" if case == "other" else w.tokens["delegate"],
    ),
    "programme.sign_up": owned(PARTICIPANT, session_id=ids("session2", "session_other")),
    # cancelling a sign-up one does not hold answers "you are not signed up", changing nothing
    "programme.cancel": door(PARTICIPANT, session_id=ids("session")),
    "programme.star": owned(PARTICIPANT, session_id=ids("session2", "session_other")),
    "programme.unstar": owned(PARTICIPANT, session_id=ids("session2", "session_other")),
    "programme.manage": door(ORG),
    "programme.export_csv": door(ORG),
    "programme.import_csv": door(ORG),
    "programme.session_new": door(ORG),
    "programme.session_edit": owned(ORG, session_id=ids("session", "session_other")),
    "programme.room_new": door(ORG),
    "programme.room_edit": owned(ORG, room_id=ids("room", "room_other")),
    "programme.track_new": door(ORG),
    "programme.track_edit": owned(ORG, track_id=ids("track", "track_other")),
    # matchmaking: participants
    "matchmaking.index": door(MATCH_OR_ORG),
    "matchmaking.profile": door(MATCH),
    "matchmaking.contact_card": door(MATCH),
    "matchmaking.availability": door(MATCH),
    "matchmaking.suggestions": door(MATCH),
    "matchmaking.mark": door(MATCH, org_id=counterpart),
    "matchmaking.new_request": door(MATCH, org_id=counterpart),
    "matchmaking.requests": door(MATCH),
    "matchmaking.answer_request": owned(
        MATCH,
        request_id=ids("mrequest_own", "mrequest_other"),
        # the startup sent the request (it may cancel), the investor received it
        answer=lambda w, actor, case: "cancel" if actor == "startup" else "decline",
    ),
    "matchmaking.meetings": door(MATCH),
    "matchmaking.book": door(INVESTOR, startup_id=ids("s_org")),
    "matchmaking.mark_meeting": owned(
        MATCH, meeting_id=ids("meeting_own", "meeting_other"), status=fixed("held")
    ),
    "matchmaking.cancel_my_meeting": owned(MATCH, meeting_id=ids("meeting_own", "meeting_other")),
    "matchmaking.feedback": owned(
        MATCH, data=lambda w: {"rating": "useful"}, meeting_id=ids("meeting_own", "meeting_other")
    ),
    # an offer is computed for the caller: any place not offered to them is refused alike
    "matchmaking.take_offer": door(MATCH, slot_id=ids("slot"), table_id=ids("table")),
    # matchmaking: organisers
    "matchmaking.admin": door(ORG),
    "matchmaking.add_slots": door(ORG),
    "matchmaking.add_tables": door(ORG),
    "matchmaking.delete_slot": owned(ORG, slot_id=ids("slot", "slot_other")),
    "matchmaking.delete_table": owned(ORG, table_id=ids("table", "table_other")),
    "matchmaking.run": door(ORG),
    "matchmaking.job": owned(ORG, job_id=ids("job_this", "job_other")),
    "matchmaking.review": door(ORG),
    "matchmaking.lock": owned(
        ORG, meeting_id=ids("meeting_own", "meeting_past"), how=fixed("lock")
    ),
    "matchmaking.move": owned(
        ORG,
        data=lambda w: {"slot_id": w.ids["slot"], "table_id": w.ids["table"]},
        meeting_id=ids("meeting_own", "meeting_past"),
    ),
    "matchmaking.cancel": owned(ORG, meeting_id=ids("meeting_own", "meeting_past")),
    "matchmaking.set_status": owned(
        ORG, meeting_id=ids("meeting_own", "meeting_past"), status=fixed("held")
    ),
    "matchmaking.add": door(ORG),
    "matchmaking.publish": door(ORG),
    "matchmaking.export": door(ORG),
    # printing
    "printing.index": door(ORG),
    "printing.start": door(ORG, kind=fixed("agendas")),
    "printing.job_json": owned(ORG, job_id=ids("job_print", "job_print_other")),
    "printing.document": owned(ORG, document_id=ids("document_delegate", "document_past")),
    "printing.badge": owned(
        ORG, registration_id=ids("registration_delegate2", "registration_past")
    ),
    # the agenda of whoever asks; the organisers hold no place nor meeting in 2025, so
    # theirs answers "nothing to print" (404)
    "printing.my_agenda": door(
        LOGGED_IN,
        special={(actor, "this"): NOT_FOUND for actor in ("organiser", "organiser_other")},
    ),
    # organiser operations, check-in, privacy
    "organiser.dashboard": door(ORG),
    "organiser.chart_csv": door(ORG, key=fixed("tickets")),
    "organiser.audit": door(ORG),
    "organiser.audit_csv": door(ORG),
    "organiser.privacy_requests": door(ORG),
    "organiser.log_request": door(ORG),
    "organiser.complete_request": owned(
        ORG, request_id=ids("datarequest_this", "datarequest_other")
    ),
    "organiser.retention": door(ORG),
    "privacy.index": door(LOGGED_IN),
    "privacy.my_data": door(LOGGED_IN),
    "privacy.erase": door(LOGGED_IN),
    "checkin.kiosk": door(ORG),
    "checkin.token": door(ORG),
    "checkin.service_worker": door(ORG),
    "checkin.scan": door(ORG),
    "checkin.search": door(ORG),
    "checkin.check_in_person": owned(
        ORG, registration_id=ids("registration_delegate2", "registration_past")
    ),
    # payments: a person's own orders; everyone else's answer 404
    "payments.index": door(LOGGED_IN),
    "payments.order": door(
        LOGGED_IN,
        cases=("other", "this"),
        special={(a, "this"): NOT_FOUND for a in ACTORS if a not in ("anonymous", "delegate")},
        order_id=ids("order_delegate", "order_stranger"),
    ),
    "payments.receipt": door(
        LOGGED_IN,
        cases=("other", "this"),
        special={(a, "this"): NOT_FOUND for a in ACTORS if a not in ("anonymous", "delegate")},
        order_id=ids("order_delegate", "order_past"),
    ),
    "payments.manage": door(ORG),
    "payments.export_csv": door(ORG),
    "payments.einvoice_csv": door(ORG),
    "payments.statement": door(ORG),
    "payments.review": door(ORG),
    "payments.settings": door(ORG),
    "payments.cancel": owned(ORG, order_id=ids("order_stranger", "order_past")),
    "payments.refunded": owned(ORG, order_id=ids("order_stranger", "order_past")),
    "payments.match": owned(
        ORG, data=lambda w: {"reference": "TF25-BBBB0"}, line_id=ids("line_this", "line_other")
    ),
    "payments.ignore": owned(ORG, line_id=ids("line_this", "line_other")),
    "checkin.sessions": door(ORG),
    "checkin.session_door": owned(ORG, session_id=ids("session", "session_other")),
    # leads: a startup's staff reach only their organisation's booths and leads
    "leads.index": door(STARTUP),
    "leads.token": door(STARTUP),
    "leads.scan_page": owned(STARTUP, booth_id=ids("booth_leads", "booth_leads_other")),
    "leads.scan": owned(STARTUP, booth_id=ids("booth_leads", "booth_leads_other")),
    "leads.booth_leads": owned(STARTUP, booth_id=ids("booth_leads", "booth_leads_other")),
    "leads.export_csv": owned(STARTUP, booth_id=ids("booth_leads", "booth_leads_other")),
    "leads.lead": owned(STARTUP, lead_id=ids("lead_own", "lead_other")),
    "leads.ask_contact": owned(STARTUP, lead_id=ids("lead_own", "lead_other")),
    # booth staff invited by email: the startup invites and withdraws; anyone signed in may
    # open a link (a link that is not valid is answered on its page)
    "leads.staff_page": door(STARTUP, data=lambda w: {"email": "helper@example.vn"}),
    "leads.revoke_staff": owned(STARTUP, invite_id=ids("invite_own", "invite_other")),
    "leads.join": door(LOGGED_IN, token=fixed("not-a-valid-token")),
    # a visitor's side: the booths that scanned them, and their sharing choice
    "leads.mine": door(LOGGED_IN),
    "leads.set_sharing": door(LOGGED_IN),
    "leads.answer": door(
        LOGGED_IN,
        cases=("other", "this"),
        special={
            (actor, "this"): NOT_FOUND
            for actor in ("startup", "investor", "organiser", "organiser_other")
        },
        lead_id=lambda w, actor, case: w.ids[_visitor_lead(actor, case)],
        answer=fixed("accept"),
    ),
    # messages: a thread only between the two sides of a pair; organisers see reported ones
    "messages.index": door(MATCH),
    "messages.thread": owned(MATCH, data=lambda w: {"body": "Xin chào"}, org_id=partner),
    "messages.block": owned(MATCH, org_id=partner),
    # unblocking a conversation nobody blocked answers "only the blocker can", changing nothing
    "messages.unblock": owned(MATCH, org_id=partner),
    "messages.report": owned(MATCH, data=lambda w: {"reason": "Spam"}, org_id=partner),
    "messages.moderation": door(ORG),
    "messages.reported_thread": owned(ORG, thread_id=ids("thread_reported", "thread_past")),
    "messages.close": owned(ORG, thread_id=ids("thread_reported", "thread_past")),
}

METHODS = ("GET", "POST", "PUT", "PATCH", "DELETE")


def expected(entry: Door, actor: str, case: str) -> str:
    if (actor, case) in entry.special:
        return entry.special[(actor, case)]
    if entry.gate == PUBLIC:
        return NOT_FOUND if case == "other" else OK
    if actor == "anonymous":
        return LOGIN
    if entry.gate != LOGGED_IN and not (ROLES_IN_2025[actor] & entry.gate):
        return FORBIDDEN
    return NOT_FOUND if case == "other" else OK


def outcome(response) -> str:
    code = response.status_code
    if code in (301, 302, 303, 307, 308) and "/auth/login" in response.headers.get("Location", ""):
        return LOGIN
    if code == 403:
        return FORBIDDEN
    if code == 404:
        return NOT_FOUND
    if code >= 500 or code in (401, 405):
        return f"error {code}"
    return OK


# --------------------------------------------------------------------------- fixtures


class MatrixApp:
    """One app whose engine is swapped for a fresh copy of the world before each route."""

    def __init__(self, template_db, tmp_dir):
        self.template_db = template_db
        self.tmp_dir = tmp_dir
        self.app = create_app(TestConfig, DATABASE_URL=f"sqlite:///{template_db}", JOBS_MODE="sync")
        self.app.instance_path = str(tmp_dir / "instance")
        self.copies = 0

    def fresh_database(self) -> None:
        self.copies += 1
        copy = self.tmp_dir / f"copy{self.copies}.db"
        shutil.copyfile(self.template_db, copy)
        old = self.app.extensions["techfest_engine"]
        self.app.extensions["techfest_engine"] = make_engine(f"sqlite:///{copy}")
        old.dispose()


@pytest.fixture(scope="module")
def matrix(tmp_path_factory):
    tmp = tmp_path_factory.mktemp("authz")
    template = tmp / "world.db"
    engine = make_engine(f"sqlite:///{template}")
    metadata.create_all(engine)
    with Session(engine, expire_on_commit=False) as session:
        world = build_world(session)
        session.commit()
    engine.dispose()
    with contextlib.closing(sqlite3.connect(template)) as raw:
        raw.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    harness = MatrixApp(template, tmp)
    harness.fresh_database()
    harness.world = world
    harness.cookies = {}
    client = harness.app.test_client()
    for actor in ACTORS:
        if actor == "anonymous":
            continue
        client.delete_cookie("session")
        response = client.post(
            "/auth/login", data={"email": world.users[actor].email, "password": PASSWORD}
        )
        assert response.status_code == 302, actor
        harness.cookies[actor] = client.get_cookie("session").value
    yield harness
    harness.app.extensions["techfest_engine"].dispose()


def url_for_rule(rule, world: World, entry: Door, actor: str, case: str) -> str:
    values = {}
    for name in rule.arguments:
        if name == "year":
            values[name] = 2025
        elif name in entry.params:
            values[name] = entry.params[name](world, actor, case)
        else:
            raise AssertionError(f"{rule.endpoint}: no value for <{name}> in MATRIX")
    adapter = rule.map.bind("localhost")
    return adapter.build(rule.endpoint, values, force_external=False)


def run_endpoint(matrix: MatrixApp, endpoint: str) -> tuple[list[str], int]:
    entry = MATRIX[endpoint]
    app, world = matrix.app, matrix.world
    matrix.fresh_database()
    rules = [r for r in app.url_map.iter_rules() if r.endpoint == endpoint]
    client = app.test_client()
    wrong, checked = [], 0
    for rule in rules:
        for method in [m for m in METHODS if m in rule.methods]:
            for case in entry.cases:
                for actor in ACTORS:
                    client.delete_cookie("session")
                    if actor != "anonymous":
                        client.set_cookie("session", matrix.cookies[actor])
                    url = url_for_rule(rule, world, entry, actor, case)
                    data = entry.data(world) if method != "GET" else {}
                    response = client.open(url, method=method, data=data)
                    got, want = outcome(response), expected(entry, actor, case)
                    checked += 1
                    if got != want:
                        wrong.append(f"{method} {url} as {actor} ({case}): {got}, expected {want}")
                    body = response.get_data()
                    response.close()
                    if actor not in MAY_SEE_SECRETS and (
                        SECRET_PHONE.encode() in body or SECRET_EMAIL.encode() in body
                    ):
                        wrong.append(f"{method} {url} as {actor}: shows the delegate's details")
    return wrong, checked


# --------------------------------------------------------------------------- tests


def app_endpoints() -> set[str]:
    app = create_app(TestConfig, DATABASE_URL="sqlite://")
    try:
        return {rule.endpoint for rule in app.url_map.iter_rules()}
    finally:
        app.extensions["techfest_engine"].dispose()


def test_matrix_names_every_route_of_the_app_and_no_other():
    endpoints = app_endpoints()
    assert sorted(endpoints - MATRIX.keys()) == []
    assert sorted(MATRIX.keys() - endpoints) == []


@pytest.mark.parametrize("endpoint", sorted(MATRIX))
def test_route_answers_each_role_as_the_matrix_says(matrix, endpoint):
    if endpoint not in {r.endpoint for r in matrix.app.url_map.iter_rules()}:
        pytest.fail(f"{endpoint} is in MATRIX but not in the app")
    wrong, checked = run_endpoint(matrix, endpoint)
    assert checked >= len(ACTORS)
    assert not wrong, "\n" + "\n".join(wrong)


def matrix_size() -> tuple[int, int]:
    """(method × route entries, requests) the matrix checks, for the record."""
    app = create_app(TestConfig, DATABASE_URL="sqlite://")
    try:
        routes = requests = 0
        for rule in app.url_map.iter_rules():
            entry = MATRIX.get(rule.endpoint)
            if entry is None:
                continue
            for _method in [m for m in METHODS if m in rule.methods]:
                routes += 1
                requests += len(entry.cases) * len(ACTORS)
        return routes, requests
    finally:
        app.extensions["techfest_engine"].dispose()


if __name__ == "__main__":  # pragma: no cover - prints the size quoted in the notes
    routes, requests = matrix_size()
    print(f"{len(MATRIX)} endpoints, {routes} route×method, {len(ACTORS)} roles, {requests} checks")  # noqa: T201
