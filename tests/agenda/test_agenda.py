"""Personal agenda page and the iCal feed at the secret URL."""

from datetime import UTC, datetime

from icalendar import Calendar

from techfest.matchmaking.models import Meeting, MeetingSlot, MeetingTable
from techfest.programme.models import SessionStar
from tests.factories import local, make_edition, make_org, make_user
from tests.factories.programme import make_room, make_session, seat


def _meeting(session, edition, startup, investor, start, status="published", number=7):
    slot = MeetingSlot(edition_id=edition.id, starts_at=start, ends_at=start.replace(minute=20))
    table = MeetingTable(
        edition_id=edition.id, number=number, label=f"Bàn {number}", location_vi="Sảnh B"
    )
    session.add_all([slot, table])
    session.flush()
    meeting = Meeting(
        edition_id=edition.id,
        startup_organisation_id=startup.id,
        investor_organisation_id=investor.id,
        slot_id=slot.id,
        table_id=table.id,
        status=status,
    )
    session.add(meeting)
    session.flush()
    return meeting


def test_agenda_lists_sessions_and_published_meetings_in_time_order(client, auth, session):
    edition = make_edition(session)
    startup = make_org(session, "startup", "CảngXanh Logistics")
    investor = make_org(session, "investor", "Quỹ Biển Đông")
    user = make_user(session, edition, role="startup", organisation=startup)
    late = make_session(
        session, edition, local(2025, 10, 10, 14), local(2025, 10, 10, 15), title_vi="Phiên chiều"
    )
    early = make_session(
        session, edition, local(2025, 10, 9, 9), local(2025, 10, 9, 10), title_vi="Phiên sáng"
    )
    starred = make_session(
        session, edition, local(2025, 10, 11, 9), local(2025, 10, 11, 10), title_vi="Phiên đánh dấu"
    )
    seat(session, late, user)
    seat(session, early, user, status="waitlisted", position=1)
    session.add(SessionStar(session_id=starred.id, user_id=user.id))
    _meeting(session, edition, startup, investor, local(2025, 10, 10, 10))
    _meeting(session, edition, startup, investor, local(2025, 10, 10, 11), status="draft", number=8)
    session.commit()
    auth.login(user.email)

    page = client.get("/2025/programme/agenda").get_data(as_text=True)

    order = [
        page.index(t)
        for t in ("Phiên sáng", "Gặp gỡ: Quỹ Biển Đông", "Phiên chiều", "Phiên đánh dấu")
    ]
    assert order == sorted(order)
    assert page.count("Gặp gỡ: Quỹ Biển Đông") == 1
    assert "Danh sách chờ: thứ 1" in page
    assert "Bàn 7 · Sảnh B" in page
    assert f"/2025/programme/ical/{user.feed_token}.ics" in page
    assert f"webcal://localhost/2025/programme/ical/{user.feed_token}.ics" in page


def test_agenda_needs_a_role_in_the_edition(client, auth, session):
    make_edition(session, 2025)
    user = make_user(session, make_edition(session, 2024))
    session.commit()
    auth.login(user.email)

    assert client.get("/2025/programme/agenda").status_code == 403


def test_ical_feed_has_the_persons_sessions_with_correct_times(client, session):
    edition = make_edition(session)
    user = make_user(session, edition, locale="en")
    room = make_room(session, edition, name_en="Main hall")
    ps = make_session(
        session,
        edition,
        local(2025, 10, 9, 14),
        local(2025, 10, 9, 15, 30),
        title_en="Generative AI workshop",
        room_id=room.id,
    )
    waiting = make_session(
        session, edition, local(2025, 10, 10, 9), local(2025, 10, 10, 10), title_en="Chip design"
    )
    seat(session, ps, user)
    seat(session, waiting, user, status="waitlisted", position=1)
    session.commit()

    response = client.get(f"/2025/programme/ical/{user.feed_token}.ics")

    assert response.status_code == 200
    assert response.headers["Content-Type"] == "text/calendar; charset=utf-8"
    cal = Calendar.from_ical(response.data)
    events = cal.walk("VEVENT")
    assert [str(e["summary"]) for e in events] == [
        "Generative AI workshop",
        "[Waitlist] Chip design",
    ]
    first = events[0]
    assert first.decoded("dtstart") == datetime(2025, 10, 9, 7, 0, tzinfo=UTC)
    assert first.decoded("dtend") == datetime(2025, 10, 9, 8, 30, tzinfo=UTC)
    assert first["dtstart"].params["TZID"] == "Asia/Ho_Chi_Minh"
    assert str(first["location"]) == "Main hall"
    assert str(first["uid"]) == f"session-{ps.id}-2025@techfest"
    assert [str(tz["tzid"]) for tz in cal.walk("VTIMEZONE")] == ["Asia/Ho_Chi_Minh"]
    assert str(events[1]["status"]) == "TENTATIVE"


