"""Organisers create and edit tracks, rooms and sessions; CSV export and import."""

import io

from sqlmodel import select

from techfest.core.models import AuditLog
from techfest.programme.models import ProgrammeSession, Room, Track
from tests.factories import local, make_edition, make_user
from tests.factories.programme import make_room, make_session, make_track


def organiser(session, edition):
    return make_user(session, edition, role="organiser")


def session_form(**overrides):
    data = {
        "code": "WS-AI",
        "title_vi": "Hội thảo AI tạo sinh",
        "title_en": "Generative AI workshop",
        "description_vi": "Xu thế khởi nghiệp",
        "description_en": "",
        "speakers": "Trần Hải | Sở KH&CN | Giám đốc | Director",
        "track_id": "",
        "room_id": "",
        "day": "2025-10-10",
        "start_time": "14:00",
        "end_time": "16:30",
        "language": "vi-en",
        "capacity": "120",
    }
    data.update(overrides)
    return data


def all_sessions(session):
    session.rollback()
    session.expire_all()
    return session.exec(select(ProgrammeSession).order_by(ProgrammeSession.id)).all()


def test_organiser_creates_session_with_local_times_and_audit_entry(client, auth, session):
    edition = make_edition(session)
    room = make_room(session, edition, capacity=300)
    track = make_track(session, edition)
    user = organiser(session, edition)
    session.commit()
    auth.login(user.email)

    response = client.post(
        "/2025/programme/manage/sessions/new",
        data=session_form(room_id=str(room.id), track_id=str(track.id)),
    )

    assert response.status_code == 302
    [ps] = all_sessions(session)
    assert (ps.code, ps.title_vi, ps.language, ps.capacity) == (
        "WS-AI",
        "Hội thảo AI tạo sinh",
        "vi-en",
        120,
    )
    assert (ps.starts_at, ps.ends_at) == (local(2025, 10, 10, 14), local(2025, 10, 10, 16, 30))
    assert (ps.room_id, ps.track_id) == (room.id, track.id)
    assert ps.speakers == [
        {
            "name": "Trần Hải",
            "organisation": "Sở KH&CN",
            "title_vi": "Giám đốc",
            "title_en": "Director",
        }
    ]
    entry = session.exec(select(AuditLog)).one()
    assert (entry.action, entry.user_id, entry.object_id) == (
        "programme.session.create",
        user.id,
        str(ps.id),
    )


def test_session_ending_before_it_starts_is_refused_and_input_kept(client, auth, session):
    edition = make_edition(session)
    user = organiser(session, edition)
    session.commit()
    auth.login(user.email)

    response = client.post(
        "/2025/programme/manage/sessions/new",
        data=session_form(start_time="15:00", end_time="14:00", title_vi="Tiêu đề đã gõ"),
    )

    page = response.get_data(as_text=True)
    assert response.status_code == 422
    assert "Giờ kết thúc phải sau giờ bắt đầu." in page
    assert 'value="Tiêu đề đã gõ"' in page
    assert all_sessions(session) == []


def test_room_double_booking_is_refused_naming_the_other_session(client, auth, session):
    edition = make_edition(session)
    room = make_room(session, edition, name_vi="Phòng A")
    make_session(
        session,
        edition,
        local(2025, 10, 10, 15),
        local(2025, 10, 10, 17),
        room_id=room.id,
        title_vi="Diễn đàn bán dẫn",
    )
    user = organiser(session, edition)
    session.commit()
    auth.login(user.email)

    response = client.post(
        "/2025/programme/manage/sessions/new", data=session_form(room_id=str(room.id))
    )

    assert response.status_code == 422
    assert "Phòng A đã được xếp cho “Diễn đàn bán dẫn” (10/10 15:00–17:00)." in (
        response.get_data(as_text=True)
    )
    assert len(all_sessions(session)) == 1


def test_capacity_above_room_capacity_is_saved_with_a_warning(client, auth, session):
    edition = make_edition(session)
    room = make_room(session, edition, capacity=50, name_vi="Phòng nhỏ")
    user = organiser(session, edition)
    session.commit()
    auth.login(user.email)

    response = client.post(
        "/2025/programme/manage/sessions/new",
        data=session_form(room_id=str(room.id), capacity="80"),
        follow_redirects=True,
    )

    assert "Sức chứa (80) lớn hơn số chỗ của Phòng nhỏ (50)." in response.get_data(as_text=True)
    assert [ps.capacity for ps in all_sessions(session)] == [80]


