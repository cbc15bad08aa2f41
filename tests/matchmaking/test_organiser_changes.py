from sqlmodel import select

from techfest.core.models import AuditLog
from techfest.matchmaking.models import Meeting, MeetingSlot, MeetingTable, Unavailability
from tests.matchmaking.conftest import meeting, url


def _fresh(session, model, id_):
    session.rollback()
    session.expire_all()
    return session.get(model, id_)


def test_organiser_adds_slots_with_length_gap_and_lunch_break(client, auth, session, world):
    auth.login(world.organiser.email)

    client.post(
        url(world, "/admin/slots"),
        data={
            "day": "2",
            "start": "08:30",
            "end": "12:00",
            "minutes": "20",
            "gap": "5",
            "break_start": "09:20",
            "break_end": "10:00",
        },
    )

    session.rollback()
    rows = session.exec(
        select(MeetingSlot).where(MeetingSlot.day == 2).order_by(MeetingSlot.starts_at)
    ).all()
    assert [s.starts_at.strftime("%H:%M") for s in rows] == [
        "01:30",
        "01:55",
        "03:00",
        "03:25",
        "03:50",
        "04:15",
        "04:40",
    ]


def test_bad_time_in_slot_form_is_refused(client, auth, session, world):
    auth.login(world.organiser.email)

    response = client.post(
        url(world, "/admin/slots"),
        data={"day": "1", "start": "25:00", "end": "12:00", "minutes": "20"},
        follow_redirects=True,
    )

    assert "HH:MM" in response.get_data(as_text=True)


def test_organiser_adds_numbered_tables(client, auth, session, world):
    auth.login(world.organiser.email)

    client.post(url(world, "/admin/tables"), data={"count": "3", "location_en": "Hall A"})

    session.rollback()
    labels = session.exec(select(MeetingTable.label).order_by(MeetingTable.number)).all()
    assert labels == ["T01", "T02", "T03", "T04", "T05"]


def test_move_into_an_occupied_table_is_refused(client, auth, session, world):
    a, b = world.startups
    x, y = world.investors
    first = meeting(session, world, a, x, world.slots[0], world.tables[0], status="draft")
    second = meeting(session, world, b, y, world.slots[1], world.tables[0], status="draft")
    auth.login(world.organiser.email)

    client.post(
        url(world, f"/admin/meetings/{second.id}/move"),
        data={"slot_id": world.slots[0].id, "table_id": world.tables[0].id},
    )

    assert _fresh(session, Meeting, second.id).slot_id == world.slots[1].id
    assert first.id


def test_move_putting_a_participant_in_two_places_is_refused(client, auth, session, world):
    a = world.startups[0]
    x, y = world.investors
    meeting(session, world, a, x, world.slots[0], world.tables[0], status="draft")
    other = meeting(session, world, a, y, world.slots[1], world.tables[0], status="draft")
    auth.login(world.organiser.email)

    response = client.post(
        url(world, f"/admin/meetings/{other.id}/move"),
        data={"slot_id": world.slots[0].id, "table_id": world.tables[1].id},
        follow_redirects=True,
    )

    assert _fresh(session, Meeting, other.id).slot_id == world.slots[1].id
    assert "đã có lịch trong lượt này" in response.get_data(as_text=True)


def test_move_into_an_unavailable_slot_is_refused(client, auth, session, world):
    a, x = world.startups[0], world.investors[0]
    m = meeting(session, world, a, x, world.slots[0], world.tables[0], status="draft")
    session.add(Unavailability(organisation_id=x.id, slot_id=world.slots[2].id))
    session.commit()
    auth.login(world.organiser.email)

    client.post(
        url(world, f"/admin/meetings/{m.id}/move"),
        data={"slot_id": world.slots[2].id, "table_id": world.tables[0].id},
    )

    assert _fresh(session, Meeting, m.id).slot_id == world.slots[0].id


def test_move_to_a_free_place_is_written_and_audited(client, auth, session, world):
    a, x = world.startups[0], world.investors[0]
    m = meeting(session, world, a, x, world.slots[0], world.tables[0], status="draft")
    auth.login(world.organiser.email)

    client.post(
        url(world, f"/admin/meetings/{m.id}/move"),
        data={"slot_id": world.slots[3].id, "table_id": world.tables[1].id},
    )

    moved = _fresh(session, Meeting, m.id)
    assert (moved.slot_id, moved.table_id) == (world.slots[3].id, world.tables[1].id)
    assert session.exec(select(AuditLog.action)).all() == ["matchmaking.meeting.move"]


def test_organiser_adds_a_locked_meeting(client, auth, session, world):
    a, x = world.startups[0], world.investors[0]
    auth.login(world.organiser.email)

    client.post(
        url(world, "/admin/meetings/add"),
        data={
            "startup_id": a.id,
            "investor_id": x.id,
            "slot_id": world.slots[1].id,
            "table_id": world.tables[0].id,
        },
    )

    session.rollback()
    rows = session.exec(select(Meeting.status, Meeting.locked, Meeting.source)).all()
    assert rows == [("draft", True, "organiser")]


def test_lock_and_cancel_a_meeting(client, auth, session, world):
    a, x = world.startups[0], world.investors[0]
    m = meeting(session, world, a, x, world.slots[0], world.tables[0], status="draft")
    auth.login(world.organiser.email)

    client.post(url(world, f"/admin/meetings/{m.id}/lock"))
    locked = _fresh(session, Meeting, m.id).locked
    client.post(url(world, f"/admin/meetings/{m.id}/cancel"))

    assert (locked, _fresh(session, Meeting, m.id).status) == (True, "cancelled")


def test_meeting_of_another_edition_answers_404(client, auth, session, world):
    from tests.matchmaking.conftest import build_world

    other = build_world(session, year=2024, startups=1, investors=1)
    m = meeting(
        session, other, other.startups[0], other.investors[0], other.slots[0], other.tables[0]
    )
    auth.login(world.organiser.email)

    response = client.post(url(world, f"/admin/meetings/{m.id}/cancel"))

    assert response.status_code == 404


def test_participant_day_view_lists_its_meetings(client, auth, session, world):
    a, x = world.startups[0], world.investors[0]
    meeting(session, world, a, x, world.slots[0], world.tables[0], status="draft")
    auth.login(world.organiser.email)

    body = client.get(url(world, f"/admin/review?org={x.id}")).get_data(as_text=True)

    assert body.count("Startup A") >= 2