def test_ical_feed_uids_stay_the_same_between_fetches(client, session):
    edition = make_edition(session)
    user = make_user(session, edition)
    seat(session, make_session(session, edition), user)
    session.commit()
    url = f"/2025/programme/ical/{user.feed_token}.ics"

    def uids():
        return [str(e["uid"]) for e in Calendar.from_ical(client.get(url).data).walk("VEVENT")]

    assert uids() == uids()


def test_ical_feed_with_unknown_token_answers_404(client, session):
    make_edition(session)
    session.commit()

    assert client.get("/2025/programme/ical/not-a-token.ics").status_code == 404


def test_ical_download_link_sends_an_attachment(client, session):
    edition = make_edition(session)
    user = make_user(session, edition)
    session.commit()

    response = client.get(f"/2025/programme/ical/{user.feed_token}.ics?download=1")

    assert response.headers["Content-Disposition"] == 'attachment; filename="techfest-2025.ics"'
    assert Calendar.from_ical(response.data).walk("VEVENT") == []


def test_agenda_items_service_orders_sessions_and_meetings(app_ctx, session):
    from techfest.agenda.services import agenda_items

    edition = make_edition(session)
    startup = make_org(session, "startup")
    investor = make_org(session, "investor", "Quỹ A")
    user = make_user(session, edition, role="investor", organisation=investor)
    ps = make_session(session, edition, local(2025, 10, 9, 11), local(2025, 10, 9, 12))
    seat(session, ps, user)
    meeting = _meeting(session, edition, startup, investor, local(2025, 10, 9, 10))
    session.commit()

    items = agenda_items(session, edition, user)

    assert [(i.kind, i.uid) for i in items] == [
        ("meeting", f"meeting-{meeting.id}"),
        ("session", f"session-{ps.id}"),
    ]
    assert items[0].counterpart == startup.name


def test_sessions_by_day_groups_by_local_day(app_ctx, session):
    from datetime import date

    from techfest.programme.catalogue import sessions_by_day

    edition = make_edition(session)
    a = make_session(session, edition, local(2025, 10, 10, 6), local(2025, 10, 10, 7))
    b = make_session(session, edition, local(2025, 10, 9, 16), local(2025, 10, 9, 17))
    c = make_session(session, edition, local(2025, 10, 9, 8), local(2025, 10, 9, 9))
    session.commit()

    days = sessions_by_day(session, edition)

    assert [(d, [s.id for s in ss]) for d, ss in days] == [
        (date(2025, 10, 9), [c.id, b.id]),
        (date(2025, 10, 10), [a.id]),
    ]


def test_agendas_for_many_people_equal_each_persons_agenda(app_ctx, session):
    from techfest.agenda.services import agenda_items, agendas

    edition = make_edition(session)
    startup = make_org(session, "startup")
    investor = make_org(session, "investor")
    a = make_user(session, edition, role="startup", organisation=startup)
    b = make_user(session, edition, role="investor", organisation=investor)
    c = make_user(session, edition)
    full = make_session(
        session, edition, local(2025, 10, 9, 14), local(2025, 10, 9, 15), capacity=1
    )
    other = make_session(session, edition, local(2025, 10, 9, 9), local(2025, 10, 9, 10))
    seat(session, full, c)
    seat(session, full, a, status="waitlisted", position=4)
    seat(session, full, b, status="waitlisted", position=9)
    seat(session, other, b)
    session.add(SessionStar(session_id=other.id, user_id=a.id))
    _meeting(session, edition, startup, investor, local(2025, 10, 10, 10))
    session.commit()

    bulk = agendas(session, edition, [a, b, c])

    def shape(items):
        return [(i.uid, i.status, i.waitlist_position, i.counterpart) for i in items]

    for person in (a, b, c):
        assert shape(bulk[person.id]) == shape(agenda_items(session, edition, person))
    assert [i.waitlist_position for i in bulk[b.id] if i.status == "waitlisted"] == [2]
    assert [i.counterpart for i in bulk[a.id] if i.kind == "meeting"] == [investor.name]


def test_the_agenda_shows_a_banner_for_what_starts_within_the_reminder_minutes(
    app, client, auth, session
):
    from datetime import timedelta

    from techfest.db import now_utc
    from tests.factories import make_edition, make_user
    from tests.factories.programme import make_session, seat

    edition = make_edition(session)
    person = make_user(session, edition, email="soon@example.vn")
    now = now_utc()
    soon = make_session(
        session,
        edition,
        now + timedelta(minutes=10),
        now + timedelta(minutes=70),
        title_vi="Sắp bắt đầu",
    )
    later = make_session(
        session, edition, now + timedelta(hours=3), now + timedelta(hours=4), title_vi="Để sau"
    )
    seat(session, soon, person)
    seat(session, later, person)
    session.commit()
    auth.login("soon@example.vn")

    page = client.get("/2025/programme/agenda").get_data(as_text=True)
    app.config["REMINDER_MINUTES"] = 5
    shorter = client.get("/2025/programme/agenda").get_data(as_text=True)

    banners = page.split('class="alert alert-warning tf-agenda-soon"')[1:]
    assert len(banners) == 1
    assert "Sắp bắt đầu" in banners[0]
    assert "tf-agenda-soon" not in shorter