def test_organiser_edits_session_and_cannot_go_below_seats_taken(client, auth, session):
    edition = make_edition(session)
    ps = make_session(session, edition, capacity=10, seats_taken=5, code="OLD")
    user = organiser(session, edition)
    session.commit()
    auth.login(user.email)
    url = f"/2025/programme/manage/sessions/{ps.id}/edit"

    form_page = client.get(url).get_data(as_text=True)
    refused = client.post(url, data=session_form(code="OLD", capacity="4"))
    accepted = client.post(url, data=session_form(code="OLD", capacity="6"))

    assert 'value="OLD"' in form_page
    assert refused.status_code == 422
    assert "Đã có 5 người giữ chỗ; sức chứa không thể thấp hơn." in refused.get_data(as_text=True)
    assert accepted.status_code == 302
    assert [(s.capacity, s.title_vi) for s in all_sessions(session)] == [
        (6, "Hội thảo AI tạo sinh")
    ]
    actions = session.exec(select(AuditLog.action)).all()
    assert actions == ["programme.session.update"]


def test_duplicate_session_code_is_refused(client, auth, session):
    edition = make_edition(session)
    make_session(session, edition, code="WS-AI")
    user = organiser(session, edition)
    session.commit()
    auth.login(user.email)

    response = client.post("/2025/programme/manage/sessions/new", data=session_form())

    assert response.status_code == 422
    assert "Mã này đã được một phiên khác sử dụng." in response.get_data(as_text=True)


def test_delegate_cannot_manage_the_programme(client, auth, session):
    edition = make_edition(session)
    user = make_user(session, edition, role="delegate")
    session.commit()
    auth.login(user.email)

    assert client.get("/2025/programme/manage").status_code == 403
    assert (
        client.post("/2025/programme/manage/sessions/new", data=session_form()).status_code == 403
    )
    assert all_sessions(session) == []


def test_organiser_of_another_edition_cannot_manage_this_one(client, auth, session):
    make_edition(session, 2025)
    user = organiser(session, make_edition(session, 2024))
    session.commit()
    auth.login(user.email)

    assert (
        client.post("/2025/programme/manage/sessions/new", data=session_form()).status_code == 403
    )
    assert client.get("/2025/programme/manage/sessions.csv").status_code == 403


def test_editing_a_session_of_another_edition_answers_404(client, auth, session):
    edition = make_edition(session, 2025)
    other = make_edition(session, 2024)
    ps = make_session(session, other)
    user = organiser(session, edition)
    session.commit()
    auth.login(user.email)

    assert client.get(f"/2025/programme/manage/sessions/{ps.id}/edit").status_code == 404


def test_organiser_creates_and_edits_track_and_room(client, auth, session):
    edition = make_edition(session)
    user = organiser(session, edition)
    session.commit()
    auth.login(user.email)

    client.post(
        "/2025/programme/manage/tracks/new",
        data={"code": "AI", "name_vi": "Trí tuệ nhân tạo", "name_en": "AI", "color": "#AA0000"},
    )
    client.post(
        "/2025/programme/manage/rooms/new",
        data={
            "code": "HN1",
            "name_vi": "Phòng hội nghị 1",
            "name_en": "Room 1",
            "capacity": "300",
            "location_vi": "Tầng 2",
            "location_en": "Floor 2",
        },
    )
    session.rollback()
    track = session.exec(select(Track)).one()
    room = session.exec(select(Room)).one()
    client.post(
        f"/2025/programme/manage/rooms/{room.id}/edit",
        data={
            "code": "HN1",
            "name_vi": "Phòng hội nghị 1",
            "name_en": "Room 1",
            "capacity": "250",
            "location_vi": "",
            "location_en": "",
        },
    )
    session.rollback()
    session.expire_all()

    assert (track.code, track.color) == ("AI", "#aa0000")
    assert session.get(Room, room.id).capacity == 250
    actions = session.exec(select(AuditLog.action).order_by(AuditLog.id)).all()
    assert actions == ["programme.track.create", "programme.room.create", "programme.room.update"]


def test_room_with_bad_capacity_is_refused_and_input_kept(client, auth, session):
    edition = make_edition(session)
    user = organiser(session, edition)
    session.commit()
    auth.login(user.email)

    response = client.post(
        "/2025/programme/manage/rooms/new",
        data={"code": "HN1", "name_vi": "Phòng lớn", "name_en": "Big", "capacity": "-3"},
    )

    assert response.status_code == 422
    assert 'value="Phòng lớn"' in response.get_data(as_text=True)
    assert session.exec(select(Room)).all() == []


# --------------------------------------------------------------------------- CSV


HEADER = "code,title_vi,title_en,date,start,end,track,room,language,capacity,speakers\n"


def upload(client, text: str):
    return client.post(
        "/2025/programme/manage/import",
        data={"file": (io.BytesIO(text.encode()), "sessions.csv")},
        content_type="multipart/form-data",
    )


