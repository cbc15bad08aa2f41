import threading
from datetime import timedelta

import pytest
from sqlmodel import Session, select

from techfest.core.models import Edition, OutboxEmail
from techfest.db import now_utc, writing
from techfest.matchmaking import bookings, errors, participants
from techfest.matchmaking.models import LIVE, Meeting, MeetingFeedback, MeetingSlot
from tests.matchmaking.conftest import build_world, meeting, url


def _publish(session, world):
    world.edition.meetings_published_at = now_utc()
    session.add(world.edition)
    session.commit()


def _live(session):
    session.rollback()
    session.expire_all()
    return session.exec(select(Meeting).where(Meeting.status.in_(LIVE))).all()


def test_investor_books_suggested_startup_into_free_slot_when_the_edition_auto_accepts(
    client, auth, session, world
):
    world.edition.meeting_auto_accept = True
    _publish(session, world)
    startup, investor = world.startups[0], world.investors[0]
    auth.login(world.users[investor.id].email)

    response = client.post(url(world, f"/book/{startup.id}"), data={"slot_id": world.slots[1].id})

    assert response.status_code == 302
    booked = _live(session)
    assert [(m.slot_id, m.table_id, m.status, m.source) for m in booked] == [
        (world.slots[1].id, world.tables[0].id, "published", "booking")
    ]
    assert len(session.exec(select(OutboxEmail)).all()) == 2


def test_booking_before_publishing_is_refused(client, auth, session, world):
    auth.login(world.users[world.investors[0].id].email)

    client.post(url(world, f"/book/{world.startups[0].id}"), data={"slot_id": world.slots[0].id})

    assert _live(session) == []


def test_booking_page_offers_only_slots_free_for_both(client, auth, session, world):
    _publish(session, world)
    a, b = world.startups
    x, y = world.investors
    meeting(session, world, a, y, world.slots[0], world.tables[0])  # startup busy in slot 0
    meeting(session, world, b, x, world.slots[1], world.tables[0])  # investor busy in slot 1
    auth.login(world.users[x.id].email)

    form = client.get(url(world, f"/book/{a.id}")).get_data(as_text=True)

    offered = [s.id for s in world.slots if f'value="{s.id}"' in form]
    assert offered == [world.slots[2].id, world.slots[3].id]


def test_booking_a_slot_taken_by_the_startup_is_refused(client, auth, session, world):
    _publish(session, world)
    a = world.startups[0]
    x, y = world.investors
    meeting(session, world, a, y, world.slots[0], world.tables[0])
    auth.login(world.users[x.id].email)

    client.post(url(world, f"/book/{a.id}"), data={"slot_id": world.slots[0].id})

    assert len(_live(session)) == 1


def test_booking_over_the_quota_is_refused(client, auth, session, world):
    from techfest.matchmaking.models import InvestorProfile

    _publish(session, world)
    a, b = world.startups
    x = world.investors[0]
    profile = session.exec(
        select(InvestorProfile).where(InvestorProfile.organisation_id == x.id)
    ).one()
    profile.max_meetings = 1
    session.add(profile)
    session.commit()
    meeting(session, world, a, x, world.slots[0], world.tables[0])
    auth.login(world.users[x.id].email)

    response = client.post(
        url(world, f"/book/{b.id}"), data={"slot_id": world.slots[1].id}, follow_redirects=True
    )

    assert len(_live(session)) == 1
    assert "hạn mức" in response.get_data(as_text=True)


def test_startup_cannot_use_the_booking_page(client, auth, session, world):
    _publish(session, world)
    auth.login(world.users[world.startups[0].id].email)

    response = client.get(url(world, f"/book/{world.startups[1].id}"))

    assert response.status_code == 403


