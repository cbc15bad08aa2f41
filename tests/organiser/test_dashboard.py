"""The dashboard's numbers are the data's numbers, as charts and as CSV."""

import csv
import io
from datetime import timedelta

import pytest

from techfest.checkin.models import CheckIn
from techfest.db import now_utc
from techfest.matchmaking.models import StartupProfile
from tests.factories import PASSWORD, local, make_edition, make_org, make_user
from tests.factories.programme import make_session, seat
from tests.factories.registration import make_ticket
from tests.organiser.builders import (
    book,
    make_meeting,
    make_request,
    make_zone_with_booths,
    meeting_grid,
    register,
)


def _csv(client, path):
    response = client.get(path)
    assert response.status_code == 200
    assert response.mimetype == "text/csv"
    return list(csv.DictReader(io.StringIO(response.get_data(as_text=True).lstrip("\ufeff"))))


def _organiser(session, edition):
    return make_user(session, edition, "organiser", email="boss@techfest.vn")


@pytest.mark.both_databases
def test_registrations_csv_counts_live_registrations_per_local_day(client, session, auth, backend):
    edition = make_edition(session)
    _organiser(session, edition)
    ticket = make_ticket(session, edition, capacity=10)
    # 23:30 UTC on 1 Sep is 06:30 on 2 Sep in Hải Phòng
    days = [
        local(2025, 9, 1, 10),
        local(2025, 9, 2, 6, 30),
        local(2025, 9, 2, 18),
        local(2025, 9, 4),
    ]
    for moment in days:
        register(session, edition, make_user(session, edition), ticket, created_at=moment)
    register(session, edition, make_user(session, edition), ticket, "cancelled", local(2025, 9, 3))
    session.commit()
    auth.login("boss@techfest.vn", PASSWORD)

    rows = _csv(client, "/2025/organiser/charts/registrations.csv")

    assert rows == [
        {"date": "2025-09-01", "registrations": "1", "cumulative": "1"},
        {"date": "2025-09-02", "registrations": "2", "cumulative": "3"},
        {"date": "2025-09-03", "registrations": "0", "cumulative": "3"},
        {"date": "2025-09-04", "registrations": "1", "cumulative": "4"},
    ]


@pytest.mark.both_databases
def test_ticket_and_session_figures_match_the_data(client, session, auth, backend):
    edition = make_edition(session)
    _organiser(session, edition)
    free = make_ticket(session, edition, capacity=4, name_en="Delegate", name_vi="Đại biểu")
    people = [make_user(session, edition) for _ in range(6)]
    for person in people[:4]:
        register(session, edition, person, free)
    register(session, edition, people[4], free, "waitlisted", waitlist_position=1)
    register(session, edition, people[5], free, "cancelled")
    talk = make_session(session, edition, capacity=3, code="D1-AI")
    for person in people[:3]:
        seat(session, talk, person)
    seat(session, talk, people[3], "waitlisted")
    session.add(CheckIn(edition_id=edition.id, registration_id=1, session_id=talk.id))
    session.commit()
    auth.login("boss@techfest.vn", PASSWORD)
    client.get("/lang/en")

    tickets = _csv(client, "/2025/organiser/charts/tickets.csv")
    sessions = _csv(client, "/2025/organiser/charts/sessions.csv")

    assert tickets == [
        {
            "ticket_type": "Delegate",
            "capacity": "4",
            "confirmed": "4",
            "waitlisted": "1",
            "places_left": "0",
            "filled_percent": "100.0",
        }
    ]
    assert sessions == [
        {
            "session": "D1-AI",
            "title": talk.title_en,
            "capacity": "3",
            "seated": "3",
            "waitlisted": "1",
            "filled_percent": "100.0",
            "attended": "1",
        }
    ]


@pytest.mark.both_databases
def test_booth_occupancy_counts_free_held_taken_and_blocked_per_zone(
    client, session, auth, backend
):
    edition = make_edition(session)
    _organiser(session, edition)
    _zone, booths = make_zone_with_booths(session, edition, "A", 5)
    org = make_org(session)
    book(session, booths[0], org, "approved")
    book(session, booths[1], org, "pending", expires=now_utc() + timedelta(hours=5))
    book(session, booths[2], org, "pending", expires=now_utc() - timedelta(hours=1))  # lapsed
    book(session, booths[3], org, "rejected")
    booths[4].status = "blocked"
    session.add(booths[4])
    session.commit()
    auth.login("boss@techfest.vn", PASSWORD)

    rows = _csv(client, "/2025/organiser/charts/booths.csv")

    assert rows == [
        {
            "zone": "A · Khu A",
            "available": "2",
            "held": "1",
            "taken": "1",
            "blocked": "1",
            "total": "5",
        }
    ]