def test_csv_export_then_import_round_trips(client, auth, session):
    edition = make_edition(session)
    room = make_room(session, edition, code="MAIN")
    track = make_track(session, edition, code="FORUM")
    make_session(
        session,
        edition,
        local(2025, 10, 9, 8, 30),
        local(2025, 10, 9, 10, 30),
        code="D1-OPEN",
        title_vi="Khai mạc",
        title_en="Opening",
        room_id=room.id,
        track_id=track.id,
        speakers=[{"name": "Hoàng Minh", "organisation": "Bộ KH&CN"}],
    )
    user = organiser(session, edition)
    session.commit()
    auth.login(user.email)

    exported = client.get("/2025/programme/manage/sessions.csv").get_data(as_text=True)
    response = upload(client, exported.replace("Khai mạc", "Lễ khai mạc"))

    assert exported.splitlines()[1] == (
        "D1-OPEN,Khai mạc,Opening,2025-10-09,08:30,10:30,FORUM,MAIN,vi,50,Hoàng Minh | Bộ KH&CN,,"
    )
    assert response.status_code == 302
    [ps] = all_sessions(session)
    assert (ps.title_vi, ps.starts_at, ps.speakers[0]["name"]) == (
        "Lễ khai mạc",
        local(2025, 10, 9, 8, 30),
        "Hoàng Minh",
    )


def test_csv_import_creates_sessions_and_records_audit(client, auth, session):
    edition = make_edition(session)
    make_room(session, edition, code="HN1", capacity=300)
    user = organiser(session, edition)
    session.commit()
    auth.login(user.email)

    response = upload(
        client,
        HEADER
        + "A1,Phiên một,One,2025-10-09,09:00,10:00,,HN1,vi,,\n"
        + "A2,Phiên hai,Two,2025-10-09,10:00,11:00,,HN1,en,80,Mai | X; Lan | Y\n",
    )

    assert response.status_code == 302
    rows = [(s.code, s.capacity, len(s.speakers)) for s in all_sessions(session)]
    assert rows == [("A1", 300, 0), ("A2", 80, 2)]
    entry = session.exec(select(AuditLog)).one()
    assert (entry.action, entry.details) == (
        "programme.session.import",
        {"created": 2, "updated": 0},
    )


def test_csv_import_with_any_bad_row_imports_nothing_and_lists_each_error(client, auth, session):
    edition = make_edition(session)
    make_room(session, edition, code="HN1")
    user = organiser(session, edition)
    session.commit()
    auth.login(user.email)

    response = upload(
        client,
        HEADER
        + "A1,Phiên một,One,2025-10-09,09:00,10:00,,HN1,vi,,\n"
        + "A2,,Two,2025-13-01,10:00,09:00,NOPE,HN1,fr,0,\n"
        + "A3,Phiên ba,Three,2025-10-09,09:30,10:30,,HN1,vi,,\n"
        + "A1,Phiên bốn,Four,2025-10-12,9h,10:00,,,vi,,\n",
    )

    page = response.get_data(as_text=True)
    assert response.status_code == 422
    assert "Không có gì được nhập: 10 lỗi trong 4 dòng." in page
    for text in (
        "Trường này là bắt buộc.",
        "Nhập ngày theo dạng YYYY-MM-DD.",
        "Không có chủ đề mang mã NOPE.",
        "Ngôn ngữ phải là vi, en hoặc vi-en.",
        "Sức chứa phải từ 1 đến 100000.",
        "Phòng đã được dòng 2 xếp vào giờ này.",
        "Mã A1 xuất hiện hai lần (dòng 2).",
        "Ngày này không thuộc thời gian diễn ra sự kiện.",
        "Nhập giờ theo dạng HH:MM.",
    ):
        assert text in page
    assert all_sessions(session) == []
    assert session.exec(select(AuditLog)).all() == []


def test_csv_import_reports_rows_against_existing_room_bookings(app_ctx, session):
    from techfest.programme.csv import import_sessions_csv

    edition = make_edition(session)
    room = make_room(session, edition, code="HN1")
    make_session(
        session,
        edition,
        local(2025, 10, 9, 9),
        local(2025, 10, 9, 10),
        code="KEEP",
        title_vi="Phiên cũ",
        room_id=room.id,
    )
    user = organiser(session, edition)

    report = import_sessions_csv(
        session, edition, user, HEADER + "NEW,Phiên mới,,2025-10-09,09:30,10:30,,HN1,vi,,\n"
    )

    assert [(e.line, e.column, e.message) for e in report.errors] == [
        (2, "room", "Phòng đã được xếp cho “Phiên cũ” vào giờ này.")
    ]