def _race(app, edition_id, attempts):
    """Run `attempts` (investor_user_id, startup_id, slot_id) bookings released together."""
    barrier = threading.Barrier(len(attempts))
    results = []
    engine = app.extensions["techfest_engine"]

    def attempt(user_id, startup_id, slot_id):
        from techfest.auth.models import User

        with app.test_request_context(), writing(), Session(engine, expire_on_commit=False) as s:
            edition = s.get(Edition, edition_id)
            user = s.get(User, user_id)
            me = participants.participant_for(s, edition, user)
            s.commit()  # end the lookup's transaction before the start signal
            barrier.wait()
            try:
                bookings.book_meeting(s, edition, me, user, startup_id, slot_id)
                s.commit()
                results.append("ok")
            except errors.MatchmakingError:
                s.rollback()
                results.append("refused")

    threads = [threading.Thread(target=attempt, args=a) for a in attempts]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    return results


@pytest.mark.both_databases
def test_concurrent_bookings_for_one_startup_never_double_book(app, session, backend):
    world = build_world(session, n_slots=1, n_tables=60, startups=1, investors=50)
    _publish(session, world)
    startup = world.startups[0]
    attempts = [(world.users[i.id].id, startup.id, world.slots[0].id) for i in world.investors]

    results = _race(app, world.edition.id, attempts)

    assert sorted(results) == ["ok"] + ["refused"] * 49
    assert len(_live(session)) == 1


@pytest.mark.both_databases
def test_concurrent_bookings_for_one_table_and_one_investor_never_double_book(
    app, session, backend
):
    world = build_world(session, n_slots=1, n_tables=1, startups=50, investors=2)
    _publish(session, world)
    x, y = world.investors
    attempts = [
        (world.users[(x if k % 2 else y).id].id, s.id, world.slots[0].id)
        for k, s in enumerate(world.startups)
    ]

    results = _race(app, world.edition.id, attempts)

    assert sorted(results) == ["ok"] + ["refused"] * 49
    live = _live(session)
    assert len(live) == 1


def _past_world(session):
    world = build_world(session, future=False)
    _publish(session, world)
    return world


def test_participant_marks_meeting_held(client, auth, session):
    world = _past_world(session)
    a, x = world.startups[0], world.investors[0]
    m = meeting(session, world, a, x, world.slots[0], world.tables[0])
    auth.login(world.users[a.id].email)

    client.post(url(world, f"/meetings/{m.id}/held"))

    session.rollback()
    session.expire_all()
    assert session.get(Meeting, m.id).status == "held"


def test_other_organisation_cannot_mark_a_meeting(client, auth, session):
    world = _past_world(session)
    a, b = world.startups
    x = world.investors[0]
    m = meeting(session, world, a, x, world.slots[0], world.tables[0])
    auth.login(world.users[b.id].email)

    response = client.post(url(world, f"/meetings/{m.id}/no_show"))

    assert response.status_code == 404


def test_marking_a_future_meeting_is_refused(client, auth, session, world):
    _publish(session, world)
    a, x = world.startups[0], world.investors[0]
    m = meeting(session, world, a, x, world.slots[0], world.tables[0])
    auth.login(world.users[a.id].email)

    client.post(url(world, f"/meetings/{m.id}/held"))

    session.rollback()
    session.expire_all()
    assert session.get(Meeting, m.id).status == "published"


def _running_slot(session, world):
    """Make slot 0 run now (started 5 minutes ago, ends in 15)."""
    slot = session.get(MeetingSlot, world.slots[0].id)
    slot.starts_at = now_utc() - timedelta(minutes=5)
    slot.ends_at = now_utc() + timedelta(minutes=15)
    session.add(slot)
    session.commit()
    return slot


def test_no_show_offers_the_place_to_the_next_waiting_pair(client, auth, session, world):
    from techfest.matchmaking.models import MeetingRequest

    _publish(session, world)
    slot = _running_slot(session, world)
    a, b = world.startups
    x, y = world.investors
    gone = meeting(session, world, a, x, slot, world.tables[0])
    session.add(
        MeetingRequest(
            edition_id=world.edition.id,
            from_organisation_id=b.id,
            to_organisation_id=y.id,
            status="accepted",
        )
    )
    session.commit()
    auth.login(world.organiser.email)
    client.post(url(world, f"/admin/meetings/{gone.id}/status/no_show"))
    auth.logout()
    auth.login(world.users[b.id].email)

    page = client.get(url(world, "/meetings")).get_data(as_text=True)
    client.post(url(world, f"/offers/{slot.id}/{world.tables[0].id}/take"))

    assert "Nhận chỗ này" in page
    taken = [m for m in _live(session) if m.source == "standby"]
    assert [(m.startup_organisation_id, m.investor_organisation_id, m.slot_id) for m in taken] == [
        (b.id, y.id, slot.id)
    ]