@pytest.mark.both_databases
def test_meeting_figures_and_distribution_per_startup(client, session, auth, backend):
    edition = make_edition(session)
    _organiser(session, edition)
    startups = [make_org(session, "startup") for _ in range(3)]
    investors = [make_org(session, "investor") for _ in range(2)]
    for org in startups:
        session.add(StartupProfile(edition_id=edition.id, organisation_id=org.id))
    make_request(session, edition, startups[0], investors[0], "accepted")
    make_request(session, edition, startups[1], investors[0], "declined")
    make_request(session, edition, startups[2], investors[1], "pending")
    slots, tables = meeting_grid(session, edition)
    make_meeting(session, edition, startups[0], investors[0], slots[0], tables[0], "held")
    make_meeting(session, edition, startups[0], investors[1], slots[1], tables[0], "no_show")
    make_meeting(session, edition, startups[1], investors[0], slots[1], tables[1], "published")
    make_meeting(session, edition, startups[1], investors[1], slots[2], tables[1], "cancelled")
    session.commit()
    auth.login("boss@techfest.vn", PASSWORD)
    client.get("/lang/en")

    figures = _csv(client, "/2025/organiser/charts/meetings.csv")
    spread = _csv(client, "/2025/organiser/charts/meetings-per-startup.csv")

    assert {r["figure"]: int(r["count"]) for r in figures} == {
        "Requests": 3,
        "Accepted": 1,
        "Declined": 1,
        "Draft": 0,
        "Scheduled": 3,
        "Took place": 1,
        "No-shows": 1,
    }
    # startup 0: two meetings, startup 1: one (one cancelled), startup 2: none
    assert spread == [
        {"meetings": "0", "startups": "1"},
        {"meetings": "1", "startups": "1"},
        {"meetings": "2", "startups": "1"},
    ]


def test_dashboard_draws_every_chart_as_svg(client, session, auth):
    edition = make_edition(session)
    _organiser(session, edition)
    ticket = make_ticket(session, edition)
    register(session, edition, make_user(session, edition), ticket)
    make_zone_with_booths(session, edition, "A", 2)
    make_session(session, edition)
    session.add(StartupProfile(edition_id=edition.id, organisation_id=make_org(session).id))
    session.commit()
    auth.login("boss@techfest.vn", PASSWORD)

    body = client.get("/2025/organiser/").get_data(as_text=True)

    # six charts with data, the booth map; no arrivals yet; each drawn wide and narrow
    assert body.count('<svg class="tf-chart tf-chart-wide"') == 7
    assert body.count('<svg class="tf-chart tf-chart-narrow"') == 7
    assert "style=" not in body
    assert "<script>" not in body


def test_unknown_chart_csv_is_404(client, session, auth):
    edition = make_edition(session)
    _organiser(session, edition)
    session.commit()
    auth.login("boss@techfest.vn", PASSWORD)

    assert client.get("/2025/organiser/charts/salaries.csv").status_code == 404


def test_csv_cells_that_look_like_formulas_are_defused(client, session, auth):
    edition = make_edition(session)
    _organiser(session, edition)
    make_session(session, edition, code="X1", title_vi="=HYPERLINK(1)", title_en="@SUM")
    session.commit()
    auth.login("boss@techfest.vn", PASSWORD)

    rows = _csv(client, "/2025/organiser/charts/sessions.csv")

    assert rows[0]["title"] == "'=HYPERLINK(1)"


def test_arrivals_are_counted_per_local_hour(client, session, auth):
    edition = make_edition(session)
    _organiser(session, edition)
    ticket = make_ticket(session, edition)
    for hour, minute in ((7, 55), (8, 5), (8, 59), (10, 30)):
        reg = register(session, edition, make_user(session, edition), ticket)
        session.add(
            CheckIn(
                edition_id=edition.id,
                registration_id=reg.id,
                scanned_at=local(2025, 10, 9, hour, minute),
            )
        )
    session.commit()
    auth.login("boss@techfest.vn", PASSWORD)

    rows = _csv(client, "/2025/organiser/charts/arrivals.csv")

    assert rows == [
        {"hour": "2025-10-09 07:00", "check_ins": "1"},
        {"hour": "2025-10-09 08:00", "check_ins": "2"},
        {"hour": "2025-10-09 10:00", "check_ins": "1"},
    ]