def test_csv_import_of_unreadable_file_reports_it(client, auth, session):
    edition = make_edition(session)
    user = organiser(session, edition)
    session.commit()
    auth.login(user.email)

    response = client.post(
        "/2025/programme/manage/import",
        data={"file": (io.BytesIO(b"code\x81\x8d\n"), "x.csv")},
        content_type="multipart/form-data",
    )

    assert response.status_code == 422
    assert "Không nhận ra bảng mã của tệp." in response.get_data(as_text=True)


def test_csv_import_via_command_line(app, session, tmp_path):
    edition = make_edition(session)
    user = organiser(session, edition)
    session.commit()
    path = tmp_path / "s.csv"
    path.write_text(HEADER + "C1,Phiên CLI,,2025-10-11,13:00,14:00,,,vi,40,\n", encoding="utf-8")

    result = app.test_cli_runner().invoke(
        args=["programme-import", "--year", "2025", "--as-user", user.email, str(path)]
    )

    assert result.output == "Imported: 1 created, 0 updated.\n"
    assert [(s.code, s.capacity) for s in all_sessions(session)] == [("C1", 40)]


def test_raising_capacity_seats_waiting_people_in_order_and_emails_them(client, auth, session):
    from techfest.core.models import OutboxEmail
    from techfest.programme.models import SessionSignup
    from tests.factories.programme import seat

    edition = make_edition(session)
    ps = make_session(session, edition, capacity=1, code="WS-AI")
    seat(session, ps, make_user(session, edition))
    waiting = [make_user(session, edition) for _ in range(3)]
    for position, person in enumerate(waiting, start=1):
        seat(session, ps, person, status="waitlisted", position=position)
    user = organiser(session, edition)
    session.commit()
    auth.login(user.email)

    response = client.post(
        f"/2025/programme/manage/sessions/{ps.id}/edit", data=session_form(capacity="3")
    )

    assert response.status_code == 302
    [saved] = all_sessions(session)
    statuses = dict(
        session.exec(
            select(SessionSignup.user_id, SessionSignup.status).where(
                SessionSignup.session_id == ps.id
            )
        ).all()
    )
    assert saved.seats_taken == 3
    assert [statuses[p.id] for p in waiting] == ["seated", "seated", "waitlisted"]
    mails = session.exec(select(OutboxEmail.to_email).order_by(OutboxEmail.id)).all()
    assert mails == [waiting[0].email, waiting[1].email]


def test_session_form_messages_come_in_vietnamese(client, auth, session):
    edition = make_edition(session)
    user = organiser(session, edition)
    session.commit()
    auth.login(user.email)

    response = client.post(
        "/2025/programme/manage/sessions/new",
        data=session_form(capacity="nhiều", language="fr", title_vi="x" * 301),
    )

    page = response.get_data(as_text=True)
    assert "số nguyên." in page
    assert "Lựa chọn không hợp lệ." in page
    assert "Not a valid" not in page
    assert "Tối đa 300 ký tự." in page


def test_csv_export_via_command_line(app, session, tmp_path):
    edition = make_edition(session)
    make_session(session, edition, code="E1", title_vi="Phiên xuất")
    session.commit()
    path = tmp_path / "out.csv"

    result = app.test_cli_runner().invoke(args=["programme-export", "--year", "2025", str(path)])

    assert result.output == f"Wrote 1 session(s) to {path}.\n"
    assert path.read_text(encoding="utf-8").splitlines()[1].startswith("E1,Phiên xuất,")


def test_editing_a_track_or_room_of_another_edition_answers_404(client, auth, session):
    edition = make_edition(session, 2025)
    other = make_edition(session, 2024)
    track, room = make_track(session, other), make_room(session, other)
    user = organiser(session, edition)
    session.commit()
    auth.login(user.email)

    track_page = client.get(f"/2025/programme/manage/tracks/{track.id}/edit")
    room_post = client.post(
        f"/2025/programme/manage/rooms/{room.id}/edit",
        data={"code": "X", "name_vi": "X", "name_en": "X", "capacity": "5"},
    )

    assert (track_page.status_code, room_post.status_code) == (404, 404)
    session.rollback()
    session.expire_all()
    assert session.get(Room, room.id).code == room.code


def test_csv_import_refuses_capacity_written_with_non_ascii_digits(client, auth, session):
    """'²' and '٣' are digits to Python's isdigit() but not numbers a person typed."""
    edition = make_edition(session)
    make_room(session, edition, code="HN1")
    user = organiser(session, edition)
    session.commit()
    auth.login(user.email)

    response = upload(
        client,
        HEADER
        + "A1,Phiên một,One,2025-10-09,09:00,10:00,,HN1,vi,²,\n"
        + "A2,Phiên hai,Two,2025-10-09,10:00,11:00,,HN1,vi,٣٠,\n",
    )

    page = response.get_data(as_text=True)
    assert response.status_code == 422
    assert page.count("Sức chứa phải từ 1 đến 100000.") == 2
    assert all_sessions(session) == []