def test_offer_cannot_be_taken_by_someone_not_waiting(client, auth, session, world):
    _publish(session, world)
    slot = _running_slot(session, world)
    a, b = world.startups
    x = world.investors[0]
    m = meeting(session, world, a, x, slot, world.tables[0], status="cancelled")
    assert m.id
    auth.login(world.users[b.id].email)

    client.post(url(world, f"/offers/{slot.id}/{world.tables[0].id}/take"))

    assert _live(session) == []


def test_each_side_rates_a_meeting_once_and_can_change_it(client, auth, session):
    world = _past_world(session)
    a, x = world.startups[0], world.investors[0]
    m = meeting(session, world, a, x, world.slots[0], world.tables[0], status="held")
    auth.login(world.users[a.id].email)
    client.post(url(world, f"/meetings/{m.id}/feedback"), data={"rating": "useful"})
    client.post(url(world, f"/meetings/{m.id}/feedback"), data={"rating": "follow_up"})
    auth.logout()
    auth.login(world.users[x.id].email)
    client.post(url(world, f"/meetings/{m.id}/feedback"), data={"rating": "did_not_happen"})

    rows = session.exec(
        select(MeetingFeedback.organisation_id, MeetingFeedback.rating).order_by(
            MeetingFeedback.organisation_id
        )
    ).all()
    assert rows == [(a.id, "follow_up"), (x.id, "did_not_happen")]


def test_rating_a_future_meeting_is_refused(client, auth, session, world):
    _publish(session, world)
    a, x = world.startups[0], world.investors[0]
    m = meeting(session, world, a, x, world.slots[0], world.tables[0])
    auth.login(world.users[a.id].email)

    client.post(url(world, f"/meetings/{m.id}/feedback"), data={"rating": "useful"})

    assert session.exec(select(MeetingFeedback)).all() == []


def test_export_lists_meetings_with_both_ratings(client, auth, session):
    world = _past_world(session)
    a, x = world.startups[0], world.investors[0]
    m = meeting(session, world, a, x, world.slots[0], world.tables[0], status="held")
    session.add(MeetingFeedback(meeting_id=m.id, organisation_id=a.id, rating="useful"))
    session.commit()
    auth.login(world.organiser.email)

    response = client.get(url(world, "/admin/export.csv"))

    lines = response.get_data(as_text=True).lstrip("\ufeff").splitlines()
    assert lines[0].split(",")[:3] == ["meeting_id", "status", "day"]
    assert lines[1].split(",")[1] == "held"
    assert "useful" in lines[1]


def test_export_is_for_organisers_only(client, auth, session, world):
    auth.login(world.users[world.startups[0].id].email)

    assert client.get(url(world, "/admin/export.csv")).status_code == 403


def test_the_rating_form_opens_only_for_the_meeting_chosen(client, auth, session):
    world = _past_world(session)
    a = world.startups[0]
    for n, x in enumerate(world.investors[:2]):
        meeting(session, world, a, x, world.slots[n], world.tables[0], status="held")
    auth.login(world.users[a.id].email)
    first = client.get(url(world, "/meetings?lang=en")).get_data(as_text=True)
    m = session.exec(select(Meeting).order_by(Meeting.id)).first()
    client.post(url(world, f"/meetings/{m.id}/feedback"), data={"rating": "useful"})

    again = client.get(url(world, "/meetings?lang=en")).get_data(as_text=True)

    assert first.count('<details class="mt-2 mm-feedback">') == 2  # folded, one per meeting
    assert first.count("Rate this meeting") == 2
    assert "<details open" not in first
    assert "Your rating: Useful — change it" in again
    assert again.count("Rate this meeting") == 1
