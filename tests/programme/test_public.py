"""The public programme: days, filters, detail page, bilingual titles."""

from tests.factories import local, make_edition, make_user
from tests.factories.programme import make_room, make_session, make_track, seat


def test_programme_lists_sessions_by_day_with_time_room_track_and_seats(client, session):
    edition = make_edition(session)
    room = make_room(session, edition, name_vi="Hội trường chính")
    track = make_track(session, edition, name_vi="Diễn đàn", color="#123456")
    ps = make_session(
        session,
        edition,
        local(2025, 10, 10, 14),
        local(2025, 10, 10, 15, 30),
        capacity=3,
        room_id=room.id,
        track_id=track.id,
        title_vi="Diễn đàn Nghị quyết 57",
        speakers=[{"name": "Trần Hải", "organisation": "Sở KH&CN"}],
    )
    seat(session, ps, make_user(session, edition))
    make_session(
        session, edition, local(2025, 10, 9, 9), local(2025, 10, 9, 10), title_vi="Khai mạc"
    )
    session.commit()

    page = client.get("/2025/programme/").get_data(as_text=True)

    assert page.index("Khai mạc") < page.index("Diễn đàn Nghị quyết 57")
    assert "14:00" in page
    assert "15:30" in page
    assert "Hội trường chính" in page
    assert 'fill="#123456"' in page
    assert "Còn 2 chỗ" in page
    assert "Trần Hải (Sở KH&amp;CN)" in page


def test_programme_shows_full_and_waitlist_length(client, session):
    edition = make_edition(session)
    ps = make_session(session, edition, capacity=1)
    seat(session, ps, make_user(session, edition))
    seat(session, ps, make_user(session, edition), status="waitlisted", position=1)
    session.commit()

    page = client.get("/2025/programme/?lang=en").get_data(as_text=True)

    assert "Full" in page
    assert "1 waiting" in page


def test_programme_filters_by_day_track_room_and_language(client, session):
    edition = make_edition(session)
    room_a, room_b = make_room(session, edition), make_room(session, edition)
    track_a, track_b = make_track(session, edition), make_track(session, edition)
    make_session(
        session,
        edition,
        local(2025, 10, 9, 9),
        local(2025, 10, 9, 10),
        title_vi="Alpha",
        room_id=room_a.id,
        track_id=track_a.id,
        language="vi",
    )
    make_session(
        session,
        edition,
        local(2025, 10, 10, 9),
        local(2025, 10, 10, 10),
        title_vi="Bravo",
        room_id=room_b.id,
        track_id=track_b.id,
        language="en",
    )
    make_session(
        session,
        edition,
        local(2025, 10, 10, 11),
        local(2025, 10, 10, 12),
        title_vi="Charlie",
        room_id=room_a.id,
        track_id=track_b.id,
        language="vi-en",
    )
    session.commit()

    def titles(query):
        page = client.get(f"/2025/programme/?{query}").get_data(as_text=True)
        return [t for t in ("Alpha", "Bravo", "Charlie") if t in page]

    assert titles("day=2025-10-10") == ["Bravo", "Charlie"]
    assert titles(f"track={track_b.id}") == ["Bravo", "Charlie"]
    assert titles(f"room={room_a.id}") == ["Alpha", "Charlie"]
    assert titles("language=en") == ["Bravo"]
    assert titles(f"day=2025-10-10&room={room_a.id}") == ["Charlie"]
    assert titles("day=nonsense&track=x&room=-1&language=zz") == ["Alpha", "Bravo", "Charlie"]


def test_programme_day_is_the_local_day_in_ho_chi_minh(client, session):
    edition = make_edition(session)
    # 06:30 local on 10 October is 23:30 UTC on 9 October
    make_session(
        session,
        edition,
        local(2025, 10, 10, 6, 30),
        local(2025, 10, 10, 7, 30),
        title_vi="Sáng sớm",
    )
    session.commit()

    page = client.get("/2025/programme/?day=2025-10-10").get_data(as_text=True)

    assert "Sáng sớm" in page
    assert "06:30" in page


def test_session_detail_shows_title_in_the_chosen_language(client, session):
    edition = make_edition(session)
    ps = make_session(
        session,
        edition,
        title_vi="Hội thảo AI tạo sinh",
        title_en="Generative AI workshop",
        description_en="About AI startups.",
    )
    session.commit()

    vi = client.get(f"/2025/programme/sessions/{ps.id}").get_data(as_text=True)
    en = client.get(f"/2025/programme/sessions/{ps.id}?lang=en").get_data(as_text=True)

    assert '<h1 class="h3">Hội thảo AI tạo sinh</h1>' in vi
    assert '<h1 class="h3">Generative AI workshop</h1>' in en
    assert "About AI startups." in en


def test_session_of_another_edition_answers_404(client, session):
    make_edition(session, 2025)
    other = make_edition(session, 2024)
    ps = make_session(session, other)
    session.commit()

    response = client.get(f"/2025/programme/sessions/{ps.id}")

    assert response.status_code == 404


def test_programme_shows_the_viewers_own_seat_and_waitlist_place(client, auth, session):
    edition = make_edition(session)
    user = make_user(session, edition)
    mine = make_session(session, edition, title_vi="Phiên của tôi")
    full = make_session(
        session, edition, local(2025, 10, 10, 9), local(2025, 10, 10, 10), capacity=1
    )
    seat(session, mine, user)
    seat(session, full, make_user(session, edition))
    seat(session, full, make_user(session, edition), status="waitlisted", position=1)
    seat(session, full, user, status="waitlisted", position=2)
    session.commit()
    auth.login(user.email)

    page = client.get("/2025/programme/").get_data(as_text=True)
    detail = client.get(f"/2025/programme/sessions/{full.id}").get_data(as_text=True)

    assert "✓ Bạn đã có chỗ" in page
    assert "Danh sách chờ: thứ 2" in page
    assert "Rời danh sách chờ" in detail


def test_full_session_offers_the_waitlist_to_a_delegate(client, auth, session):
    edition = make_edition(session)
    user = make_user(session, edition)
    full = make_session(session, edition, capacity=1)
    seat(session, full, make_user(session, edition))
    session.commit()
    auth.login(user.email)

    detail = client.get(f"/2025/programme/sessions/{full.id}").get_data(as_text=True)

    assert "Vào danh sách chờ" in detail
    assert "Hết chỗ" in detail


def test_anonymous_visitor_sees_no_sign_up_buttons(client, session):
    edition = make_edition(session)
    ps = make_session(session, edition)
    session.commit()

    detail = client.get(f"/2025/programme/sessions/{ps.id}").get_data(as_text=True)

    assert f"/sessions/{ps.id}/signup" not in detail
    assert "Đăng nhập để đăng ký phiên này." in detail
